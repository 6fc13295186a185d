"""Network contagion engine: cascades, epidemics and complex contagion on CSR adjacency.

Every model runs in discrete time with *synchronous* updates: the state at step ``t + 1`` is drawn
from the state at step ``t`` only.  Nodes are the integers ``0 .. n - 1`` (the order of
:attr:`Network.nodes`); ``A[u, v] != 0`` means that ``u`` can pass something on to ``v``.

The engine is frontier based: at each step only the out-edges of the nodes that can transmit are
touched.  With one transmission probability ``p`` for every edge, the edges that fire are found by
geometric skipping (the gaps between successes in a run of Bernoulli(``p``) trials are
Geometric(``p``)), so a step costs time in proportion to the transmissions, not to the edges looked
at.  Newly infected nodes are kept sorted, so the next step reads ``indptr``/``indices`` in order.
Sojourn times in the states of the compartmental models are drawn once, on entry, as Geometric(leave
probability) variables (the same law as a coin flip at every step) and kept in per-step buckets.

The spreading step has two interchangeable back-ends: a small numba kernel (``cache=True``), used
when numba is installed, and vectorised numpy (gather with ``indptr``/``indices``, ``cumsum``,
``searchsorted``, sort-and-dedupe).  All random numbers are drawn by numpy before either runs and
both read them identically, so a seed gives the same run on both (``USE_NUMBA = False`` forces the
numpy path; the tests check that they agree).  The kernel is what keeps an independent cascade on a
million-node graph under 0.1 s (see ``benchmarks/README.md``).

All randomness comes from the ``rng`` argument: a :class:`numpy.random.Generator` or anything
:func:`numpy.random.default_rng` accepts (an integer seed).  Same seed, same result.

Models (each documents its exact semantics):

* :func:`independent_cascade` -- Kempe-Kleinberg-Tardos independent cascade (as NDlib's).
* :func:`discrete_sir` -- discrete-time SIR (as EoN's ``basic_discrete_SIR`` when ``gamma = 1``).
* :func:`sis` -- discrete-time SIS (as EoN's ``basic_discrete_SIS`` when ``gamma = 1``).
* :func:`seirs` -- SEIRS with waning immunity ("fatigue": recovered nodes become susceptible).
* :func:`threshold` -- fractional or absolute threshold (complex) contagion (Watts; Centola-Macy).
* :func:`exposure_fatigue` -- adoption whose per-exposure probability rises then falls with the
  number of exposures (see :func:`fatigue_hump`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "ContagionResult",
    "Network",
    "as_network",
    "discrete_sir",
    "exposure_fatigue",
    "fatigue_hump",
    "independent_cascade",
    "random_seeds",
    "seirs",
    "sis",
    "threshold",
]

RngLike = np.random.Generator | np.random.SeedSequence | int | None
_EMPTY = np.empty(0, dtype=np.int64)
_NO_DRAWS = np.empty(0, dtype=np.float64)


# --------------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------------


class Network:
    """A validated graph held as CSR adjacency: row ``u`` lists the nodes ``u`` can reach."""

    __slots__ = ("_in_degree", "_index", "directed", "indices", "indptr", "n", "nodes", "weights")

    def __init__(self, adjacency: Any, *, directed: bool | None = None, nodes: Iterable | None = None) -> None:
        """Build from a square scipy.sparse matrix or 2-D array (``directed=None``: infer by symmetry)."""
        if sp.issparse(adjacency):
            coo = sp.coo_array(adjacency)
        else:
            arr = np.asarray(adjacency)
            if arr.ndim != 2:
                raise ValueError(f"adjacency must be a 2-D square matrix, got an array of shape {arr.shape}")
            coo = sp.coo_array(arr)
        if coo.ndim != 2 or coo.shape[0] != coo.shape[1]:
            raise ValueError(f"adjacency must be square, got shape {coo.shape}")
        n = int(coo.shape[0])
        if n == 0:
            raise ValueError("graph is empty: it has no nodes")
        coo = sp.coo_array(coo, dtype=np.float64)
        coo.sum_duplicates()  # repeated entries add up before they are checked
        data = coo.data
        if data.size and not np.all(np.isfinite(data)):
            raise ValueError("adjacency weights must be finite (found NaN or infinity)")
        if data.size and data.min() < 0:
            raise ValueError(f"adjacency weights must be non-negative, found {float(data.min())!r}")
        keep = (coo.row != coo.col) & (data != 0)  # self-loops and explicit zeros are not edges
        csr = sp.csr_array((data[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
        csr.sort_indices()
        if directed is None:
            directed = bool((csr != csr.T).nnz)
        index_dtype = np.int32 if n < 2**31 - 1 else np.int64
        self.n = n
        self.directed = bool(directed)
        self.indptr = np.asarray(csr.indptr, dtype=np.int64)
        self.indices = np.asarray(csr.indices, dtype=index_dtype)
        w = np.asarray(csr.data, dtype=np.float64)
        self.weights = None if np.all(w == 1.0) else w
        self.nodes = list(range(n)) if nodes is None else list(nodes)
        if len(self.nodes) != n:
            raise ValueError(f"nodes has {len(self.nodes)} labels for a graph of {n} nodes")
        self._in_degree: np.ndarray | None = None
        self._index: dict | None = None

    # constructors -----------------------------------------------------------------------------

    @classmethod
    def from_networkx(cls, graph: Any, *, weight: str | None = None) -> Network:
        """Build from a networkx (Di)Graph; node ``i`` is ``list(graph)[i]``; ``weight`` names an attribute."""
        import networkx as nx

        nodes = list(graph)
        if not nodes:
            raise ValueError("graph is empty: it has no nodes")
        adj = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight, format="csr", dtype=np.float64)
        return cls(adj, directed=graph.is_directed(), nodes=nodes)

    @classmethod
    def from_edges(
        cls,
        edges: Any,
        n: int | None = None,
        *,
        directed: bool = False,
        weights: Any = None,
    ) -> Network:
        """Build from an ``(m, 2)`` integer edge list (undirected: give each edge once; duplicates sum)."""
        e = np.asarray(edges)
        if e.size == 0:
            e = np.empty((0, 2), dtype=np.int64)
        if e.ndim != 2 or e.shape[1] != 2:
            raise ValueError(f"edges must have shape (m, 2), got {e.shape}")
        if not np.issubdtype(e.dtype, np.integer):
            raise ValueError(f"edges must hold integer node indices, got dtype {e.dtype}")
        if e.size and e.min() < 0:
            raise ValueError(f"edges must hold node indices >= 0, found {int(e.min())}")
        if n is None:
            n = int(e.max()) + 1 if e.size else 0
        if n <= 0:
            raise ValueError("graph is empty: it has no nodes")
        if e.size and e.max() >= n:
            raise ValueError(f"edges refer to node {int(e.max())} but the graph has n = {n} nodes")
        w = np.ones(len(e)) if weights is None else np.asarray(weights, dtype=np.float64)
        if w.shape != (len(e),):
            raise ValueError(f"weights must have one value per edge ({len(e)}), got shape {w.shape}")
        row, col = e[:, 0], e[:, 1]
        if not directed:
            row, col, w = np.concatenate([row, col]), np.concatenate([col, row]), np.concatenate([w, w])
        adj = sp.coo_array((w, (row, col)), shape=(n, n))
        net = cls(adj, directed=directed)
        if weights is None:
            net.weights = None  # duplicate edges of an unweighted list stay unweighted
        return net

    @classmethod
    def erdos_renyi(cls, n: int, mean_degree: float, rng: RngLike) -> Network:
        """Draw an undirected G(n, p) graph with ``p = mean_degree / (n - 1)`` directly in numpy."""
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        if not (0 <= mean_degree <= n - 1):
            raise ValueError(f"mean_degree must be in [0, n - 1] = [0, {n - 1}], got {mean_degree}")
        gen = _as_rng(rng)
        pairs = n * (n - 1) // 2
        m = int(gen.binomial(pairs, mean_degree / (n - 1))) if n > 1 else 0
        keys = np.empty(0, dtype=np.int64)
        while keys.size < m:  # i.i.d. uniform unordered pairs, then a uniform m-subset of the distinct
            draw = int((m - keys.size) * 1.05) + 16
            u = gen.integers(0, n, size=draw, dtype=np.int64)
            v = gen.integers(0, n, size=draw, dtype=np.int64)
            ok = u != v
            lo, hi = np.minimum(u[ok], v[ok]), np.maximum(u[ok], v[ok])
            keys = np.sort(np.concatenate([keys, lo * n + hi]))
            keys = keys[np.r_[True, keys[1:] != keys[:-1]]]
        if keys.size > m:
            keys = keys[np.sort(gen.choice(keys.size, size=m, replace=False))]
        return cls.from_edges(np.stack([keys // n, keys % n], axis=1), n)

    # properties -------------------------------------------------------------------------------

    @property
    def nnz(self) -> int:
        """Number of stored directed adjacency entries (twice the edge count if undirected)."""
        return int(self.indices.size)

    @property
    def out_degree(self) -> np.ndarray:
        """Out-degree of every node (the degree, for an undirected graph)."""
        return np.diff(self.indptr)

    @property
    def in_degree(self) -> np.ndarray:
        """In-degree of every node (the degree, for an undirected graph)."""
        if self._in_degree is None:
            self._in_degree = (
                self.out_degree if not self.directed else np.bincount(self.indices, minlength=self.n)
            )
        return self._in_degree

    def to_scipy(self) -> sp.csr_array:
        """Return the adjacency as a scipy.sparse CSR array (weights, or ones)."""
        data = np.ones(self.nnz) if self.weights is None else self.weights
        return sp.csr_array((data, self.indices, self.indptr), shape=(self.n, self.n))

    def index(self, labels: Iterable) -> np.ndarray:
        """Map node labels (as in :attr:`nodes`) to node indices."""
        if self._index is None:
            self._index = {label: i for i, label in enumerate(self.nodes)}
        try:
            return np.array([self._index[x] for x in labels], dtype=np.int64)
        except KeyError as exc:
            raise ValueError(f"node label {exc.args[0]!r} is not in the graph") from None

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"Network(n={self.n}, nnz={self.nnz}, {kind}, weighted={self.weights is not None})"


def as_network(graph: Any) -> Network:
    """Coerce a :class:`Network`, networkx graph, scipy.sparse matrix or ``(m, 2)`` edge list."""
    if isinstance(graph, Network):
        return graph
    if hasattr(graph, "adj") and hasattr(graph, "is_directed"):
        return Network.from_networkx(graph)
    if sp.issparse(graph):
        return Network(graph)
    arr = np.asarray(graph)
    if arr.ndim == 2 and arr.shape[1] == 2 and arr.shape[0] != 2 and np.issubdtype(arr.dtype, np.integer):
        return Network.from_edges(arr)
    if arr.size == 0:
        raise ValueError("graph is empty: it has no nodes")
    return Network(arr)


def random_seeds(net: Network, k: int, rng: RngLike) -> np.ndarray:
    """Draw ``k`` distinct seed nodes uniformly at random."""
    net = as_network(net)
    if not (1 <= k <= net.n):
        raise ValueError(f"k must be between 1 and the number of nodes ({net.n}), got {k}")
    return np.sort(_as_rng(rng).choice(net.n, size=k, replace=False))


# --------------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ContagionResult:
    """One run: counts per state at each step, final node states and first-infection steps."""

    model: str
    states: tuple[str, ...]
    counts: np.ndarray  # (steps + 1, len(states)): counts[t, i] = nodes in states[i] at step t
    state: np.ndarray  # final state of each node, as an index into ``states``
    first_time: np.ndarray  # step at which each node was first infected / adopted; -1 if never
    final_size: int  # nodes ever infected / adopted, seeds included
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def t(self) -> np.ndarray:
        """The steps ``0 .. T``."""
        return np.arange(self.counts.shape[0])

    @property
    def steps(self) -> int:
        """Number of steps simulated (``T``)."""
        return self.counts.shape[0] - 1

    @property
    def final_counts(self) -> dict[str, int]:
        """Nodes in each state at the last step."""
        return {s: int(c) for s, c in zip(self.states, self.counts[-1])}

    def __getitem__(self, state: str) -> np.ndarray:
        """Counts of ``state`` at every step, e.g. ``result["I"]``."""
        try:
            return self.counts[:, self.states.index(state)]
        except ValueError:
            raise KeyError(f"state {state!r} is not one of {self.states}") from None

    def nodes_in(self, state: str) -> np.ndarray:
        """Indices of the nodes in ``state`` at the last step."""
        if state not in self.states:
            raise KeyError(f"state {state!r} is not one of {self.states}")
        return np.flatnonzero(self.state == self.states.index(state))


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _as_rng(rng: RngLike) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.RandomState):
        raise TypeError("rng must be a numpy.random.Generator or an integer seed, not a RandomState")
    return np.random.default_rng(rng)


def _probability(name: str, value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}") from None
    if not (0.0 <= x <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return x


def _edge_probability(name: str, value: Any, net: Network) -> float | np.ndarray:
    """A scalar probability, or one per stored adjacency entry (aligned with ``net.indices``)."""
    if np.ndim(value) == 0:
        return _probability(name, value)
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (net.nnz,):
        raise ValueError(f"{name} must be a scalar or one probability per adjacency entry "
                         f"({net.nnz}), got shape {arr.shape}")
    if arr.size and not (np.all(arr >= 0) and np.all(arr <= 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1] (found values outside, or NaN)")
    return arr


def _seeds(net: Network, seeds: Any, name: str = "seeds") -> np.ndarray:
    arr = np.atleast_1d(np.asarray(seeds))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a node index or a 1-D sequence of node indices")
    if arr.size == 0:
        return _EMPTY.copy()
    if not np.issubdtype(arr.dtype, np.integer):
        if arr.dtype == bool:
            raise ValueError(f"{name} must hold node indices, not booleans")
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.mod(arr, 1) == 0):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"{name} must hold integer node indices, got {arr.dtype}")
    if arr.min() < 0 or arr.max() >= net.n:
        bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
        raise ValueError(f"{name}: node index {bad} is out of range for a graph of n = {net.n} nodes")
    return np.unique(arr.astype(np.int64))


def _nonempty_seeds(net: Network, seeds: Any) -> np.ndarray:
    s = _seeds(net, seeds)
    if s.size == 0:
        raise ValueError("seeds must name at least one node")
    return s


def _tmax(tmax: Any, default: float) -> float:
    if tmax is None:
        return default
    try:
        x = float(tmax)
    except (TypeError, ValueError):
        raise ValueError(f"tmax must be a non-negative number of steps, got {tmax!r}") from None
    if not (x >= 0):
        raise ValueError(f"tmax must be a non-negative number of steps, got {tmax!r}")
    return x


# --------------------------------------------------------------------------------------------------
# Shared spreading step.  One step is planned in Python (including every random draw), then carried
# out either by a numba kernel or by pure numpy; both consume the same draws in the same way and give
# the same nodes in the same (sorted) order, so a seed gives the same run with or without numba.
# --------------------------------------------------------------------------------------------------

try:  # numba is optional: without it the pure-numpy path runs (same results, slower)
    import numba
except ImportError:  # pragma: no cover - exercised only where numba is missing
    numba = None

#: Use the numba kernels when numba is installed; set to False to force the pure-numpy path.
USE_NUMBA: bool = numba is not None


@dataclass
class _Plan:
    """A frontier's out-edges (numbered 0 .. total - 1 in source order) and the draws deciding which fire."""

    sources: np.ndarray
    total: int  # number of out-edges of the sources
    rate: float  # > 0: one probability p for all edges, skip by Geometric(p) gaps, rate = -log(1 - p)
    draws: np.ndarray  # Exp(1) variates (skipping) or one uniform per edge (per-edge probabilities)
    eprob: np.ndarray  # per-adjacency-entry probabilities, or empty
    batch: int = 0  # size of one batch of Exp(1) draws


def _plan(net: Network, sources: np.ndarray, prob: float | np.ndarray, rng: np.random.Generator) -> _Plan | None:
    """Draw what one spreading step from ``sources`` needs; None if no edge can fire."""
    if sources.size == 0 or (isinstance(prob, float) and prob <= 0.0):
        return None
    if USE_NUMBA:
        total = int(_out_total_nb(net.indptr, sources))
    else:
        total = int((net.indptr[sources + 1] - net.indptr[sources]).sum())
    if total == 0:
        return None
    if isinstance(prob, float):
        if prob >= 1.0:
            return _Plan(sources, total, 0.0, _NO_DRAWS, _NO_DRAWS)
        mean = total * prob
        batch = int(mean + 6.0 * math.sqrt(mean * (1.0 - prob)) + 16)
        return _Plan(sources, total, -math.log1p(-prob), rng.standard_exponential(batch), _NO_DRAWS, batch)
    return _Plan(sources, total, 0.0, rng.random(total), prob)


def _extend(plan: _Plan, rng: np.random.Generator) -> None:
    """Add a batch of gaps after a (6-sigma rare) shortfall: the gaps drawn did not cover the edges."""
    plan.draws = np.concatenate([plan.draws, rng.standard_exponential(plan.batch)])


def _fired_np(net: Network, plan: _Plan) -> np.ndarray | None:
    """Targets of the edges that fire, in edge order, with repeats (None on a shortfall of gaps)."""
    starts = net.indptr[plan.sources]
    deg = net.indptr[plan.sources + 1] - starts
    ends = np.cumsum(deg)
    offset = starts - (ends - deg)  # edge number -> adjacency entry
    if plan.rate > 0.0:
        # successes of Bernoulli(p) trials are separated by Geometric(p) gaps: gap = 1 + floor(E / rate)
        gaps = np.minimum(plan.draws / plan.rate, float(plan.total))
        pos = np.cumsum(gaps.astype(np.int64) + 1) - 1
        if pos[-1] < plan.total:
            return None
        pos = pos[: np.searchsorted(pos, plan.total)]
        entry = offset[np.repeat(np.arange(ends.size), np.diff(np.searchsorted(pos, ends), prepend=0))] + pos
    else:
        entry = np.repeat(offset, deg) + np.arange(plan.total)
        if plan.eprob.size:
            entry = entry[plan.draws < plan.eprob[entry]]
    return net.indices[entry]


def _fire(net: Network, sources: np.ndarray, prob: float | np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Targets of the out-edges of ``sources`` that fire, each independently (repeats kept)."""
    plan = _plan(net, sources, prob, rng)
    if plan is None:
        return _EMPTY
    while (hit := _fired_np(net, plan)) is None:
        _extend(plan, rng)
    return hit


def _spread(net: Network, sources: np.ndarray, prob: float | np.ndarray, rng: np.random.Generator,
            state: np.ndarray) -> np.ndarray:
    """Distinct nodes in state 0 (susceptible) hit by the firing out-edges of ``sources``, sorted.

    The result is the next frontier; keeping it sorted keeps the next step's reads of ``indptr``
    and ``indices`` in increasing order, and makes the numba and numpy paths agree exactly.
    """
    plan = _plan(net, sources, prob, rng)
    if plan is None:
        return _EMPTY
    while True:
        if USE_NUMBA:
            new, ok = _spread_nb(net.indptr, net.indices, sources, plan.total, plan.rate, plan.draws,
                                 plan.eprob, state)
            if ok:
                return new
        else:
            hit = _fired_np(net, plan)
            if hit is not None:
                hit = np.sort(hit[state[hit] == 0])
                return hit[np.r_[True, hit[1:] != hit[:-1]]] if hit.size > 1 else hit
        _extend(plan, rng)


def _out_total_py(indptr, sources):
    """Number of out-edges of ``sources`` (compiled with numba when available)."""
    total = 0
    for u in sources:
        total += indptr[u + 1] - indptr[u]
    return total


def _spread_py(indptr, indices, sources, total, rate, draws, eprob, state):
    """The kernel of :func:`_spread` (plain Python, compiled with numba when available).

    Three passes: list the adjacency entries that fire; read their targets and mark the
    susceptible ones by setting their state to -1 (branch-free, so that the random reads overlap);
    collect the marked nodes in increasing order (sorting if few, else one scan of ``state``) and
    restore their state to 0.
    """
    entry = np.empty(draws.size if rate > 0.0 else total, dtype=np.int64)
    m = 0
    ok = True
    if rate > 0.0:  # skip along the frontier's edges by Geometric gaps
        ok = False
        f = 0
        start = indptr[sources[0]]
        deg = indptr[sources[0] + 1] - start
        base = 0  # edge number of the first edge of source f
        pos = -1
        for j in range(draws.size):
            x = draws[j] / rate
            if x >= total:
                ok = True
                break
            pos += np.int64(x) + 1
            if pos >= total:
                ok = True
                break
            while pos >= base + deg:
                base += deg
                f += 1
                start = indptr[sources[f]]
                deg = indptr[sources[f] + 1] - start
            entry[m] = start + pos - base
            m += 1
    else:
        k = 0
        for u in sources:
            for e in range(indptr[u], indptr[u + 1]):
                if eprob.size == 0 or draws[k] < eprob[e]:
                    entry[m] = e
                    m += 1
                k += 1
    new = np.empty(m, dtype=np.int64)
    cnt = 0
    for i in range(m):
        v = indices[entry[i]]
        s = state[v]
        hit = s == 0
        state[v] = s - hit
        new[cnt] = v
        cnt += hit
    new = new[:cnt]
    if cnt * 512 < state.size:  # sorting a few keys beats scanning every node (~40 ns a key)
        new.sort()
        for i in range(cnt):
            state[new[i]] = 0
    else:
        i = 0
        for v in range(state.size):
            if state[v] == -1:
                state[v] = 0
                new[i] = v
                i += 1
    return new, ok


if numba is not None:
    _out_total_nb = numba.njit(cache=True, nogil=True)(_out_total_py)
    _spread_nb = numba.njit(cache=True, nogil=True)(_spread_py)
else:  # pragma: no cover
    _out_total_nb, _spread_nb = _out_total_py, _spread_py


def _finish(model: str, states: tuple[str, ...], rows: list[np.ndarray], state: np.ndarray,
            first: np.ndarray, ever: int, extra: dict | None = None) -> ContagionResult:
    return ContagionResult(model, states, np.vstack(rows), state, first, ever, extra or {})


# --------------------------------------------------------------------------------------------------
# Compartmental engine: S -> stage 1 -> ... -> stage k -> S (a stage with leave probability 0 absorbs)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stage:
    name: str
    leave: float  # per-step probability of moving on to the next stage
    infectious: bool = False


def _compartmental(
    model: str,
    net: Network,
    seeds: np.ndarray,
    beta: float | np.ndarray,
    stages: tuple[_Stage, ...],
    rng: np.random.Generator,
    *,
    tmax: float,
    seed_stage: int,
    recovered: np.ndarray = _EMPTY,
) -> ContagionResult:
    """Run S -> stages[0] -> ... -> stages[-1] -> S, infection by the one infectious stage."""
    n, k = net.n, len(stages)
    states = ("S", *(s.name for s in stages))
    inf_code = 1 + next(i for i, s in enumerate(stages) if s.infectious)
    state = np.zeros(n, dtype=np.int8)
    first = np.full(n, -1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    count = np.zeros(k + 1, dtype=np.int64)
    count[0] = n
    buckets: list[dict[int, list[np.ndarray]]] = [{} for _ in stages]

    def enter(code: int, nodes: np.ndarray, t: int) -> None:
        """Move ``nodes`` (all currently in S or in stage code-1) into stage ``code`` at step ``t``."""
        state[nodes] = code
        if code == 0:
            return
        q = stages[code - 1].leave
        if q <= 0.0 or nodes.size == 0:
            return
        bucket = buckets[code - 1]
        if q >= 1.0:
            if t + 1 <= tmax:
                bucket.setdefault(t + 1, []).append(nodes)
            return
        times = t + rng.geometric(q, size=nodes.size)
        keep = times <= tmax
        times, nodes = times[keep], nodes[keep]
        if times.size == 0:
            return
        order = np.argsort(times, kind="stable")
        times, nodes = times[order], nodes[order]
        cuts = np.flatnonzero(np.diff(times)) + 1
        for when, chunk in zip(times[np.r_[0, cuts]].tolist(), np.split(nodes, cuts)):
            bucket.setdefault(when, []).append(chunk)

    def move(code_from: int, code_to: int, nodes: np.ndarray, t: int) -> None:
        count[code_from] -= nodes.size
        count[code_to] += nodes.size
        enter(code_to, nodes, t)

    if recovered.size:
        if np.intersect1d(recovered, seeds).size:
            raise ValueError("recovered and seeds must not share nodes")
        move(0, k, recovered, 0)
    move(0, 1 + seed_stage, seeds, 0)
    first[seeds] = 0
    ever = int(seeds.size)
    infectious = seeds if 1 + seed_stage == inf_code else _EMPTY
    rows = [count.copy()]
    reinfect = stages[-1].leave > 0.0  # can a node return to S and be infected again?
    t = 0
    # a run goes on while some node is in a stage at or before the infectious one (E, I)
    while t < tmax and count[1 : inf_code + 1].sum() > 0:
        new = _spread(net, infectious, beta, rng, state)
        leaving = [
            np.concatenate(b.pop(t + 1)) if (t + 1) in b else _EMPTY for b in buckets
        ]
        t += 1
        for i in range(k - 1, -1, -1):  # stage i + 1 -> stage i + 2, the last stage -> S
            if leaving[i].size:
                move(i + 1, (i + 2) % (k + 1), leaving[i], t)
        move(0, 1, new, t)
        fresh = new[first[new] < 0] if reinfect else new
        first[fresh] = t
        ever += int(fresh.size)
        entered = new if inf_code == 1 else leaving[inf_code - 2]
        if stages[inf_code - 1].leave < 1.0:
            entered = np.concatenate([infectious[state[infectious] == inf_code], entered])
        infectious = entered
        rows.append(count.copy())
    return _finish(model, states, rows, state, first, ever)


def independent_cascade(net: Any, seeds: Any, p: Any, rng: RngLike, *, tmax: float | None = None) -> ContagionResult:
    """Independent cascade: each newly active node gets one chance to activate each inactive out-neighbour.

    Semantics (Kempe, Kleinberg & Tardos 2003; NDlib's ``IndependentCascadesModel``): at step 0 the
    ``seeds`` are active (state ``"I"``).  At each step every node that became active at the previous
    step tries once, independently with probability ``p`` (a scalar, or one probability per adjacency
    entry aligned with ``net.indices``, e.g. ``net.weights``), to activate each out-neighbour that is
    still inactive (``"S"``); nodes activated by several neighbours count once.  After its one try a
    node stays activated but spent (``"R"``).  The run stops when no node is newly active (or at
    ``tmax``).  ``final_size`` is the number of nodes ever activated, seeds included.
    """
    net = as_network(net)
    prob = _edge_probability("p", p, net)
    stages = (_Stage("I", 1.0, infectious=True), _Stage("R", 0.0))
    return _compartmental("independent_cascade", net, _nonempty_seeds(net, seeds), prob, stages,
                          _as_rng(rng), tmax=_tmax(tmax, math.inf), seed_stage=0)


def discrete_sir(
    net: Any,
    seeds: Any,
    p: float,
    rng: RngLike,
    *,
    gamma: float = 1.0,
    recovered: Any = None,
    tmax: float | None = None,
) -> ContagionResult:
    """Discrete-time SIR; with ``gamma = 1`` the model of EoN's ``basic_discrete_SIR``.

    Semantics: at step 0 the ``seeds`` are infected (``"I"``), the optional ``recovered`` nodes are
    immune (``"R"``) and every other node is susceptible (``"S"``).  From step ``t`` to ``t + 1`` each
    node infected at ``t`` transmits to each susceptible out-neighbour independently with probability
    ``p`` (a susceptible node with ``m`` infected neighbours is infected with probability
    ``1 - (1 - p)**m``), and recovers with probability ``gamma``, independently; nodes infected at this
    step are infected at ``t + 1``.  With ``gamma = 1`` every node is infectious for exactly one step,
    as in EoN (Kiss, Miller & Simon, fig. 6.8), which makes the model the same as the independent
    cascade.  The run stops when no node is infected (or at ``tmax``); ``final_size`` counts every
    node ever infected, seeds included (EoN's final ``R``).
    """
    net = as_network(net)
    beta = _probability("p", p)
    g = _probability("gamma", gamma)
    if g == 0.0:
        raise ValueError("gamma must be > 0 (with gamma = 0 nobody ever recovers); use sis() instead")
    rec = _seeds(net, [] if recovered is None else recovered, "recovered")
    stages = (_Stage("I", g, infectious=True), _Stage("R", 0.0))
    return _compartmental("discrete_sir", net, _nonempty_seeds(net, seeds), beta, stages, _as_rng(rng),
                          tmax=_tmax(tmax, math.inf), seed_stage=0, recovered=rec)


def sis(
    net: Any, seeds: Any, p: float, rng: RngLike, *, gamma: float = 1.0, tmax: float | None = 100
) -> ContagionResult:
    """Discrete-time SIS; with ``gamma = 1`` the model of EoN's ``basic_discrete_SIS``.

    Semantics: as :func:`discrete_sir`, except that a node that recovers (probability ``gamma`` per
    step, so ``gamma = 1`` means infected for exactly one step) is susceptible again at the next
    step, and can be reinfected from the step after.  Runs until no node is infected or ``tmax``
    steps (default 100, as EoN).  ``final_size`` counts nodes ever infected; the counts give prevalence.
    """
    net = as_network(net)
    beta = _probability("p", p)
    stages = (_Stage("I", _probability("gamma", gamma), infectious=True),)
    return _compartmental("sis", net, _nonempty_seeds(net, seeds), beta, stages, _as_rng(rng),
                          tmax=_tmax(tmax, 100.0), seed_stage=0)


def seirs(
    net: Any,
    seeds: Any,
    p: float,
    rng: RngLike,
    *,
    sigma: float = 1.0,
    gamma: float = 1.0,
    omega: float = 0.1,
    recovered: Any = None,
    tmax: float | None = 100,
) -> ContagionResult:
    """Discrete-time SEIRS: exposed -> infectious -> recovered -> susceptible again (waning, "fatigue").

    Semantics: at step 0 the ``seeds`` are infectious (``"I"``), the optional ``recovered`` nodes are
    ``"R"``, all others ``"S"``.  From step ``t`` to ``t + 1``, using the states at ``t`` only: each
    infectious node exposes each susceptible out-neighbour independently with probability ``p``
    (S -> E); each exposed node becomes infectious with probability ``sigma`` (E -> I); each
    infectious node recovers with probability ``gamma`` (I -> R); each recovered node loses its
    immunity with probability ``omega`` (R -> S: fatigue wears off and the node can be reached again).
    So the stays in E, I and R are Geometric(``sigma``), Geometric(``gamma``) and Geometric(``omega``)
    steps (at least one).  ``omega = 0`` gives SEIR.  The run stops when no node is exposed or
    infectious, or at ``tmax`` (default 100).  ``final_size`` counts nodes ever exposed, seeds included.
    """
    net = as_network(net)
    beta = _probability("p", p)
    s, g, w = _probability("sigma", sigma), _probability("gamma", gamma), _probability("omega", omega)
    if s == 0.0:
        raise ValueError("sigma must be > 0 (with sigma = 0 exposed nodes never become infectious)")
    rec = _seeds(net, [] if recovered is None else recovered, "recovered")
    stages = (_Stage("E", s), _Stage("I", g, infectious=True), _Stage("R", w))
    return _compartmental("seirs", net, _nonempty_seeds(net, seeds), beta, stages, _as_rng(rng),
                          tmax=_tmax(tmax, 100.0), seed_stage=1, recovered=rec)


# --------------------------------------------------------------------------------------------------
# Adoption models (states S = not adopted, A = adopted), driven by the newly adopted frontier
# --------------------------------------------------------------------------------------------------


def _adoption(
    model: str,
    net: Network,
    seeds: np.ndarray,
    contact: float,
    rng: np.random.Generator,
    tmax: float,
    decide: Callable[[np.ndarray, np.ndarray], np.ndarray],
    exposures: np.ndarray,
) -> ContagionResult:
    """Frontier loop shared by the adoption models; ``decide(nodes, new_exposures)`` picks adopters."""
    n = net.n
    state = np.zeros(n, dtype=np.int8)
    first = np.full(n, -1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    state[seeds] = 1
    first[seeds] = 0
    adopted = int(seeds.size)
    rows = [np.array([n - adopted, adopted])]
    frontier, t = seeds, 0
    while frontier.size and t < tmax:
        hit = _fire(net, frontier, contact, rng)
        nodes, m = np.unique(hit[state[hit] == 0], return_counts=True)
        frontier = nodes[decide(nodes, m)] if nodes.size else _EMPTY
        exposures[nodes] += m
        if frontier.size == 0:  # a step without adopters ends the run and is not recorded
            break
        t += 1
        state[frontier] = 1
        first[frontier] = t
        adopted += int(frontier.size)
        rows.append(np.array([n - adopted, adopted]))
    return _finish(model, ("S", "A"), rows, state, first, adopted, {"exposures": exposures})


def threshold(
    net: Any, seeds: Any, theta: Any, *, kind: str = "fraction", tmax: float | None = None
) -> ContagionResult:
    """Deterministic threshold (complex) contagion: adopt once enough in-neighbours have adopted.

    Semantics (Watts 2002 for ``kind="fraction"``; Centola & Macy 2007 for ``kind="count"``): at step
    0 the ``seeds`` have adopted (``"A"``), all other nodes have not (``"S"``).  A node that has not
    adopted adopts at step ``t + 1`` if, at step ``t``, the number ``a`` of its in-neighbours that have
    adopted satisfies ``a >= theta * in_degree`` (``kind="fraction"``, ``0 < theta <= 1``) or
    ``a >= theta`` (``kind="count"``, ``theta >= 1``).  ``theta`` is a scalar or one value per node
    (heterogeneous thresholds, e.g. drawn by the caller).  Edges are unweighted here; a node without
    in-neighbours never adopts unless seeded.  Adoption is permanent; the run stops when a step adds
    no adopter (or at ``tmax``).  ``extra["exposures"]`` holds ``a`` at the end.
    """
    net = as_network(net)
    if kind not in ("fraction", "count"):
        raise ValueError(f"kind must be 'fraction' or 'count', got {kind!r}")
    th = np.asarray(theta, dtype=np.float64)
    if th.ndim not in (0, 1) or (th.ndim == 1 and th.shape != (net.n,)):
        raise ValueError(f"theta must be a scalar or one threshold per node ({net.n}), got shape {th.shape}")
    if kind == "fraction":
        if not np.all((th > 0) & (th <= 1)):
            raise ValueError(f"theta (fractional threshold) must be in (0, 1], got {_describe(th)}")
        need = np.ceil(th * net.in_degree - 1e-9)
    else:
        if not np.all(th >= 1) or not np.all(np.isfinite(th)):
            raise ValueError(f"theta (absolute threshold) must be a finite count >= 1, got {_describe(th)}")
        need = np.ceil(th - 1e-9)
    need = np.broadcast_to(need, (net.n,))
    exposures = np.zeros(net.n, dtype=np.int64)

    def decide(nodes: np.ndarray, m: np.ndarray) -> np.ndarray:
        return exposures[nodes] + m >= need[nodes]

    return _adoption("threshold", net, _nonempty_seeds(net, seeds), 1.0, _as_rng(0),
                     _tmax(tmax, math.inf), decide, exposures)


def fatigue_hump(k: Any, p_peak: float, k_peak: float, shape: float = 1.0) -> np.ndarray:
    """Per-exposure adoption probability ``p_peak * ((k / k_peak) * exp(1 - k / k_peak)) ** shape``.

    It is 0 at ``k = 0``, rises to its maximum ``p_peak`` at ``k = k_peak`` exposures and then falls
    towards 0 (fatigue); ``shape`` sharpens (> 1) or flattens (< 1) the hump.
    """
    pk = _probability("p_peak", p_peak)
    if not (k_peak > 0 and math.isfinite(k_peak)):
        raise ValueError(f"k_peak must be a positive number of exposures, got {k_peak!r}")
    if not (shape > 0 and math.isfinite(shape)):
        raise ValueError(f"shape must be positive, got {shape!r}")
    x = np.asarray(k, dtype=np.float64) / k_peak
    if np.any(x < 0):
        raise ValueError("k (number of exposures) must be >= 0")
    return pk * (x * np.exp(1.0 - x)) ** shape


def exposure_fatigue(
    net: Any,
    seeds: Any,
    p_k: Callable[[np.ndarray], Any] | Any,
    rng: RngLike,
    *,
    contact: float = 1.0,
    tmax: float | None = None,
) -> ContagionResult:
    """Exposure-dependent adoption with fatigue: the ``k``-th exposure converts with probability ``p(k)``.

    Semantics: at step 0 the ``seeds`` have adopted (``"A"``).  A node shares once, at the step after
    it adopts (like an independent cascade): each of its out-neighbours that has not adopted sees the
    share (one exposure) independently with probability ``contact``.  A node's exposures accumulate
    over the run; its ``j``-th exposure converts it independently with probability ``p(j)``, so a node
    with ``k`` earlier exposures that receives ``m`` at this step adopts at ``t + 1`` with probability
    ``1 - prod_{j=k+1}^{k+m} (1 - p(j))``.  ``p_k`` is a function of the exposure count ``j = 1, 2, ...``
    (vectorised, e.g. ``lambda j: fatigue_hump(j, 0.3, 2)``: rises, then falls) or a sequence with
    ``p_k[j - 1] = p(j)`` whose last value is used for larger ``j``.  Adoption is permanent; the run
    stops when a step adds no adopter (or at ``tmax``).  ``extra["exposures"]`` holds the counts.
    """
    net = as_network(net)
    c = _probability("contact", contact)
    kmax = int(net.in_degree.max()) if net.n else 0  # a node is exposed at most once per in-neighbour
    j = np.arange(1, kmax + 1, dtype=np.float64)
    if callable(p_k):
        table = np.asarray(p_k(j), dtype=np.float64)
        if table.shape != j.shape:
            raise ValueError(f"p_k must map an array of exposure counts to an array of the same shape, "
                             f"got shape {table.shape} for {j.shape}")
    else:
        given = np.atleast_1d(np.asarray(p_k, dtype=np.float64))
        if given.ndim != 1 or given.size == 0:
            raise ValueError("p_k must be a callable or a non-empty 1-D sequence of probabilities")
        if not np.all((given >= 0) & (given <= 1)):
            raise ValueError(f"p_k must hold probabilities in [0, 1], got {_describe(given)}")
        table = given[np.minimum(np.arange(kmax), given.size - 1)]
    if table.size and not np.all((table >= 0) & (table <= 1)):
        raise ValueError(f"p_k must give probabilities in [0, 1], got {_describe(table)}")
    with np.errstate(divide="ignore"):
        log_stay = np.concatenate([[0.0], np.cumsum(np.log1p(-table))])  # log P(no adoption in j exposures)
    exposures = np.zeros(net.n, dtype=np.int64)
    gen = _as_rng(rng)

    def decide(nodes: np.ndarray, m: np.ndarray) -> np.ndarray:
        k = exposures[nodes]
        with np.errstate(invalid="ignore"):
            stay = np.exp(log_stay[k + m] - log_stay[k])
        return gen.random(nodes.size) >= np.nan_to_num(stay, nan=0.0)

    return _adoption("exposure_fatigue", net, _nonempty_seeds(net, seeds), c, gen,
                     _tmax(tmax, math.inf), decide, exposures)


def _describe(arr: np.ndarray) -> str:
    if arr.ndim == 0:
        return repr(float(arr))
    return f"values from {np.nanmin(arr)!r} to {np.nanmax(arr)!r}" + (" and NaN" if np.isnan(arr).any() else "")
