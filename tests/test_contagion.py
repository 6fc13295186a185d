"""Tests of the contagion engine: peer equivalence with EoN and NDlib, unit behaviour, bad input."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path
from scipy.stats import ks_2samp

from infoflow import contagion as C
from infoflow.contagion import (
    Network,
    discrete_sir,
    exposure_fatigue,
    fatigue_hump,
    independent_cascade,
    seirs,
    sis,
    threshold,
)

RUNS = 300  # simulations per sample in the peer tests (the brief asks for at least 200)


# --------------------------------------------------------------------------------------------------
# Peer equivalence
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def er_graph() -> nx.Graph:
    """A seeded Erdős–Rényi graph, mean degree 5: per-edge p near 1/5 is close to the epidemic threshold."""
    return nx.fast_gnp_random_graph(300, 5 / 299, seed=7)


def _ours_sir_sizes(graph: nx.Graph, p: float, seed: int) -> np.ndarray:
    net = Network.from_networkx(graph)
    rng = np.random.default_rng(seed)
    return np.array([discrete_sir(net, [0, 1], p, rng).final_size for _ in range(RUNS)])


def _eon_sir_sizes(graph: nx.Graph, p: float, seed: int) -> np.ndarray:
    eon = pytest.importorskip("EoN")
    rng = np.random.default_rng(seed)
    return np.array([eon.basic_discrete_SIR(graph, p, initial_infecteds=[0, 1], rng=rng)[3][-1]
                     for _ in range(RUNS)])


def test_discrete_sir_final_size_matches_eon(er_graph: nx.Graph) -> None:
    """Final-size distributions of our discrete SIR and EoN's basic_discrete_SIR agree (KS test)."""
    ours = _ours_sir_sizes(er_graph, 0.25, seed=1)
    eon = _eon_sir_sizes(er_graph, 0.25, seed=2)
    assert ours.std() > 10 and eon.std() > 10  # near the threshold: sizes really vary
    res = ks_2samp(ours, eon)
    print(f"discrete SIR vs EoN: KS D={res.statistic:.3f} p={res.pvalue:.3f}")
    assert res.pvalue > 0.01
    # the test has power: a 30% higher transmission probability is rejected
    wrong = _ours_sir_sizes(er_graph, 0.325, seed=3)
    assert ks_2samp(wrong, eon).pvalue < 1e-3


def _ndlib_ic_sizes(graph: nx.DiGraph, seeds: list[int], seed: int) -> np.ndarray:
    pytest.importorskip("six")
    ep = pytest.importorskip("ndlib.models.epidemics")
    mc = pytest.importorskip("ndlib.models.ModelConfig")
    model = ep.IndependentCascadesModel(graph, seed=seed)  # seeds numpy's global stream once
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    for u, v, prob in graph.edges(data="p"):
        config.add_edge_configuration("threshold", (u, v), prob)  # NDlib's per-edge probability
    model.set_initial_status(config)
    sizes = []
    for _ in range(RUNS):
        model.reset(seeds)
        while True:
            it = model.iteration(node_status=False)
            if it["iteration"] > 0 and it["node_count"][1] == 0:
                break
        sizes.append(it["node_count"][2])
    return np.array(sizes)


def test_independent_cascade_matches_ndlib() -> None:
    """Our IC with per-edge probabilities equals NDlib's IndependentCascadesModel on a directed graph."""
    graph = nx.gnp_random_graph(300, 5 / 299, seed=11, directed=True)
    rng = np.random.default_rng(12)
    for u, v in graph.edges:
        graph[u][v]["p"] = float(rng.uniform(0.1, 0.4))  # heterogeneous, mean 0.25
    seeds = [0, 1, 2]
    net = Network.from_networkx(graph, weight="p")
    assert net.directed and net.weights is not None
    gen = np.random.default_rng(13)
    ours = np.array([independent_cascade(net, seeds, net.weights, gen).final_size for _ in range(RUNS)])
    ndlib = _ndlib_ic_sizes(graph, seeds, seed=14)
    assert ours.std() > 5 and ndlib.std() > 5
    res = ks_2samp(ours, ndlib)
    print(f"IC vs NDlib: KS D={res.statistic:.3f} p={res.pvalue:.3f}")
    assert res.pvalue > 0.01
    wrong = np.array([independent_cascade(net, seeds, np.minimum(1.3 * net.weights, 1), gen).final_size
                      for _ in range(RUNS)])
    assert ks_2samp(wrong, ndlib).pvalue < 1e-3


def test_sis_prevalence_matches_eon(er_graph: nx.Graph) -> None:
    """SIS with gamma = 1 matches EoN's basic_discrete_SIS in prevalence after 15 steps."""
    eon = pytest.importorskip("EoN")
    net = Network.from_networkx(er_graph)
    rng = np.random.default_rng(21)
    ours = np.array([sis(net, [0, 1, 2], 0.3, rng, tmax=15)["I"][-1] for _ in range(200)])
    rng2 = np.random.default_rng(22)
    theirs = []
    for _ in range(200):
        t, _s, i = eon.basic_discrete_SIS(er_graph, 0.3, initial_infecteds=[0, 1, 2], tmax=15, rng=rng2)
        theirs.append(i[-1] if t[-1] == 15 else 0)
    res = ks_2samp(ours, np.array(theirs))
    print(f"SIS vs EoN: KS D={res.statistic:.3f} p={res.pvalue:.3f}")
    assert res.pvalue > 0.01


# --------------------------------------------------------------------------------------------------
# Engine behaviour
# --------------------------------------------------------------------------------------------------


def _all_models(net: Network, seed: int) -> list[C.ContagionResult]:
    w = np.random.default_rng(0).uniform(0, 0.5, net.nnz)
    return [
        independent_cascade(net, [0, 5], 0.3, seed),
        independent_cascade(net, [0, 5], w, seed),
        independent_cascade(net, [0, 5], 1.0, seed),
        discrete_sir(net, [0, 5], 0.3, seed, gamma=0.6, recovered=[7]),
        sis(net, [0, 5], 0.3, seed, gamma=0.4, tmax=30),
        seirs(net, [0, 5], 0.4, seed, sigma=0.5, gamma=0.5, omega=0.2, tmax=30),
        threshold(net, [0, 1, 2, 3, 4, 5], 0.3),
        threshold(net, [0, 1, 2, 3, 4, 5], 2, kind="count"),
        exposure_fatigue(net, [0, 5], lambda k: fatigue_hump(k, 0.5, 2), seed),
    ]


@pytest.fixture(scope="module")
def small_net() -> Network:
    return Network.erdos_renyi(400, 6, rng=3)


def test_seeded_runs_are_deterministic(small_net: Network) -> None:
    """Same seed, same run, for every model."""
    for a, b in zip(_all_models(small_net, 5), _all_models(small_net, 5)):
        assert a.model == b.model
        assert np.array_equal(a.counts, b.counts)
        assert np.array_equal(a.first_time, b.first_time)
        assert np.array_equal(a.state, b.state)
    assert not np.array_equal(discrete_sir(small_net, [0], 0.3, 1).first_time,
                              discrete_sir(small_net, [0], 0.3, 2).first_time)


def test_node_counts_are_conserved(small_net: Network) -> None:
    """At every step the states partition the nodes; the final row matches the final node states."""
    for res in _all_models(small_net, 9):
        assert np.all(res.counts.sum(axis=1) == small_net.n), res.model
        assert np.all(res.counts >= 0)
        assert np.array_equal(np.bincount(res.state, minlength=len(res.states)), res.counts[-1])
        assert res.final_size == int((res.first_time >= 0).sum())
        assert res.first_time.max() <= res.steps


@pytest.mark.skipif(C.numba is None, reason="numba not installed")
def test_numba_and_numpy_paths_agree(small_net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    """The numba kernel and the pure-numpy fallback give identical runs from the same seed."""
    fast = _all_models(small_net, 17)
    monkeypatch.setattr(C, "USE_NUMBA", False)
    slow = _all_models(small_net, 17)
    for a, b in zip(fast, slow):
        assert np.array_equal(a.counts, b.counts), a.model
        assert np.array_equal(a.first_time, b.first_time), a.model


def test_sir_is_the_independent_cascade_and_ends_with_no_infected(small_net: Network) -> None:
    """With gamma = 1 the discrete SIR is the independent cascade, step by step, from the same seed."""
    a = discrete_sir(small_net, [1, 2], 0.25, 4)
    b = independent_cascade(small_net, [1, 2], 0.25, 4)
    assert np.array_equal(a.counts, b.counts)
    assert a["I"][-1] == 0 and a.final_size == a["R"][-1]
    assert a.first_time[1] == 0 and a.counts[0].tolist() == [small_net.n - 2, 2, 0]


def test_tmax_and_p_edge_cases(small_net: Network) -> None:
    """p = 0 infects nobody; p = 1 reaches the whole component, in BFS order; tmax stops the run."""
    assert discrete_sir(small_net, [0], 0.0, 1).final_size == 1
    full = independent_cascade(small_net, [0], 1.0, 1)
    dist = shortest_path(small_net.to_scipy(), unweighted=True, indices=0)
    reach = np.isfinite(dist)
    assert full.final_size == reach.sum()
    assert np.array_equal(full.first_time[reach], dist[reach].astype(int))
    short = independent_cascade(small_net, [0], 1.0, 1, tmax=2)
    assert short.steps == 2 and short.final_size == int((dist <= 2).sum())


def test_threshold_on_a_hand_checkable_graph() -> None:
    """Fractional and absolute thresholds on small graphs, worked out by hand."""
    path = Network.from_edges([(0, 1), (1, 2), (2, 3)])
    # fraction 1/2: node 1 has 1 of 2 neighbours adopted -> adopts at 1; then 2 at 2; 3 (degree 1) at 3
    res = threshold(path, [0], 0.5)
    assert res.first_time.tolist() == [0, 1, 2, 3]
    assert res["A"].tolist() == [1, 2, 3, 4]
    # fraction 0.6: 1 of 2 is not enough; nothing spreads
    assert threshold(path, [0], 0.6).first_time.tolist() == [0, -1, -1, -1]
    # absolute threshold 2: node 2 has seeds 0 and 1 as neighbours -> adopts; 4 then sees 1 and 2;
    # node 3 only ever sees node 2 -> never adopts
    g = Network.from_edges([(0, 2), (1, 2), (2, 3), (1, 4), (2, 4)])
    res = threshold(g, [0, 1], 2, kind="count")
    assert res.first_time.tolist() == [0, 0, 1, -1, 2]
    assert res.extra["exposures"][3] == 1
    # per-node thresholds: node 3 needs only one adopted neighbour
    res = threshold(g, [0, 1], np.array([1, 1, 2, 1, 2]), kind="count")
    assert res.first_time.tolist() == [0, 0, 1, 2, 2]
    # direction: an edge 0 -> 1 exposes 1, never 0
    d = Network.from_edges([(0, 1), (2, 1)], directed=True)
    assert threshold(d, [1], 1, kind="count").final_size == 1
    assert threshold(d, [0], 0.5).first_time.tolist() == [0, 1, -1]


def test_seirs_waning_returns_nodes_to_susceptible() -> None:
    """With sigma = gamma = omega = 1 and p = 1 the SEIRS run on a path is deterministic: R -> S happens."""
    path = Network.from_edges([(0, 1), (1, 2)])
    res = seirs(path, [0], 1.0, 0, sigma=1, gamma=1, omega=1, tmax=6)
    order = "SEIR"
    seq = ["".join(order[c] for c in row) for row in _state_history(path, res)]
    assert seq == ["ISS", "RES", "SIS", "ERE", "ISI", "RER", "SIS"]
    assert res.counts[:, 0].tolist() == [2, 1, 2, 0, 1, 0, 2]  # S falls and rises again: waning
    # stochastic waning: with omega > 0 recovered nodes are reinfected, with omega = 0 they never are
    net = Network.erdos_renyi(300, 6, rng=1)
    wane = seirs(net, [0, 1, 2], 0.5, 3, sigma=0.7, gamma=0.5, omega=0.3, tmax=60)
    keep = seirs(net, [0, 1, 2], 0.5, 3, sigma=0.7, gamma=0.5, omega=0.0, tmax=60)
    assert wane["S"][-1] > keep["S"][-1]
    assert keep["S"][-1] == net.n - keep.final_size  # SEIR: nobody ever returns to S
    assert np.all(np.diff(keep["S"]) <= 0)
    assert np.any(np.diff(wane["S"]) > 0)


def _state_history(net: Network, res: C.ContagionResult) -> list[list[int]]:
    """Replay the SEIRS path example step by step (tmax = 0, 1, ...) to get each node's state."""
    return [list(seirs(net, [0], 1.0, 0, sigma=1, gamma=1, omega=1, tmax=t).state) for t in range(res.steps + 1)]


def test_fatigue_hump_rises_then_falls() -> None:
    """The hump is 0 at k = 0, peaks at k_peak with value p_peak, then falls towards 0."""
    k = np.arange(0, 30)
    h = fatigue_hump(k, 0.4, 3.0)
    assert h[0] == 0 and h.argmax() == 3 and h.max() == pytest.approx(0.4)
    assert np.all(np.diff(h[:4]) > 0) and np.all(np.diff(h[3:]) < 0) and h[-1] < 0.01
    sharp = fatigue_hump(k, 0.4, 3.0, shape=3)
    assert sharp.argmax() == 3 and sharp[10] < h[10]


def test_exposure_fatigue_adoption_probability() -> None:
    """Targets exposed to m simultaneous shares adopt with probability 1 - prod_{j<=m} (1 - p(j))."""
    copies = 3000

    def p(k: np.ndarray) -> np.ndarray:
        return fatigue_hump(k, 0.5, 2.0)

    for m in (1, 3, 8):
        # `copies` stars: m seed sharers all pointing at one target each
        src = np.arange(copies * m)
        dst = copies * m + np.repeat(np.arange(copies), m)
        net = Network.from_edges(np.stack([src, dst], 1), directed=True)
        res = exposure_fatigue(net, src, p, 99)
        rate = res.final_size - src.size
        expect = copies * (1 - np.prod(1 - p(np.arange(1, m + 1))))
        assert abs(rate - expect) < 4 * np.sqrt(expect * (1 - expect / copies)) + 1, (m, rate, expect)
        assert np.all(res.extra["exposures"][copies * m :] == m)
    # fatigue: the 8th exposure alone converts far less often than the 2nd (the hump falls)
    assert p(8.0) < p(2.0) / 4


def test_exposure_fatigue_exposures_accumulate_over_steps() -> None:
    """With p = [0, 1, 1, ...] only a node's second exposure converts it, even a step later."""
    # seeds a=0, c=1 both share to b=2 at step 1 (2 exposures -> adopts); t=3 has seen a at step 1
    # (1 exposure, no adoption) and b at step 2 (its 2nd exposure -> adopts at 2)
    g = Network.from_edges([(0, 2), (1, 2), (0, 3), (2, 3)], directed=True)
    res = exposure_fatigue(g, [0, 1], [0.0, 1.0], 0)
    assert res.first_time.tolist() == [0, 0, 1, 2]
    # with p = [1, 0]: a first exposure always converts; contact = 0 means nobody sees anything
    assert exposure_fatigue(g, [0, 1], [1.0, 0.0], 0).first_time.tolist() == [0, 0, 1, 1]
    assert exposure_fatigue(g, [0, 1], [1.0], 0, contact=0.0).final_size == 2


# --------------------------------------------------------------------------------------------------
# Networks and bad input
# --------------------------------------------------------------------------------------------------


def test_network_constructors_agree() -> None:
    """Edge list, scipy.sparse, dense and networkx inputs give the same CSR; self-loops are dropped."""
    edges = [(0, 1), (1, 2), (2, 0), (2, 3), (3, 3)]
    a = Network.from_edges(edges)
    g = nx.Graph(edges)
    b = Network.from_networkx(g)
    dense = np.zeros((4, 4))
    for u, v in edges:
        dense[u, v] = dense[v, u] = 1
    c = Network(sp.csr_matrix(dense))
    d = C.as_network(dense)
    for net in (b, c, d):
        assert np.array_equal(net.indptr, a.indptr) and np.array_equal(net.indices, a.indices)
    assert not a.directed and not c.directed and a.weights is None
    assert a.nnz == 8 and a.out_degree.tolist() == [2, 2, 3, 1]
    assert Network(sp.csr_array(np.triu(dense))).directed
    big = Network.erdos_renyi(2000, 8, rng=5)
    assert abs(big.nnz / 2000 - 8) < 0.5 and big.to_scipy().diagonal().sum() == 0
    assert (big.to_scipy() != big.to_scipy().T).nnz == 0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda n: discrete_sir(n, [0], 1.5, 0), r"\bp\b.*\[0, 1\]"),
        (lambda n: discrete_sir(n, [0], -0.1, 0), r"\bp\b.*\[0, 1\]"),
        (lambda n: discrete_sir(n, [0], float("nan"), 0), r"\bp\b.*\[0, 1\]"),
        (lambda n: independent_cascade(n, [0], np.full(3, 0.5), 0), r"\bp\b.*per adjacency entry"),
        (lambda n: independent_cascade(n, [0], np.full(n.nnz, 2.0), 0), r"\bp\b.*\[0, 1\]"),
        (lambda n: discrete_sir(n, [0], 0.2, 0, gamma=2), "gamma"),
        (lambda n: discrete_sir(n, [0], 0.2, 0, gamma=0), "gamma"),
        (lambda n: sis(n, [0], 0.2, 0, tmax=-1), "tmax"),
        (lambda n: seirs(n, [0], 0.2, 0, omega=1.2), "omega"),
        (lambda n: seirs(n, [0], 0.2, 0, sigma=0), "sigma"),
        (lambda n: discrete_sir(n, [10], 0.2, 0), r"seeds.*10.*out of range"),
        (lambda n: discrete_sir(n, [-1], 0.2, 0), r"seeds.*-1.*out of range"),
        (lambda n: discrete_sir(n, [], 0.2, 0), "seeds"),
        (lambda n: discrete_sir(n, [0.5], 0.2, 0), "seeds"),
        (lambda n: discrete_sir(n, [0], 0.2, 0, recovered=[0]), "recovered"),
        (lambda n: threshold(n, [0], 1.5), r"theta.*\(0, 1\]"),
        (lambda n: threshold(n, [0], 0.0), r"theta.*\(0, 1\]"),
        (lambda n: threshold(n, [0], 0.5, kind="count"), r"theta.*>= 1"),
        (lambda n: threshold(n, [0], np.ones(3)), "theta.*one threshold per node"),
        (lambda n: threshold(n, [0], 0.5, kind="share"), "kind"),
        (lambda n: exposure_fatigue(n, [0], [0.2, 1.4], 0), "p_k"),
        (lambda n: exposure_fatigue(n, [0], lambda k: k, 0), "p_k"),
        (lambda n: exposure_fatigue(n, [0], [0.2], 0, contact=3), "contact"),
        (lambda n: fatigue_hump(2, 0.5, -1), "k_peak"),
        (lambda n: fatigue_hump(2, 1.5, 2), "p_peak"),
        (lambda n: C.random_seeds(n, 11, 0), r"\bk\b"),
    ],
)
def test_bad_parameters_raise_value_errors_naming_them(call: Callable, match: str) -> None:
    """Each out-of-range parameter is a ValueError whose message names it."""
    net = Network.from_edges([(i, i + 1) for i in range(9)])  # a path of 10 nodes
    with pytest.raises(ValueError, match=match):
        call(net)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Network(sp.csr_array((0, 0))), "empty"),
        (lambda: Network.from_edges([]), "empty"),
        (lambda: Network.from_networkx(nx.Graph()), "empty"),
        (lambda: C.as_network(np.zeros((0, 0))), "empty"),
        (lambda: discrete_sir(nx.Graph(), [0], 0.2, 0), "empty"),
        (lambda: Network(sp.csr_array(np.ones((2, 3)))), "square"),
        (lambda: Network(sp.csr_array(np.array([[0, -1.0], [1, 0]]))), "negative"),
        (lambda: Network(np.array([[0, np.nan], [1, 0]])), "finite"),
        (lambda: Network.from_edges([(0, 1), (1, 5)], n=3), r"edges.*node 5"),
        (lambda: Network.from_edges([(0, -1)]), "edges"),
        (lambda: Network.from_edges([(0, 1, 2)]), "edges"),
        (lambda: Network.erdos_renyi(10, 12, 0), "mean_degree"),
    ],
)
def test_bad_graphs_raise_value_errors(make: Callable, match: str) -> None:
    """An empty, non-square, negatively weighted or inconsistent graph is a clear ValueError."""
    with pytest.raises(ValueError, match=match):
        make()
