"""Whether a policy's ``Principal`` element names a requester: the one principal rule.

Used by the evaluator (resource policies: the requester named by ``aws:PrincipalArn`` /
``aws:PrincipalAccount``) and by the trust rule (:mod:`mfa_tui.core.policy.trust`: the caller of
AssumeRole, known by all its names). See docs/aws-behaviour.md, "Who a trust policy trusts".

A requester is known by a set of names: its ARN, its account id and the account's root ARN and,
for a role session, the role's ARN too. An ``AWS`` principal names it when the value is ``*``,
one of those names, or a 12-digit account id whose root ARN is one of them. ``Service`` matches
the service name; ``Federated`` and ``CanonicalUser`` never name an IAM user or role session.
Partial wildcards (``user/*``) are not wildcards in ``Principal``: they name nobody.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from mfa_tui.core.policy.wildcards import PolicyDefect, Unresolved, as_list

ROOT_SUFFIX = ":root"


def root_arn(account: str) -> str:
    return f"arn:aws:iam::{account}{ROOT_SUFFIX}"


def account_of(arn: str) -> str:
    """The account id in an ARN (``""`` when there is none)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def requester_names(arn: str, account: str = "", *, role_arn: str | None = None) -> set[str]:
    """Every name a ``Principal`` may use for this requester.

    For an assumed-role session ARN (``arn:aws:sts::A:assumed-role/R/S``) without ``role_arn``, the
    role's ARN is rebuilt as ``arn:aws:iam::A:role/R`` (a role with a path is then not recognised).
    """
    account = account or account_of(arn)
    names = {n for n in (arn, account, root_arn(account) if account else "") if n}
    if role_arn:
        names.add(role_arn)
    elif ":assumed-role/" in arn:
        role = arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
        names.add(f"arn:aws:iam::{account}:role/{role}")
    return names


def principal_names(principal: object, names: Collection[str], service: str = "") -> bool:
    """Whether a ``Principal`` (or ``NotPrincipal``) element names the requester known by ``names``.

    Raises :class:`PolicyDefect` for a malformed element and :class:`Unresolved` when an ``AWS``
    principal other than ``*`` is asked about a requester with no names at all.
    """
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        raise PolicyDefect("Principal must be \"*\" or an object")
    for ptype, raw in principal.items():
        for value in as_list(raw):
            if not isinstance(value, str):
                raise PolicyDefect("Principal values must be strings")
            if ptype == "AWS":
                if value == "*":
                    return True
                if not names and not service:
                    raise Unresolved("the request context names no principal (aws:PrincipalArn)")
                if value in names or (value.isdigit() and len(value) == 12 and root_arn(value) in names):
                    return True
                if value.endswith(ROOT_SUFFIX) and account_of(value) in names:
                    return True  # another partition's spelling of the same root
            elif ptype == "Service":
                if service and value == service:
                    return True
    return False

