"""Reading a principal's policies from IAM: inline, attached managed, groups', boundary.

:func:`fetch_user` and :func:`fetch_role` take a botocore IAM client (from
:func:`mfa_tui.core.aws.clients.client`) and return a :class:`Principal` holding every policy
document that applies, each as a :class:`PolicyDoc` with its MFA statements marked.

Every List/Get call that AWS refuses (AccessDenied, NoSuchEntity...) or that fails is
recorded as ``could not read X: reason`` in :attr:`Principal.unreadable` and never stops
the rest: a user may read its own inline policies but not its groups'. Only credentials
AWS rejects outright (an unknown, expired or non-MFA session key) or an endpoint that
cannot be reached raise, as one-line :class:`~mfa_tui.core.errors.AwsError`: then nothing
could be read at all.

IAM returns policy documents URL-encoded; botocore's IAM handler already decodes them to
dicts, and :func:`mfa_tui.core.policy.documents.parse_document` handles the text forms too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from mfa_tui.core.policy.documents import check_document, parse_document, statements
from mfa_tui.core.policy.conditions import mentions_keys
from mfa_tui.core.policy.wildcards import PolicyDefect

MFA_KEYS = ("aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge")
"""Condition keys that make a statement an "MFA statement"."""


@dataclass(frozen=True)
class PolicyDoc:
    """One policy document that applies to the principal."""

    name: str
    kind: str
    """``"inline"``, ``"managed"`` or ``"boundary"``."""
    attached_to: str
    """``"user alice"``, ``"group devs"`` or ``"role Admin"``."""
    document: dict
    arn: str | None = None
    """Managed policies' ARN."""
    version_id: str | None = None
    """The default version read, for managed policies."""
    label: str = ""
    """Unique short name used in decisions (``ForceMFA``, ``devs/GroupInline``)."""
    mfa_statements: tuple[int, ...] = ()
    """Indices of the statements whose conditions test MFA keys (to mark them in the JSON view)."""
    problems: tuple[str, ...] = ()
    """Defects found without a request (unknown operators, bad structure, invalid JSON)."""

    def to_dict(self) -> dict:
        return {
            "name": self.name, "label": self.label, "kind": self.kind, "attached_to": self.attached_to,
            "arn": self.arn, "version_id": self.version_id, "mfa_statements": list(self.mfa_statements),
            "problems": list(self.problems), "document": self.document,
        }


@dataclass
class Principal:
    """An IAM user or role and what could (and could not) be read of its policies."""

    kind: str
    """``"user"`` or ``"role"``."""
    name: str
    arn: str | None = None
    id: str | None = None
    """UserId (AIDA…) or RoleId (AROA…), when GetUser/GetRole answered."""
    account_id: str | None = None
    policies: list[PolicyDoc] = field(default_factory=list)
    """Identity policies: inline, managed, and (for users) their groups'."""
    boundary: PolicyDoc | None = None
    boundary_arn: str | None = None
    """Set when the principal has a boundary, even if its document could not be read."""
    groups: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    """One line per List/Get call that failed: ``could not read X: reason``."""
    read_with: str = ""
    """Which credentials read the policies (shown because a force-MFA policy hides them from non-MFA keys)."""
    trust_policy: dict | None = None
    """A role's trust policy (GetRole's AssumeRolePolicyDocument), when it could be read."""

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "name": self.name, "arn": self.arn, "id": self.id, "account_id": self.account_id,
            "groups": list(self.groups), "boundary_arn": self.boundary_arn,
            "policies": [p.to_dict() for p in self.policies],
            "boundary": self.boundary.to_dict() if self.boundary else None,
            "unreadable": list(self.unreadable), "read_with": self.read_with,
            **({"trust_policy": self.trust_policy} if self.kind == "role" else {}),
        }


# ── Fetching ─────────────────────────────────────────────────────────────────

# Codes meaning the credentials themselves are unusable: nothing else will work, so stop.
_FATAL_CODES = frozenset(
    {"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
     "UnrecognizedClientException", "RequestExpired", "AuthFailure", "IncompleteSignature"}
)


class _Reader:
    """Calls IAM, turning refusals into ``unreadable`` lines instead of exceptions."""

    def __init__(self, iam, unreadable: list[str]):
        self.iam = iam
        self.unreadable = unreadable

    def call(self, what: str, method: str, **params) -> dict | None:
        try:
            return getattr(self.iam, method)(**params)
        except Exception as exc:  # noqa: BLE001 - sorted into fatal / recorded below
            self._failed(what, exc)
            return None

    def pages(self, what: str, method: str, key: str, **params) -> list | None:
        try:
            items: list = []
            for page in self.iam.get_paginator(method).paginate(**params):
                items.extend(page.get(key, []))
            return items
        except Exception as exc:  # noqa: BLE001
            self._failed(what, exc)
            return None

    def _failed(self, what: str, exc: Exception) -> None:
        import botocore.exceptions as bex

        from mfa_tui.core.aws import errors as aws_errors

        if isinstance(exc, bex.ClientError):
            code = aws_errors.error_code(exc) or "Unknown"
            if code in _FATAL_CODES:
                raise aws_errors.translate_error(exc, what=f"reading {what}") from None
            message = aws_errors.error_message(exc).strip().rstrip(".")
            self.unreadable.append(f"could not read {what}: {code}" + (f": {message}" if message else ""))
        elif isinstance(exc, (bex.EndpointConnectionError, bex.ConnectTimeoutError, bex.ReadTimeoutError,
                              bex.ConnectionClosedError, bex.NoCredentialsError)):
            raise aws_errors.translate_error(exc, what=f"reading {what}") from None
        elif isinstance(exc, bex.BotoCoreError):
            self.unreadable.append(f"could not read {what}: {first_line(exc)}")
        else:
            raise exc

    def managed(self, arn: str, name: str, attached_to: str, kind: str = "managed") -> PolicyDoc | None:
        policy = self.call(f"managed policy {arn}", "get_policy", PolicyArn=arn)
        if policy is None:
            return None
        version = policy.get("Policy", {}).get("DefaultVersionId")
        if not version:
            self.unreadable.append(f"could not read managed policy {arn}: no default version")
            return None
        got = self.call(
            f"managed policy {arn} version {version}", "get_policy_version", PolicyArn=arn, VersionId=version
        )
        if got is None:
            return None
        raw = got.get("PolicyVersion", {}).get("Document")
        return _doc(name, kind, attached_to, raw, arn=arn, version_id=version)


def first_line(exc: BaseException) -> str:
    """An exception's first line, without botocore's retry hint, at most 160 characters."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    text = text.replace(". Further retries may succeed:", "").rstrip(":. ")
    return text if len(text) <= 160 else text[:157] + "..."


def _doc(name: str, kind: str, attached_to: str, raw: object, *, arn: str | None = None,
         version_id: str | None = None) -> PolicyDoc:
    """A PolicyDoc from what IAM returned (botocore decodes IAM's URL-encoded JSON; strings are handled too)."""
    try:
        document = dict(parse_document(raw))
        problems = tuple(check_document(document))
    except PolicyDefect as exc:
        document, problems = {"Statement": []}, (str(exc),)
    mfa: list[int] = []
    try:
        for i, stmt in enumerate(statements(document)):
            if isinstance(stmt, Mapping) and mentions_keys(stmt.get("Condition"), MFA_KEYS):
                mfa.append(i)
    except PolicyDefect:
        pass
    return PolicyDoc(name, kind, attached_to, document, arn, version_id, name, tuple(mfa), problems)


def _trust(raw: object) -> dict | None:
    """The role's trust policy as a dict (IAM URL-encodes it; botocore usually decodes it)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        from urllib.parse import unquote

        raw = unquote(raw) if raw.lstrip().startswith("%") else raw
    try:
        return dict(parse_document(raw))
    except PolicyDefect:
        return None


def trust_doc(principal: Principal) -> PolicyDoc | None:
    """A role's trust policy as a PolicyDoc (its MFA statements marked), to show beside its policies."""
    if principal.trust_policy is None:
        return None
    return _doc("trust policy", "trust", f"role {principal.name}", principal.trust_policy)


def _account_of(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


def _relabel(docs: list[PolicyDoc]) -> list[PolicyDoc]:
    """Give every policy a unique label: its name, qualified by its group or a number on collisions."""
    out: list[PolicyDoc] = []
    seen: set[str] = set()
    for doc in docs:
        label = doc.name
        if doc.attached_to.startswith("group ") and doc.kind == "inline":
            label = f"{doc.attached_to[6:]}/{doc.name}"
        base, n = label, 2
        while label in seen:
            label, n = f"{base} ({n})", n + 1
        seen.add(label)
        out.append(replace(doc, label=label))
    return out


def _inline_and_attached(reader: _Reader, principal: Principal, owner: str, kind: str, name: str) -> None:
    """Inline and attached policies of one user, group or role."""
    param = {"user": "UserName", "group": "GroupName", "role": "RoleName"}[kind]
    title = f"{kind} {name}"
    names = reader.pages(f"inline policies of {title}", f"list_{kind}_policies", "PolicyNames", **{param: name})
    for policy_name in names or []:
        got = reader.call(
            f"inline policy {policy_name} of {title}", f"get_{kind}_policy", **{param: name, "PolicyName": policy_name}
        )
        if got is not None:
            principal.policies.append(_doc(policy_name, "inline", owner, got.get("PolicyDocument")))
    attached = reader.pages(
        f"managed policies attached to {title}", f"list_attached_{kind}_policies", "AttachedPolicies", **{param: name}
    )
    for item in attached or []:
        doc = reader.managed(item["PolicyArn"], item.get("PolicyName") or item["PolicyArn"].rsplit("/", 1)[-1], owner)
        if doc is not None:
            principal.policies.append(doc)


def _boundary(reader: _Reader, principal: Principal, raw: Mapping | None) -> None:
    arn = (raw or {}).get("PermissionsBoundaryArn")
    if not arn:
        return
    principal.boundary_arn = arn
    doc = reader.managed(arn, arn.rsplit("/", 1)[-1], f"{principal.kind} {principal.name}", kind="boundary")
    if doc is not None:
        principal.boundary = replace(doc, label=f"boundary {doc.name}")


def _read_principal(iam, kind: str, name: str, account_id: str | None) -> tuple[Principal, _Reader]:
    """A user or role (``kind``) from GetUser/GetRole: its ARN, id, account, boundary and own
    policies; and the reader that records into its ``unreadable``, to read more."""
    p = Principal(kind, name, account_id=account_id)
    reader = _Reader(iam, p.unreadable)
    title = kind.capitalize()
    got = reader.call(f"{kind} {name}", f"get_{kind}", **{f"{title}Name": name})
    if got is not None:
        item = got.get(title, {})
        p.arn, p.id = item.get("Arn"), item.get(f"{title}Id")
        p.account_id = _account_of(p.arn) or account_id
        _boundary(reader, p, item.get("PermissionsBoundary"))
        if kind == "role":
            p.trust_policy = _trust(item.get("AssumeRolePolicyDocument"))
    else:
        p.unreadable.append(f"could not tell whether {kind} {name} has a permissions boundary; decisions ignore any")
    if p.arn is None and p.account_id:
        p.arn = f"arn:aws:iam::{p.account_id}:{kind}/{name}"
    _inline_and_attached(reader, p, f"{kind} {name}", kind, name)
    return p, reader


def fetch_user(iam, user_name: str, *, account_id: str | None = None) -> Principal:
    """Read an IAM user's policies (own, groups', boundary) with a botocore IAM client."""
    p, reader = _read_principal(iam, "user", user_name, account_id)
    groups = reader.pages(f"groups of user {user_name}", "list_groups_for_user", "Groups", UserName=user_name)
    for group in groups or []:
        p.groups.append(group["GroupName"])
        _inline_and_attached(reader, p, f"group {group['GroupName']}", "group", group["GroupName"])
    p.policies = _relabel(p.policies)
    return p


def fetch_role(iam, role_name: str, *, account_id: str | None = None) -> Principal:
    """Read an IAM role's inline and attached policies and its boundary."""
    p, _ = _read_principal(iam, "role", role_name, account_id)
    p.policies = _relabel(p.policies)
    return p
