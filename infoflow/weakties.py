"""Small circles and weak ties on an acquaintance graph: where spread stays, and what a feed holds.

Two simulations on an undirected friendship graph (the book uses ego-Facebook without its ego
users, :func:`infoflow.ties.alters_graph`):

* :func:`circle_spread` -- independent cascades from one random seed user; how many of the users
  they reach lie in the seed's own (Louvain) community, the "small circle".
* :func:`feed_day` -- one simulated day of a Moments-like feed.  Every user posts a Poisson number
  of posts; every post appears in the feed of each of the poster's contacts; each reader reads at
  most ``budget`` posts of her feed (a fixed daily attention budget), chosen uniformly at random
  (``order="random"``) or close contacts first (``order="strong_first"``).  The contacts' ties are
  classed by embeddedness (:func:`infoflow.ties.tie_classes`); "scan-to-follow" ties added by
  :func:`scan_to_follow` are long-range ties between users with no tie yet, i.e. weak ties.

:func:`inflation` runs the feed for a growing number of scan-to-follow ties per user, in seeded
replicates.  Both are simulations: their numbers describe the model, not WeChat.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from infoflow import contagion, ties

#: tie codes in :class:`FeedGraph` (strong: 3+ shared friends; weak: none; scan: added long-range tie)
TIE_CODES = {"strong": 0, "intermediate": 1, "weak": 2, "scan": 3}


@dataclass(frozen=True)
class FeedGraph:
    """An undirected contact graph as an edge list over nodes ``0..n-1``, each edge with its tie class code."""

    n: int
    u: np.ndarray
    v: np.ndarray
    tie: np.ndarray

    @property
    def m(self) -> int:
        """Number of undirected ties."""
        return int(self.u.size)


def feed_graph(graph: nx.Graph, *, strong_min: int = 3) -> FeedGraph:
    """Index ``graph``'s nodes and class each tie by embeddedness (strong: ``strong_min``+ shared friends)."""
    emb = ties.edge_embeddedness(graph)
    classes = ties.tie_classes(emb, strong_min=strong_min)
    index = {node: i for i, node in enumerate(graph)}
    u = emb["u"].map(index).to_numpy(np.int64)
    v = emb["v"].map(index).to_numpy(np.int64)
    return FeedGraph(graph.number_of_nodes(), u, v, classes.map(TIE_CODES).to_numpy(np.int8))


def scan_to_follow(fg: FeedGraph, count: int, rng: np.random.Generator | int | None) -> FeedGraph:
    """Add ``count`` ties between uniformly random pairs of users with no tie yet (no duplicates), coded 'scan'.

    The new ties are drawn in a random order, so the first ``k`` of a larger draw are a draw of ``k``:
    callers that want nested steps draw once and take prefixes (:func:`with_prefix`).
    """
    if count < 0:
        raise ValueError(f"count must be non-negative, got {count}")
    possible = fg.n * (fg.n - 1) // 2 - fg.m
    if count > possible:
        raise ValueError(f"cannot add {count} ties: only {possible} pairs of users have no tie")
    rng = np.random.default_rng(rng)
    taken = set((np.minimum(fg.u, fg.v) * fg.n + np.maximum(fg.u, fg.v)).tolist())
    new: list[int] = []
    seen: set[int] = set()
    while len(new) < count:
        a = rng.integers(0, fg.n, 2 * (count - len(new)) + 16)
        b = rng.integers(0, fg.n, a.size)
        for key in (np.minimum(a, b) * fg.n + np.maximum(a, b))[a != b].tolist():
            if key not in taken and key not in seen:
                seen.add(key)
                new.append(key)
                if len(new) == count:
                    break
    keys = np.asarray(new, dtype=np.int64)
    return FeedGraph(fg.n, np.concatenate([fg.u, keys // fg.n]), np.concatenate([fg.v, keys % fg.n]),
                     np.concatenate([fg.tie, np.full(count, TIE_CODES["scan"], dtype=np.int8)]))


def with_prefix(base: FeedGraph, extended: FeedGraph, count: int) -> FeedGraph:
    """The ``base`` graph plus the first ``count`` ties that ``extended`` added to it."""
    if not 0 <= count <= extended.m - base.m:
        raise ValueError(f"count must lie between 0 and {extended.m - base.m}, got {count}")
    stop = base.m + count
    return FeedGraph(base.n, extended.u[:stop], extended.v[:stop], extended.tie[:stop])


def feed_day(fg: FeedGraph, budget: int, rng: np.random.Generator | int | None, *, post_rate: float = 1.0,
             order: str = "random") -> dict[str, float]:
    """Simulate one day of the feed; return per-reader means and per-post attention (see module docstring).

    Returned: ``feed`` (mean posts in a reader's feed), ``feed_median``, ``strong_share`` (mean over
    readers with a non-empty feed of the share of their feed posted by strong ties), ``read_strong_share``
    (the same share among the posts they read), ``views_per_post`` (mean readers a post reaches),
    ``strong_post_views`` (mean readers a post reaches among its strong-tie contacts, per strong tie:
    the chance that a close friend sees it), ``over_budget`` (share of readers whose feed exceeds the
    budget), ``reads`` and ``posts`` (totals, for conservation checks).
    """
    if budget < 0:
        raise ValueError(f"the attention budget must be non-negative, got {budget}")
    if order not in ("random", "strong_first"):
        raise ValueError(f"order must be 'random' or 'strong_first', got {order!r}")
    if not post_rate > 0:
        raise ValueError(f"post_rate must be positive, got {post_rate}")
    rng = np.random.default_rng(rng)
    posts = rng.poisson(post_rate, fg.n)
    # every tie is two feed links (poster -> reader); each carries all of the poster's posts
    poster = np.concatenate([fg.u, fg.v])
    reader = np.concatenate([fg.v, fg.u])
    tie = np.concatenate([fg.tie, fg.tie])
    items = posts[poster]
    item_reader = np.repeat(reader, items)
    item_strong = np.repeat(tie == TIE_CODES["strong"], items)
    key = rng.random(item_reader.size)
    if order == "strong_first":
        key = key + (~item_strong)
    order_idx = np.argsort(item_reader * 2.0 + key)  # by reader, then by key (key < 2)
    sorted_reader = item_reader[order_idx]
    starts = np.searchsorted(sorted_reader, np.arange(fg.n))
    rank = np.arange(sorted_reader.size) - starts[sorted_reader]
    read = np.empty(item_reader.size, dtype=bool)
    read[order_idx] = rank < budget
    feed = np.bincount(item_reader, minlength=fg.n)
    strong_feed = np.bincount(item_reader, weights=item_strong, minlength=fg.n)
    reads = np.bincount(item_reader, weights=read, minlength=fg.n)
    strong_reads = np.bincount(item_reader, weights=read & item_strong, minlength=fg.n)
    has = feed > 0
    has_read = reads > 0
    total_posts = int(posts.sum())
    strong_items = int(item_strong.sum())
    return {
        "feed": float(feed.mean()),
        "feed_median": float(np.median(feed)),
        "strong_share": float(np.mean(strong_feed[has] / feed[has])) if has.any() else np.nan,
        "read_strong_share": float(np.mean(strong_reads[has_read] / reads[has_read])) if has_read.any() else np.nan,
        "views_per_post": float(reads.sum() / total_posts) if total_posts else np.nan,
        "strong_post_views": float(strong_reads.sum() / strong_items) if strong_items else np.nan,
        "over_budget": float(np.mean(feed > budget)),
        "reads": float(reads.sum()),
        "posts": float(total_posts),
    }


def inflation(graph: nx.Graph, added_per_user: list[float] | np.ndarray, *, budget: int, replicates: int,
              seed: int, post_rate: float = 1.0, orders: tuple[str, ...] = ("random", "strong_first"),
              strong_min: int = 3) -> pd.DataFrame:
    """Feed metrics as scan-to-follow ties are added step by step (nested), one row per replicate, step and order.

    ``added_per_user`` is the number of added ties per user (each tie adds one contact to two users,
    so ``k`` per user is ``k * n / 2`` ties).  Replicate ``r`` draws its ties and its posts from
    ``numpy.random.SeedSequence(seed).spawn(replicates)[r]``.
    """
    base = feed_graph(graph, strong_min=strong_min)
    steps = np.asarray(added_per_user, dtype=float)
    if steps.ndim != 1 or steps.size == 0 or np.any(steps < 0) or np.any(np.diff(steps) < 0):
        raise ValueError("added_per_user must be a non-empty, non-decreasing list of non-negative numbers")
    counts = np.round(steps * base.n / 2).astype(np.int64)
    rows = []
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replicates)):
        tie_rng, post_rng = (np.random.default_rng(s) for s in child.spawn(2))
        extended = scan_to_follow(base, int(counts[-1]), tie_rng)
        for step, count in zip(steps, counts, strict=True):
            fg = with_prefix(base, extended, int(count))
            state = post_rng.bit_generator.state
            for order in orders:
                post_rng.bit_generator.state = state  # the same posts and reading draws for both orders
                rows.append({"replicate": r, "added_per_user": float(step), "order": order,
                             **feed_day(fg, budget, post_rng, post_rate=post_rate, order=order)})
    return pd.DataFrame(rows)


def summarise(runs: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Mean and 2.5-97.5% range over replicates of ``columns``, by step and order."""
    g = runs.groupby(["order", "added_per_user"], sort=True)[columns]
    out = g.mean().add_suffix("_mean")
    out = out.join(g.quantile(0.025).add_suffix("_lo")).join(g.quantile(0.975).add_suffix("_hi"))
    return out.reset_index()


# ------------------------------------------------------------------------------- small circles


def communities(graph: nx.Graph, seed: int) -> np.ndarray:
    """Louvain community of each node, in ``list(graph)`` order (seeded, networkx's implementation)."""
    parts = nx.community.louvain_communities(graph, seed=seed)
    index = {node: i for i, node in enumerate(graph)}
    label = np.full(graph.number_of_nodes(), -1, dtype=np.int64)
    for c, members in enumerate(parts):
        label[[index[x] for x in members]] = c
    return label


def circle_spread(graph: nx.Graph, label: np.ndarray, p: float, runs: int, seed: int) -> pd.DataFrame:
    """Independent cascades (edge probability ``p``) from one random seed user each; per run, users reached inside
    and outside the seed's community (the seed itself not counted)."""
    label = np.asarray(label)
    if label.shape != (graph.number_of_nodes(),):
        raise ValueError(f"label has shape {label.shape}, expected one community per node ({graph.number_of_nodes()})")
    adj = sp.csr_array(nx.to_scipy_sparse_array(graph, nodelist=list(graph), format="csr", weight=None))
    net = contagion.Network(adj, directed=False)
    rng = np.random.default_rng(seed)
    rows = []
    for run in range(runs):
        s = int(rng.integers(0, net.n))
        res = contagion.independent_cascade(net, [s], p, rng)
        reached = np.flatnonzero(res.first_time > 0)
        inside = int(np.sum(label[reached] == label[s]))
        rows.append({"run": run, "seed_user": s, "inside": inside, "outside": int(reached.size - inside)})
    return pd.DataFrame(rows)


def pooled_share_interval(inside: np.ndarray, total: np.ndarray, *, n_boot: int = 2000, seed: int = 0,
                          level: float = 0.95) -> tuple[float, float, float]:
    """Pooled share ``sum(inside) / sum(total)`` with a percentile bootstrap interval that resamples runs."""
    inside = np.asarray(inside, dtype=float)
    total = np.asarray(total, dtype=float)
    if total.sum() <= 0:
        raise ValueError("no run reached anyone: the pooled share is undefined")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, inside.size, size=(n_boot, inside.size))
    tot = total[idx].sum(axis=1)
    boot = inside[idx].sum(axis=1)[tot > 0] / tot[tot > 0]
    lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return float(inside.sum() / total.sum()), float(lo), float(hi)


# ------------------------------------------------------------------------- the book's settings

#: seed of the book's weak-tie simulations (Louvain, cascades and feeds)
SEED = 20261123


@lru_cache(maxsize=1)
def ego_facebook_circles(p: float = 0.01, runs: int = 2000) -> pd.DataFrame:
    """Independent cascades on ego-Facebook without its egos (seeded), counted inside/outside the seed's community."""
    graph = ties.alters_graph()
    return circle_spread(graph, communities(graph, SEED), p, runs, SEED)
