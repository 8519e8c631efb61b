"""Stand-ins for ``ykman``, ``op`` and ``pass``: print a TOTP code as the real tools do (tests only).

The fixture ``code_stubs`` (tests/code_stub_support.py) installs one executable per tool on PATH,
each running this file with the tool's name. What the real tools print on success is just the
code and a newline:

- ``ykman [--device SERIAL] oath accounts code --single ACCOUNT``: with ``-s/--single`` ykman
  "output[s] only the code" (https://docs.yubico.com/software/yubikey/tools/ykman/OATH_Commands.html,
  "ykman oath accounts code"); an account that needs a touch first says so on stderr.
- ``op item get ITEM --otp``: "Output the primary one-time password for this item"
  (https://developer.1password.com/docs/cli/reference/management-commands/item/#item-get).
- ``pass otp PASS-NAME``: pass-otp's "Generate an OTP code" prints the code
  (https://github.com/tadfisher/pass-otp, README "Usage").

The failure lines are modelled on the tools' own (ykman's "ERROR: ...", op's "[ERROR] date ...",
pass's "Error: ... is not in the password store.").

Environment: ``MFA_TUI_STUB_SEED`` (Base32 seed; the demo's by default), ``MFA_TUI_STUB_NOW``
(a file holding the epoch seconds to use, for a test's frozen clock; real time otherwise),
``MFA_TUI_STUB_MODE`` (``code`` | ``hang`` | ``junk`` | ``fail`` | ``empty``), ``MFA_TUI_STUB_LOG``
(a file each run appends its tool and arguments to, one JSON list a line).
"""

from __future__ import annotations

import json
import os
import sys
import time

DEMO_SEED = "MFATUIDEMOSEEDMFATUIDEMOSEEDMFATUIDEMOSEEDMFATUIDEMOSEEDMFATUI2345"[:64]


def now() -> float:
    path = os.environ.get("MFA_TUI_STUB_NOW")
    if path:
        with open(path) as f:
            return float(f.read().strip())
    return time.time()


def usage(tool: str, args: list[str]) -> str | None:
    """Why ``args`` is not how the real tool would be called for a code (None when it is)."""
    if tool == "ykman":
        rest = args[2:] if args[:1] == ["--device"] and len(args) > 1 else args
        if rest[:4] != ["oath", "accounts", "code", "--single"] or len(rest) != 5:
            return "Usage: ykman [OPTIONS] COMMAND [ARGS]...\nError: expected `oath accounts code --single ACCOUNT`"
    elif tool == "op":
        if args[:2] != ["item", "get"] or "--otp" not in args:
            return "[ERROR] expected `op item get ITEM --otp`"
    elif tool == "pass":
        if args[:1] != ["otp"] or len(args) != 2:
            return "Usage: pass otp [code] [--clip,-c] pass-name"
    return None


FAILURES = {
    "ykman": "ERROR: Failed connecting to the YubiKey.",
    "op": "[ERROR] 2026/01/01 00:00:00 You are not currently signed in. Please run `op signin --help` for instructions",
    "pass": "Error: aws/alice is not in the password store.",
}


def main(tool: str, args: list[str]) -> int:
    log = os.environ.get("MFA_TUI_STUB_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps([tool, *args]) + "\n")
    wrong = usage(tool, args)
    if wrong:
        print(wrong, file=sys.stderr)
        return 2
    mode = os.environ.get("MFA_TUI_STUB_MODE", "code")
    if mode == "hang":
        time.sleep(3600)
    if mode == "fail":
        print(FAILURES[tool] + "\nsecond line never shown", file=sys.stderr)
        return 1
    if mode == "junk":
        print("Your code: 123456 (seed MFATUIDEMOSEED)")
        return 0
    if mode == "empty":
        return 0
    import pyotp

    if tool == "ykman":
        print("Touch your YubiKey...", file=sys.stderr)
    print(pyotp.TOTP(os.environ.get("MFA_TUI_STUB_SEED", DEMO_SEED)).at(now()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
