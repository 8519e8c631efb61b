"""``mfa-tui doctor``'s checks: what is wrong with this machine's setup, and how to fix it.

Each check adds :class:`~mfa_tui.core.service.findings.Finding` rows: ``ok`` (checked,
fine), ``info`` (worth knowing, not wrong: an MFA session that has ended is normal) or
``problem`` (something to fix; the finding says how). The checks:

- **registry**: every problem of ``config check``; a registry that does not load stops
  the checks that need it and makes the exit code 2. Profiles that a ``[profile NAME]``
  with ``role_arn`` (or SSO) in ~/.aws/config would shadow are one of those problems
  (the registry refuses to load with them, docs/aws-behaviour.md, "The shared credentials file") and are listed under their
  own check so the fix is plain.
- **permissions**: the credentials file, the state file and anything set aside beside it
  hold secrets and must be 0600, the state dir 0700; the registry and its ``.bak`` may be
  readable but not writable by others (an ``endpoint_url`` changed by someone else would
  send your MFA codes and signed requests to them).
- **AWS files**: the credentials file parses as botocore reads it (strictly: a duplicate
  section or key is an error), and so does ~/.aws/config; each identity's long-term keys
  are there and it has an MFA device when profiles use it.
- **clock**: one GetCallerIdentity per endpoint with an identity's long-term keys (it needs
  no permission, docs/aws-behaviour.md, "GetCallerIdentity needs no permission"), comparing AWS's ``Date`` header with the local clock.
- **MFA sessions**: per identity, from the state: live (and until when), ending soon, or none.

Nothing here writes a file, except that reading a corrupt state file sets it aside as
every other command does (:class:`~mfa_tui.core.session.state.StateStore`).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mfa_tui.core import paths
from mfa_tui.core.clock import Clock, format_duration, rfc3339
from mfa_tui.core.errors import FileError, MfaTuiError, Problem
from mfa_tui.core.fileio import describe_os_error, open_to_others
from mfa_tui.core.models import Registry
from mfa_tui.core.service.findings import INFO, OK, PROBLEM, DoctorReport

CLOCK_TOLERANCE = 30.0
"""Seconds of difference from AWS's clock reported as a problem. mfa-tui decides from the
local clock which 30-second TOTP step a code belongs to (a code is good once, docs/aws-behaviour.md, "Codes are single-use") and
when a session ends; a clock off by a whole step makes its "wait for the next code" advice
wrong long before AWS refuses signatures (at 15 minutes, docs/aws-behaviour.md, "Error texts worth telling apart")."""

def diagnose(
    config: str | Path | None = None,
    *,
    clock: Clock,
    online: bool = True,
    aws_config_path: Path | None = None,
    state_dir: Path | None = None,
) -> DoctorReport:
    """Run every check for the registry at ``config`` (resolved as ``--config`` is).

    ``online=False`` skips the one AWS call per endpoint (the clock and key checks).
    """
    from mfa_tui.core.registry import load as registry_mod
    from mfa_tui.core.session.state import StateStore

    report = DoctorReport()
    registry_path = paths.config_path(config)
    aws_config = aws_config_path or paths.aws_config_path()
    loaded = _check_registry(report, registry_path, aws_config, registry_mod)
    credentials_path = paths.aws_credentials_path(loaded.settings.credentials_file if loaded else None)
    store = StateStore(state_dir, registry_path=registry_path if loaded is not None else None, clock=clock)
    _check_permissions(report, registry_path, credentials_path, store.directory, store.path)
    parsed = _check_credentials_file(report, credentials_path)
    parsed = _check_aws_config(report, aws_config) and parsed
    if loaded is None:
        report.add("mfa-session", str(registry_path), INFO, "skipped: the registry does not load")
        return report
    if parsed:
        _check_keys(report, loaded, credentials_path, aws_config)
    if not online:
        report.add("clock", "AWS", INFO, "skipped (--offline)")
    elif not parsed:
        report.add("clock", "AWS", INFO, "not checked: the AWS files above must parse first")
    else:
        _check_clock(report, loaded, credentials_path, aws_config, clock)
    _check_sessions(report, loaded, store, credentials_path, clock)
    from mfa_tui.core.service.fleet import check_fleet  # suggests credential-process above 200 profiles

    check_fleet(report, loaded)
    from mfa_tui.core.codes.sources import findings as code_source_findings  # each source's program can start

    for finding in code_source_findings(loaded.identities.values()):
        report.add(*finding)
    _check_key_store(report, loaded, store, credentials_path, aws_config, clock, online and parsed)
    return report


# ── registry and shadowing ──────────────────────────────────────────────────────────────────


def _check_registry(report: DoctorReport, path: Path, aws_config: Path, registry_mod) -> Registry | None:
    from mfa_tui.core.registry.refs import check_shadowing
    from mfa_tui.core.registry.text import format_path

    problems = registry_mod.check(path, aws_config_path=aws_config)
    if not problems:
        report.add("registry", str(path), OK, "valid")
        report.add("shadowed", str(aws_config), OK, "no registry profile is shadowed by a role_arn or SSO profile")
        return registry_mod.load(path, aws_config_path=aws_config)
    report.registry_broken = True
    # Which problems are shadowing: exactly the ones check_shadowing reports for these names.
    shadowing: dict[tuple[str, str], str] = {}

    def note(where: tuple[str, ...], message: str) -> None:
        shadowing[(format_path(where), message)] = where[1]

    check_shadowing(_raw_profile_names(path, registry_mod), aws_config, note)
    for problem in problems:
        name = shadowing.get((problem.where, problem.message))
        if name is not None:
            report.add(
                "shadowed", f"profile {name}", PROBLEM, problem.message,
                fix=f"rename profiles.{name} in {path}, or remove role_arn/SSO keys from [profile {name}] in {aws_config}",
            )
        else:
            # A missing registry's message already says how to make one.
            fix = f"edit {path}, then run `mfa-tui config check`" if os.path.lexists(path) else None
            report.add("registry", problem.path, PROBLEM, _without_path(problem), fix=fix)
    return None


def _raw_profile_names(path: Path, registry_mod) -> list[str]:
    """The ``[profiles.NAME]`` names of a registry that parses (whatever else is wrong with it)."""
    from mfa_tui.core.registry import read as registry_read

    text, _ = registry_mod.read_text(path)
    raw = registry_read.parse_text(text, path)[0] if text is not None else None
    profiles = raw.get("profiles") if isinstance(raw, dict) else None
    return list(profiles) if isinstance(profiles, dict) else []


def _without_path(problem: Problem) -> str:
    """The problem without its leading path (the finding's subject already names the file)."""
    text = str(problem)
    return text[len(problem.path) :].lstrip(":").strip() if text.startswith(problem.path) else text


# ── permissions ─────────────────────────────────────────────────────────────────────────────


def _check_permissions(report: DoctorReport, registry_path: Path, credentials: Path, state_dir: Path, state_file: Path) -> None:
    _private(report, credentials, "the shared credentials file")
    _private(report, state_dir, "the state directory", directory=True)
    _private(report, state_file, "the state file")
    if state_dir.is_dir():
        for aside in sorted(state_dir.glob(f"{state_file.name}.corrupt-*")):
            _private(report, aside, "a state file set aside")
    for path in (registry_path, registry_path.with_name(registry_path.name + ".bak")):
        st = _stat(report, path, quiet=True)  # an unreadable registry is the registry check's problem
        if st:
            mode = stat.S_IMODE(st.st_mode)
            exposed = f"is writable by others (mode {mode:04o}); they could point endpoint_url elsewhere"
            _mode_finding(report, path, mode, exposed if mode & 0o022 else None, fix=f"chmod go-w {path}")


def _stat(report: DoctorReport, path: Path, *, quiet: bool = False) -> os.stat_result | None | bool:
    """The file's stat (following links); None when missing; False (reported unless ``quiet``) when unreadable."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not quiet:
            report.add("permissions", str(path), PROBLEM, describe_os_error(path, exc, "check"), fix=f"remove or repair {path}")
        return False


def _private(report: DoctorReport, path: Path, what: str, *, directory: bool = False) -> None:
    """A file that holds secrets must be 0600 (a regular file), a directory of them 0700."""
    st = _stat(report, path)
    if st is False:
        return
    if st is None:
        report.add("permissions", str(path), INFO, f"{what} does not exist yet")
        return
    mode = stat.S_IMODE(st.st_mode)
    if directory:
        exposed = f"{what} is open to others (mode {mode:04o})" if mode & 0o077 else None
        _mode_finding(report, path, mode, exposed, fix=f"chmod 700 {path}")
    elif not stat.S_ISREG(st.st_mode):
        report.add("permissions", str(path), PROBLEM, f"{what} is not a regular file", fix=f"remove or rename {path}")
    else:
        who = open_to_others(mode)
        exposed = f"{what} is {who} by others (mode {mode:04o}) and holds secrets" if who is not None else None
        _mode_finding(report, path, mode, exposed, fix=f"chmod 600 {path}")


def _mode_finding(report: DoctorReport, path: Path, mode: int, exposed: str | None, *, fix: str) -> None:
    """A problem saying how ``path`` is ``exposed`` (with its ``fix``), or ok with its mode."""
    if exposed is not None:
        report.add("permissions", str(path), PROBLEM, exposed, fix=fix)
    else:
        report.add("permissions", str(path), OK, f"mode {mode:04o}")


# ── credentials file and long-term keys ─────────────────────────────────────────────────────


def _check_credentials_file(report: DoctorReport, path: Path) -> bool:
    from mfa_tui.core.credentials.file import CredentialsFile

    try:
        sections = CredentialsFile(path).read()
    except MfaTuiError as exc:
        report.add("credentials-file", str(path), PROBLEM, str(exc), fix=f"fix the line it names in {path}")
        return False
    report.add("credentials-file", str(path), OK, f"parses ({len(sections)} section{'s' * (len(sections) != 1)})")
    return True


def _check_aws_config(report: DoctorReport, path: Path) -> bool:
    """The AWS config file parses as botocore reads it (strictly); every AWS CLI call needs that."""
    import configparser

    from mfa_tui.core.credentials.reader import ini_problem
    from mfa_tui.core.fileio import read_bytes

    try:
        data = read_bytes(path)
        if data is None:
            report.add("aws-config", str(path), INFO, "does not exist (fine: mfa-tui and the AWS CLI need none)")
            return True
        configparser.RawConfigParser().read_string(data.decode("utf-8"), source=str(path))
    except FileError as exc:
        report.add("aws-config", str(path), PROBLEM, str(exc), fix=f"check the permissions of {path}")
        return False
    except (configparser.Error, UnicodeDecodeError) as exc:
        report.add(
            "aws-config", str(path), PROBLEM, f"the AWS CLI and SDKs cannot parse it: {ini_problem(path, exc)}",
            fix=f"fix the line it names in {path}",
        )
        return False
    report.add("aws-config", str(path), OK, "parses")
    return True


def _check_keys(report: DoctorReport, registry: Registry, credentials: Path, aws_config: Path) -> None:
    from mfa_tui.core.aws import clients as aws

    used = {p.identity for p in registry.profiles.values()}
    for identity in registry.identities.values():
        subject = f"identity {identity.name}"
        try:
            aws.long_term_keys(identity, credentials, aws_config)
        except MfaTuiError as exc:
            fix = f"aws configure --profile {identity.source_profile}" if identity.keys != "keyring" else None
            report.add("keys", subject, PROBLEM, str(exc), fix=fix)
            continue
        if identity.mfa_serial:
            report.add("keys", subject, OK, f"long-term keys in {_key_home(identity)}; device {identity.mfa_serial}")
        elif identity.name in used:
            report.add(
                "keys", subject, PROBLEM, "has no mfa_serial, so its profiles cannot get an MFA session",
                fix=f"mfa-tui enroll {identity.name}",
            )
        else:
            report.add("keys", subject, INFO, f"long-term keys in {_key_home(identity)}; no MFA device (no profile uses it)")


def _key_home(identity) -> str:
    return f"the keyring (mfa-tui/{identity.name})" if identity.keys == "keyring" else f"[{identity.source_profile}]"


# ── clock ───────────────────────────────────────────────────────────────────────────────────


def _check_clock(report: DoctorReport, registry: Registry, credentials: Path, aws_config: Path, clock: Clock) -> None:
    """One GetCallerIdentity per (endpoint, region), with the first identity whose keys load."""
    from mfa_tui.core.aws import clients as aws
    from mfa_tui.core.aws import errors as aws_errors
    from mfa_tui.core.aws import sts
    from mfa_tui.core.errors import ClockSkewError

    seen: set[tuple[str | None, str]] = set()
    for identity in registry.identities.values():
        where = (identity.endpoint_url, identity.region)
        if where in seen:
            continue
        try:
            keys = aws.long_term_keys(identity, credentials, aws_config)
        except MfaTuiError:
            continue  # reported by the keys check; another identity may serve this endpoint
        seen.add(where)
        endpoint = identity.endpoint_url or f"AWS STS ({identity.region})"
        watch = aws.ClockWatch()
        failure: MfaTuiError | None = None
        try:
            # Two attempts: a doctor run should answer quickly even when the endpoint is down.
            client = aws.client("sts", keys, region=identity.region, endpoint_url=identity.endpoint_url, max_attempts=2)
            sts.caller_identity(client, what=f"identity {identity.name}", clock=clock, watch=watch, endpoint=identity.endpoint_url)
        except ClockSkewError as exc:
            failure = exc
        except Exception as exc:  # botocore raises many types; each becomes a one-line finding
            failure = exc if isinstance(exc, MfaTuiError) else aws_errors.translate_error(exc, what=f"identity {identity.name}")
            report.add(
                "keys", f"identity {identity.name}", PROBLEM, str(failure), fix=_key_fix(failure, identity.source_profile)
            )
        skew = watch.skew_seconds
        if skew is None:
            if isinstance(failure, ClockSkewError):
                report.add("clock", endpoint, PROBLEM, str(failure), fix=_CLOCK_FIX)
            else:
                report.add("clock", endpoint, INFO, "not checked: no answer from AWS to read the time from")
            continue
        if abs(skew) > CLOCK_TOLERANCE:
            direction = "behind" if skew > 0 else "ahead of"
            report.add("clock", endpoint, PROBLEM, f"the local clock is {abs(skew):.0f}s {direction} AWS's", fix=_CLOCK_FIX)
        else:
            report.add("clock", endpoint, OK, f"within {abs(skew):.0f}s of AWS's Date header")
    if not seen:
        report.add("clock", "AWS", INFO, "not checked: no identity has long-term keys to call AWS with")


_CLOCK_FIX = "turn on time sync (e.g. `timedatectl set-ntp true`), then check again"


def _key_fix(exc: MfaTuiError, source_profile: str) -> str:
    from mfa_tui.core.errors import AccessDeniedError, EndpointError

    if isinstance(exc, EndpointError):
        return "check the network, a proxy, or the identity's endpoint_url"
    if isinstance(exc, AccessDeniedError):
        return f"create a new access key in IAM and store it with `aws configure --profile {source_profile}`"
    return "try again; if it persists, check the identity's region and endpoint_url"


def _check_key_store(report: DoctorReport, registry: Registry, store, credentials: Path, aws_config: Path,
                     clock: Clock, online: bool) -> None:
    """The keyring backend in use, and each key's age on its live MFA session (logic: core/keys/health.py)."""
    from mfa_tui.core.keys import health
    from mfa_tui.core.service.facade import Service

    findings = health.keyring_findings(registry)
    if online:
        service = Service(registry, clock=clock, state_store=store, credentials_path=credentials, aws_config_path=aws_config)
        findings += health.key_age_findings(registry, service.mfa_sessions(),
                                            lambda i: service.long_term_keys(i).access_key_id, clock)
    for finding in findings:
        report.add(*finding)


# ── MFA sessions ────────────────────────────────────────────────────────────────────────────


def _check_sessions(report: DoctorReport, registry: Registry, store, credentials_path: Path, clock: Clock) -> None:
    from mfa_tui.core.models import State
    from mfa_tui.core.service.facade import Service
    from mfa_tui.core.session import status

    service = Service(registry, clock=clock, state_store=store, credentials_path=credentials_path)
    try:
        snap = service.snapshot()
    except FileError as exc:
        report.add("state", str(store.path), PROBLEM, str(exc), fix=f"check the permissions of {store.directory}")
        return
    for warning in store.take_warnings():
        report.add("state", str(store.path), PROBLEM, warning, fix="nothing more: the next refresh rebuilds the state")
    state = snap.state
    for profile in registry.profiles.values():
        creds = status.stored(profile, snap)
        found = status.file_state(profile, creds, snap)
        if found is State.MISSING:
            report.add("profile", f"profile {profile.name}", PROBLEM,
                       f"its section is gone from {credentials_path} (another tool rewrote the file)",
                       fix=f"mfa-tui refresh {profile.name}")
        elif found is State.CHANGED:
            report.add("profile", f"profile {profile.name}", PROBLEM,
                       f"its section in {credentials_path} holds credentials mfa-tui did not write",
                       fix=f"mfa-tui refresh {profile.name} (it takes the section back only if it is still mfa-tui's)")
    now = clock.now()
    warn = registry.settings.warn_before
    for identity in registry.identities.values():
        subject = f"identity {identity.name}"
        ist = state.identities.get(identity.name)
        creds = ist.mfa_credentials if ist else None
        left = (creds.expiration - now).total_seconds() if creds else None
        if not identity.mfa_serial and left is None:
            report.add("mfa-session", subject, INFO, "no MFA device, so no MFA session")
        elif left is None or left <= 0:
            report.add("mfa-session", subject, INFO, "no live MFA session; the next refresh asks for one code")
        elif left <= warn:
            report.add(
                "mfa-session", subject, INFO,
                f"ending in {format_duration(left)} (at {rfc3339(creds.expiration)}); refresh with a code soon",
            )
        else:
            report.add("mfa-session", subject, OK, f"live for {format_duration(left)} (until {rfc3339(creds.expiration)})")
