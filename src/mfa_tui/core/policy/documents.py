"""An IAM policy document's structure: parsing it and finding its defects without a request.

:func:`parse_document` accepts the forms IAM and users give (a dict, JSON text, IAM's URL-encoded
JSON); :func:`statements` and :func:`one_of` read its elements; :func:`check_document` lists
what is wrong with it before any request is evaluated (the report shows these once per
policy). :mod:`mfa_tui.core.policy.evaluator` decides requests with them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from mfa_tui.core.policy.conditions import parse_operator
from mfa_tui.core.policy.wildcards import PolicyDefect, as_list


def parse_document(document: object) -> Mapping:
    """A policy document as a mapping: accepts a dict, JSON text, or IAM's URL-encoded JSON."""
    if isinstance(document, Mapping):
        return document
    if isinstance(document, (str, bytes)):
        text = document.decode("utf-8") if isinstance(document, bytes) else document
        stripped = text.strip()
        if stripped.startswith("%"):
            from urllib.parse import unquote

            stripped = unquote(stripped)
        try:
            parsed = json.loads(stripped)
        except ValueError as exc:
            raise PolicyDefect(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if isinstance(parsed, Mapping):
            return parsed
    raise PolicyDefect("a policy document must be a JSON object")


def statements(document: Mapping) -> list:
    """The document's statements as a list (``Statement`` may be one object or a list)."""
    raw = document.get("Statement")
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, list):
        return raw
    raise PolicyDefect("no Statement list")


def strings(statement: Mapping, key: str) -> list[str]:
    values = as_list(statement[key])
    if not values or not all(isinstance(v, str) for v in values):
        raise PolicyDefect(f"{key} must be a string or a list of strings")
    return values


def one_of(statement: Mapping, positive: str, negative: str) -> tuple[list[str], bool]:
    """The patterns of Action/NotAction (or Resource/NotResource) and whether they are negated."""
    has_pos, has_neg = positive in statement, negative in statement
    if has_pos and has_neg:
        raise PolicyDefect(f"both {positive} and {negative}")
    if not has_pos and not has_neg:
        raise PolicyDefect(f"no {positive} or {negative}")
    key = positive if has_pos else negative
    return strings(statement, key), has_neg


def check_document(document: object) -> list[str]:
    """Defects visible without a request: bad structure, unknown operators, missing elements.

    The report lists these once per policy instead of once per evaluated action.
    """
    try:
        doc = parse_document(document)
        stmts = statements(doc)
    except PolicyDefect as exc:
        return [str(exc)]
    problems: list[str] = []
    for si, stmt in enumerate(stmts):
        where = f"statement {stmt.get('Sid') or si}" if isinstance(stmt, Mapping) else f"statement {si}"
        try:
            if not isinstance(stmt, Mapping):
                raise PolicyDefect("statement is not an object")
            if stmt.get("Effect") not in ("Allow", "Deny"):
                raise PolicyDefect(f"Effect must be \"Allow\" or \"Deny\", not {stmt.get('Effect')!r}")
            one_of(stmt, "Action", "NotAction")
            one_of(stmt, "Resource", "NotResource")
            condition = stmt.get("Condition")
            if condition is not None and not isinstance(condition, Mapping):
                raise PolicyDefect("Condition must be an object")
            for name in condition or {}:
                parse_operator(str(name))
        except PolicyDefect as exc:
            problems.append(f"{where}: {exc}")
    return problems
