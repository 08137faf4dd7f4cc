"""`python -m app serve` with tracemalloc on, for finding what grows in a soak.

    SOAK_TRACEMALLOC=FILE python -m bench.traced_serve [--host H] [--port P]

The same server as `python -m app serve` (same `main`, same settings from the
environment); each SIGUSR1 appends to FILE the lines whose allocations grew most
since the previous SIGUSR1 (the first one only takes the baseline).
`python bench/soak.py --tracemalloc` runs this instead of `python -m app serve` and
sends the signals at the end of warm-up and at the end of the load.
"""

from __future__ import annotations

import os
import signal
import sys
import tracemalloc
from pathlib import Path
from types import FrameType

from app.cli.main import main

FRAMES = 6  # enough to see which app function allocated through aiohttp or json; more is slow
TOP = 25


def run() -> int:
    out = Path(os.environ["SOAK_TRACEMALLOC"])
    tracemalloc.start(FRAMES)
    previous: list[tracemalloc.Snapshot] = []
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen *>")]

    def dump(_signum: int, _frame: FrameType | None) -> None:
        # Runs on the main thread between two bytecodes of the event loop: the heap is
        # consistent, and the loop simply pauses while the snapshot is taken.
        snapshot = tracemalloc.take_snapshot().filter_traces(ignore)
        traced, peak = tracemalloc.get_traced_memory()
        with out.open("a", encoding="utf-8") as f:
            f.write(
                f"== snapshot {len(previous) + 1}: traced {traced / 2**20:.1f} MB "
                f"(peak {peak / 2**20:.1f} MB)\n"
            )
            if previous:
                for stat in snapshot.compare_to(previous[-1], "traceback")[:TOP]:
                    if stat.size_diff <= 0:
                        break
                    frames = " <- ".join(
                        f"{Path(f.filename).name}:{f.lineno}" for f in reversed(stat.traceback[-6:])
                    )
                    f.write(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d} blocks  {frames}\n")
        previous[:] = [snapshot]

    signal.signal(signal.SIGUSR1, dump)
    return main(["serve", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(run())
