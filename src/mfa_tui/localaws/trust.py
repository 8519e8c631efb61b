"""Role trust policies, evaluated the way STS does for AssumeRole (the part moto skips).

A request is allowed when some ``Allow`` statement matches it and no ``Deny`` does. A
statement matches when its action covers ``sts:AssumeRole``, its ``Principal`` names the
caller (``*``, the account id or root ARN, the user ARN, or for role sessions the role
ARN or the session ARN) and every condition holds. Actions and conditions are matched by
:mod:`mfa_tui.core.policy.conditions`, the policy evaluator's own matching (IAM's ``*`` and ``?``
only; ``[`` is an ordinary character, as in IAM). An operator or value it cannot evaluate makes
the statement not match (fail closed), so a trust policy we cannot read never lets anyone in by
accident.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from urllib.parse import unquote

from mfa_tui.core.policy.conditions import PolicyDefect, Unresolved, action_matches, condition_holds, normalize_context
from mfa_tui.core.policy.evaluator import VARIABLES_VERSION

ASSUME_ROLE = "sts:AssumeRole"


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _action_matches(statement: Mapping) -> bool:
    if "NotAction" in statement:
        return not action_matches(_strings(statement["NotAction"]), ASSUME_ROLE)
    return action_matches(_strings(statement.get("Action")), ASSUME_ROLE)


def _strings(value: object) -> list[str]:
    return [v for v in _as_list(value) if isinstance(v, str)]


def _principal_matches(statement: Mapping, principals: Iterable[str]) -> bool:
    if "NotPrincipal" in statement:
        return False  # not allowed in trust policies; refuse rather than guess
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    names = set(principals)
    for entry in _as_list(principal.get("AWS")):
        if entry == "*" or entry in names:
            return True
    return False


def _conditions_hold(statement: Mapping, context: Mapping[str, str], variables: bool) -> bool:
    try:
        return condition_holds(statement.get("Condition"), normalize_context(context), variables=variables)
    except (PolicyDefect, Unresolved):
        return False  # an operator or value we cannot evaluate: fail closed


def allows(policy_document: str | Mapping, principals: Iterable[str], context: Mapping[str, str]) -> bool:
    """Whether a trust policy lets a caller known by ``principals`` assume the role.

    ``context`` holds condition keys that exist for this request, e.g.
    ``{"aws:MultiFactorAuthPresent": "true", "sts:ExternalId": "x"}``; absent keys are left out.
    """
    if isinstance(policy_document, str) and policy_document.lstrip().startswith("%7B"):
        policy_document = unquote(policy_document)  # some callers send it URL-encoded
    try:
        doc = json.loads(policy_document) if isinstance(policy_document, str) else policy_document
    except ValueError:
        return False
    if not isinstance(doc, Mapping):
        return False
    principals = list(principals)
    allowed = False
    for statement in _as_list(doc.get("Statement")):
        if not isinstance(statement, Mapping):
            continue
        if not (_action_matches(statement) and _principal_matches(statement, principals)):
            continue
        if not _conditions_hold(statement, context, doc.get("Version") == VARIABLES_VERSION):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
