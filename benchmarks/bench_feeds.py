"""Benchmark: one replicate of the interest feed at 10^6 users and 10^5 items for one simulated day.

Goal: at most 60 s on 2 idle cores and at most 4 GiB of memory. The run is single-threaded, so
on a shared machine its CPU time (user + system, ``resource.getrusage``) is the estimate of the
wall-clock time on an idle one; both are printed, with the load average at the start. One day is three sessions
per user (rounds), each of at most 30 items; items are born evenly over the day. Timed: drawing
the population, the simulation and its outcomes. Memory: the peak of Python allocations
(``tracemalloc``, which numpy reports to) and the process's peak resident set size
(``resource.getrusage``). Run through ``python -m benchmarks.run`` or alone as
``python -m benchmarks.bench_feeds``.
"""

from __future__ import annotations

import math
import os
import resource
import sys
import time
import tracemalloc

import numpy as np

from benchmarks.bench_contagion import Row
from infoflow import feeds

N_USERS = 1_000_000
N_ITEMS = 100_000
GOAL_SECONDS = 60.0
GOAL_GIB = 4.0


def run_once(n_users: int = N_USERS, n_items: int = N_ITEMS, seed: int = 20261123) -> dict[str, float]:
    """Time and measure one feed replicate; return seconds, peak traced GiB, peak RSS GiB and views."""
    params = feeds.FeedParams(rounds=3, budget=30)
    tracemalloc.start()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    pop = feeds.make_population(n_users, params, rng, n_items=n_items)
    views = feeds.simulate(pop, params, "feed", rng)
    out = feeds.outcomes(pop, views)
    seconds = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    return {"seconds": seconds, "cpu_seconds": cpu, "traced_gib": peak / 2**30, "rss_gib": rss / 2**30, "views": out["views"],
            "gini": out["gini"]}


def run_variants(seed: int = 20261123) -> dict[str, float]:
    """CPU seconds of the satiation path of the feed (10^5 users, 10^4 items, one day) and of one paired
    replicate of both architectures at the chapter's scale (ego-Facebook without egos, chapter defaults)."""
    from infoflow import experiments

    out = {}
    params = feeds.FeedParams(rounds=3, budget=30, satiation=0.3)
    t0 = time.process_time()
    rng = np.random.default_rng(seed)
    pop = feeds.make_population(100_000, params, rng, n_items=10_000)
    feeds.outcomes(pop, feeds.simulate(pop, params, "feed", rng))
    out["satiation feed, 100,000 users x 10,000 items, one day"] = time.process_time() - t0
    experiments.facebook_ties()
    pop = experiments.facebook_population(experiments.DEFAULT_FEED, np.random.default_rng(seed))
    for arch in ("social", "feed"):
        t0 = time.process_time()
        feeds.outcomes(pop, feeds.simulate(pop, experiments.DEFAULT_FEED, arch, np.random.default_rng(seed)))
        out[f"{arch}, ego-Facebook ({pop.n_users:,} users, {pop.n_items:,} items), chapter defaults"] = (
            time.process_time() - t0)
    return out


def main(n_users: int = N_USERS, n_items: int = N_ITEMS) -> list[Row]:
    """Run the benchmark once and return its rows (time and memory against their goals)."""
    load = os.getloadavg()[0]
    m = run_once(n_users, n_items)
    print(f"feed, {n_users:,} users, {n_items:,} items, one day: wall {m['seconds']:.1f} s, "
          f"CPU {m['cpu_seconds']:.1f} s (load average {load:.1f} at start), "
          f"peak traced {m['traced_gib']:.2f} GiB, peak RSS {m['rss_gib']:.2f} GiB, {m['views']:,.0f} views, "
          f"Gini of views {m['gini']:.3f}", flush=True)
    label = f"interest feed, {n_users:,} users x {n_items:,} items, one day"
    full = n_users == N_USERS and n_items == N_ITEMS
    variants = run_variants()
    for name, cpu in variants.items():
        print(f"{name}: CPU {cpu:.2f} s", flush=True)
    extra = [Row(name + ": CPU time", cpu, cpu, goal="reference", met=None, note="one run, simulation and outcomes")
             for name, cpu in variants.items()]
    return extra + [Row(label + ": CPU time", m["cpu_seconds"], m["cpu_seconds"], goal=f"<= {GOAL_SECONDS:g} s",
                met=(m["cpu_seconds"] <= GOAL_SECONDS) if full else None,
                note=f"one run, single-threaded; wall-clock {m['seconds']:.1f} s at load average {load:.1f}"),
            Row(label + ": peak memory (GiB, not s)", max(m["traced_gib"], m["rss_gib"]), math.nan,
                goal=f"<= {GOAL_GIB:g} GiB", met=(max(m["traced_gib"], m["rss_gib"]) <= GOAL_GIB) if full else None,
                note="the larger of tracemalloc's peak and the peak resident set size")]


if __name__ == "__main__":
    main()
    sys.exit(0)
