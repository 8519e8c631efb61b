"""The proof that an edit of the shared credentials file changed nothing but mfa-tui's sections.

Owns the two checks every write passes before its rename (:mod:`mfa_tui.core.credentials.editor`
makes the edit): :func:`check_regions`, every region outside the owned sections byte for byte as
it was, in the same order; and :func:`verify`, the new file read as botocore reads it gives every
other section the same keys and every written profile its new values. Also the one wording of
a refused edit (:func:`refuse`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from mfa_tui.core.credentials.reader import split_sections
from mfa_tui.core.errors import CredentialsFileError

if TYPE_CHECKING:
    from configupdater import ConfigUpdater

_SEPARATOR_RE = re.compile(r"(?:\r?\n)*")


def refuse(path: Path, why: str) -> CredentialsFileError:
    return CredentialsFileError(f"{path}: {why}; mfa-tui left the file unchanged")


def text_regions(text: str) -> list[tuple[str | None, str]]:
    """:func:`regions` of a text whose headers are all at column 0: the text before the first, then each section."""
    preamble, pieces = split_sections(text)
    return [(None, preamble), *pieces]


def regions(doc: ConfigUpdater) -> list[tuple[str | None, str]]:
    """The text before the first section (name None), then each section up to the next one.

    A top-level block after a section (only the separator :func:`~mfa_tui.core.credentials.editor._append` adds) counts
    as part of that section, as it would when the file is read again.
    """
    from configupdater.section import Section

    result: list[tuple[str | None, str]] = [(None, "")]
    for block in doc.iter_blocks():
        if isinstance(block, Section):
            result.append((block.name, str(block)))
        else:
            name, chunk = result[-1]
            result[-1] = (name, chunk + str(block))
    return result


def check_regions(
    path: Path,
    before: list[tuple[str | None, str]],
    after: list[tuple[str | None, str]],
    changed: set[str],
    appended: set[str],
) -> None:
    """Refuse unless every region outside ``changed`` is byte for byte as before, in order.

    The region just before the first appended section may gain the line break and blank
    line that separate it from the new section.
    """
    old = [(n, t) for n, t in before if n is None or n not in changed]
    new = [(n, t) for n, t in after if n is None or n not in changed]
    if old == new:  # the usual answer, in one comparison (the loop below took 50 ms on 70,000 regions)
        return
    if [n for n, _ in old] != [n for n, _ in new]:
        raise refuse(path, "the edit would add, drop or reorder sections that are not mfa-tui's")
    names = [n for n, _ in after]
    first = next((i for i, n in enumerate(names) if n in appended), None)
    grows = names[first - 1] if first else object()
    for (name, old_text), (_, new_text) in zip(old, new, strict=True):
        if old_text == new_text:
            continue
        if name == grows and new_text.startswith(old_text) and _SEPARATOR_RE.fullmatch(new_text[len(old_text) :]):
            continue
        label = "the text before the first section" if name is None else f"section [{name}]"
        raise refuse(path, f"the edit would change {label}, which is not mfa-tui's")


def verify(
    path: Path,
    before: dict[str, dict[str, str]],
    after: dict[str, dict[str, str]],
    wanted: dict[str, dict[str, str]],
    removed: set[str],
) -> None:
    """Refuse unless botocore's parser reads the new file as the old one plus the owned changes."""
    changed = wanted.keys() | removed
    if after.keys() != (before.keys() - changed) | wanted.keys():
        raise refuse(path, "the edit would add or drop a section it was not asked to")
    # The untouched sections compared in one go (a loop over 70,000 of them took 0.1 s).
    rest_before, rest_after = dict(before), dict(after)
    for name in changed:
        rest_before.pop(name, None)
        rest_after.pop(name, None)
    if rest_after != rest_before:
        name = next(name for name in rest_before if rest_after[name] != rest_before[name])
        raise refuse(path, f"the edit would change section [{name}], which is not mfa-tui's")
    for name, values in wanted.items():
        if any(after[name].get(key) != value for key, value in values.items()):
            raise refuse(path, f"profile [{name}] did not read back as written")
