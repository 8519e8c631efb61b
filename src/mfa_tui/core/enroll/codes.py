"""Checking two enrolment codes locally, against the new device's seed, before AWS sees them.

EnableMFADevice and ResyncMFADevice want two *consecutive* codes. Sending a wrong pair
costs nothing on AWS's side but leaves the user guessing; worse, codes from a phone
whose clock is off can put a device out of sync. Checking the pair against the seed
first lets the message say exactly what is wrong (same code twice, wrong order, a gap,
another device, a clock that is off) while nothing has been sent. Pure: no AWS, no I/O.
"""

from __future__ import annotations

from datetime import datetime

from mfa_tui.core.clock import TOTP_STEP, totp_step
from mfa_tui.core.errors import CodeError
from mfa_tui.core.totp import check_format

_DIAGNOSE_STEPS = 10
"""How far (in 30-second steps, either way) a refused code is searched to explain it."""


def check_consecutive(seed: str, code1: str, code2: str, now: datetime, *, device: str) -> tuple[str, str]:
    """Check that ``code1``/``code2`` are the device's codes for steps t and t+1, t+1 within ±1 step of now.

    The window sits on the *second* code, the one the user read last: that is what AWS
    checks (EnableMFADevice wants the second code current), and it accepts a user who
    read the second code late in its step and pressed Enter just after it changed.

    Returns the normalised codes. Raises :class:`CodeError` with a message that says what
    is wrong (format, same code twice, wrong order, a gap, not this device, a clock that
    is off) and that nothing was sent. The codes themselves are never quoted.
    """
    import pyotp  # local: only enrolment needs it

    first, second = check_two_codes(code1, code2, device=device)
    totp = pyotp.TOTP(seed)
    now_step = totp_step(now)
    for t in range(now_step - 2, now_step + 1):
        if totp.generate_otp(t) == first and totp.generate_otp(t + 1) == second:
            return first, second
    window = range(now_step - _DIAGNOSE_STEPS, now_step + _DIAGNOSE_STEPS + 2)
    steps1 = [s for s in window if totp.generate_otp(s) == first]
    steps2 = [s for s in window if totp.generate_otp(s) == second]
    suffix = "; nothing was sent to AWS"
    if not steps1 and not steps2:
        why = "neither code matches this device: check that your app scanned THIS code and the digits are right"
    elif not steps1 or not steps2:
        which = "first" if not steps1 else "second"
        why = f"the {which} code does not match this device: check the digits"
    else:
        s1 = min(steps1, key=lambda s: abs(s - now_step))
        s2 = min(steps2, key=lambda s: abs(s - now_step))
        if s2 == s1 - 1:
            why = "the codes are in the wrong order: enter the current code first, then the next one"
        elif s2 != s1 + 1:
            why = "the codes are not consecutive: the second code must be the very next one your app shows"
        else:
            offset = (s1 - now_step) * TOTP_STEP
            direction = "ahead of" if offset > 0 else "behind"
            why = (
                f"the codes are consecutive but about {abs(offset)}s {direction} this computer's clock: "
                "fix the phone's or this computer's time (automatic time), then try again"
            )
    raise CodeError(f"{device}: {why}{suffix}")


def check_two_codes(code1: str, code2: str, *, device: str) -> tuple[str, str]:
    """Format-only check (six digits each, not the same code twice); returns the normalised codes.

    Alone, it is the whole check when the seed is unknown (resync, an adopted device).
    """
    first = check_format(code1, device=f"{device}: first code")
    second = check_format(code2, device=f"{device}: second code")
    if first == second:
        raise CodeError(
            f"{device}: the two codes are the same; wait for your authenticator to show the next code "
            "and enter that as the second one; nothing was sent to AWS"
        )
    return first, second


def check_pair(seed: str | None, code1: str, code2: str, now: datetime, *, device: str) -> tuple[str, str]:
    """:func:`check_consecutive` when the device's seed is known, else :func:`check_two_codes`."""
    if not seed:
        return check_two_codes(code1, code2, device=device)
    return check_consecutive(seed, code1, code2, now, device=device)
