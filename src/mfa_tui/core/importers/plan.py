"""The import plan: which registry tables the profiles of ~/.aws become (``mfa-tui import``).

Pure: it is given the AWS files (:mod:`.aws_profiles`) and the registry, and writes nothing.
Three layouts are recognised:

1. A config profile with ``role_arn`` + ``source_profile`` (+ ``mfa_serial`` there or on the
   source) becomes a role profile of the identity built from ``source_profile``. Strategy
   ``chained``; a ``duration_seconds`` above AWS's 1-hour chaining cap makes it ``direct``.
2. A profile with long-term keys and ``mfa_serial`` / ``aws_mfa_device`` (in its credentials
   section or its config profile) becomes an identity and its MFA-session profile.
3. aws-mfa's layout (docs/aws-behaviour.md, "aws-mfa's file layout"): ``[NAME-long-term]`` becomes identity ``NAME``.
   aws-mfa writes into ``[NAME]`` whatever it obtained, so ``NAME`` keeps meaning that:
   with ``assume_role`` set, profile ``NAME`` is that role (chained) and the MFA session is
   ``NAME-mfa``; without it, profile ``NAME`` is the MFA session. A role profile whose
   ``source_profile`` is aws-mfa's session ``NAME`` is chained from identity ``NAME``.

Naming: identities take the key profile's name (minus ``-long-term``); an MFA session of an
identity built from profile ``P`` is ``P-mfa``; a role from config profile ``X`` is ``X-mfa``,
because ``[profile X]`` keeps its ``role_arn`` and botocore prefers that over anything in the
credentials file (docs/aws-behaviour.md, "The shared credentials file"). Any name that is taken (registry, long-term keys, a
``role_arn``/SSO/web-identity profile, an earlier entry) gets ``-mfa`` appended once; if that
is taken too, the entry is skipped. Accounts are ``acct-<id>`` unless the id is registered.

Only what is new is planned: identities are matched by ``source_profile``, roles by identity
and role ARN, accounts by id, so a second run plans nothing. Session profiles are added only
for identities this plan creates. Every profile of the two files ends up either used by an
addition or listed as a skip with its reason. Tables hold names and ARNs only, never secrets.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from mfa_tui.core.importers.aws_profiles import SSO_KEYS, SSO_REASON, WEB_IDENTITY_REASON, AwsFiles
from mfa_tui.core.models import (
    CHAINED_ROLE_MAX,
    EXTERNAL_ID_RE,
    HARDWARE_SERIAL_RE,
    MFA_SERIAL_RE,
    REGION_RE,
    ROLE_ARN_RE,
    ROLE_MAX,
    ROLE_MIN,
    SESSION_NAME_RE,
    Registry,
    profile_name_problem,
)

LONG_TERM_SUFFIX = "-long-term"
"""aws-mfa's default ``--long-term-suffix``."""
TAKEN_SUFFIX = "-mfa"
"""Appended to a name that AWS tools already use for something else."""
ACCOUNT_PREFIX = "acct-"
"""New account tables are named ``acct-<12-digit id>``."""

_URL_RE = re.compile(r"^https?://[^/\s]+")


@dataclass(frozen=True)
class Addition:
    """One table the import would add to the registry."""

    kind: str
    """``account``, ``identity`` or ``profile``."""
    name: str
    table: dict[str, Any]
    """The table's keys as in config.example.toml."""
    source: str = ""
    """Where it came from, e.g. ``config [profile prod-admin]``."""
    note: str = ""
    """A decision the user should know about (strategy changed, name adjusted, missing device)."""


@dataclass(frozen=True)
class Skip:
    """Something the import leaves out, and why."""

    name: str
    reason: str
    kind: str = "profile"
    """``profile`` (an AWS profile) or ``identity`` (already registered)."""
    source: str = ""


@dataclass(frozen=True)
class ImportPlan:
    """What ``mfa-tui import`` would add and what it skips; a dry run until :func:`~mfa_tui.core.importers.aws_files.write_plan`."""

    registry_path: Path
    config_path: Path
    credentials_path: Path
    additions: list[Addition]
    skips: list[Skip]

    def tables(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The additions as ``registry.add_entries`` keyword arguments."""
        out: dict[str, dict[str, dict[str, Any]]] = {"accounts": {}, "identities": {}, "profiles": {}}
        plural = {"account": "accounts", "identity": "identities", "profile": "profiles"}
        for add in self.additions:
            out[plural[add.kind]][add.name] = dict(add.table)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "registry": str(self.registry_path),
            "aws_config": str(self.config_path),
            "aws_credentials": str(self.credentials_path),
            "add": [asdict(a) for a in self.additions],
            "skip": [asdict(s) for s in self.skips],
        }


def plan_from(aws: AwsFiles, current: Registry | None, registry_path: Path) -> ImportPlan:
    """The pure planning step: which tables to add given the AWS files and the registry."""
    planner = _Planner(aws, current)
    planner.run()
    # Accounts by id; identities and profiles keep the order of the AWS files.
    order = {"account": 0, "identity": 1, "profile": 2}
    additions = sorted(planner.additions, key=lambda a: (order[a.kind], a.table["id"] if a.kind == "account" else ""))
    return ImportPlan(registry_path, aws.config_path, aws.credentials_path, additions, planner.skips)


class _Planner:
    """Walks the AWS profiles once per layout, recording additions and skips."""

    def __init__(self, aws: AwsFiles, current: Registry | None):
        self.aws = aws
        self.reg_profiles = dict(current.profiles) if current else {}
        self.reg_identities = dict(current.identities) if current else {}
        self.additions: list[Addition] = []
        self.skips: list[Skip] = []
        self.accounted: set[str] = set()
        """AWS profile names already explained by an addition or a skip."""
        self.profile_names: set[str] = set(self.reg_profiles)
        self.identity_names: set[str] = set(self.reg_identities)
        accounts = current.accounts if current else {}
        self.account_names: set[str] = set(accounts)
        self.account_by_id: dict[str, str] = {a.id: n for n, a in accounts.items()}
        self.identity_by_source = {i.source_profile: n for n, i in self.reg_identities.items()}
        self.new_identities: dict[str, dict[str, Any]] = {}
        self.reported: set[str] = set()
        """Registered identities already reported as skipped."""
        self.names = list(dict.fromkeys([*aws.credentials, *aws.config]))
        self.key_profiles = {n for n in self.names if self.aws.key_state(n) == "long-term"} | set(self.identity_by_source)

    # ── the walk ─────────────────────────────────────────────────────────
    def run(self) -> None:
        for name in self.names:
            if name.endswith(LONG_TERM_SUFFIX) and len(name) > len(LONG_TERM_SUFFIX):
                if self.aws.key_state(name) == "long-term":
                    self.aws_mfa(name)
        for name in self.names:
            if name not in self.accounted and self.aws.key_state(name) == "long-term" and self.aws.serial(name):
                ident, reason = self.ensure_identity(name)
                if ident is None:
                    self.skip(name, reason or "")
                else:
                    self.add_session(ident, name + TAKEN_SUFFIX, name)
        for name in self.names:
            if name not in self.accounted and self.aws.values(name).get("role_arn"):
                self.config_role(name)
        for name in self.names:
            if name not in self.accounted:
                self.skip(name, self.aws.leftover_reason(name))

    def aws_mfa(self, key: str) -> None:
        """Layout 3: ``[NAME-long-term]`` and aws-mfa's ``[NAME]``."""
        name = key[: -len(LONG_TERM_SUFFIX)]
        ident, reason = self.ensure_identity(key)
        if ident is None:
            self.skip(key, reason or "")
            return
        role_arn = self.aws.values(key).get("assume_role", "")
        if role_arn and role_arn.lower() != "none":
            fields = self.role_fields(role_arn, {})
            if isinstance(fields, str):
                self.skips.append(Skip(name, f"assume_role of [{key}]: {fields}", "profile", self.aws.source(key)))
            else:
                self.add_role(name, ident, fields, name, self.aws.source(key))
            session_name = name + TAKEN_SUFFIX
        else:
            session_name = name
        self.add_session(ident, session_name, key)
        if name in self.aws.credentials and self.aws.key_state(name) == "session":
            self.accounted.add(name)  # aws-mfa's own output section: the entries above take it over

    def config_role(self, name: str) -> None:
        """Layout 1: a profile with role_arn."""
        values = self.aws.values(name)
        if any(values.get(k) for k in SSO_KEYS):
            return self.skip(name, SSO_REASON)
        if values.get("credential_source"):
            return self.skip(name, "uses credential_source (environment/instance credentials), not an MFA identity")
        if values.get("web_identity_token_file"):
            return self.skip(name, WEB_IDENTITY_REASON)
        source = values.get("source_profile")
        if not source:
            return self.skip(name, "role_arn without source_profile: no identity to start from")
        if self.aws.values(source).get("role_arn"):
            return self.skip(name, f"source_profile {source} is itself a role; mfa-tui assumes roles from an identity's MFA session only")
        fields = self.role_fields(values.get("role_arn", ""), values)
        if isinstance(fields, str):
            return self.skip(name, fields)
        key = source
        if self.aws.key_state(source) != "long-term" and self.aws.key_state(source + LONG_TERM_SUFFIX) == "long-term":
            key = source + LONG_TERM_SUFFIX  # source is aws-mfa's session of NAME-long-term
        known = key in self.identity_by_source
        serial = values.get("mfa_serial") or self.aws.serial(key)
        if self.aws.key_state(key) != "long-term" and not known:
            return self.skip(name, f"source_profile {source} {self.aws.no_keys_reason(source)}")
        if not serial and not known:
            return self.skip(name, f"no mfa_serial on it or on source_profile {source}: no MFA to manage")
        ident, reason = self.ensure_identity(key, serial)
        if ident is None:
            return self.skip(name, f"source_profile {source}: {reason}")
        self.add_session(ident, key + TAKEN_SUFFIX, key)
        if ident in self.new_identities:
            ident_serial = self.new_identities[ident].get("mfa_serial")
        else:
            ident_serial = self.reg_identities[ident].mfa_serial
        if values.get("mfa_serial") and ident_serial and values["mfa_serial"] != ident_serial:
            fields[1].append(f"its mfa_serial differs from identity {ident}'s {ident_serial}; the MFA session uses the identity's")
        self.add_role(name, ident, fields, name + TAKEN_SUFFIX, self.aws.source(name))

    # ── building entries ─────────────────────────────────────────────────
    def ensure_identity(self, key: str, serial_hint: str | None = None) -> tuple[str | None, str | None]:
        """The identity whose long-term keys are in profile ``key``: registered, planned, or added now."""
        if key in self.identity_by_source:
            ident = self.identity_by_source[key]
            self.accounted.add(key)
            if ident in self.reg_identities and ident not in self.reported:
                self.reported.add(ident)
                self.skips.append(Skip(ident, f"already in the registry (source_profile {key})", "identity", self.aws.source(key)))
            return ident, None
        if self.aws.key_state(key) != "long-term":
            return None, self.aws.no_keys_reason(key)
        serial = self.aws.serial(key) or serial_hint
        if serial and not (MFA_SERIAL_RE.match(serial) or HARDWARE_SERIAL_RE.match(serial)):
            hint = " (that is the user's ARN; the device is arn:aws:iam::ACCOUNT:mfa/NAME)" if ":user/" in serial else ""
            return None, f"mfa_serial {serial} is not an MFA device ARN{hint}"
        ident = key[: -len(LONG_TERM_SUFFIX)] if key.endswith(LONG_TERM_SUFFIX) else key
        if profile_name_problem(ident):
            return None, f"{ident!r} cannot name a registry identity"
        if ident in self.identity_names:
            return None, f"identity name {ident} is taken by another identity"
        values = self.aws.values(key)
        table: dict[str, Any] = {"source_profile": key}
        notes = []
        if serial:
            table["mfa_serial"] = serial
            arn = MFA_SERIAL_RE.match(serial)
            if arn:  # a hardware token's plain serial names no account
                table["account"] = self.ensure_account(arn.group(1))
        else:
            notes.append(f"no MFA device in [{key}]: add mfa_serial to identities.{ident}, or enrol one with `mfa-tui enroll {ident}`")
        notes += self.copy_checked(values, table, {"region": REGION_RE, "endpoint_url": _URL_RE})
        self.additions.append(Addition("identity", ident, table, self.aws.source(key), "; ".join(notes)))
        self.identity_names.add(ident)
        self.identity_by_source[key] = ident
        self.new_identities[ident] = table
        self.accounted.add(key)
        return ident, None

    def ensure_account(self, account_id: str) -> str:
        if account_id in self.account_by_id:  # registered or planned: reused, not reported
            return self.account_by_id[account_id]
        name, n = ACCOUNT_PREFIX + account_id, 2
        while name in self.account_names:
            name, n = f"{ACCOUNT_PREFIX}{account_id}-{n}", n + 1
        self.additions.append(Addition("account", name, {"id": account_id}))
        self.account_names.add(name)
        self.account_by_id[account_id] = name
        return name

    def add_session(self, ident: str, natural: str, origin: str) -> None:
        """The MFA-session profile of an identity this plan creates (registered ones keep theirs)."""
        if ident not in self.new_identities or any(
            a.kind == "profile" and a.table == {"identity": ident} for a in self.additions
        ):
            return
        name, note = self.choose_name(natural)
        if name is None:
            self.skips.append(Skip(natural, f"MFA session of identity {ident} not added: {note}", "profile", self.aws.source(origin)))
            return
        self.additions.append(Addition("profile", name, {"identity": ident}, self.aws.source(origin), note))
        self.profile_names.add(name)

    def role_fields(self, role_arn: str, values: dict[str, str]) -> tuple[dict[str, Any], list[str]] | str:
        """A role profile's keys (without ``identity``) and notes, or why it cannot be imported."""
        if not ROLE_ARN_RE.match(role_arn):
            return f"role ARN {role_arn} is not arn:aws:iam::ACCOUNT:role/NAME"
        table: dict[str, Any] = {"role_arn": role_arn, "strategy": "chained"}
        notes: list[str] = []
        text = values.get("duration_seconds")
        if text:
            if not (text.isascii() and text.isdigit()) or not ROLE_MIN <= int(text) <= ROLE_MAX:
                return f"duration_seconds {text!r} is not 900..43200 seconds"
            table["duration"] = int(text)
            if int(text) > CHAINED_ROLE_MAX:
                table["strategy"] = "direct"
                notes.append(f"duration_seconds {text} exceeds the 1h cap on chained roles: strategy direct (one code per refresh)")
        if values.get("external_id"):
            if not EXTERNAL_ID_RE.match(values["external_id"]):
                return "external_id is not a valid ExternalId (2-1224 letters, digits and +=,.@:/_-)"
            table["external_id"] = values["external_id"]
        notes += self.copy_checked(values, table, {"role_session_name": SESSION_NAME_RE, "region": REGION_RE})
        return table, notes

    @staticmethod
    def copy_checked(values: dict[str, str], table: dict[str, Any], checks: dict[str, re.Pattern[str]]) -> list[str]:
        """Copy optional keys that AWS (and the registry) would accept; a note for each left out."""
        notes = []
        for key, pattern in checks.items():
            if values.get(key):
                if pattern.match(values[key]):
                    table[key] = values[key]
                else:
                    notes.append(f"{key} {values[key]!r} is not valid; left out")
        return notes

    def add_role(self, aws_name: str, ident: str, fields: tuple[dict[str, Any], list[str]], natural: str, source: str) -> None:
        self.accounted.add(aws_name)
        fields_table, notes = fields
        role_arn, external_id = fields_table["role_arn"], fields_table.get("external_id")
        present = [n for n in (natural, natural + TAKEN_SUFFIX) if self.same_role(n, ident, role_arn)]
        present += [n for n in self.reg_profiles if self.same_role(n, ident, role_arn) and self.reg_profiles[n].external_id == external_id]
        if present:
            return self.skip(aws_name, f"already in the registry as profile {present[0]}")
        name, why = self.choose_name(natural)
        if name is None:
            return self.skip(aws_name, why)
        self.ensure_account(ROLE_ARN_RE.match(role_arn).group(1))  # type: ignore[union-attr]
        note = "; ".join([*notes, why] if why else notes)
        self.additions.append(Addition("profile", name, {"identity": ident, **fields_table}, source, note))
        self.profile_names.add(name)

    def same_role(self, name: str, ident: str, role_arn: str) -> bool:
        profile = self.reg_profiles.get(name)
        return profile is not None and profile.identity == ident and profile.role_arn == role_arn

    def choose_name(self, natural: str) -> tuple[str | None, str]:
        """``natural`` or ``natural-mfa``; on success the note says why the name changed."""
        reasons: list[str] = []
        for candidate in (natural, natural + TAKEN_SUFFIX):
            reason = self.name_blocked(candidate)
            if reason is None:
                return candidate, (f"named {candidate} because {natural} {reasons[0]}" if reasons else "")
            reasons.append(f"{candidate} {reason}")
        return None, "no free profile name: " + "; ".join(reasons)

    def name_blocked(self, name: str) -> str | None:
        if profile_name_problem(name):
            return "cannot name a registry profile"
        if name in self.profile_names:
            return "is already a profile in the registry or this import"
        if name in self.key_profiles:
            return "holds long-term keys"
        return self.aws.shadow(name)

    # ── skips ────────────────────────────────────────────────────────────
    def skip(self, name: str, reason: str) -> None:
        self.accounted.add(name)
        self.skips.append(Skip(name, reason, "profile", self.aws.source(name)))
