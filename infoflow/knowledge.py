"""Knowledge barter on a network (Cowan & Jonard 2004, "Network structure and the diffusion of knowledge").

Each agent ``i`` holds a knowledge vector ``v_i`` over ``K`` categories.  Two neighbours ``i`` and
``j`` can *barter* when each knows more than the other in at least one category (a double
coincidence of wants).  In a trade, in every category where one partner is ahead, the one behind
absorbs a share ``alpha`` (absorptive capacity) of the gap::

    v_jk <- v_jk + alpha * max(v_ik - v_jk, 0)      (and symmetrically for i)

Knowledge is not lost by the one who gives it.  Trading stops when no pair of neighbours can
barter.  With ``alpha < 1`` a pair that can trade stays able to trade (the gaps only shrink), so a
trade here needs each partner to be ahead by more than ``tol`` in some category; the steady state is
reached when no edge passes that test.  (The tolerance is this book's choice: it makes the steady
state finite; the full text of the paper could not be read here, see the chapter.)

**Vectorised dynamics.**  The paper draws meetings one at a time.  Trades on disjoint pairs commute,
so a round here draws a random *matching* among the edges that can trade (each such edge gets a
random priority and is kept if it has the highest priority at both its ends, as in Luby's
algorithm) and performs all those trades at once: a batch of sequential meetings in a random order.
Meetings of pairs that cannot trade change nothing, so skipping them only relabels time.  Many
independent networks (a sweep of rewiring probabilities and replicates) run together as one
disjoint union, so a whole sweep is a few hundred numpy rounds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BarterResult",
    "barter",
    "feasible",
    "on_graph",
    "ring_lattice_edges",
    "small_world_peak",
    "summarise",
    "sweep",
    "trade",
    "watts_strogatz_edges",
]

RngLike = np.random.Generator | int | None


def _rng(rng: RngLike) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def ring_lattice_edges(n: int, k: int) -> np.ndarray:
    """Edges ``(u, v)`` of a ring of ``n`` nodes, each joined to its ``k`` nearest neighbours (``k`` even)."""
    if k % 2 or k < 2 or k >= n:
        raise ValueError(f"k must be even with 2 <= k < n, got k={k} for n={n}")
    u = np.repeat(np.arange(n), k // 2)
    step = np.tile(np.arange(1, k // 2 + 1), n)
    return np.stack([u, (u + step) % n], axis=1)


def watts_strogatz_edges(n: int, k: int, p: float, rng: RngLike) -> np.ndarray:
    """Watts-Strogatz graph: each lattice edge's far end is rewired with probability ``p`` to a uniform node.

    As in Watts & Strogatz (1998): a rewired edge keeps its near end ``u`` and gets a new end drawn
    uniformly among the nodes that are neither ``u`` nor already joined to it (no self-loops, no
    duplicate edges); edges are visited in lattice order.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"the rewiring probability p must be in [0, 1], got {p}")
    gen = _rng(rng)
    edges = ring_lattice_edges(n, k)
    rewire = np.flatnonzero(gen.random(len(edges)) < p)
    if rewire.size == 0:
        return edges
    keys = set((edges[:, 0] * n + edges[:, 1]).tolist()) | set((edges[:, 1] * n + edges[:, 0]).tolist())
    draws = gen.integers(0, n, size=4 * rewire.size + 64)
    d = 0
    for e in rewire.tolist():
        u, v = int(edges[e, 0]), int(edges[e, 1])
        while True:
            if d == draws.size:
                draws, d = gen.integers(0, n, size=draws.size), 0
            w = int(draws[d])
            d += 1
            if w != u and u * n + w not in keys:
                break
        keys.discard(u * n + v)
        keys.discard(v * n + u)
        keys.add(u * n + w)
        keys.add(w * n + u)
        edges[e, 1] = w
    return edges


def feasible(v: np.ndarray, edges: np.ndarray, tol: float = 0.0) -> np.ndarray:
    """Which edges can barter: each end knows more than the other (by more than ``tol``) in some category."""
    diff = v[edges[:, 0]] - v[edges[:, 1]]
    return (diff > tol).any(axis=1) & (diff < -tol).any(axis=1)


def _recheck_py(v: np.ndarray, edges: np.ndarray, rows: np.ndarray, tol: float, able: np.ndarray) -> None:
    """``able[k] = feasible(v, edges[k])`` for each ``k`` in ``rows``, in place, stopping early per edge."""
    for j in range(rows.size):
        k = rows[j]
        a, b = edges[k, 0], edges[k, 1]
        ahead = behind = False
        for c in range(v.shape[1]):
            d = v[a, c] - v[b, c]
            if d > tol:
                ahead = True
            elif d < -tol:
                behind = True
            if ahead and behind:
                break
        able[k] = ahead and behind


def _recheck_np(v: np.ndarray, edges: np.ndarray, rows: np.ndarray, tol: float, able: np.ndarray) -> None:
    able[rows] = feasible(v, edges[rows], tol)


try:  # numba is optional: without it the numpy path runs (same results, slower)
    import numba

    _recheck = numba.njit(cache=True, nogil=True)(_recheck_py)
except ImportError:  # pragma: no cover - exercised only where numba is missing
    _recheck = _recheck_np


def trade(v: np.ndarray, edges: np.ndarray, alpha: float) -> None:
    """Perform the barter on each of ``edges`` (pairs must be disjoint), in place."""
    u, w = edges[:, 0], edges[:, 1]
    diff = v[u] - v[w]
    v[w] += alpha * np.clip(diff, 0.0, None)
    v[u] += alpha * np.clip(-diff, 0.0, None)


def _matching(edges: np.ndarray, n: int, gen: np.random.Generator) -> np.ndarray:
    """A random matching among ``edges``: keep an edge if its random priority is the highest at both ends."""
    pri = gen.random(len(edges))
    best = np.full(n, -1.0)
    np.maximum.at(best, edges[:, 0], pri)
    np.maximum.at(best, edges[:, 1], pri)
    return edges[(pri == best[edges[:, 0]]) & (pri == best[edges[:, 1]])]


@dataclass(frozen=True)
class BarterResult:
    """Knowledge at the steady state (one row per agent), the rounds and the trades made."""

    knowledge: np.ndarray
    rounds: int
    trades: int
    converged: bool


def barter(v0: Any, edges: Any, alpha: float, rng: RngLike, *, tol: float = 1e-3,
           max_rounds: int = 100_000) -> BarterResult:
    """Run knowledge barter from ``v0`` (agents x categories) on undirected ``edges`` to the steady state."""
    v = np.array(v0, dtype=float, copy=True)
    if v.ndim != 2:
        raise ValueError(f"v0 must be a 2-D array (agents x categories), got shape {v.shape}")
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if e.size and (e.min() < 0 or e.max() >= len(v)):
        raise ValueError(f"edges refer to agents outside 0 .. {len(v) - 1}")
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"the absorptive capacity alpha must be in (0, 1], got {alpha}")
    gen = _rng(rng)
    n = len(v)
    # incident edges of each node (CSR), so that only edges touching a trader are re-examined
    ends = np.concatenate([e[:, 0], e[:, 1]])
    order = np.argsort(ends, kind="stable")
    inc = order % max(len(e), 1)
    deg = np.bincount(ends, minlength=n)
    start = np.concatenate([[0], np.cumsum(deg)[:-1]])
    able = np.zeros(len(e), dtype=bool)
    _recheck(v, e, np.arange(len(e)), float(tol), able)
    mark = np.zeros(len(e), dtype=bool)
    rounds = trades = 0
    while able.any() and rounds < max_rounds:
        m = _matching(e[able], n, gen)
        trade(v, m, alpha)
        trades += len(m)
        rounds += 1
        nodes = m.ravel()  # a trade can make a pair that could not trade able to, and the reverse
        counts = deg[nodes]
        offs = np.repeat(start[nodes] - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        mark[:] = False
        mark[inc[offs]] = True
        touched = np.flatnonzero(mark)
        _recheck(v, e, touched, float(tol), able)
    return BarterResult(knowledge=v, rounds=rounds, trades=trades, converged=not able.any())


def sweep(ps: Any, replicates: int, *, n: int = 500, k: int = 10, categories: int = 10, alpha: float = 0.5,
          tol: float = 1e-3, seed: int = 0) -> pd.DataFrame:
    """Steady-state mean, variance and CV of knowledge for each rewiring probability and replicate.

    All ``len(ps) * replicates`` Watts-Strogatz networks run together as one disjoint union.
    Initial knowledge is uniform on [0, 1] in every category; an agent's knowledge is the sum over
    categories.  Replicate ``r`` of probability ``p`` uses its own seeded stream.
    """
    ps = [float(p) for p in ps]
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    root = np.random.SeedSequence(seed)
    streams = root.spawn(len(ps) * replicates + 1)
    parts, v0 = [], []
    for j, p in enumerate(ps):
        for r in range(replicates):
            g = np.random.default_rng(streams[j * replicates + r])
            parts.append(watts_strogatz_edges(n, k, p, g) + (j * replicates + r) * n)
            v0.append(g.random((n, categories)))
    res = barter(np.concatenate(v0), np.concatenate(parts), alpha, np.random.default_rng(streams[-1]), tol=tol)
    total = res.knowledge.sum(axis=1).reshape(len(ps) * replicates, n)
    mean = total.mean(axis=1)
    var = total.var(axis=1)
    return pd.DataFrame({"p": np.repeat(ps, replicates), "replicate": np.tile(np.arange(replicates), len(ps)),
                         "mean": mean, "variance": var, "cv": np.sqrt(var) / mean,
                         "rounds": res.rounds, "converged": res.converged})


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard error over replicates of mean knowledge, variance and CV, per rewiring probability."""
    g = runs.groupby("p")
    out = g[["mean", "variance", "cv"]].mean()
    se = g[["mean", "variance", "cv"]].std(ddof=1) / np.sqrt(g.size().to_numpy()[:, None])
    out = out.join(se.add_suffix("_se")).reset_index()
    out["replicates"] = g.size().to_numpy()
    return out


def small_world_peak(summary: pd.DataFrame, column: str = "mean") -> dict[str, float]:
    """Where ``column`` peaks, and how far the peak stands above both ends in units of its standard error."""
    s = summary.sort_values("p").reset_index(drop=True)
    i = int(s[column].idxmax())
    peak, se = float(s.loc[i, column]), s[f"{column}_se"]
    ends = []
    for j in (0, len(s) - 1):
        gap = peak - float(s.loc[j, column])
        ends.append(gap / math.hypot(float(se.iloc[i]), float(se.iloc[j])) if j != i else 0.0)
    return {"p_peak": float(s.loc[i, "p"]), "peak": peak, "z_low_end": ends[0], "z_high_end": ends[1],
            "above_low_end": peak - float(s.loc[0, column]), "above_high_end": peak - float(s.loc[len(s) - 1, column])}


def peak_bootstrap(runs: pd.DataFrame, column: str = "mean", *, n_boot: int = 2000, seed: int = 0) -> np.ndarray:
    """Rewiring probability of the peak of ``column``'s replicate mean in each bootstrap resample of replicates."""
    ps = np.sort(runs["p"].unique())
    vals = [runs.loc[runs["p"] == p, column].to_numpy(dtype=float) for p in ps]
    gen = np.random.default_rng(seed)
    means = np.stack([v[gen.integers(0, v.size, size=(n_boot, v.size))].mean(axis=1) for v in vals], axis=1)
    return ps[means.argmax(axis=1)]


def on_graph(edges: Any, n: int, replicates: int, *, categories: int = 10, alpha: float = 0.5, tol: float = 1e-3,
             seed: int = 0) -> pd.DataFrame:
    """Steady-state mean, variance and CV of knowledge on one fixed graph, over seeded initial endowments."""
    e = np.asarray(edges, dtype=np.int64)
    rows = []
    for r, s in enumerate(np.random.SeedSequence(seed).spawn(replicates)):
        g = np.random.default_rng(s)
        res = barter(g.random((n, categories)), e, alpha, g, tol=tol)
        total = res.knowledge.sum(axis=1)
        rows.append({"replicate": r, "mean": total.mean(), "variance": total.var(),
                     "cv": total.std() / total.mean(), "rounds": res.rounds, "converged": res.converged})
    return pd.DataFrame(rows)
