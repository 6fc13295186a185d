"""Two architectures of information flow on one population: a social graph and an interest feed.

A **simulation** model (every run is seeded). One population of users, each with latent interests
over ``n_topics`` topics (a Dirichlet draw with concentration ``interest_alpha``: small values give
people one or two favourite topics, ``inf`` gives everyone uniform interests), creates items. Item
``i`` has a creator, a topic ``z_i`` (drawn from the creator's own interests), an appeal ``a_i``
(log-normal, mean 1) and a birth round. Each round every user opens one session.

* **Social graph** (``architecture="social"``): an item is placed in the inboxes of its creator's
  friends; a viewer sees the newest unseen items in the inbox, in time order, and forwards an item
  to all their friends when they engage with it. People see what friends post and pass on.
* **Interest feed** (``architecture="feed"``): a recommender serves items one at a time by the
  scoring rule ``s(u, i) = beta * x_u[z_i] + w * log(1 + e_i)``, where ``x_u[z]`` is the viewer's
  current interest in the topic (``n_topics * theta_u[z] * (1 - sat_u[z])``, mean one; the
  recommender is assumed to know it) and ``e_i`` the item's engagements so far (popularity, weight
  ``w = popularity_weight``). Items already born are served with probability proportional to
  ``exp(s)`` (a softmax ranking, sampled topic first, then item within topic). Viewing is passive.
  With ``fresh`` (the default) the feed serves only items the viewer has not seen: a draw of a seen
  item is redrawn (rejection sampling, which samples the softmax restricted to unseen items), and a
  slot still holding a seen item after :data:`RETRIES` redraws stays empty.

In both, an item is shown only during ``lifetime`` rounds from its birth (the same rule for both).

In both, a view is engaged with probability ``min(1, engage * a_i * x_u[z_i])``; after a view
without engagement the session stops with probability ``stop``; no session exceeds ``budget``
items. **Satiation**: each view of topic ``z`` moves ``sat_u[z]`` towards one by the fraction
``satiation``, and between rounds satiation decays by ``exp(-recovery)`` (slow recovery).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

#: outcome columns returned by :func:`outcomes`, in order
OUTCOMES = ("views", "repeat_share", "mean_session", "mean_reach", "reach_p90", "reach_p99", "gini", "top1_share",
            "creator_entropy", "topic_entropy", "gini_matched", "top1_share_matched", "creator_entropy_matched",
            "topic_entropy_matched", "strong_tie_share", "strong_tie_share_3", "stranger_share",
            "half_reach_rounds", "top_topic_share")
#: the matched outcomes, computed on views subsampled to equal numbers per viewer in both architectures
MATCHED = ("gini", "top1_share", "creator_entropy", "topic_entropy")
#: redraws the feed makes for a slot whose item the viewer has already seen before leaving it empty
RETRIES = 5


@dataclass(frozen=True)
class FeedParams:
    """Parameters of one simulation (see the module docstring for their meaning)."""

    n_topics: int = 20
    interest_alpha: float = 0.3
    beta: float = 1.0
    popularity_weight: float = 0.5
    budget: int = 30
    rounds: int = 24
    post_rate: float = 0.05
    engage: float = 0.1
    appeal_sigma: float = 0.5
    stop: float = 0.1
    satiation: float = 0.0
    recovery: float = 0.1
    lifetime: int = 3
    fresh: bool = True

    def __post_init__(self) -> None:
        """Reject values the model cannot use, naming the parameter."""
        checks = {"n_topics": self.n_topics >= 1, "interest_alpha": self.interest_alpha > 0,
                  "beta": self.beta >= 0, "popularity_weight": self.popularity_weight >= 0,
                  "budget": self.budget >= 1, "rounds": self.rounds >= 1, "post_rate": self.post_rate > 0,
                  "engage": 0 <= self.engage <= 1, "appeal_sigma": self.appeal_sigma >= 0,
                  "stop": 0 <= self.stop <= 1, "satiation": 0 <= self.satiation <= 1,
                  "recovery": self.recovery >= 0, "lifetime": self.lifetime >= 1}
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"FeedParams: invalid {', '.join(f'{k}={getattr(self, k)!r}' for k in bad)}")

    def with_(self, **kw: float) -> FeedParams:
        """A copy with some parameters changed."""
        return replace(self, **kw)


@dataclass
class Population:
    """Users (interests, friendships and tie strength) and the items they create."""

    interests: np.ndarray                 # (n_users, n_topics) float32, rows sum to one
    indptr: np.ndarray                    # CSR friendship lists (may be empty)
    indices: np.ndarray
    strong: np.ndarray                    # bool per CSR entry: the tie is strong
    creator: np.ndarray                   # per item
    topic: np.ndarray
    appeal: np.ndarray
    birth: np.ndarray
    shared: np.ndarray | None = None      # friends shared by the two ends, per CSR entry (optional)

    @property
    def n_users(self) -> int:
        """Number of users."""
        return int(self.interests.shape[0])

    @property
    def n_items(self) -> int:
        """Number of items."""
        return int(self.creator.size)


@dataclass
class Views:
    """The log of one run: one entry per view, plus every session's length."""

    user: np.ndarray
    item: np.ndarray
    round: np.ndarray
    via: np.ndarray          # who placed the item before the viewer (creator or forwarder; -1: none)
    engaged: np.ndarray
    session_lengths: np.ndarray = field(repr=False)


def draw_interests(n_users: int, params: FeedParams, rng: np.random.Generator) -> np.ndarray:
    """Latent topic interests: Dirichlet(``interest_alpha``) rows, or uniform when alpha is infinite."""
    k = params.n_topics
    if math.isinf(params.interest_alpha):
        return np.full((n_users, k), 1.0 / k, dtype=np.float32)
    g = rng.gamma(params.interest_alpha, 1.0, size=(n_users, k))
    g /= g.sum(axis=1, keepdims=True)
    return g.astype(np.float32)


def draw_items(interests: np.ndarray, params: FeedParams, rng: np.random.Generator,
               n_items: int | None = None) -> tuple[np.ndarray, ...]:
    """Items (creator, topic, appeal, birth): Poisson(post_rate * users) per round, or ``n_items`` spread evenly."""
    n_users, k = interests.shape
    if n_items is None:
        births = np.repeat(np.arange(params.rounds), rng.poisson(params.post_rate * n_users, params.rounds))
    else:
        births = np.sort(rng.integers(0, params.rounds, n_items))
    m = births.size
    creator = rng.integers(0, n_users, m)
    cum = np.cumsum(interests[creator], axis=1, dtype=np.float64)
    topic = (cum < rng.random(m)[:, None] * cum[:, -1:]).sum(axis=1).clip(0, k - 1)
    s = params.appeal_sigma
    appeal = rng.lognormal(-0.5 * s * s, s, m)
    return creator.astype(np.int32), topic.astype(np.int32), appeal, births.astype(np.int32)


def make_population(n_users: int, params: FeedParams, rng: np.random.Generator, *,
                    indptr: np.ndarray | None = None, indices: np.ndarray | None = None,
                    strong: np.ndarray | None = None, n_items: int | None = None,
                    shared: np.ndarray | None = None) -> Population:
    """Draw interests and items for ``n_users`` users, with an optional friendship graph in CSR form."""
    if indptr is None:
        indptr, indices, strong = np.zeros(n_users + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, bool)
    if len(indptr) != n_users + 1:
        raise ValueError(f"indptr has {len(indptr)} entries; a graph on {n_users} users needs {n_users + 1}")
    if strong is None:
        strong = np.zeros(len(indices), bool)
    interests = draw_interests(n_users, params, rng)
    creator, topic, appeal, birth = draw_items(interests, params, rng, n_items)
    return Population(interests, np.asarray(indptr, np.int64), np.asarray(indices, np.int32),
                      np.asarray(strong, bool), creator, topic, appeal, birth, shared)


def _neighbours(pop: Population, users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(source, friend) pairs for every friend of every user in ``users``."""
    start, end = pop.indptr[users], pop.indptr[users + 1]
    counts = end - start
    src = np.repeat(users, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return src, pop.indices[np.repeat(start, counts) + offs]


class _Session:
    """State shared by both architectures: satiation, the engagement draw and the view log."""

    def __init__(self, pop: Population, params: FeedParams, rng: np.random.Generator) -> None:
        self.pop, self.p, self.rng = pop, params, rng
        self.k = params.n_topics
        self.sat = np.zeros(pop.interests.shape, np.float32) if params.satiation > 0 else None
        self.log: dict[str, list[np.ndarray]] = {"user": [], "item": [], "round": [], "via": [], "engaged": []}
        self.lengths: list[np.ndarray] = []

    def current_interest(self, users: np.ndarray | None = None) -> np.ndarray:
        """Mean-one interest ``n_topics * theta * (1 - sat)`` of the given users (all when None)."""
        theta = self.pop.interests if users is None else self.pop.interests[users]
        x = self.k * theta
        if self.sat is not None:
            x = x * (1.0 - (self.sat if users is None else self.sat[users]))
        return x

    def view(self, users: np.ndarray, items: np.ndarray, via: np.ndarray, rnd: int) -> tuple[np.ndarray, np.ndarray]:
        """Record views; return (engaged, stopped) flags."""
        z = self.pop.topic[items]
        x = self.k * self.pop.interests[users, z]
        if self.sat is not None:
            x = x * (1.0 - self.sat[users, z])
            self.sat[users, z] += self.p.satiation * (1.0 - self.sat[users, z])
        engaged = self.rng.random(users.size) < np.minimum(1.0, self.p.engage * self.pop.appeal[items] * x)
        stopped = ~engaged & (self.rng.random(users.size) < self.p.stop)
        self.record(users, items, via, engaged, rnd)
        return engaged, stopped

    def record(self, users: np.ndarray, items: np.ndarray, via: np.ndarray, engaged: np.ndarray, rnd: int) -> None:
        """Append views to the log in compact types."""
        for key, arr in (("user", users), ("item", items), ("via", via)):
            self.log[key].append(arr.astype(np.int32, copy=False))
        self.log["engaged"].append(engaged)
        self.log["round"].append(np.full(users.size, rnd, np.int16))

    def end_round(self) -> None:
        """Satiation recovers between rounds."""
        if self.sat is not None and self.p.recovery > 0:
            self.sat *= np.float32(math.exp(-self.p.recovery))

    def result(self) -> Views:
        """The view log as arrays."""
        cat = {}
        for k in list(self.log):
            parts = self.log.pop(k)
            cat[k] = np.concatenate(parts) if parts else np.zeros(0, np.int32)
            del parts
        return Views(cat["user"], cat["item"], cat["round"], cat["via"], cat["engaged"].astype(bool),
                     np.concatenate(self.lengths))


def _run_social(pop: Population, params: FeedParams, rng: np.random.Generator) -> Views:
    """People see, newest first, what friends posted or forwarded; engaging forwards to all friends."""
    n, m = pop.n_users, pop.n_items
    st = _Session(pop, params, rng)
    # pending inbox arrivals: (user, item, arrival round, via)
    a_user = np.zeros(0, np.int64)
    a_item = np.zeros(0, np.int64)
    a_time = np.zeros(0, np.int64)
    a_via = np.zeros(0, np.int64)
    if n * m > 2_000_000_000:
        raise ValueError(f"the social architecture keeps a users x items table; {n} x {m} is too large")
    seen = np.zeros((n, m), bool)
    for rnd in range(params.rounds):
        born = np.flatnonzero(pop.birth == rnd)
        src, dst = _neighbours(pop, pop.creator[born].astype(np.int64))
        item_of = np.repeat(born, np.diff(pop.indptr)[pop.creator[born]])
        a_user = np.concatenate([a_user, dst]); a_item = np.concatenate([a_item, item_of])
        a_time = np.concatenate([a_time, np.full(dst.size, rnd)]); a_via = np.concatenate([a_via, src])
        keep = pop.birth[a_item] > rnd - params.lifetime
        keep &= ~seen[a_user, a_item]
        keys = a_user * m + a_item
        a_user, a_item, a_time, a_via, keys = a_user[keep], a_item[keep], a_time[keep], a_via[keep], keys[keep]
        # newest first per user; one arrival per (user, item)
        order = np.lexsort((-a_time, keys))
        first = np.ones(order.size, bool)
        first[1:] = keys[order][1:] != keys[order][:-1]
        idx = order[first]
        idx = idx[np.lexsort((-a_time[idx], a_user[idx]))]
        u_sorted = a_user[idx]
        starts = np.searchsorted(u_sorted, np.arange(n))
        counts = np.searchsorted(u_sorted, np.arange(n), side="right") - starts
        active = np.ones(n, bool)
        length = np.zeros(n, np.int32)
        fwd_u, fwd_i = [], []
        for slot in range(params.budget):
            users = np.flatnonzero(active & (counts > slot))
            if users.size == 0:
                break
            rows = idx[starts[users] + slot]
            items, via = a_item[rows], a_via[rows]
            engaged, stopped = st.view(users, items, via, rnd)
            length[users] += 1
            active[users[stopped]] = False
            fwd_u.append(users[engaged]); fwd_i.append(items[engaged])
            seen[users, items] = True
        st.lengths.append(length)
        if fwd_u:
            fu, fi = np.concatenate(fwd_u).astype(np.int64), np.concatenate(fwd_i).astype(np.int64)
            src, dst = _neighbours(pop, fu)
            it = np.repeat(fi, np.diff(pop.indptr)[fu])
            a_user = np.concatenate([a_user, dst]); a_item = np.concatenate([a_item, it])
            a_time = np.concatenate([a_time, np.full(dst.size, rnd + 1)])
            a_via = np.concatenate([a_via, src])
        st.end_round()
    return st.result()


class _Ranker:
    """Softmax recommender over born items: topic first (interest and topic mass), then item by popularity."""

    def __init__(self, pop: Population, params: FeedParams) -> None:
        self.pop, self.p = pop, params
        self.order = np.argsort(pop.topic, kind="stable")           # items grouped by topic
        self.bounds = np.searchsorted(pop.topic[self.order], np.arange(params.n_topics + 1))
        self.engagements = np.zeros(pop.n_items, np.int64)

    def refresh(self, rnd: int) -> None:
        """Recompute item weights ``(1 + e_i)^w`` of born items: topic masses and one alias table per topic."""
        birth = self.pop.birth[self.order]
        born = (birth <= rnd) & (birth > rnd - self.p.lifetime)
        w = np.where(born, (1.0 + self.engagements[self.order]) ** self.p.popularity_weight, 0.0)
        self.cum = np.cumsum(w)
        edge = np.concatenate([[0.0], self.cum])[self.bounds]
        self.base, self.mass = edge[:-1], np.diff(edge)
        self.prob, self.alias = _alias_tables(w, self.bounds)

    def topic_probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(topic | user) proportional to ``exp(beta * x_u[z]) * mass_z`` for interest rows ``x``."""
        w = np.exp(self.p.beta * (x - x.max(axis=1, keepdims=True))) * self.mass
        return w / w.sum(axis=1, keepdims=True)

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One item per row of interests ``x``."""
        prob = self.topic_probabilities(x)
        z = (np.cumsum(prob, axis=1) < rng.random(x.shape[0])[:, None]).sum(axis=1)
        return self.items_in(np.minimum(z, self.p.n_topics - 1), rng)

    def items_in(self, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One item per entry of topics ``z``, with probability proportional to its weight (alias method)."""
        size = (self.bounds[1:] - self.bounds[:-1])[z]
        u = rng.random(z.size) * size
        j = u.astype(np.int64)
        np.minimum(j, size - 1, out=j)
        pos = self.bounds[:-1][z] + j
        pos = np.where(u - j < self.prob[pos], pos, self.alias[pos])
        return self.order[pos]


def _alias_tables(w: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias tables for each segment ``bounds[k]:bounds[k+1]`` of weights ``w`` (global positions)."""
    prob = np.ones(w.size)
    alias = np.arange(w.size)
    for lo, hi in itertools.pairwise(bounds):
        seg = w[lo:hi]
        total = seg.sum()
        if hi <= lo or total <= 0:
            continue
        scaled = seg * ((hi - lo) / total)
        small = list(np.flatnonzero(scaled < 1.0) + lo)
        large = list(np.flatnonzero(scaled >= 1.0) + lo)
        sc = scaled.tolist()
        while small and large:
            s_, l_ = small.pop(), large[-1]
            prob[s_] = sc[s_ - lo]
            alias[s_] = l_
            sc[l_ - lo] -= 1.0 - sc[s_ - lo]
            if sc[l_ - lo] < 1.0:
                large.pop()
                small.append(l_)
        for i in small + large:
            prob[i] = 1.0
    return prob, alias


class _Seen:
    """The (viewer, item) pairs already viewed: a dense bitmap when small, else a sorted array of keys."""

    def __init__(self, n_users: int, n_items: int, dense_limit: int = 400_000_000) -> None:
        self.m = n_items
        self.dense = np.zeros(n_users * n_items, bool) if n_users * n_items <= dense_limit else None
        self.keys = np.zeros(0, np.int64)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Whether each key (``user * n_items + item``) was seen."""
        if self.dense is not None:
            return self.dense[keys]
        if self.keys.size == 0:
            return np.zeros(keys.shape, bool)
        order = np.argsort(keys, axis=None)  # sorted needles: searchsorted walks the table in order
        q = keys.ravel()[order]
        pos = np.minimum(np.searchsorted(self.keys, q), self.keys.size - 1)
        hit = np.empty(q.size, bool)
        hit[order] = self.keys[pos] == q
        return hit.reshape(keys.shape)

    def add(self, keys: np.ndarray) -> None:
        """Mark keys as seen."""
        if self.dense is not None:
            self.dense[keys] = True
        else:  # new keys are never already present (nothing is viewed twice): merge two sorted arrays
            new = np.sort(keys)
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)


def _draw_topics(cdf: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One topic per row of cumulative topic probabilities."""
    return np.minimum((cdf < rng.random(cdf.shape[0], dtype=cdf.dtype)[:, None]).sum(axis=1), cdf.shape[1] - 1)


def _make_fresh(ranker: _Ranker, cdf: np.ndarray, users: np.ndarray, items: np.ndarray, seen: _Seen,
                rng: np.random.Generator) -> np.ndarray:
    """Redraw, in place and slot by slot, items (users x slots) the viewer has seen or holds in an earlier slot.

    Returns the mask of valid slots; a slot still invalid after :data:`RETRIES` redraws is left empty (-1).
    """
    base = users.astype(np.int64) * ranker.pop.n_items
    valid = np.ones(items.shape, bool)
    for j in range(items.shape[1]):
        rows = np.arange(users.size)
        for attempt in range(RETRIES + 1):
            col = items[rows, j]
            bad = seen.contains(base[rows] + col)
            if j:
                bad |= (items[rows, :j] == col[:, None]).any(axis=1)
            rows = rows[bad]
            if rows.size == 0 or attempt == RETRIES:
                break
            items[rows, j] = ranker.items_in(_draw_topics(cdf[rows], rng), rng)
        valid[rows, j] = False
        items[rows, j] = -1
    return valid


def _feed_block(st: _Session, ranker: _Ranker, users: np.ndarray, rnd: int, length: np.ndarray,
                seen: _Seen | None) -> np.ndarray:
    """Without satiation interests are fixed within a session: draw all its slots at once for ``users``."""
    p, pop, rng = st.p, st.pop, st.rng
    b = p.budget
    cdf = np.cumsum(ranker.topic_probabilities(st.current_interest(users)), axis=1, dtype=np.float32)
    r = rng.random((users.size, b), dtype=np.float32)
    z = np.zeros((users.size, b), np.uint8 if p.n_topics < 256 else np.int32)
    for j in range(p.n_topics - 1):  # topic = number of cdf entries below the uniform draw
        z += r > cdf[:, j:j + 1]
    del r
    items = ranker.items_in(z.ravel(), rng).reshape(users.size, b)
    del z
    valid = _make_fresh(ranker, cdf, users, items, seen, rng) if seen is not None else None
    del cdf
    items = items.ravel()
    uu = np.repeat(users, b)
    x = p.n_topics * pop.interests[uu, pop.topic[items]]
    engaged = rng.random(items.size) < np.minimum(1.0, p.engage * pop.appeal[items] * x)
    stop = ~engaged & (rng.random(items.size) < p.stop)
    if valid is not None:
        valid = valid.ravel()
        engaged &= valid
        stop &= valid
    stop = stop.reshape(users.size, b)
    stop[:, -1] = True
    first = stop.argmax(axis=1)  # slots up to and including the first stop
    keep = np.arange(b)[None, :] <= first[:, None]
    if valid is not None:
        keep &= valid.reshape(users.size, b)
    length[users] = keep.sum(axis=1)
    keep = keep.ravel()
    items, uu, engaged = items[keep].astype(np.int32), uu[keep].astype(np.int32), engaged[keep]
    if seen is not None:
        seen.add(uu.astype(np.int64) * pop.n_items + items)
    st.record(uu, items, pop.creator[items], engaged, rnd)
    return items[engaged]


def _run_feed(pop: Population, params: FeedParams, rng: np.random.Generator, chunk: int = 1 << 17) -> Views:
    """A recommender serves items by predicted interest and popularity; viewing is passive."""
    n = pop.n_users
    st = _Session(pop, params, rng)
    ranker = _Ranker(pop, params)
    seen = _Seen(n, pop.n_items) if params.fresh else None
    for rnd in range(params.rounds):
        ranker.refresh(rnd)
        length = np.zeros(n, np.int32)
        eng = []
        if ranker.cum.size == 0 or ranker.cum[-1] <= 0:
            pass
        elif st.sat is None:
            for lo in range(0, n, chunk):
                eng.append(_feed_block(st, ranker, np.arange(lo, min(n, lo + chunk)), rnd, length, seen))
        else:
            active = np.arange(n)
            for _slot in range(params.budget):
                if active.size == 0:
                    break
                if seen is None:
                    users, items = active, ranker.draw(st.current_interest(active), rng)
                else:
                    cdf = np.cumsum(ranker.topic_probabilities(st.current_interest(active)), axis=1)
                    items = ranker.items_in(_draw_topics(cdf, rng), rng)[:, None]
                    ok = _make_fresh(ranker, cdf, active, items, seen, rng)[:, 0]
                    users, items = active[ok], items[ok, 0]
                    seen.add(users.astype(np.int64) * pop.n_items + items)
                engaged, stopped = st.view(users, items, pop.creator[items], rnd)
                length[users] += 1
                eng.append(items[engaged])
                active = np.setdiff1d(active, users[stopped], assume_unique=True)
        st.lengths.append(length)
        if eng:
            ranker.engagements += np.bincount(np.concatenate(eng), minlength=pop.n_items)
        st.end_round()
    return st.result()


def simulate(pop: Population, params: FeedParams, architecture: str, rng: np.random.Generator) -> Views:
    """Run one replicate of ``architecture`` ('social' or 'feed') on ``pop``. Simulation, seeded by ``rng``."""
    if architecture == "social":
        if pop.indices.size == 0:
            raise ValueError("the social architecture needs a friendship graph (pass indptr and indices)")
        return _run_social(pop, params, rng)
    if architecture == "feed":
        return _run_feed(pop, params, rng)
    raise ValueError(f"architecture must be 'social' or 'feed', got {architecture!r}")


# ---------------------------------------------------------------------------------------------- outcomes


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; near 1: one holds everything)."""
    x = np.sort(np.asarray(x, dtype=float))
    if x.size == 0 or x.sum() == 0:
        return math.nan
    n = x.size
    return float((2 * np.arange(1, n + 1) - n - 1) @ x / (n * x.sum()))


def top_share(x: np.ndarray, fraction: float = 0.01) -> float:
    """Share of the total held by the top ``fraction`` of units (at least one unit)."""
    x = np.sort(np.asarray(x, dtype=float))[::-1]
    k = max(1, round(fraction * x.size))
    return float(x[:k].sum() / x.sum()) if x.sum() > 0 else math.nan


def _pair_entropy(groups: np.ndarray, labels: np.ndarray, n_labels: int, n_groups: int,
                  chunk: int = 1 << 18) -> np.ndarray:
    """Shannon entropy (bits) of ``labels`` within each group (NaN for empty groups), by in-place sorts.

    Groups are processed ``chunk`` at a time so that memory stays a fraction of the view log.
    """
    h = np.full(n_groups, np.nan)
    for lo in range(0, n_groups, chunk):
        sel = (groups >= lo) & (groups < lo + chunk) if n_groups > chunk else slice(None)
        key = groups[sel].astype(np.int64) * n_labels
        if key.size == 0:
            continue
        key += labels[sel]
        key.sort()
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        cnt = np.diff(np.append(starts, key.size)).astype(float)
        g = key[starts] // n_labels
        del key, starts
        tot = np.bincount(g, minlength=n_groups, weights=cnt)
        p = cnt / tot[g]
        part = np.bincount(g, weights=-p * np.log2(p), minlength=n_groups)
        has = tot > 0
        h[has] = part[has]
    return h


def _edge_lookup(pop: Population, u: np.ndarray, v: np.ndarray, positions: bool = False) -> tuple[np.ndarray, ...]:
    """For pairs (u, v): (are friends, tie is strong), and the CSR position of the tie when ``positions``."""
    n = pop.n_users
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(pop.indptr))
    keys = rows * n + pop.indices
    q = u.astype(np.int64) * n + v
    pos = np.minimum(np.searchsorted(keys, q), max(keys.size - 1, 0))
    if keys.size == 0:
        return (np.zeros(q.size, bool), np.zeros(q.size, bool)) + ((pos,) if positions else ())
    hit = keys[pos] == q
    return (hit, hit & pop.strong[pos]) + ((pos,) if positions else ())


def _first_views(pop: Population, views: Views) -> tuple[np.ndarray, np.ndarray]:
    """Each (item, viewer) pair once, sorted by item: (item, round of the first view)."""
    rounds = int(views.round.max()) + 1
    key = views.item.astype(np.int64) * pop.n_users
    key += views.user
    key *= rounds
    key += views.round
    key.sort()
    first_round = (key % rounds).astype(np.int16)
    key //= rounds
    new = np.empty(key.size, bool)
    new[0] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    item = (key[new] // pop.n_users).astype(np.int32)
    del key
    return item, first_round[new]


def reach(pop: Population, views: Views) -> np.ndarray:
    """Final reach of every item: the number of distinct users who saw it."""
    item, _ = _first_views(pop, views)
    return np.bincount(item, minlength=pop.n_items)


def _diversity(pop: Population, user: np.ndarray, item: np.ndarray) -> tuple[float, float, float]:
    """Mean over viewers of the creator and topic entropies (bits) of what they saw, and of their top-topic share."""
    n, k = pop.n_users, pop.interests.shape[1]
    tshare = np.bincount(user.astype(np.int64) * k + pop.topic[item], minlength=n * k).reshape(n, -1)
    tot = tshare.sum(axis=1)
    p_topic = tshare[tot > 0] / tot[tot > 0, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        h_topic = -np.nansum(np.where(p_topic > 0, p_topic * np.log2(p_topic), 0.0), axis=1)
    h_creator = float(np.nanmean(_pair_entropy(user, pop.creator[item], n, n)))
    return h_creator, float(h_topic.mean()), float(np.mean(p_topic.max(axis=1)))


def outcomes(pop: Population, views: Views, *, min_reach: int = 10, alt_strong_min: int = 3) -> dict[str, float]:
    """The chapter's outcomes of one run (see :data:`OUTCOMES`; the ``_matched`` ones come from :func:`matched`).

    ``repeat_share``: share of views that repeat a (viewer, item) pair already viewed;
    ``reach_p90``/``reach_p99``: quantiles of reach (distinct viewers) over all items;
    ``gini`` and ``top1_share``: concentration of views over all items; ``creator_entropy`` and
    ``topic_entropy``: mean over viewers of the Shannon entropy (bits) of what they saw (these grow
    with the number of views, so compare architectures with the matched versions);
    ``strong_tie_share``: views placed by a strong tie (the friend who posted or forwarded the item,
    or the creator in the feed); ``strong_tie_share_3``: the same with a tie strong when its ends share
    at least ``alt_strong_min`` friends (needs ``pop.shared``); ``stranger_share``: views of items
    whose creator is neither the viewer nor a friend; ``half_reach_rounds``: median rounds from birth
    to half of final reach, over items born in the first third of the run with reach at least
    ``min_reach``; ``top_topic_share``: mean share of a viewer's views in their most-seen topic.
    """
    m = pop.n_items
    if views.user.size == 0:
        raise ValueError("the run recorded no views")
    item_u, t_first = _first_views(pop, views)
    reach = np.bincount(item_u, minlength=m)
    counts = np.bincount(views.item, minlength=m)
    # rounds from birth to half of final reach: items born in the first third with reach >= min_reach
    rank = np.arange(item_u.size) - np.searchsorted(item_u, item_u)
    hit = rank + 1 == np.ceil(0.5 * reach[item_u])
    half = np.full(m, -1, np.int64)
    half[item_u[hit]] = t_first[hit] - pop.birth[item_u[hit]]
    n_distinct = item_u.size
    del item_u, t_first, rank, hit
    early = (pop.birth <= pop.birth.max() // 3) & (reach >= min_reach)
    h_creator, h_topic, top_topic = _diversity(pop, views.user, views.item)
    out = {
        "views": float(views.user.size),
        "repeat_share": 1.0 - n_distinct / views.user.size,
        "mean_session": float(views.session_lengths.mean()),
        "mean_reach": float(reach.mean()),
        "reach_p90": float(np.quantile(reach, 0.9)),
        "reach_p99": float(np.quantile(reach, 0.99)),
        "gini": gini(counts),
        "top1_share": top_share(counts),
        "creator_entropy": h_creator,
        "topic_entropy": h_topic,
        "strong_tie_share": math.nan,
        "strong_tie_share_3": math.nan,
        "stranger_share": math.nan,
        "half_reach_rounds": float(np.median(half[early])) if early.any() else math.nan,
        "top_topic_share": top_topic,
    }
    if pop.indices.size:
        creators = pop.creator[views.item]
        friends, _ = _edge_lookup(pop, views.user, creators)
        has_via = views.via >= 0
        hit, strong, pos = _edge_lookup(pop, views.user[has_via], views.via[has_via], positions=True)
        out["strong_tie_share"] = float(strong.sum() / views.user.size)
        if pop.shared is not None:
            out["strong_tie_share_3"] = float((hit & (pop.shared[pos] >= alt_strong_min)).sum() / views.user.size)
        out["stranger_share"] = float(np.mean(~friends & (creators != views.user)))
    return out


def _subsample(views: Views, per_user: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of a random ``per_user[u]`` of each user's views."""
    order = np.lexsort((rng.random(views.user.size), views.user))
    u = views.user[order]
    rank = np.arange(u.size) - np.searchsorted(u, u)
    return order[rank < per_user[u]]


def matched(pop: Population, runs: dict[str, Views], rng: np.random.Generator) -> dict[str, dict[str, float]]:
    """Concentration and diversity of each run on views subsampled to equal numbers per viewer.

    Every viewer keeps, in every run, a random subsample of their views of the size of their smallest
    count across the runs, so each architecture is judged on the same number of views per person
    (plug-in entropy and Gini both depend on the sample size). Returns ``{run: {outcome_matched: value}}``.
    """
    per_user = np.min([np.bincount(v.user, minlength=pop.n_users) for v in runs.values()], axis=0)
    out = {}
    for name, v in runs.items():
        idx = _subsample(v, per_user, rng)
        user, item = v.user[idx], v.item[idx]
        h_creator, h_topic, _ = _diversity(pop, user, item)
        counts = np.bincount(item, minlength=pop.n_items)
        out[name] = {"gini_matched": gini(counts), "top1_share_matched": top_share(counts),
                     "creator_entropy_matched": h_creator, "topic_entropy_matched": h_topic}
    return out


class ReachLog(dict):
    """Reach per item of each run, keyed by (architecture, run); compared by identity (safe in ``DataFrame.attrs``)."""

    __eq__ = object.__eq__
    __hash__ = object.__hash__


def replicates(pop_factory, params: FeedParams, architectures: tuple[str, ...] = ("social", "feed"),
               runs: int = 10, seed: int = 0) -> pd.DataFrame:
    """Paired replicates: run ``r`` draws one population (seed ``[seed, r]``) and runs every architecture on it.

    ``pop_factory(params, rng)`` returns a :class:`Population`. Returns one row per run and
    architecture with every outcome; the ``_matched`` outcomes compare the architectures run together
    at equal views per viewer (:func:`matched`). ``attrs["reach"]`` holds each run's reach per item,
    keyed by (architecture, run). Simulation, seeded.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    rows, reaches = [], ReachLog()
    for r in range(runs):
        pop = pop_factory(params, np.random.default_rng([seed, r]))
        runs_r = {arch: simulate(pop, params, arch, np.random.default_rng([seed, r, a + 1]))
                  for a, arch in enumerate(architectures)}
        same = matched(pop, runs_r, np.random.default_rng([seed, r, 0]))
        for arch, views in runs_r.items():
            rows.append({"architecture": arch, "run": r, **outcomes(pop, views), **same[arch]})
            reaches[(arch, r)] = reach(pop, views)
        del runs_r
    out = pd.DataFrame(rows)
    out.attrs["reach"] = reaches
    return out


def paired_summary(sims: pd.DataFrame, a: str = "feed", b: str = "social", level: float = 0.95) -> pd.DataFrame:
    """Per outcome: mean of each architecture and the paired difference ``a - b`` with a t interval."""
    from scipy import stats

    wide = sims.pivot(index="run", columns="architecture")
    rows = []
    for col in OUTCOMES:
        if (col, a) not in wide or (col, b) not in wide:
            continue
        xa, xb = wide[(col, a)].to_numpy(float), wide[(col, b)].to_numpy(float)
        d = xa - xb
        ok = np.isfinite(d)
        nd = int(ok.sum())
        half = (stats.t.ppf(0.5 + level / 2, nd - 1) * d[ok].std(ddof=1) / math.sqrt(nd)) if nd > 1 else math.nan
        rows.append({"outcome": col, b: float(np.nanmean(xb)), a: float(np.nanmean(xa)),
                     "difference": float(d[ok].mean()) if nd else math.nan,
                     "ci_low": float(d[ok].mean() - half) if nd else math.nan,
                     "ci_high": float(d[ok].mean() + half) if nd else math.nan, "runs": nd})
    return pd.DataFrame(rows)


def fit_interest_weight(pop: Population, views: Views, *, n_topics: int | None = None) -> tuple[float, float]:
    """Maximum-likelihood estimate of the feed's interest weight ``beta`` from the topics it served.

    For a run without satiation or popularity (``w = 0``) and with every item born at the start,
    the topic of each view is a multinomial-logit draw with utilities ``beta * x_u[z] + log n_z``
    (``n_z`` items in topic ``z``). Returns ``(beta_hat, se)``, the standard error from the observed
    information. A check that the engine serves what its stated rule says.
    """
    from scipy.optimize import minimize_scalar

    k = n_topics or pop.interests.shape[1]
    if views.user.size == 0:
        raise ValueError("no views to fit")
    users, counts = np.unique(views.user, return_counts=True)
    x = k * pop.interests[users].astype(float)                  # (n_users_seen, K)
    log_m = np.log(np.maximum(np.bincount(pop.topic, minlength=k), 1e-300))
    served = np.zeros_like(x)
    np.add.at(served, (np.searchsorted(users, views.user), pop.topic[views.item]), 1.0)
    sx = float((served * x).sum())

    def nll(beta: float) -> float:
        a = beta * x + log_m
        amax = a.max(axis=1, keepdims=True)
        lse = (amax[:, 0] + np.log(np.exp(a - amax).sum(axis=1)))
        return -(beta * sx + float((served * log_m).sum()) - float(counts @ lse))

    beta = float(minimize_scalar(nll, bounds=(-10.0, 10.0), method="bounded", options={"xatol": 1e-8}).x)
    a = beta * x + log_m
    p = np.exp(a - a.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    var = (p * x * x).sum(axis=1) - (p * x).sum(axis=1) ** 2     # Fisher information per view of each user
    info = float(counts @ var)
    return beta, 1.0 / math.sqrt(info)
