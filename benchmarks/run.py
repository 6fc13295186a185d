"""``make bench``: every benchmark of the book in one run, then one table of times, ratios and goals.

Run as ``python -m benchmarks.run`` from the repository root (``--quick`` for a small smoke run).
Times are wall-clock seconds: the best and the median of a few repetitions after a warm-up run;
ratios divide the peer's best time by ours.  Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import platform
import sys
from collections.abc import Mapping

from benchmarks.bench_contagion import Row
from benchmarks.bench_contagion import main as bench_contagion
from benchmarks.bench_feeds import main as bench_feeds


def machine() -> str:
    """One line describing the machine: cores, CPU model, Python and library versions."""
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    import numba
    import numpy
    import scipy

    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"numba {numba.__version__}")


def fit_rows() -> list[Row]:
    """Rows of ``benchmarks.bench_fits`` (the Hawkes fit) if that module exists; it prints its own detail."""
    try:
        mod = importlib.import_module("benchmarks.bench_fits")
    except ModuleNotFoundError as exc:
        if exc.name in ("benchmarks.bench_fits", "benchmarks"):
            print("(benchmarks.bench_fits not present: no Hawkes fit row)")
            return []
        raise
    out = mod.main()
    if isinstance(out, Row):
        return [out]
    if isinstance(out, list):
        return [r for r in out if isinstance(r, Row)]
    if isinstance(out, Mapping) and "fit_seconds" in out:
        fit, goal = float(out["fit_seconds"]), float(out.get("goal_seconds", math.nan))
        rows = [Row("Hawkes fit, SEISMIC cascade", fit, math.nan, goal=f"<= {goal:g} s",
                    met=None if math.isnan(goal) else fit <= goal, note="best of the fits run by bench_fits")]
        if "loglik_eval_seconds" in out and "loop_eval_seconds" in out:
            rows.append(Row("Hawkes log-likelihood, one evaluation", float(out["loglik_eval_seconds"]),
                            math.nan, "Python-loop recursion", float(out["loop_eval_seconds"]), math.nan,
                            "reference"))
        return rows
    return []


def _s(x: float) -> str:
    if math.isnan(x):
        return "-"
    return f"{x:.4f}" if x < 1 else f"{x:.2f}"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    head = ("| benchmark | ours best (s) | ours median (s) | peer | peer best (s) | peer median (s) "
            "| speed-up (peer/ours) | goal | met |")
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        ratio = "-" if math.isnan(r.ratio) else f"{r.ratio:,.0f}x"
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        lines.append(f"| {r.benchmark} | {_s(r.ours_best)} | {_s(r.ours_median)} | {r.peer or '-'} | "
                     f"{_s(r.peer_best)} | {_s(r.peer_median)} | {ratio} | {r.goal or '-'} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run all benchmarks and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small graphs, one repetition: a smoke run")
    args = ap.parse_args(argv)
    print("machine:", machine(), flush=True)
    if args.quick:
        rows = bench_contagion(n=10_000, n_big=100_000, reps_ours=2, reps_peer=1)
    else:
        rows = bench_contagion()
    rows += fit_rows()
    rows += bench_feeds(n_users=100_000, n_items=10_000) if args.quick else bench_feeds()
    for module in ("benchmarks.bench_hawkes_batch", "benchmarks.bench_knowledge"):  # chapter 2
        rows += importlib.import_module(module).main()
    print()
    print(table(rows))
    for r in rows:
        if r.note:
            print(f"  {r.benchmark} / {r.peer or 'goal'}: {r.note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
