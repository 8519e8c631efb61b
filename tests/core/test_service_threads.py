"""The service's parts built on first use are built once, however many threads ask at once.

`exec`'s endpoint and the dashboard's workers call one Service from several threads. Two engines
would mean two sets of per-profile locks and down-endpoint memories: two threads could then
re-mint one profile at the same time.
"""

from __future__ import annotations

import sys
import threading

from refresh_support import make_service


def _first_use_from_threads(service, attribute: str, threads: int = 12) -> set[int]:
    barrier = threading.Barrier(threads)
    seen: list[object] = []

    def ask() -> None:
        barrier.wait()
        seen.append(getattr(service, attribute))

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {id(one) for one in seen}


def test_one_engine_and_one_clock_watch_per_service(demo_world, frozen_clock):
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        for _ in range(30):
            for attribute in ("engine", "watch", "credentials_file"):
                service = make_service(demo_world, frozen_clock)
                assert len(_first_use_from_threads(service, attribute)) == 1, attribute
    finally:
        sys.setswitchinterval(before)
