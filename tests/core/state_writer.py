"""A state-store writer run as a separate process by test_state.py.

    state_writer.py DIR PREFIX ROUNDS   each round: one update adding profile PREFIX-<round>
                                        and bumping identity PREFIX's spent step
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from mfa_tui.core.models import Credentials
from mfa_tui.core.session.state import SessionState, StateStore


def main(directory: str, prefix: str, rounds: int) -> int:
    store = StateStore(Path(directory))
    for r in range(rounds):

        def apply(state: SessionState, r: int = r) -> None:
            state.profile(f"{prefix}-{r}").credentials = Credentials(
                f"ASIA{r}", f"secret-{prefix}-{r}", f"token-{prefix}-{r}", datetime(2030, 1, 1, tzinfo=UTC)
            )
            state.identity(prefix).key_id = str(r)

        store.update(apply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
