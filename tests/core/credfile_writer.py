"""A credentials-file writer run as a separate process by test_credentials_file_procs.py.

    credfile_writer.py rounds PATH PREFIX ROUNDS   each round: add PREFIX-<round>, update PREFIX-live
    credfile_writer.py loop PATH PROFILE           print "ready", then rewrite PROFILE forever (until killed),
                                                   printing "w" after each completed write

Values are a pure function of (name, n) so the parent can predict every file state.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mfa_tui.core.credentials.file import CredentialsFile
from mfa_tui.core.credentials.ownership import ProfileCredentials
from mfa_tui.core.models import Credentials


def credentials(name: str, n: int) -> Credentials:
    return Credentials(
        f"ASIA{n:08d}",
        f"secret-{name}-{n}",
        f"token-{name}-{n}-" + "QUJD" * 100,
        datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
    )


def main(argv: list[str]) -> int:
    mode, path = argv[0], Path(argv[1])
    cf = CredentialsFile(path)
    if mode == "rounds":
        prefix, rounds = argv[2], int(argv[3])
        for r in range(rounds):
            cf.write(
                [
                    ProfileCredentials(f"{prefix}-{r}", credentials(f"{prefix}-{r}", r)),
                    ProfileCredentials(f"{prefix}-live", credentials(f"{prefix}-live", r)),
                ]
            )
        return 0
    if mode == "loop":
        profile = argv[2]
        print("ready", flush=True)
        n = 1
        while True:
            cf.write([ProfileCredentials(profile, credentials(profile, n))])
            print("w", flush=True)
            n += 1
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
