"""Propagation trees: validated cascades, their shape, and the branching-process view.

A :class:`Cascade` is a rooted tree of adopters: every node but the root has exactly one parent
(the node it reshared from) and a ``time``, the delay since the root post (in ``time_unit``).
Nodes are stored in breadth-first order (the root first, then each generation as one block,
children grouped by parent), so depths and subtree sizes are computed generation by generation
with numpy, in O(n).

Builders (each validates and raises ``ValueError`` naming the offending node or edge):

* :meth:`Cascade.from_edges` -- ``(parent, child, delay)`` triples; strict: exactly one root, no
  cycle, one parent per child, no negative or missing delay.
* :meth:`Cascade.from_twitter` -- a Twitter15/16 tree (Ma, Gao & Wong 2017) as a DataFrame with
  ``parent_uid, parent_tweet, parent_delay, child_uid, child_tweet, child_delay`` (minutes).
* :meth:`Cascade.from_deephawkes` -- DeepHawkes paths (Cao et al. 2017): ``(users from the root,
  seconds after the root)``; :func:`parse_deephawkes_paths` reads the text field.
* :meth:`Cascade.from_parents` -- a parent-index array (for simulations).

**Real files are not clean trees.**  Across the 2,308 Twitter15/16 files (987,994 edge lines):
27,718 lines repeat an earlier line exactly, 2,171 are self-loops (a user "resharing" from
themselves), 9,284 users appear as the child of two or more different parents, 27 files do not
start with the ``ROOT`` line, and 11,544 lines give the child an earlier time than its parent
(753 children even precede the source tweet, with negative delays).  The DeepHawkes sample (30
cascades, 7,147 paths) has users reached along several paths, 53 paths in which a user reshares
their own post (``u/u/...``), and paths listed out of time order.  The real-data builders
therefore, and say so in :attr:`Cascade.repairs`:

1. identify a node by its user id (the Twitter tweet id of a retweet repeats the source's);
2. drop self-loops, and any line that gives the root a parent (in a DeepHawkes path, a user
   repeated in a row -- resharing their own post -- counts once);
3. keep, for a user reached more than once, the *first* line of the file (Twitter) or the
   *earliest* path (DeepHawkes, ties by order) -- the first exposure that made them adopt;
4. raise a time that precedes its parent's to the parent's time (a reshare cannot precede what it
   reshares): the tree is kept as given, the clock is made consistent with it.  On Twitter15/16,
   after steps 1-3, this touches 753 nodes, exactly the children dated before the source tweet.

The strict :meth:`Cascade.from_edges` applies none of these: there, bad input is an error.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from infoflow.fitting import FitResult, fit_mle, information_criteria

__all__ = [
    "Cascade",
    "branching_r",
    "offspring_distribution",
    "parse_deephawkes_paths",
    "simulate_galton_watson",
]

TWITTER_COLUMNS = ("parent_uid", "parent_tweet", "parent_delay", "child_uid", "child_tweet", "child_delay")
RngLike = np.random.Generator | int | None


def _gather_children(indptr: np.ndarray, kids: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """Concatenate the child lists of ``frontier`` from CSR arrays, without a Python loop."""
    starts = indptr[frontier]
    lens = indptr[frontier + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return kids[:0]
    offsets = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    return kids[offsets]


def _find_cycle(parent_of: dict, start: Hashable) -> str:
    """Follow parents from ``start`` until a node repeats; return the cycle as ``'x' -> 'y' -> 'x'``."""
    seen: dict = {}
    node = start
    while node not in seen:
        seen[node] = len(seen)
        node = parent_of[node]
    cycle = list(seen)[seen[node]:][::-1]  # parent-first, i.e. in the direction of the edges
    return " -> ".join(repr(x) for x in [*cycle, cycle[0]])


class Cascade:
    """A validated rooted propagation tree with per-node delays since the root post."""

    def __init__(
        self,
        nodes: Sequence[Hashable],
        parent: Any,
        time: Any,
        *,
        time_unit: str = "",
        repairs: dict[str, int] | None = None,
    ) -> None:
        """Build from breadth-first-ordered ``nodes``, parent indices (root: -1) and times; use the ``from_*`` builders."""
        parent = np.asarray(parent, dtype=np.int64)
        time = np.asarray(time, dtype=float)
        n = len(nodes)
        if n == 0:
            raise ValueError("a cascade needs at least its root")
        if parent.shape != (n,) or time.shape != (n,):
            raise ValueError(f"nodes, parent and time differ in length ({n}, {parent.size}, {time.size})")
        if (
            parent[0] != -1
            or np.any(parent[1:] < 0)
            or np.any(parent[1:] >= np.arange(1, n))
            or np.any(np.diff(parent[1:]) < 0)
        ):
            raise ValueError("nodes must be in breadth-first order: the root first (parent -1), then the others "
                             "with non-decreasing parent indices, each parent before its children")
        self.nodes: tuple = tuple(nodes)
        self.parent: np.ndarray = parent
        self.time: np.ndarray = time
        self.time_unit = time_unit
        self.repairs: dict[str, int] = dict(repairs or {})

    # ---------------------------------------------------------------------------------- builders

    @classmethod
    def from_edges(
        cls,
        edges: Iterable[tuple[Hashable, Hashable, float]],
        *,
        root_time: float = 0.0,
        time_unit: str = "",
        repairs: dict[str, int] | None = None,
    ) -> Cascade:
        """Build from ``(parent, child, delay)`` triples; ``delay`` is the child's time since the root post."""
        parent_of: dict = {}
        time_of: dict = {}
        count = 0
        for k, edge in enumerate(edges):
            try:
                p, c, d = edge
            except (TypeError, ValueError):
                raise ValueError(f"edge {k} is not a (parent, child, delay) triple: {edge!r}") from None
            try:
                d = float(d)
            except (TypeError, ValueError):
                raise ValueError(f"edge {k} ({p!r} -> {c!r}) has a delay that is not a number: {d!r}") from None
            if not math.isfinite(d):
                raise ValueError(f"edge {k} ({p!r} -> {c!r}) has a missing or infinite delay ({d})")
            if d < 0:
                raise ValueError(f"edge {k} ({p!r} -> {c!r}) has a negative delay ({d})")
            if p == c:
                raise ValueError(f"edge {k} is a self-loop on node {c!r}: a cycle")
            if c in parent_of:
                raise ValueError(f"node {c!r} has two parents ({parent_of[c]!r} and {p!r}); a cascade is a tree")
            parent_of[c] = p
            time_of[c] = d
            count += 1
        if count == 0:
            raise ValueError("the edge list is empty: a cascade needs at least one edge")
        roots = list(dict.fromkeys(p for p in parent_of.values() if p not in parent_of))
        if len(roots) > 1:
            shown = ", ".join(repr(r) for r in roots[:5]) + (", ..." if len(roots) > 5 else "")
            raise ValueError(f"the cascade has {len(roots)} roots ({shown}); exactly one node must have no parent")
        if not roots:
            cycle = _find_cycle(parent_of, next(iter(parent_of)))
            raise ValueError(f"the cascade has no root: nodes {cycle} form a cycle")
        root = roots[0]
        if root_time < 0 or not math.isfinite(root_time):
            raise ValueError(f"the root time must be a non-negative number, got {root_time}")
        # index nodes, then order breadth-first from the root
        ids = [root, *parent_of]
        index = {node: i for i, node in enumerate(ids)}
        par = np.array([-1] + [index[parent_of[c]] for c in ids[1:]], dtype=np.int64)
        tim = np.array([root_time] + [time_of[c] for c in ids[1:]], dtype=float)
        order = cls._bfs_order(par)
        if order.size < len(ids):
            reached = np.zeros(len(ids), dtype=bool)
            reached[order] = True
            stray = ids[int(np.flatnonzero(~reached)[0])]
            cycle = _find_cycle(parent_of, stray)
            raise ValueError(f"nodes {cycle} form a cycle (they cannot be reached from the root {root!r})")
        return cls._reordered(ids, par, tim, order, time_unit=time_unit, repairs=repairs)

    @staticmethod
    def _bfs_order(par: np.ndarray) -> np.ndarray:
        n = par.size
        child = np.flatnonzero(par >= 0)
        kids = child[np.argsort(par[child], kind="stable")]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(par[child], minlength=n), out=indptr[1:])
        roots = np.flatnonzero(par < 0)
        levels, frontier = [roots], roots
        while frontier.size:
            frontier = _gather_children(indptr, kids, frontier)
            levels.append(frontier)
        return np.concatenate(levels)

    @classmethod
    def _reordered(cls, ids: Sequence, par: np.ndarray, tim: np.ndarray, order: np.ndarray, **kw: Any) -> Cascade:
        new_index = np.empty(order.size, dtype=np.int64)
        new_index[order] = np.arange(order.size)
        p = par[order]
        p = np.where(p >= 0, new_index[np.clip(p, 0, None)], -1)
        return cls([ids[i] for i in order], p, tim[order], **kw)

    @classmethod
    def from_parents(cls, parent: Any, time: Any | None = None, *, time_unit: str = "") -> Cascade:
        """Build from a parent-index array (root: -1, nodes named 0..n-1) and optional times."""
        par = np.asarray(parent, dtype=np.int64)
        n = par.size
        if n == 0:
            raise ValueError("the parent array is empty")
        tim = np.zeros(n) if time is None else np.asarray(time, dtype=float)
        edges = [(int(par[i]), i, float(tim[i])) for i in range(n) if par[i] >= 0]
        roots = np.flatnonzero(par < 0)
        if roots.size != 1:
            raise ValueError(f"the parent array has {roots.size} roots ({roots[:5].tolist()}); exactly one is needed")
        if np.any(par >= n):
            bad = int(np.flatnonzero(par >= n)[0])
            raise ValueError(f"node {bad} has parent {par[bad]}, which is not a node")
        if not edges:
            return cls([int(roots[0])], [-1], [float(tim[roots[0]])], time_unit=time_unit)
        return cls.from_edges(edges, root_time=float(tim[roots[0]]), time_unit=time_unit)

    @classmethod
    def from_twitter(cls, edges: pd.DataFrame, *, time_unit: str = "minutes") -> Cascade:
        """Build from a Twitter15/16 tree file as a DataFrame, applying the documented repairs."""
        missing = [c for c in TWITTER_COLUMNS if c not in edges.columns]
        if missing:
            raise ValueError(f"Twitter15/16 edges lack column(s) {', '.join(missing)}")
        pu = [str(x).strip() for x in edges["parent_uid"].tolist()]
        cu = [str(x).strip() for x in edges["child_uid"].tolist()]
        delays = pd.to_numeric(edges["child_delay"], errors="coerce").to_numpy(dtype=float)
        root_rows = [i for i, p in enumerate(pu) if p == "ROOT"]
        if len(root_rows) != 1:
            raise ValueError(f"a Twitter15/16 tree needs exactly one line with parent 'ROOT', found {len(root_rows)}")
        if np.isnan(delays).any():
            bad = int(np.flatnonzero(np.isnan(delays))[0])
            raise ValueError(f"line {bad} of the Twitter tree has a child delay that is not a number: "
                             f"{edges['child_delay'].iloc[bad]!r}")
        root = cu[root_rows[0]]
        parent_of: dict = {}
        time_of: dict = {root: float(delays[root_rows[0]])}
        counts = dict.fromkeys(("self_loops_dropped", "root_parent_lines_dropped", "repeated_lines_dropped",
                                "extra_parents_dropped"), 0)
        for i, (p, c) in enumerate(zip(pu, cu, strict=True)):
            if i == root_rows[0]:
                continue
            if p == c:
                counts["self_loops_dropped"] += 1
            elif c == root:
                counts["root_parent_lines_dropped"] += 1
            elif c in parent_of:
                counts["repeated_lines_dropped" if parent_of[c] == p else "extra_parents_dropped"] += 1
            else:
                parent_of[c] = p
                time_of[c] = float(delays[i])
        repairs = {"lines": len(pu), **counts}
        if not parent_of:
            return cls([root], [-1], [max(time_of[root], 0.0)], time_unit=time_unit, repairs=repairs)
        # the structure is validated first (with placeholder delays), then the clock is repaired
        casc = cls.from_edges(((p, c, 0.0) for c, p in parent_of.items()), time_unit=time_unit, repairs=repairs)
        raw = np.array([time_of[u] for u in casc.nodes], dtype=float)
        return casc._with_consistent_times(raw)

    @classmethod
    def from_deephawkes(cls, paths: Iterable[tuple[Sequence[Hashable], float]], *,
                        time_unit: str = "seconds") -> Cascade:
        """Build from DeepHawkes paths ``(users from the root to the adopter, seconds)``, with the documented repairs."""
        items = []
        collapsed = 0
        for k, item in enumerate(paths):
            try:
                path, sec = item
                path = tuple(path)
                sec = float(sec)
            except (TypeError, ValueError):
                raise ValueError(f"path {k} is not a (users, seconds) pair: {item!r}") from None
            if not path:
                raise ValueError(f"path {k} is empty")
            if not math.isfinite(sec):
                raise ValueError(f"path {k} ({'/'.join(map(str, path))}) has a missing or infinite time")
            if sec < 0:
                raise ValueError(f"path {k} ({'/'.join(map(str, path))}) has a negative time ({sec})")
            short = tuple(u for i, u in enumerate(path) if i == 0 or u != path[i - 1])
            collapsed += len(short) < len(path)
            items.append((sec, k, short))
        if not items:
            raise ValueError("no DeepHawkes paths given")
        roots = list(dict.fromkeys(path[0] for _, _, path in items))
        if len(roots) > 1:
            raise ValueError(f"the paths start from {len(roots)} different roots ({', '.join(map(repr, roots[:5]))})")
        root = roots[0]
        items.sort(key=lambda x: (x[0], x[1]))  # earliest adoption first, ties in listed order
        parent_of: dict = {}
        time_of: dict = {root: 0.0}
        root_times = [sec for sec, _, path in items if len(path) == 1]
        repeated = max(len(root_times) - 1, 0)  # the root listed again (e.g. resharing its own post)
        if root_times:
            time_of[root] = root_times[0]
        for sec, _, path in items:
            if len(path) == 1:
                continue
            user = path[-1]
            if user in parent_of or user == root:
                repeated += 1
                continue
            parent_of[user] = path[-2]
            time_of[user] = sec
        inserted = 0
        for sec, _, path in items:  # users on a path that is never listed on its own
            for i in range(len(path) - 1, 0, -1):
                u = path[i]
                if u not in parent_of and u != root:
                    parent_of[u] = path[i - 1]
                    time_of[u] = sec
                    inserted += 1
        repairs = {"paths": len(items), "self_reshares_collapsed": collapsed, "repeated_users_dropped": repeated,
                   "intermediate_users_added": inserted}
        if not parent_of:
            return cls([root], [-1], [time_of[root]], time_unit=time_unit, repairs=repairs)
        casc = cls.from_edges(((p, c, 0.0) for c, p in parent_of.items()), time_unit=time_unit, repairs=repairs)
        raw = np.array([time_of[u] for u in casc.nodes], dtype=float)
        return casc._with_consistent_times(raw)

    def _with_consistent_times(self, raw: np.ndarray) -> Cascade:
        """Raise each time that precedes its parent's (generation by generation) and count the changes."""
        t = raw.copy()
        t[0] = max(t[0], 0.0)
        depth = self.depths
        for d in range(1, int(depth.max(initial=0)) + 1):
            idx = np.flatnonzero(depth == d)
            t[idx] = np.maximum(t[idx], t[self.parent[idx]])
        repairs = dict(self.repairs)
        repairs["times_raised_to_parent"] = int(np.sum(t > raw))
        return Cascade(self.nodes, self.parent, t, time_unit=self.time_unit, repairs=repairs)

    # ---------------------------------------------------------------------------------- shape

    def __len__(self) -> int:
        """Number of nodes, the root included."""
        return len(self.nodes)

    def __repr__(self) -> str:
        """Short description: size, depth and root."""
        return f"Cascade(size={self.size}, depth={self.depth}, root={self.root!r})"

    @property
    def root(self) -> Hashable:
        """The root node (the original post's author)."""
        return self.nodes[0]

    @property
    def size(self) -> int:
        """Number of nodes, the root included."""
        return len(self.nodes)

    @cached_property
    def depths(self) -> np.ndarray:
        """Generation of every node (root 0), in node order."""
        # breadth-first order with non-decreasing parents: generation g + 1 is the block of nodes
        # whose parent lies in generation g, found by a binary search per generation
        bounds = [0, 1]
        while bounds[-1] < self.size:
            bounds.append(int(np.searchsorted(self.parent, bounds[-1], side="left", sorter=None)))
            if bounds[-1] == bounds[-2]:  # pragma: no cover - excluded by the constructor's checks
                raise AssertionError("nodes are not in breadth-first order")
        return np.repeat(np.arange(len(bounds) - 1), np.diff(bounds))

    @property
    def depth(self) -> int:
        """Largest generation (0 for a lone root)."""
        return int(self.depths.max())

    @cached_property
    def generation_sizes(self) -> np.ndarray:
        """Number of nodes in each generation 0..depth (the breadth profile)."""
        return np.bincount(self.depths)

    @property
    def max_breadth(self) -> int:
        """Largest number of nodes in one generation."""
        return int(self.generation_sizes.max())

    @cached_property
    def offspring(self) -> np.ndarray:
        """Number of direct children of every node, in node order."""
        return np.bincount(self.parent[1:], minlength=self.size)

    @cached_property
    def subtree_sizes(self) -> np.ndarray:
        """Size of the subtree under every node (itself included), accumulated generation by generation."""
        s = np.ones(self.size, dtype=np.int64)
        depth = self.depths
        for d in range(self.depth, 0, -1):
            idx = np.flatnonzero(depth == d)
            np.add.at(s, self.parent[idx], s[idx])
        return s

    @cached_property
    def structural_virality(self) -> float:
        """Mean shortest-path distance over all node pairs (Goel et al. 2016), O(n); nan for a lone root.

        Each edge above a subtree of ``s`` nodes lies on the path of ``s (n - s)`` pairs, so the
        sum of all pairwise distances is ``sum_e s_e (n - s_e)``.
        """
        n = self.size
        if n < 2:
            return math.nan
        s = self.subtree_sizes[1:].astype(float)
        return float(2.0 * np.sum(s * (n - s)) / (n * (n - 1.0)))

    def to_networkx(self) -> Any:
        """Return the tree as an undirected ``networkx.Graph`` on the node ids (for checks and drawing)."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(self.nodes)
        g.add_edges_from((self.nodes[p], self.nodes[i]) for i, p in enumerate(self.parent) if p >= 0)
        return g

    def metrics(self) -> dict[str, float]:
        """Size, depth, maximum breadth, structural virality and final time as a dict (one table row)."""
        return {
            "size": self.size,
            "depth": self.depth,
            "max_breadth": self.max_breadth,
            "structural_virality": self.structural_virality,
            "root_offspring": int(self.offspring[0]),
            "last_time": float(self.time.max()),
        }


def parse_deephawkes_paths(field: str) -> list[tuple[tuple[str, ...], float]]:
    """Parse a DeepHawkes paths field (``u1/u2:seconds u1/u3:seconds ...``) into (users, seconds) pairs."""
    out = []
    for k, token in enumerate(field.split()):
        path, sep, sec = token.rpartition(":")
        if not sep or not path:
            raise ValueError(f"path {k} ({token!r}) is not of the form users:seconds")
        try:
            seconds = float(sec)
        except ValueError:
            raise ValueError(f"path {k} ({token!r}) has a time that is not a number") from None
        out.append((tuple(path.split("/")), seconds))
    return out


# --------------------------------------------------------------------------------------------------
# Branching processes
# --------------------------------------------------------------------------------------------------


def _eligible_offspring(cascades: Sequence[Cascade], exclude_last_generation: bool) -> np.ndarray:
    parts = []
    for c in cascades:
        off = c.offspring
        if exclude_last_generation:
            off = off[c.depths < c.depth]
        parts.append(off)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def offspring_distribution(cascades: Cascade | Sequence[Cascade], *, exclude_last_generation: bool = False) -> pd.Series:
    """Number of nodes with k = 0, 1, 2, ... children, pooled over cascades (index k)."""
    cascades = [cascades] if isinstance(cascades, Cascade) else list(cascades)
    off = _eligible_offspring(cascades, exclude_last_generation)
    counts = np.bincount(off) if off.size else np.zeros(1, dtype=np.int64)
    return pd.Series(counts, index=pd.RangeIndex(counts.size, name="offspring"), name="nodes")


def branching_r(
    cascades: Cascade | Sequence[Cascade],
    *,
    exclude_last_generation: bool = False,
    level: float = 0.95,
) -> FitResult:
    """Estimate the reproduction number R (mean offspring) of a Galton-Watson process from trees.

    Default: every node's offspring count is used -- the maximum-likelihood (Harris) estimator for
    trees observed until they stopped growing, ``R = (nodes - roots) / nodes``.  With
    ``exclude_last_generation=True`` the deepest generation of each tree is left out, for trees
    that may still be growing (its offspring are not yet observed); on complete trees this is
    biased upwards.  ``extra`` carries the mean-size check: the observed mean size against
    ``1 / (1 - R)``, the mean total progeny of a subcritical Galton-Watson tree (R < 1).  Note that
    with the default estimator ``1 / (1 - R)`` equals the mean size of the same trees exactly, so
    the check is informative on new trees or with ``exclude_last_generation=True``.  The standard
    error is the sample standard deviation of offspring counts over sqrt(nodes); the likelihood
    is the Poisson-offspring one (for AIC/BIC only).
    """
    cascades = [cascades] if isinstance(cascades, Cascade) else list(cascades)
    if not cascades:
        raise ValueError("no cascades given")
    off = _eligible_offspring(cascades, exclude_last_generation).astype(float)
    n = off.size
    if n < 2:
        raise ValueError(f"only {n} node(s) with observed offspring: R cannot be estimated")
    r = float(off.mean())
    se = float(off.std(ddof=1) / math.sqrt(n))
    z = stats.norm.ppf(0.5 + level / 2.0)
    ll = float(np.sum(stats.poisson.logpmf(off, r))) if r > 0 else (0.0 if np.all(off == 0) else -math.inf)
    aic, bic = information_criteria(ll, n, 1)
    sizes = np.array([c.size for c in cascades], dtype=float)
    predicted = 1.0 / (1.0 - r) if r < 1 else math.inf
    return FitResult(
        model="Galton-Watson branching",
        params={"R": r},
        se={"R": se},
        ci={"R": (max(r - z * se, 0.0), r + z * se)},
        loglik=ll,
        n=n,
        k=1,
        aic=aic,
        bic=bic,
        method=("mean offspring per node" + (" outside each tree's deepest generation" if exclude_last_generation
                                             else " (Harris ML estimator)")
                + "; SE from the offspring variance; Poisson likelihood"),
        converged=True,
        level=level,
        extra={
            "n_cascades": len(cascades),
            "n_nodes_used": n,
            "mean_size": float(sizes.mean()),
            "predicted_mean_size": predicted,
            "subcritical": r < 1,
        },
    )


def simulate_galton_watson(
    r: float,
    rng: RngLike = None,
    *,
    offspring: str = "poisson",
    max_size: int = 100_000,
) -> Cascade:
    """Simulate one Galton-Watson tree with mean offspring ``r`` (``poisson`` or ``geometric`` offspring)."""
    if not (math.isfinite(r) and r >= 0):
        raise ValueError(f"the reproduction number r must be non-negative, got {r}")
    if offspring not in ("poisson", "geometric"):
        raise ValueError(f"offspring must be 'poisson' or 'geometric', got {offspring!r}")
    rng = np.random.default_rng(rng)
    parents = [np.array([-1], dtype=np.int64)]
    frontier = np.array([0], dtype=np.int64)
    total = 1
    while frontier.size:
        if offspring == "poisson":
            k = rng.poisson(r, frontier.size)
        else:  # geometric on {0, 1, ...} with mean r
            k = rng.geometric(1.0 / (1.0 + r), frontier.size) - 1
        kids_parent = np.repeat(frontier, k)
        new = np.arange(total, total + kids_parent.size, dtype=np.int64)
        total += kids_parent.size
        if total > max_size:
            raise RuntimeError(f"the tree passed max_size={max_size} nodes (r={r} may be supercritical)")
        parents.append(kids_parent)
        frontier = new
    par = np.concatenate(parents)
    return Cascade(list(range(par.size)), par, np.zeros(par.size))


# ------------------------------------------------------------------------------ the real cascades


@lru_cache(maxsize=4)
def twitter_cascades(dataset: str) -> tuple[tuple[str, str, Cascade], ...]:
    """Every Twitter15/16 tree as ``(tweet id, veracity label, Cascade)``, built with the documented repairs."""
    from infoflow import data

    loaded = data.load_twitter_trees(dataset)
    labels = loaded.labels.set_index("tweet_id")["label"]
    return tuple((tid, str(labels[tid]), Cascade.from_twitter(edges)) for tid, edges in loaded.trees.items())


@lru_cache(maxsize=1)
def deephawkes_cascades() -> tuple[tuple[str, Cascade], ...]:
    """The 30 DeepHawkes Weibo cascades as ``(cascade id, Cascade)``."""
    from infoflow import data

    df = data.load_deephawkes()
    return tuple((str(row.id), Cascade.from_deephawkes(row.paths)) for row in df.itertuples())


def metrics_table(cascades: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    """One row of :meth:`Cascade.metrics` per cascade, plus reshares at depth 1 and at depth >= 2."""
    rows = []
    for *keys, casc in cascades:
        depths = casc.depths
        rows.append({"id": keys[0], **({"label": keys[1]} if len(keys) > 1 else {}), **casc.metrics(),
                     "depth1": int(np.sum(depths == 1)), "deeper": int(np.sum(depths >= 2))})
    return pd.DataFrame(rows)


def reshare_offspring(cascades: Iterable[Cascade]) -> np.ndarray:
    """Offspring counts of every non-root node: how many further reshares each reshare drew."""
    parts = [c.offspring[1:] for c in cascades if c.size > 1]
    if not parts:
        raise ValueError("no cascade has a reshare: offspring of reshares cannot be counted")
    return np.concatenate(parts).astype(np.int64)


def fit_offspring(counts: Any, *, level: float = 0.95) -> list[FitResult]:
    """Fit Poisson and negative-binomial laws to offspring counts by maximum likelihood.

    Both are parametrised by their mean ``R``; the negative binomial adds a dispersion ``k``
    (variance ``R + R^2 / k``; small ``k`` means a few reshares draw most of the further reshares).
    """
    y = np.asarray(counts)
    if y.ndim != 1 or y.size < 2:
        raise ValueError(f"need at least two offspring counts, got {y.size}")
    if np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError("offspring counts must be non-negative integers")
    y = y.astype(np.int64)
    values, freq = np.unique(y, return_counts=True)
    mean = float(y.mean())
    if mean == 0:
        raise ValueError("every offspring count is zero: no law with a positive mean fits")

    def nll_poisson(p: dict[str, float]) -> float:
        return -float(np.sum(freq * stats.poisson.logpmf(values, p["R"])))

    def nll_negbin(p: dict[str, float]) -> float:
        k, r = p["k"], p["R"]
        if k > 1e7:  # the Poisson limit; scipy's nbinom loses precision as k grows without bound
            return nll_poisson({"R": r})
        return -float(np.sum(freq * stats.nbinom.logpmf(values, k, k / (k + r))))

    var = float(y.var(ddof=1))
    k0 = mean**2 / (var - mean) if var > mean else 10.0
    poisson = fit_mle("Poisson offspring", nll_poisson, [{"R": mean}], {"R": "log"}, y.size, level=level,
                      method="maximum likelihood; SEs from the observed information")
    negbin = fit_mle("negative-binomial offspring", nll_negbin,
                     [{"R": mean, "k": k0}, {"R": mean, "k": 0.1}, {"R": mean, "k": 1.0}],
                     {"R": "log", "k": "log"}, y.size, level=level,
                     method="maximum likelihood; SEs from the observed information")
    return [poisson, negbin]


def twitter_unique() -> tuple[tuple[str, str, Cascade], ...]:
    """Twitter15 and Twitter16 together, each source tweet once (the 169 tweets in both are kept from Twitter15)."""
    seen: set[str] = set()
    out = []
    for ds in ("twitter15", "twitter16"):
        for tid, label, casc in twitter_cascades(ds):
            if tid not in seen:
                seen.add(tid)
                out.append((tid, label, casc))
    return tuple(out)


def reshare_r_interval(cascades: Sequence[Cascade], *, level: float = 0.95, n_boot: int = 2000,
                       seed: int = 20261123) -> tuple[float, float, float]:
    """Mean further reshares per reshare, with a percentile bootstrap interval that resamples whole cascades.

    Offspring within one tree are not independent; resampling cascades keeps that dependence.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    cascades = [c for c in cascades if c.size > 1]
    if len(cascades) < 2:
        raise ValueError("need at least two cascades with reshares")
    reshares = np.array([c.size - 1 for c in cascades], dtype=float)
    deeper = reshares - np.array([c.offspring[0] for c in cascades], dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(cascades), size=(n_boot, len(cascades)))
    boot = deeper[idx].sum(axis=1) / reshares[idx].sum(axis=1)
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return float(deeper.sum() / reshares.sum()), float(lo), float(hi)
