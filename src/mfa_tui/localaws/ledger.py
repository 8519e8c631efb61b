"""The layer's own tables: credentials it issued and the TOTP state of each MFA device.

moto hands every caller the same constant session keys (docs/libraries.md, "moto does not enforce MFA"), so the
layer mints its own and remembers who each set belongs to, whether it carries MFA and
when it expires; GetCallerIdentity, AssumeRole and IAM calls resolve callers from here.
Per device it keeps the last TOTP step accepted (a code is good once, docs/aws-behaviour.md, "Codes are single-use") and the
drift learnt by ResyncMFADevice. Everything is guarded by one lock: the server is
threaded and "check the step, then spend it" must be atomic.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import string
import threading
from dataclasses import dataclass
from datetime import datetime

import pyotp

from mfa_tui.core.clock import TOTP_STEP, totp_step
from mfa_tui.core.models import Credentials

_KEY_ALPHABET = string.ascii_uppercase + "234567"


@dataclass(frozen=True)
class Issued(Credentials):
    """One set of temporary credentials the layer handed out, and whose they are."""

    kind: str
    """``session`` (GetSessionToken) or ``role`` (AssumeRole)."""
    account: str
    """The account the credentials act in (the role's account for role sessions)."""
    arn: str
    """The caller ARN GetCallerIdentity reports: the IAM user, or the assumed-role session."""
    user_id: str
    """GetCallerIdentity's UserId: ``AIDA…`` for users, ``AROA…:session`` for roles."""
    mfa: bool
    """Whether the session counts as MFA-authenticated (aws:MultiFactorAuthPresent)."""
    mfa_time: datetime | None = None
    """When the MFA code behind this session was checked (aws:MultiFactorAuthAge)."""
    user_name: str | None = None
    """For ``session``: the IAM user."""
    source_key: str | None = None
    """For ``session``: the user's long-term key id, so IAM calls reach moto as that user."""
    role_arn: str | None = None
    role_name: str | None = None
    session_name: str | None = None
    source_identity: str | None = None
    session_policy: str | None = None
    """AssumeRole's ``Policy`` parameter: a session policy that narrows the role's permissions."""
    mfa_by_own_code: bool = False
    """A role session whose MFA came from the code sent with AssumeRole itself (no MFA session):
    resource-based policies see no MFA keys for it (docs/aws-behaviour.md, "MFA context per credential type")."""
    chained: bool = False
    """A role session assumed with temporary credentials (role chaining): console sessions of at most 1 h."""


@dataclass
class DeviceState:
    """What the layer remembers about one virtual MFA device."""

    last_step: int | None = None
    """The newest TOTP step accepted; codes from it or earlier are refused."""
    drift: int = 0
    """Steps between the device's clock and ours, learnt by ResyncMFADevice."""


def _random_key(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def totp_at(seed: str, step: int) -> str:
    """The 6-digit code of ``seed`` for TOTP ``step``."""
    return pyotp.TOTP(seed).at(step * TOTP_STEP)


def _matches(seed: str, step: int, code: str) -> bool:
    return hmac.compare_digest(totp_at(seed, step), code)


class Ledger:
    """Issued credentials and per-device TOTP state; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, Issued] = {}
        # Keyed by (serial, seed): a device deleted and re-created under the same serial
        # starts afresh, as it would on AWS.
        self._devices: dict[tuple[str, str], DeviceState] = {}
        self.lifetimes: dict[str, int] = {}
        """Tests only: credential kind (``role``, ``session``) -> seconds its credentials live, whatever
        duration was asked (AWS's own bounds are still checked first). Lets a test watch a job outlive
        several expiries in seconds. Cleared by :meth:`reset`."""

    def reset(self) -> None:
        with self._lock:
            self._issued.clear()
            self._devices.clear()
            self.lifetimes = {}

    def lifetime(self, kind: str, asked: int) -> int:
        """Seconds credentials of ``kind`` live: ``asked``, unless a test set a shorter life for the kind."""
        return self.lifetimes.get(kind, asked)

    # ── credentials ──────────────────────────────────────────────────────────
    def issue(self, **fields) -> Issued:
        """Mint distinct credentials (``ASIA…`` key id, random secret and token) and record them."""
        token = base64.b64encode(secrets.token_bytes(192)).decode()
        issued = Issued(
            access_key_id=_random_key("ASIA"),
            secret_access_key=base64.b64encode(secrets.token_bytes(30)).decode(),
            session_token="FwoGZXIvYXdzE" + token,
            **fields,
        )
        with self._lock:
            self._issued[issued.access_key_id] = issued
        return issued

    def lookup(self, access_key_id: str) -> Issued | None:
        with self._lock:
            return self._issued.get(access_key_id)

    def issued_count(self) -> int:
        with self._lock:
            return len(self._issued)

    # ── devices ──────────────────────────────────────────────────────────────
    def drift(self, serial: str, seed: str) -> int:
        with self._lock:
            state = self._devices.get((serial, seed))
            return state.drift if state else 0

    def last_step(self, serial: str, seed: str) -> int | None:
        with self._lock:
            state = self._devices.get((serial, seed))
            return state.last_step if state else None

    def spend_code(self, serial: str, seed: str, code: str, now: datetime) -> bool:
        """Accept ``code`` if it is the device's code for a step within one of now and newer
        than the last step accepted; the step is then spent. False otherwise."""
        with self._lock:
            state = self._devices.setdefault((serial, seed), DeviceState())
            centre = totp_step(now) + state.drift
            for step in (centre, centre - 1, centre + 1):
                if _matches(seed, step, code):
                    if state.last_step is not None and step <= state.last_step:
                        return False
                    state.last_step = step
                    return True
            return False

    def spend_pair(self, serial: str, seed: str, code1: str, code2: str, now: datetime, *, window: int) -> bool:
        """Accept two consecutive codes (``code1`` for step s, ``code2`` for s+1).

        ``window`` bounds how far from now s+1 may lie (1 for EnableMFADevice: the second code
        must be current within one step; wide for ResyncMFADevice). On success the pair's
        steps are spent and the device's drift becomes the offset of s+1 from now.
        """
        with self._lock:
            state = self._devices.setdefault((serial, seed), DeviceState())
            centre = totp_step(now)
            offsets = sorted(range(-window, window + 1), key=abs)
            for offset in offsets:
                second = centre + offset
                if _matches(seed, second, code2) and _matches(seed, second - 1, code1):
                    state.last_step = second
                    state.drift = offset if window > 1 else 0
                    return True
            return False

    def forget_device(self, serial: str) -> None:
        with self._lock:
            for key in [k for k in self._devices if k[0] == serial]:
                del self._devices[key]
