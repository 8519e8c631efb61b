"""A keyring backend for tests, set the way keyring documents (``keyring.set_keyring``).

``MemoryKeyring`` keeps items in a dict and can be told to fail its next writes or reads, to
reach the failure paths of a move or a rotation. Its ``priority`` raises, so keyring never picks it
on its own: only a test that sets it uses it. ``use(backend)`` sets a backend and returns a function
that restores the one before.
"""

from __future__ import annotations

import keyring
import pytest
import keyring.core
from jaraco.classes.properties import classproperty
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.fail_writes = 0
        self.fail_reads = 0

    @classproperty
    def priority(cls):
        raise RuntimeError("test backend: only used when set")

    def get_password(self, service, username):
        if self.fail_reads:
            self.fail_reads -= 1
            raise KeyringError("the test keyring is locked")
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        if self.fail_writes:
            self.fail_writes -= 1
            raise KeyringError("the test keyring refused the write")
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.items:
            raise PasswordDeleteError("no such item")
        del self.items[(service, username)]


def use(backend) -> callable:
    before = keyring.core._keyring_backend
    keyring.set_keyring(backend)

    def restore() -> None:
        keyring.core._keyring_backend = before

    return restore


@pytest.fixture
def ring():
    """A fresh :class:`MemoryKeyring` as keyring's backend for the test (import the fixture to use it)."""
    backend = MemoryKeyring()
    restore = use(backend)
    yield backend
    restore()
