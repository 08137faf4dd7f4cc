"""What hostile text costs one delivery: the rules' CPU time for each attack of issue 12.

python bench/hostile.py

Each figure is the time the pure rules (parse, decide, render) spend on the event loop
for one delivery carrying the attack, the median of five runs; the target is well under
100 ms. The server and sandbox paths are proved by tests/hostile/ (same attacks).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import statistics
import time
from collections.abc import Callable

from app.core import ledger as codec
from app.core.texts import summary
from tests.rules.factories import T0, default_workflow, recorded, say

WF = default_workflow()


def _median_ms(run: Callable[[], object], times: int = 5) -> float:
    spent = []
    for _ in range(times):
        started = time.process_time()
        run()
        spent.append((time.process_time() - started) * 1000)
    return statistics.median(spent)


def measure() -> dict[str, float]:
    flood = "\n".join(f"/update {i}" for i in range(4300))  # 65 KB, one triager comment
    typos = "\n".join(f"/stauts <!-- incident-bot:summary --> ```{i}" + "z" * 40 for i in range(700))
    continuation = "/update start\n" + "\n".join("x" * 8 for _ in range(7000))
    openers = (codec.LEDGER_OPEN + "{") * 20_000
    big = recorded(WF).incident()
    from app.core.ledger import Update

    ledger = big.ledger
    for i in range(400):
        ledger = ledger.with_update(Update("dave", T0, "u" * 990, 9000 + i))
    big = big.with_ledger(ledger)
    return {
        "4,300 /update lines in one comment (65 KB)": _median_ms(
            lambda: say(recorded(WF), flood, role="triage")
        ),
        "700 mistyped commands with quoted markers": _median_ms(
            lambda: say(recorded(WF), typos, role="none")
        ),
        "one /update with 7,000 continuation lines": _median_ms(lambda: say(recorded(WF), continuation)),
        "ledger decode of 20,000 unterminated openers": _median_ms(lambda: codec.decode(openers)),
        "summary with 400 updates of 990 characters": _median_ms(lambda: summary.render(big, WF, T0)),
    }


def main() -> None:
    print("| attack | rules' CPU per delivery (ms, median of 5) |")
    print("|---|---|")
    for name, ms in measure().items():
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
