"""What the refresh tests share: a service on the demo world, and a code provider that records its requests."""

from __future__ import annotations

from mfa_tui.core import registry
from mfa_tui.core.refresh import CodeRequest
from mfa_tui.core.service import Service


def make_service(world, clock) -> Service:
    return Service(registry.load(world.config_path, aws_config_path=world.aws_config_path), clock=clock)


class Codes:
    """A code provider that records every request and answers from a list or the demo device."""

    def __init__(self, world, answers=None):
        self.world = world
        self.answers = list(answers or [])
        self.requests: list[CodeRequest] = []

    def __call__(self, request: CodeRequest):
        self.requests.append(request)
        if request.wait_seconds:
            self.world.clock.advance(request.wait_seconds)
        if self.answers:
            answer = self.answers.pop(0)
            return answer() if callable(answer) else answer
        return self.world.code()
