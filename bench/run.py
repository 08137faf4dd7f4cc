"""Every benchmark in one command; prints the figures and writes BENCHMARKS.md.

python bench/run.py            # about 2 minutes on 2 cores
python bench/run.py --no-write # print only
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`: make `bench` and `app` importable
    # Replace bench/ itself: its module names must not shadow the standard library's.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import json
import time
from typing import Any

from bench import ack, hotspots, lifecycle, scale, startup
from bench.common import ROOT, log, machine

COMMAND = "python bench/run.py"


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(
    m: dict[str, str],
    a: dict[str, Any],
    life: dict[str, Any],
    sc: dict[str, Any],
    prof: dict[str, Any],
    seconds: float,
    start: dict[str, Any],
) -> str:
    e2e, eco, mem, sw = life["event_to_effect"], life["economy"], sc["memory"], sc["sweep"]
    thr, lat = a["throughput"], a["latency"]
    lines = [
        "# Benchmarks",
        "",
        f"Command: `{COMMAND}` (whole run {seconds:.0f} s). Machine: nproc={m['nproc']}, "
        f"Python {m['python']}, {m['platform']}. Date: {m['date']}.",
        "",
        "Ratios are measured side by side in one run; absolute numbers drift on a shared machine.",
        "Raw figures of this run: `bench/last-run.json`.",
        "",
        "| figure | target | measured | |",
        "|---|---|---|---|",
        f"| ack throughput, app / bare aiohttp | ≥ 0.6× | {a['ratio']}× ({thr['app']['per_second']:.0f} vs "
        f"{thr['bare']['per_second']:.0f} deliveries/s, {a['body_bytes']} B body) "
        f"| {_mark(a['ratio'] >= 0.6)} |",
        f"| ack p99 at {ack.RATE:.0f} deliveries/s | < 20 ms | app {lat['app']['p99_ms']} ms "
        f"(p50 {lat['app']['p50_ms']}), bare {lat['bare']['p99_ms']} ms "
        f"| {_mark(lat['app']['p99_ms'] < 20)} |",
        f"| event to effect (delivery → summary comment), {e2e['incidents']} incidents | median < 50 ms | "
        f"median {e2e['median_ms']} ms, p95 {e2e['p95_ms']} ms | {_mark(e2e['median_ms'] < 50)} |",
        f"| lifecycle writes / minimum | ≤ 1.2× | {eco['ratio']}× ({eco['lifecycle_writes']} / "
        f"{eco['minimum_writes']}; +{eco['setup_writes']} label creations once per repository) "
        f"| {_mark(eco['ratio'] <= 1.2)} |",
        f"| repeated reads conditional | all | {eco['reads_conditional']} of {eco['reads']} GETs sent "
        f"If-None-Match ({eco['reads_304']} answered 304); the other {eco['reads_first_time']} are first "
        f"reads of a URL; unconditional repeats: {len(eco['reads_unconditional_repeat'])} "
        f"| {_mark(not eco['reads_unconditional_repeat'])} |",
        f"| installation tokens | ≤ 1 per 55 min | {eco['tokens_fetched']} over {eco['lifecycle_minutes']} "
        f"simulated minutes | {_mark(eco['tokens_fetched'] <= -(-eco['lifecycle_minutes'] // 55))} |",
        f"| config reads | ≤ 1 per config change | contents GETs {eco['config_reads']} "
        f"for 2 versions of the file "
        f"(304s cost no quota) | {_mark(eco['config_reads'].get('200', 0) <= 2)} |",
        f"| RSS, 1,000 installations' tokens + 1,000 parsed configs | < 80 MB | {mem['after_configs_mb']} MB "
        f"(imports alone {mem['baseline_mb']} MB; tokens +{mem['after_tokens_mb'] - mem['baseline_mb']:.1f}) "
        f"| {_mark(mem['after_configs_mb'] < 80)} |",
    ]
    for r in sw["rounds"]:
        lines.append(
            f"| sweep, {sw['open_incidents']} open incidents / {sw['installations']} installations, "
            f"{r['sweep']} | (report) | {r['calls']} calls ({r['reads']} reads, "
            f"{r['reads_304']} of them 304; "
            f"{r['writes']} writes), {r['seconds']} s | |"
        )
    lines += [
        "",
        "## API economy, step by step",
        "",
        "Minimum = the fewest writes that step needs with calls that cannot undo a concurrent "
        "person's change (a status change is add + remove, not a PUT of the whole label set).",
        "",
        "| step | writes | minimum | reads (304) | calls |",
        "|---|---|---|---|---|",
    ]
    for s in eco["steps"]:
        lines.append(
            f"| {s['step']} | {s['writes']} | {s['minimum']} | {s['reads']} ({s['reads_304']}) "
            f"| {s['write_calls']} |"
        )
    lines += ["", *startup.report(start)]
    lines += ["", "## Acknowledgement rounds", "", "| measurement | result |", "|---|---|"]
    for key, results in a["rounds"].items():
        for r in results:
            brief = {k: v for k, v in r.items() if k not in ("mode", "body_bytes")}
            lines.append(f"| {key} | `{json.dumps(brief)}` |")
    lines += ["", "## Hot spots (cProfile, own time)", ""]
    for key in ("ack_all", "lifecycle_app", "lifecycle_all"):
        lines += [f"**{key}**", "", "| function | calls | own ms | share |", "|---|---|---|---|"]
        lines += [
            f"| `{r['function']}` | {r['calls']} | {r['own_ms']} | {r['own_share']:.1%} |" for r in prof[key]
        ]
        lines.append("")
    lines += [(ROOT / "bench" / "NOTES.md").read_text()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    started = time.monotonic()
    m = machine()
    log("ack throughput and latency (three processes, about a minute) ...")
    a = ack.run()
    log("event to effect and API economy ...")
    life = lifecycle.run(300)
    log("scale: memory for 1,000 installations, sweep of 1,000 incidents ...")
    sc = scale.run()
    log("hot spots ...")
    prof = hotspots.run()
    log("cold start of python -m app action ...")
    start = startup.run()
    seconds = time.monotonic() - started
    text = report(m, a, life, sc, prof, seconds, start)
    print(text)
    if "--no-write" not in argv:
        (ROOT / "BENCHMARKS.md").write_text(text)
        raw = {"machine": m, "ack": a, "lifecycle": life, "scale": sc, "profile": prof, "startup": start}
        (ROOT / "bench" / "last-run.json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
