"""The text matching under IAM policy evaluation: request contexts, policy variables and wildcards.

Answers "does this Action pattern match that action" and "does this Resource pattern match
that ARN" (:func:`action_matches`, :func:`resource_matches`), and compiles the patterns the
String and Arn condition operators of :mod:`mfa_tui.core.policy.conditions` use. Also owns the
request context's normal form (:func:`normalize_context`) and the two exceptions every part
of the evaluator raises. Pure functions, no I/O.

Semantics follow the AWS IAM User Guide ("Policy variables", "Resource"):

- Policy variables (``${aws:username}``, ``${key, 'default'}``, ``${*}``, ``${?}``, ``${$}``)
  are substituted only in policies of Version ``2012-10-17``, in Resource/NotResource and in
  String and Arn condition values. A variable with no single value in the context and no
  default raises :class:`Unresolved`: AWS then treats the statement as not matching.
  Substituted text is literal: a ``*`` inside a user name is not a wildcard.
- Action patterns are case-insensitive; Resource patterns are case-sensitive, and a ``*``
  stays inside its ARN segment unless it ends the segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

Context = dict[str, tuple[str, ...]]
"""A normalised request context: lower-cased key -> its values (at least one)."""


class PolicyDefect(Exception):
    """The policy itself is wrong here (unknown operator, unparseable value...).

    The statement holding it does not match, and the message is reported as a problem.
    """


class Unresolved(Exception):
    """A policy variable has no value in the request context (and no default)."""


def scalar_text(value: object) -> str | None:
    """A JSON scalar as IAM sees it: ``true`` -> "true", ``3600`` -> "3600"; None for non-scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() else repr(value)
    return None


def as_list(value: object) -> list:
    """IAM's "a string or a list of strings" as a list."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def scalar_texts(value: object) -> list[str] | None:
    """IAM's "a value or a list of values" as texts (:func:`scalar_text`); None when one is not a scalar."""
    texts = [scalar_text(item) for item in as_list(value)]
    return None if None in texts else texts


def normalize_context(context: Mapping[str, object] | None) -> Context:
    """Lower-case the keys and turn every value into a tuple of strings; drop empty keys."""
    result: Context = {}
    for key, raw in (context or {}).items():
        values = scalar_texts(raw)
        if values is None:
            raise ValueError(f"context key {key!r}: values must be strings, numbers or booleans")
        if values:
            result[str(key).lower()] = tuple(values)
    return result


# ── Policy variables and wildcards ────────────────────────────────────────────────
# A pattern is first cut into tokens: ("raw", text) is policy text in which * and ? are
# wildcards (where the caller allows them); ("lit", text) came from a variable or an escape
# and is matched literally.

_VAR_RE = re.compile(r"\$\{([^}]*)\}")
_VAR_BODY_RE = re.compile(r"^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


def _tokens(text: str, ctx: Context, variables: bool) -> tuple[tuple[str, str], ...]:
    if not variables or "${" not in text:
        return (("raw", text),)
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _VAR_RE.finditer(text):
        if m.start() > pos:
            tokens.append(("raw", text[pos : m.start()]))
        pos = m.end()
        body = m.group(1)
        if body.strip() in _ESCAPES:
            tokens.append(("lit", _ESCAPES[body.strip()]))
            continue
        bm = _VAR_BODY_RE.match(body)
        if bm is None:
            raise PolicyDefect(f"malformed policy variable {m.group(0)!r}")
        key, default = bm.group(1), bm.group(2)
        values = ctx.get(key.lower())
        if values is not None and len(values) == 1:
            tokens.append(("lit", values[0]))
        elif default is not None:
            tokens.append(("lit", default))
        else:
            # Absent, or multi-valued (AWS refuses multi-valued keys as variables).
            raise Unresolved(f"${{{key}}} has no value in the request context")
    if pos < len(text):
        tokens.append(("raw", text[pos:]))
    return tuple(tokens)


def resolve(text: str, ctx: Context, variables: bool) -> str:
    """``text`` with its policy variables substituted (for equality operators)."""
    return "".join(t for _, t in _tokens(text, ctx, variables))


@lru_cache(maxsize=4096)
def _compile(tokens: tuple[tuple[str, str], ...], mode: str, ignore_case: bool) -> re.Pattern[str]:
    """A regex for a token list. ``mode``: "glob" (* and ? anywhere), "resource" (ARN-aware)
    or "arn" (segment by segment, as the Arn condition operators compare)."""
    # Flatten to (kind, char) so the ARN modes can look at neighbours and count colons.
    chars: list[tuple[str, str]] = []
    for kind, text in tokens:
        for c in text:
            if kind == "raw" and c in "*?":
                chars.append((c, c))
            else:
                chars.append(("lit", c))
    out: list[str] = []
    colons = 0
    arn_segmented = mode == "arn" and sum(1 for _, c in chars if c == ":") >= 5
    for i, (kind, c) in enumerate(chars):
        if kind == "lit":
            if c == ":":
                colons += 1
            out.append(re.escape(c))
            continue
        if mode == "glob" or (mode == "arn" and not arn_segmented):
            out.append(".*" if kind == "*" else ".")
        elif mode == "arn":
            # The first five ARN components are matched one by one; the resource part
            # (after the fifth colon) may itself contain colons.
            last_segment = colons >= 5
            out.append((".*" if last_segment else "[^:]*") if kind == "*" else ("." if last_segment else "[^:]"))
        else:
            # Resource element: a * that ends an ARN segment may expand beyond the colon
            # boundaries (AWS IAM guide, "Resource"); elsewhere it stays inside the segment.
            ends_segment = i + 1 == len(chars) or chars[i + 1] == ("lit", ":")
            if kind == "*":
                out.append(".*" if ends_segment else "[^:]*")
            else:
                out.append("[^:]")
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(out), flags)


def pattern(
    text: str, ctx: Context, *, mode: str = "glob", ignore_case: bool = False, variables: bool = False
) -> re.Pattern[str]:
    """Compile a wildcard pattern (``*``, ``?``) after substituting policy variables."""
    return _compile(_tokens(text, ctx, variables), mode, ignore_case)


def action_matches(patterns: Iterable[str], action: str) -> bool:
    """Whether ``action`` (``service:Name``) matches any Action pattern; case-insensitive."""
    return any(pattern(p, {}, ignore_case=True).fullmatch(action) for p in patterns)


def resource_matches(patterns: Iterable[str], resource: str, ctx: Context, variables: bool) -> bool:
    """Whether ``resource`` matches any Resource pattern; case-sensitive, ARN-aware wildcards.

    Raises :class:`Unresolved` when a pattern's variable has no value: the statement then
    does not match at all (for NotResource too), as AWS treats it as invalid.
    """
    # Every pattern is compiled (no short-cut) so an unresolved variable anywhere in the
    # element makes the statement not match whatever the order of the entries.
    hits = [pattern(p, ctx, mode="resource", variables=variables).fullmatch(resource) is not None for p in patterns]
    return any(hits)
