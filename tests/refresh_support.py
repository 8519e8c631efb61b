"""What the refresh tests share: a service on the demo world, and a code provider that records its requests."""

from __future__ import annotations

import json

from mfa_tui.core.registry import load as registry
from mfa_tui.core.registry import edit as registry_edit
from mfa_tui.core.session.refresh import CodeRequest
from mfa_tui.core.service.facade import Service
from mfa_tui.localaws import backends


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


def add_direct_role(world, account: str, name: str, *, max_session: int, duration: str) -> str:
    """A role that trusts alice with MFA, and a direct profile (named ``name``) asking ``duration`` of it."""
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": world.alice.arn},
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}
    role = backends.iam(account).create_role(
        role_name=name.title().replace("-", ""), assume_role_policy_document=json.dumps(trust), path="/",
        permissions_boundary=None, description="test", tags=[], max_session_duration=str(max_session),
    )
    # Like the demo roles' policy (iam:Get*): the role's own session may read its maximum.
    backends.iam(account).put_role_policy(role.name, "ReadItself", json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:GetRole", "Resource": role.arn}]}))
    registry_edit.add_entries(world.config_path, profiles={name: {
        "identity": "alice", "role_arn": role.arn, "strategy": "direct", "duration": duration}},
        aws_config_path=world.aws_config_path)
    return role.arn
