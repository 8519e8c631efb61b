"""The checks of an identity's code-source keys: ``code_source``, ``ykman_account``, ``ykman_device``, ``code_command``.

One clear problem per bad key: a source that is not one of :data:`CODE_SOURCES`, a ``ykman``
source without its account, a ``command`` source without its command, a key that belongs to
another source than the one chosen (it would silently do nothing). ``code_command`` is an argv
list, or a string split as a POSIX shell would split it (:func:`shlex.split`); it never runs
through a shell. What the sources do is :mod:`mfa_tui.core.codes`.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from mfa_tui.core.registry.checks import BAD, Checks, Where, show

CODE_SOURCES = ("prompt", "ykman", "command")
CODE_KEYS = ("code_source", "ykman_account", "ykman_device", "code_command")
_YKMAN_KEYS = ("ykman_account", "ykman_device")
_SERIAL_RE = re.compile(r"\d{1,12}\Z")


def split_command(value: Any) -> tuple[str, ...] | str:
    """``code_command`` as argv, or the one-line reason it is not one."""
    if isinstance(value, str):
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            return f"cannot be split into words ({exc}); write it as a list, e.g. [\"op\", \"item\", \"get\", \"AWS\", \"--otp\"]"
    elif isinstance(value, list) and all(isinstance(word, str) for word in value):
        argv = list(value)
    else:
        return f'must be a list of strings, e.g. ["pass", "otp", "aws/alice"], or one string; got {show(value)}'
    if not argv or not argv[0].strip():
        return "must name a program to run"
    return tuple(argv)


def check_code_keys(checks: Checks, where: Where, table: dict) -> dict[str, Any]:
    """The code-source keys ``table`` sets, checked (BAD after recording a problem), as Identity fields."""
    values: dict[str, Any] = {}
    source = table.get("code_source", "prompt")
    if "code_source" in table:
        if not isinstance(source, str) or source not in CODE_SOURCES:
            checks.add(where + ("code_source",), f'{show(source)} is not a code source: use "prompt" (the default), "ykman" or "command"')
            return {"code_source": BAD}
        values["code_source"] = source
    if "ykman_account" in table:
        values["ykman_account"] = checks.string(where + ("ykman_account",), table["ykman_account"])
    if "ykman_device" in table:
        serial = table["ykman_device"]  # a serial is a number: 12345678 and "12345678" both do
        is_number = isinstance(serial, int) and not isinstance(serial, bool)
        values["ykman_device"] = str(serial) if is_number else checks.string(where + ("ykman_device",), serial)
    if values.get("ykman_device") not in (None, BAD) and not _SERIAL_RE.match(values["ykman_device"]):
        checks.add(where + ("ykman_device",), f"{show(table['ykman_device'])} is not a YubiKey serial (digits, as `ykman list --serials` prints)")
        values["ykman_device"] = BAD
    if "code_command" in table:
        argv = split_command(table["code_command"])
        if isinstance(argv, str):
            checks.add(where + ("code_command",), argv)
            values["code_command"] = BAD
        else:
            values["code_command"] = argv
    # Keys for another source than the one chosen would silently do nothing.
    for key in _YKMAN_KEYS:
        if key in table and source != "ykman":
            checks.add(where + (key,), f'only applies with code_source = "ykman" (this identity\'s source is {show(source)})')
            values[key] = BAD
    if "code_command" in table and source != "command":
        checks.add(where + ("code_command",), f'only applies with code_source = "command" (this identity\'s source is {show(source)})')
        values["code_command"] = BAD
    if source == "ykman" and "ykman_account" not in table:
        checks.add(where, 'ykman_account is missing: code_source = "ykman" needs the OATH account name, as `ykman oath accounts list` shows it')
        values["ykman_account"] = BAD
    if source == "command" and "code_command" not in table:
        checks.add(where, 'code_command is missing: code_source = "command" needs the command printing the code, e.g. ["pass", "otp", "aws/alice"]')
        values["code_command"] = BAD
    return values
