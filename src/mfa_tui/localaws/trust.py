"""Role trust policies, evaluated the way STS does for AssumeRole (the part moto skips).

A request is allowed when some ``Allow`` statement matches it and no ``Deny`` does. A
statement matches when its action covers ``sts:AssumeRole``, its ``Principal`` names the
caller (``*``, the account id or root ARN, the user ARN, or for role sessions the role
ARN or the session ARN) and every condition holds. Conditions supported: ``Bool``,
``StringEquals``, ``StringNotEquals``, ``StringLike``, the ``Numeric*`` comparisons, each
with an optional ``IfExists`` suffix (``ForAnyValue:``/``ForAllValues:`` are not supported). An
operator we do not know makes the statement not match (fail closed), so a trust policy
we cannot read never lets anyone in by accident.
"""

from __future__ import annotations

import fnmatch
import json
from urllib.parse import unquote
from collections.abc import Iterable, Mapping


def _as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _action_matches(statement: Mapping) -> bool:
    if "NotAction" in statement:
        return not any(_glob("sts:AssumeRole", a) for a in _as_list(statement["NotAction"]))
    return any(_glob("sts:AssumeRole", a) for a in _as_list(statement.get("Action")))


def _glob(value: str, pattern: object) -> bool:
    return isinstance(pattern, str) and fnmatch.fnmatchcase(value.lower(), pattern.lower())


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


def _compare(op: str, actual: str, expected: str) -> bool:
    if op == "StringEquals":
        return actual == expected
    if op == "StringNotEquals":
        return actual != expected
    if op == "StringEqualsIgnoreCase":
        return actual.lower() == expected.lower()
    if op == "StringLike":
        return fnmatch.fnmatchcase(actual, expected)
    if op == "StringNotLike":
        return not fnmatch.fnmatchcase(actual, expected)
    if op == "Bool":
        return actual.lower() == str(expected).lower()
    if op.startswith("Numeric"):
        try:
            a, e = float(actual), float(expected)
        except ValueError:
            return False
        return {
            "NumericEquals": a == e,
            "NumericNotEquals": a != e,
            "NumericLessThan": a < e,
            "NumericLessThanEquals": a <= e,
            "NumericGreaterThan": a > e,
            "NumericGreaterThanEquals": a >= e,
        }.get(op, False)
    raise KeyError(op)


_NEGATED = {"StringNotEquals", "StringNotLike", "NumericNotEquals"}


def _condition_holds(op: str, key: str, expected: object, context: Mapping[str, str]) -> bool:
    if_exists = op.endswith("IfExists")
    base = op[: -len("IfExists")] if if_exists else op
    actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
    if actual is None:
        # A missing key satisfies only IfExists operators and negated ones (IAM semantics).
        return if_exists or base in _NEGATED
    values = [str(v).lower() if isinstance(v, bool) else str(v) for v in _as_list(expected)]
    if base in _NEGATED:
        return all(_compare(base, actual, v) for v in values)
    return any(_compare(base, actual, v) for v in values)


def _conditions_hold(statement: Mapping, context: Mapping[str, str]) -> bool:
    conditions = statement.get("Condition") or {}
    if not isinstance(conditions, Mapping):
        return False
    try:
        return all(
            _condition_holds(op, key, expected, context)
            for op, keys in conditions.items()
            for key, expected in (keys or {}).items()
        )
    except (KeyError, AttributeError):
        return False  # an operator we do not implement: fail closed


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
        if not _conditions_hold(statement, context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        if statement.get("Effect") == "Allow":
            allowed = True
    return allowed
