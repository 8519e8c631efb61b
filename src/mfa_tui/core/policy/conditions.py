"""IAM condition operators: does a statement's ``Condition`` block hold for a request context.

:mod:`mfa_tui.core.policy.evaluator` decides statements; this module answers one of the smaller
questions it asks (:func:`condition_holds`), with the wildcards and policy variables of
:mod:`mfa_tui.core.policy.wildcards`. Pure functions, no I/O.

Semantics follow the AWS IAM User Guide ("Condition operators", "Policy variables"), with these
documented choices where AWS says little:

- A key absent from the context fails every operator except the negated ones
  (``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike``...), which hold, the ``...IfExists``
  forms, which hold, and ``Null``, which tests presence. An empty list counts as absent.
- Several values for one key are ORed; a negated operator holds when *no* value matches
  (AWS's "NOR"). A multi-valued context key under a plain (non-set) operator matches when any
  of its values does.
- ``ForAllValues:`` holds for an absent key; ``ForAnyValue:`` fails for one; ``IfExists`` on a
  set operator changes nothing (it is applied per value inside the set loop).
- A context value that does not parse for the operator (a number, date, address, base64,
  ARN) matches nothing. A *policy* value that does not parse is a defect of the policy:
  :class:`PolicyDefect` is raised and the whole statement does not match.
- Policy variables are substituted in String and Arn condition values, as in Resource
  (see :mod:`mfa_tui.core.policy.wildcards`); one without a value raises :class:`Unresolved`.
- Dates are ISO 8601 (``Z``, ``z`` or an offset; a naive one is UTC) or Unix epoch seconds,
  as :func:`mfa_tui.core.clock.parse_instant` reads them.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from mfa_tui.core.clock import parse_instant

from mfa_tui.core.policy.wildcards import Context, PolicyDefect, pattern, resolve, scalar_texts

# ── Condition operators ───────────────────────────────────────────────────────────


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime | None:
    try:
        return parse_instant(text)
    except (ValueError, OverflowError, OSError):
        return None


def _b64(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _network(text: str):
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        net = _network(text)
        # A request value written as a /32 (or /128) is still one address.
        return net.network_address if net is not None and net.num_addresses == 1 else None


@dataclass(frozen=True)
class _Family:
    """How one operator family compares a policy value with a request value."""

    prepare: Callable[[str, Context, bool], object]
    """Policy value -> comparable (raises PolicyDefect / Unresolved)."""
    compare: Callable[[object, str], bool]
    """(prepared policy value, request value) -> match."""
    variables: bool = False
    """Whether policy variables are substituted in this family's values."""


def _defect_if_none(value, what: str, text: str):
    if value is None:
        raise PolicyDefect(f"{what} {text!r} is not valid")
    return value


def _numeric_family(op: Callable[[Decimal, Decimal], bool]) -> _Family:
    def compare(pv, v):
        rv = _decimal(v)
        return rv is not None and op(rv, pv)

    return _Family(lambda t, c, var: _defect_if_none(_decimal(t), "number", t), compare)


def _date_family(op: Callable[[datetime, datetime], bool]) -> _Family:
    def compare(pv, v):
        rv = _date(v)
        return rv is not None and op(rv, pv)

    return _Family(lambda t, c, var: _defect_if_none(_date(t), "date", t), compare)


def _bool_prepare(text: str, ctx: Context, variables: bool) -> str:
    if text.lower() not in ("true", "false"):
        raise PolicyDefect(f"boolean {text!r} is not valid")
    return text.lower()


_STRING_EQ = _Family(lambda t, c, var: resolve(t, c, var), lambda pv, v: v == pv, variables=True)
_STRING_EQ_IC = _Family(
    lambda t, c, var: resolve(t, c, var).casefold(), lambda pv, v: v.casefold() == pv, variables=True
)


def _fullmatch(pv: re.Pattern[str], v: str) -> bool:
    return pv.fullmatch(v) is not None


_STRING_LIKE = _Family(lambda t, c, var: pattern(t, c, variables=var), _fullmatch, variables=True)
_ARN_LIKE = _Family(lambda t, c, var: pattern(t, c, mode="arn", variables=var), _fullmatch, variables=True)
_IP = _Family(
    lambda t, c, var: _defect_if_none(_network(t), "IP address or CIDR", t),
    lambda pv, v: (a := _address(v)) is not None and a.version == pv.version and a in pv,
)
_BINARY = _Family(lambda t, c, var: _defect_if_none(_b64(t), "base64 value", t), lambda pv, v: _b64(v) == pv)
_BOOL = _Family(_bool_prepare, lambda pv, v: v.lower() == pv)

def _ordered(kind: str, family: Callable[[Callable], _Family]) -> list[tuple[str, str | None, _Family]]:
    """``NumericEquals`` … ``NumericGreaterThanEquals`` (likewise ``Date…``); only ``…Equals`` has a negation."""
    orders = {"equals": operator.eq, "lessthan": operator.lt, "lessthanequals": operator.le,
              "greaterthan": operator.gt, "greaterthanequals": operator.ge}
    return [(kind + order, kind + "notequals" if order == "equals" else None, family(compare))
            for order, compare in orders.items()]


# Each operator (lower-cased) with its negation, if IAM has one, and their family.
_FAMILIES: list[tuple[str, str | None, _Family]] = [
    ("stringequals", "stringnotequals", _STRING_EQ),
    ("stringequalsignorecase", "stringnotequalsignorecase", _STRING_EQ_IC),
    ("stringlike", "stringnotlike", _STRING_LIKE),
    *_ordered("numeric", _numeric_family),
    *_ordered("date", _date_family),
    ("bool", None, _BOOL),
    ("binaryequals", None, _BINARY),
    ("ipaddress", "notipaddress", _IP),
    # ArnEquals and ArnLike behave the same in AWS: both take wildcards per component.
    ("arnequals", "arnnotequals", _ARN_LIKE),
    ("arnlike", "arnnotlike", _ARN_LIKE),
]

# Base operator name -> (family, negated). Negated operators are expressed through their
# positive comparison: "holds" means no value matches.
_OPERATORS: dict[str, tuple[_Family, bool]] = {
    name: (family, negated)
    for positive, negative, family in _FAMILIES
    for name, negated in ((positive, False), (negative, True))
    if name is not None
}

KNOWN_OPERATORS: frozenset[str] = frozenset(_OPERATORS) | {"null"}
"""Lower-cased base operator names this evaluator understands (without IfExists or set prefixes)."""


@dataclass(frozen=True)
class Operator:
    """A parsed condition operator such as ``ForAnyValue:StringNotLikeIfExists``."""

    name: str
    base: str
    """Lower-cased base name, e.g. ``stringnotlike``."""
    qualifier: str | None
    """``"any"`` for ForAnyValue:, ``"all"`` for ForAllValues:, else None."""
    if_exists: bool


def parse_operator(name: str) -> Operator:
    """Split an operator name into qualifier, base and IfExists; PolicyDefect when unknown."""
    rest = name.strip()
    qualifier = None
    lower = rest.lower()
    for prefix, q in (("foranyvalue:", "any"), ("forallvalues:", "all")):
        if lower.startswith(prefix):
            qualifier, rest = q, rest[len(prefix) :]
            break
    base = rest.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    if base not in KNOWN_OPERATORS:
        raise PolicyDefect(f"unknown condition operator {name!r}")
    if base == "null" and (if_exists or qualifier):
        raise PolicyDefect(f"condition operator {name!r} is not valid (Null takes no prefix or IfExists)")
    return Operator(name=name, base=base, qualifier=qualifier, if_exists=if_exists)


def _policy_values(op_name: str, key: str, raw: object) -> list[str]:
    values = scalar_texts(raw)
    if values is None:
        raise PolicyDefect(f"{op_name} {key}: values must be strings, numbers or booleans")
    if not values:
        raise PolicyDefect(f"{op_name} {key}: no values")
    return values


def _key_holds(op: Operator, key: str, raw_values: object, ctx: Context, variables: bool) -> bool:
    values = _policy_values(op.name, key, raw_values)
    request = ctx.get(key.lower())
    if op.base == "null":
        for v in values:
            if v.lower() not in ("true", "false"):
                raise PolicyDefect(f"Null {key}: value {v!r} must be true or false")
        present = request is not None
        return any((v.lower() == "true") != present for v in values)

    family, negated = _OPERATORS[op.base]
    # Prepared lazily: a key that is absent never needs its values, so an IfExists or
    # negated operator with an unresolved variable still holds (AWS's advice for variables).
    prepared: list[object] | None = None

    def matches(request_value: str) -> bool:
        nonlocal prepared
        if prepared is None:
            prepared = [family.prepare(v, ctx, variables and family.variables) for v in values]
        return any(family.compare(pv, request_value) for pv in prepared)

    if op.qualifier == "all":
        if request is None:
            return True
        return all(matches(v) != negated for v in request)
    if op.qualifier == "any":
        if request is None:
            return False
        return any(matches(v) != negated for v in request)
    if request is None:
        return op.if_exists or negated
    hit = any(matches(v) for v in request)
    return not hit if negated else hit


def condition_holds(condition: object, ctx: Context, *, variables: bool) -> bool:
    """Whether a statement's ``Condition`` block holds: every operator and key ANDed.

    Raises :class:`PolicyDefect` for an unknown operator or a bad value (never treated as
    true) and :class:`Unresolved` for a variable without a value. Every operator name is
    checked before any is evaluated, so a defect is reported even when another key fails.
    """
    if condition is None:
        return True
    if not isinstance(condition, Mapping):
        raise PolicyDefect("Condition must be an object")
    parsed: list[tuple[Operator, Mapping]] = []
    for name, block in condition.items():
        op = parse_operator(str(name))
        if not isinstance(block, Mapping):
            raise PolicyDefect(f"condition {name!r} must map keys to values")
        parsed.append((op, block))
    for op, block in parsed:
        for key, raw in block.items():
            if not _key_holds(op, str(key), raw, ctx, variables):
                return False
    return True


def mentions_keys(condition: object, keys: Iterable[str]) -> bool:
    """Whether a ``Condition`` block tests any of ``keys`` (case-insensitive)."""
    if not isinstance(condition, Mapping):
        return False
    wanted = {k.lower() for k in keys}
    return any(
        isinstance(block, Mapping) and any(str(k).lower() in wanted for k in block)
        for block in condition.values()
    )
