"""Synthetic status rows for the dashboard bench: realistic texts, controlled countdowns.

Two shapes, both checked against the table's own formatting so the bench measures what it
claims:
- ``"idle"``: every row's visible text (time left, bar, MFA left, last refresh) stays the
  same for the next ``window`` seconds, so a tick each second should repaint nothing;
- ``"busy"``: every row is under 10 minutes from expiry, so its seconds change on every tick.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mfa_tui.core.models import ProfileKind, ProfileStatus, State, WhoAmI
from mfa_tui.ui.rowformat import PreparedRow

_ENVS = ("prod", "stage", "dev", "sandbox", "audit", "shared")
_ROLES = ("admin", "readonly", "deploy", "billing", "security")
WARN_BEFORE = 15 * 60


def _row(i: int, now: datetime, left: float, length: float, mfa_left: float) -> ProfileStatus:
    env = _ENVS[i % len(_ENVS)]
    role = _ROLES[i // len(_ENVS) % len(_ROLES)]
    account_id = f"{100000000000 + (i % 40) * 1111:012d}"
    kind = ProfileKind.MFA_SESSION if i % 25 == 0 else ProfileKind.CHAINED_ROLE
    role_arn = None if kind is ProfileKind.MFA_SESSION else f"arn:aws:iam::{account_id}:role/{role.title()}"
    expires = now + timedelta(seconds=left)
    whoami = None
    if i % 2 == 0:
        seen = account_id if i % 50 else f"{999900000000 + i:012d}"  # every 50th row: a mismatch
        whoami = WhoAmI(
            arn=f"arn:aws:sts::{seen}:assumed-role/{role.title()}/mfa-tui-{i}",
            account=seen,
            user_id=f"AROAEXAMPLE{i:06d}:mfa-tui-{i}",
            checked_at=now - timedelta(minutes=5),
            expected_account=account_id,
        )
    return ProfileStatus(
        profile=f"{env}-{role}-{i:04d}",
        identity="alice",
        kind=kind,
        state=State.VALID,
        account_id=account_id,
        account_alias=f"{env}-{i % 40:02d}",
        role_arn=role_arn,
        expires_at=expires,
        mfa_expires_at=now + timedelta(seconds=mfa_left),
        last_refresh=expires - timedelta(seconds=length),
        whoami=whoami,
        tags=(env, "team-a" if i % 3 else "team-b"),
    )


def _steady(row: ProfileStatus, now: float, window: int) -> bool:
    prepared = PreparedRow.prepare(row)
    return prepared.live(now, WARN_BEFORE) == prepared.live(now + window, WARN_BEFORE)


def make_rows(n: int, now: datetime, shape: str, window: int = 45) -> list[ProfileStatus]:
    """``n`` rows of the given shape (``"idle"`` or ``"busy"``) for a clock starting at ``now``.

    ``window`` is how many seconds the shape must hold: idle texts stay unchanged (so it must
    be under a minute, when "11h 42m" moves on); busy rows stay under 10 minutes and unexpired.
    """
    rows = []
    ts = now.timestamp()
    for i in range(n):
        if shape == "busy":
            left = 60 + window + (i * 37) % (540 - window)
            rows.append(_row(i, now, left, 3600, 6 * 3600 + i))
            continue
        # Hours away, nudged second by second until nothing shown changes during the window
        # (a minute, bar-eighth or hour boundary would otherwise fall inside it for some rows).
        if window >= 60:
            raise ValueError("an idle window must be under a minute: '11h 42m' changes every minute")
        left = 3600 + (i * 7919) % 36000 + 0.5
        for _ in range(1000):
            row = _row(i, now, left, 12 * 3600, left + 1800)
            if _steady(row, ts, window):
                break
            left += 7
        else:
            raise RuntimeError(f"no steady countdown found for idle row {i}")
        rows.append(row)
    return rows
