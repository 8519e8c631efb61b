"""Who is calling: resolve a request's access key to an IAM user, an MFA session or a role session.

Keys the layer issued (``ASIA…``) are looked up in the :class:`~mfa_tui.localaws.ledger.Ledger`
and must come with their own session token and be unexpired, as on AWS. Long-term keys are
looked up in moto's IAM state and carry no token. A signed request from a key nobody knows
never gets here (:mod:`~mfa_tui.localaws.authentication` refuses it); an unsigned one
resolves to ``None``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from mfa_tui.localaws import backends
from mfa_tui.localaws.ledger import Issued, Ledger
from mfa_tui.localaws.wire import AwsRequest, expired_token, invalid_token

USER = "user"
"""Long-term access keys of an IAM user."""
SESSION = "session"
"""GetSessionToken credentials."""
ROLE = "role"
"""AssumeRole credentials."""


@dataclass(frozen=True)
class Caller:
    """The principal behind a request."""

    kind: str
    """``user``, ``session`` or ``role``."""
    access_key_id: str
    account: str
    arn: str
    """The IAM user's ARN, or the assumed-role session ARN."""
    user_id: str
    user_name: str | None
    """The IAM user (``user`` and ``session``)."""
    mfa: bool
    """aws:MultiFactorAuthPresent for requests made with these credentials."""
    mfa_time: datetime | None
    long_term_key: str | None
    """The user's long-term key id (``user`` and ``session``), for IAM calls forwarded to moto."""
    role_arn: str | None = None
    session_policy: str | None = None
    """The session policy passed to AssumeRole, if any."""
    mfa_by_own_code: bool = False
    """Role credentials whose MFA came from AssumeRole's own code (see :class:`~mfa_tui.localaws.ledger.Issued`)."""

    @property
    def temporary(self) -> bool:
        """Session credentials of any kind: AssumeRole with them is role chaining (docs/aws-behaviour.md, "The 1-hour cap for chained roles")."""
        return self.kind != USER

    def principal_names(self) -> list[str]:
        """Every way a trust policy's ``Principal`` can name this caller."""
        names = [self.account, f"arn:aws:iam::{self.account}:root", self.arn]
        if self.role_arn:
            names.append(self.role_arn)
        return names


def from_issued(issued: Issued) -> Caller:
    return Caller(
        kind=SESSION if issued.kind == "session" else ROLE,
        access_key_id=issued.access_key_id,
        account=issued.account,
        arn=issued.arn,
        user_id=issued.user_id,
        user_name=issued.user_name,
        mfa=issued.mfa,
        mfa_time=issued.mfa_time,
        long_term_key=issued.source_key,
        role_arn=issued.role_arn,
        session_policy=issued.session_policy,
        mfa_by_own_code=issued.mfa_by_own_code,
    )


def known_key(request: AwsRequest, ledger: Ledger) -> Issued | backends.LongTermKey | None:
    """What the local AWS issued under the request's access key, its session token checked.

    Temporary keys must come with their own token, long-term keys with none, as on AWS;
    otherwise (and for inactive keys, or temporary keys nobody issued) a Refusal. None for a
    long-term-looking key nobody has.
    """
    key = request.access_key_id or ""
    issued = ledger.lookup(key)
    if issued is not None:
        if not request.session_token or not hmac.compare_digest(request.session_token, issued.session_token):
            raise invalid_token()
        return issued
    if key.startswith("ASIA"):
        # Temporary keys we did not issue (or issued before a reset): AWS does not know them.
        raise invalid_token()
    found = backends.find_long_term_key(key)
    if found is not None and (not found.active or request.session_token):
        raise invalid_token()
    return found


def resolve(request: AwsRequest, ledger: Ledger, now: datetime) -> Caller | None:
    """The caller of ``request``; raises a Refusal for bad or expired temporary credentials."""
    if not request.access_key_id:
        return None
    found = known_key(request, ledger)
    if isinstance(found, Issued):
        if now >= found.expiration:
            raise expired_token()
        return from_issued(found)
    if found is None:
        return None
    return Caller(
        kind=USER,
        access_key_id=found.access_key_id,
        account=found.account,
        arn=found.user_arn,
        user_id=found.user_id,
        user_name=found.user_name,
        mfa=False,
        mfa_time=None,
        long_term_key=found.access_key_id,
    )
