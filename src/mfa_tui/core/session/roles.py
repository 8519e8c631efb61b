"""Assuming a profile's role in a run: chained roles with the MFA session, direct roles with a code each.

Chained roles are capped at 1 hour (longer requests are clamped with a warning, never sent to
fail). A direct role carries its own code; one AWS refuses as longer than the role allows is
asked again once, at the role's maximum, with a new code (docs/aws-behaviour.md, "A role's
maximum session duration").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mfa_tui.core.aws import clients as aws
from mfa_tui.core.aws import errors as aws_errors
from mfa_tui.core.aws import sts
from mfa_tui.core.clock import format_setting
from mfa_tui.core.errors import MfaTuiError
from mfa_tui.core.models import CHAINED_ROLE_MAX, Identity, Profile, State
from mfa_tui.core.session.clients import StsAccess
from mfa_tui.core.session.refresh import CANCEL_REASON, WRITING, ProfileResult, Progress, ProgressSink
from mfa_tui.core.session.run import RunContext

EVERY_ROLE_ALLOWS = 3600
"""The least MaxSessionDuration a role can have (1 hour): a length AWS never refuses as too long."""


class _Skipped(Exception):
    """A direct role's code prompt was skipped: unwinds out of :func:`finish` without an error."""


def role_duration(access: StsAccess, profile: Profile, cap: int | None) -> tuple[int, list[str]]:
    wanted = profile.duration or access.registry.settings.role_duration
    if cap is not None and wanted > cap:
        return cap, [
            f"profile {profile.name}: asked for {wanted // 60} min but AWS caps chained roles at 1 hour; "
            "used 1 hour (set strategy = \"direct\" for longer sessions)"
        ]
    return wanted, []


def assume_chained(access: StsAccess, identity: Identity, profile: Profile, session_keys: aws.Keys,
                   emit: ProgressSink) -> ProfileResult:
    """Assume ``profile``'s role with the identity's MFA session (``session_keys``); no code."""
    duration, warnings = role_duration(access, profile, CHAINED_ROLE_MAX)

    def call(seconds: int) -> sts.RoleSession:
        return sts.assume_role(
            access.sts_client(identity, session_keys), role_arn=profile.role_arn,
            session_name=profile.role_session_name or access.session_name,
            duration=seconds, external_id=profile.external_id, what=f"profile {profile.name}",
            clock=access.clock, watch=access.watch, endpoint=identity.endpoint_url,
        )

    return finish(profile, call, duration, warnings, emit)


def finish(profile: Profile, call: Callable[[int], sts.RoleSession], duration: int, warnings: list[str],
           emit: ProgressSink) -> ProfileResult:
    """``call(duration)`` as the profile's result: its error (reported ERROR) or its role session."""
    try:
        role = call(duration)
    except _Skipped:
        raise
    except Exception as exc:  # MfaTuiError, and anything unexpected (translated, logged)
        error = aws_errors.translate_error(exc, what=f"profile {profile.name}") if not isinstance(exc, MfaTuiError) else exc
        emit(Progress(profile.name, State.ERROR, str(error)))
        return ProfileResult(profile.name, ok=False, message=str(error), warnings=warnings,
                             error_code=getattr(error, "code", None))
    emit(Progress(profile.name, State.REFRESHING, WRITING))
    return ProfileResult(
        profile.name, ok=True, warnings=warnings, credentials=role.credentials,
        assumed_role_arn=role.assumed_role_arn, source_identity=role.source_identity,
    )


def assume_direct(run: RunContext, identity: Identity, profile: Profile, keys: aws.Keys) -> ProfileResult:
    """Assume ``profile``'s role with the identity's long-term ``keys`` and a code of its own."""
    if not identity.mfa_serial:
        message = f"profile {profile.name}: identity {identity.name} has no mfa_serial for a direct role"
        run.emit(Progress(profile.name, State.ERROR, message))
        return ProfileResult(profile.name, ok=False, message=message)
    duration, warnings = role_duration(run.access, profile, None)
    role = _DirectRole(run, identity, profile, keys, run.access.sts_client(identity, keys), warnings)
    run.emit(Progress(profile.name, State.REFRESHING, "waiting for a code"))
    try:
        return finish(profile, role.call, duration, warnings, run.emit)
    except _Skipped as skip:
        return run.skip(profile.name, str(skip))


@dataclass
class _DirectRole:
    """One direct role being assumed in a run: what its attempts, and the one retry shorter, share."""

    run: RunContext
    identity: Identity
    profile: Profile
    keys: aws.Keys
    client: object
    warnings: list[str] = field(default_factory=list)
    """Shared with the profile's result."""

    def attempt(self, seconds: int, why: str | None = None) -> sts.RoleSession:
        """Ask a code and assume the role for ``seconds`` with it; :class:`_Skipped` when no code came."""
        identity, profile, access = self.identity, self.profile, self.run.access

        def send(code: str) -> sts.RoleSession:
            return sts.assume_role(
                self.client, role_arn=profile.role_arn, session_name=profile.role_session_name or access.session_name,
                duration=seconds, external_id=profile.external_id, serial=identity.mfa_serial, code=code,
                what=f"profile {profile.name}", clock=access.clock, watch=access.watch, endpoint=identity.endpoint_url,
            )

        role, reason, skipped = self.run.ask_code(identity, [profile], "direct-role", send, why)
        if role is None and skipped:
            raise _Skipped(reason)
        if role is None:
            raise MfaTuiError(reason if reason and reason.startswith("profile ") else f"profile {profile.name}: {reason}")
        return role

    def call(self, seconds: int) -> sts.RoleSession:
        try:
            return self.attempt(seconds)
        except MfaTuiError as exc:
            if not sts.is_duration_over_max(exc) or seconds <= EVERY_ROLE_ALLOWS:
                raise
            return self.ask_again_shorter(seconds, exc)

    def ask_again_shorter(self, asked: int, refusal: MfaTuiError) -> sts.RoleSession:
        """AWS refused ``asked`` seconds as more than the role allows: ask once more, at the most it allows.

        The refusal does not say the maximum, so it is read with iam:GetRole where the identity can
        (a role of its own account), else the retry asks for 1 hour, which every role allows, and
        the role's own new session reads the maximum for next time. The retry takes a new code:
        AWS does not say whether a refused request spent its code (docs/aws-behaviour.md, "A role's
        maximum session duration"). Without one the profile fails, saying why: a code was given.
        """
        identity, profile = self.identity, self.profile
        chaining = sts.is_chaining_cap(refusal)
        limit, unknown = (EVERY_ROLE_ALLOWS, None) if chaining else self.role_limit()
        retry = limit or EVERY_ROLE_ALLOWS
        head = f"profile {profile.name}: {'role chaining' if chaining else 'the role'} allows"
        allows = f"{head} at most {format_setting(limit)}, not {format_setting(asked)}" if limit else f"{head} less than {format_setting(asked)}"
        note = f"{allows}; asked again at {format_setting(retry)}" + ("" if limit else f", which every role allows ({unknown})")
        try:
            role = self.attempt(retry, note)
        except _Skipped as skip:
            if str(skip) == CANCEL_REASON:
                raise
            hint = f'set duration = "{format_setting(limit)}" for this profile' if limit else (
                "set its duration to the role's maximum session duration")
            raise MfaTuiError(
                f"{allows}; asking again at {format_setting(retry)} needs a second code, and none was sent: "
                f"{hint}, or refresh it where it can prompt"
            ) from None
        if limit is None:
            # The role's new session is in the role's account, where GetRole can see it.
            creds = role.credentials
            learned, _ = read_role_limit(
                self.run.access, identity, profile, aws.Keys(creds.access_key_id, creds.secret_access_key, creds.session_token))
            if learned == retry:
                note = f"{head} at most {format_setting(learned)}, not {format_setting(asked)}; asked again at {format_setting(retry)}"
            elif learned:
                note = (f"{head} at most {format_setting(learned)}, not {format_setting(asked)} (read after asking again at "
                        f'{format_setting(retry)}): set duration = "{format_setting(learned)}" for this profile to get {format_setting(learned)}')
        self.warnings.append(note)
        return role

    def role_limit(self) -> tuple[int | None, str | None]:
        """``(the role's MaxSessionDuration, None)``, or ``(None, why it cannot be read)``, before assuming it.

        iam:GetRole reads only the caller's own account, so only a role of the identity's account
        can be read: with its MFA session when it has a live one (which MFA-enforcing policies let
        through), else with its long-term keys.
        """
        identity, profile, keys, run = self.identity, self.profile, self.keys, self.run
        home = identity.account_id
        if home != profile.role_account_id:
            return None, f"its maximum cannot be read from identity {identity.name}'s account {home}"
        session = run.report.mfa_sessions.get(identity.name)
        if session is None and identity.name not in run.report.discarded_sessions \
                and run.session_key_ids.get(identity.name) in (None, keys.access_key_id):
            session = run.mfa_sessions.get(identity.name)
        if sts.remaining(session, run.access.clock.now()) > 60:
            keys = aws.Keys(session.access_key_id, session.secret_access_key, session.session_token)
        return read_role_limit(run.access, identity, profile, keys)


def read_role_limit(access: StsAccess, identity: Identity, profile: Profile, keys: aws.Keys) -> tuple[int | None, str | None]:
    """iam:GetRole for the profile's role with ``keys``: ``(seconds, None)`` or ``(None, why not)``."""
    try:
        iam = aws.client("iam", keys, region=identity.region, endpoint_url=identity.endpoint_url)
        return sts.role_max_session(
            iam, role_arn=profile.role_arn, what=f"profile {profile.name}", clock=access.clock,
            watch=access.watch, endpoint=identity.endpoint_url,
        ), None
    except MfaTuiError as exc:
        code = getattr(exc, "code", None)
        if code == "AccessDenied" and not keys.session_token:
            # The usual force-MFA policy denies IAM reads to long-term keys; its MFA session may read.
            return None, (f"identity {identity.name}'s long-term keys may not call iam:GetRole; "
                          "with a live MFA session of the identity it is read")
        return None, f"iam:GetRole failed: {code or exc}"

