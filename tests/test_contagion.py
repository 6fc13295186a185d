"""Tests of the contagion engine: peer equivalence with EoN and NDlib, unit behaviour, bad input.

Peer equivalence.  Each peer test runs our engine and a peer (EoN or NDlib) on one matched set-up and
compares whole time courses (the counts in each state at every step, per run), not only final sizes,
with a permutation test (:func:`_course_pvalue`).  Each test also runs, through our engine, deliberately
wrong variants (negative controls: misplaced edge probabilities, a time course read one step off, a 5%
parameter change, a wrong threshold) and asserts that the same statistic rejects them, so a test that
passes has shown that it could have failed.  The power of each control and the false-rejection rate of
the real engine were measured by repeating each trial (the ``_*_trial`` functions below) with 100
other seeds (1000 designs for the threshold model) in a scratch script; the numbers are in each
test's docstring, and the slow tests at the end of this section repeat a smaller version of that.  EoN and NDlib are pinned in
requirements.txt and imported directly: a missing peer is an error, never a skip.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from ndlib.models import ModelConfig
from ndlib.models import epidemics as ndlib_epidemics
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

with warnings.catch_warnings():  # EoN 2.0 imports the deprecated scipy.ndimage.interpolation namespace
    warnings.simplefilter("ignore", DeprecationWarning)
    import EoN

# The real engine must give p > ALPHA in every peer comparison, each negative control p <= ALPHA.  With
# two such checks per test (time course and a final-size KS) a correct engine fails a test with
# probability about 2 * ALPHA for an arbitrary seed; the fixed seeds below pass.
ALPHA = 0.001
PERMUTATIONS = 1999  # the smallest permutation p-value is 1 / 2000 = 0.0005 <= ALPHA


# --------------------------------------------------------------------------------------------------
# Peer equivalence: statistics and runners
# --------------------------------------------------------------------------------------------------


def _course_pvalue(ours: np.ndarray, peer: np.ndarray, rng: np.random.Generator) -> float:
    """Permutation p-value of "same mean time course" for two samples of runs (one row per run).

    Columns are per-step counts (possibly of several states, side by side).  Each column is
    standardised by its pooled standard deviation; the statistic is the sum over columns of the squared
    difference of the two sample means, and its null distribution comes from relabelling the runs.
    Runs are independent, so the test is exact whatever the correlation between steps.
    """
    x = np.vstack([ours, peer]).astype(np.float64)
    sd = x.std(axis=0)
    if not np.any(sd > 0):
        return 1.0
    z = (x[:, sd > 0] - x[:, sd > 0].mean(axis=0)) / sd[sd > 0]
    # the columns of z sum to 0, so the difference of means is proportional to the first group's sum
    labels = np.zeros(len(x))
    labels[: len(ours)] = 1.0
    perm = rng.permuted(np.tile(labels, (PERMUTATIONS, 1)), axis=1)
    null = ((perm @ z) ** 2).sum(axis=1)
    observed = (z[: len(ours)].sum(axis=0) ** 2).sum()
    return float((1 + np.count_nonzero(null >= observed * (1 - 1e-12))) / (PERMUTATIONS + 1))


def _pad(runs: list[np.ndarray], length: int, fill: str) -> np.ndarray:
    """Stack per-run ``(steps_i, k)`` counts into ``(runs, length * k)``, after the end repeating the
    last row (``fill="last"``: an absorbing state) or zeros (``fill="zero"``: extinct)."""
    k = runs[0].shape[1]
    out = np.zeros((len(runs), length, k))
    for i, r in enumerate(runs):
        r = r[:length]
        out[i, : len(r)] = r
        if fill == "last":
            out[i, len(r) :] = r[-1]
    return out.reshape(len(runs), length * k)


def _streams(seed: int) -> tuple[np.random.Generator, np.random.Generator, np.random.Generator, int]:
    """Independent generators for our engine, EoN and the permutations, and a seed for NDlib."""
    ss = np.random.SeedSequence(seed)
    ours, peer, perm = (np.random.default_rng(s) for s in ss.spawn(3))
    return ours, peer, perm, int(ss.generate_state(1)[0])  # NDlib seeds numpy's global stream with it


def _ndlib_counts(model: object, seeds: list[int], runs: int, codes: tuple[int, ...],
                  steps: int | None = None) -> list[np.ndarray]:
    """Counts of the NDlib statuses ``codes`` at iterations 0, 1, ... of ``runs`` runs from ``seeds``:
    ``steps`` iterations, or (``steps=None``) until no node is Infected (status 1)."""
    out = []
    for _ in range(runs):
        model.reset(seeds)
        rows = []
        while True:
            it = model.iteration(node_status=False)
            rows.append([it["node_count"][c] for c in codes])
            if steps is not None and it["iteration"] == steps:
                break
            if steps is None and it["iteration"] > 0 and it["node_count"][1] == 0:
                break
        out.append(np.array(rows))
    return out


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    return float(ks_2samp(a, b).pvalue)


@pytest.fixture(scope="module")
def er500() -> nx.Graph:
    """A seeded Erdős–Rényi graph, 500 nodes of mean degree 6, for the epidemic peers."""
    return nx.fast_gnp_random_graph(500, 6 / 499, seed=7)


# --------------------------------------------------------------------------------------------------
# Discrete SIR versus EoN's basic_discrete_SIR
# --------------------------------------------------------------------------------------------------

SIR_SEEDS, SIR_P, SIR_RUNS = list(range(10)), 0.3, 200


def _sir_trial(graph: nx.Graph, seed: int, runs: int = SIR_RUNS) -> dict[str, float]:
    """p-values of ours vs EoN (time course of new infections; final size) and of the controls."""
    gen, eon_rng, perm_rng, _ = _streams(seed)
    net = Network.from_networkx(graph)

    def ours(p: float) -> list[np.ndarray]:
        return [discrete_sir(net, SIR_SEEDS, p, gen).counts[:, 1:].sum(axis=1, keepdims=True)
                for _ in range(runs)]

    real, wrong_p = ours(SIR_P), ours(SIR_P * 1.05)
    eon = [np.sum(EoN.basic_discrete_SIR(graph, SIR_P, initial_infecteds=SIR_SEEDS, rng=eon_rng)[2:],
                  axis=0)[:, None] for _ in range(runs)]
    length = 1 + max(len(r) for r in real + wrong_p + eon)  # ever infected (I + R), step 0 .. length - 1
    real_c, wrong_c, eon_c = (_pad(r, length, "last") for r in (real, wrong_p, eon))
    late_c = np.hstack([real_c[:, :1], real_c[:, :-1]])  # control: every step recorded one step late

    def new(c: np.ndarray) -> np.ndarray:
        return np.diff(c, axis=1)  # newly infected at steps 1, 2, ...

    return {
        "engine": _course_pvalue(new(real_c), new(eon_c), perm_rng),
        "final_size": _ks(real_c[:, -1], eon_c[:, -1]),
        "control_one_step_late": _course_pvalue(new(late_c), new(eon_c), perm_rng),
        "control_p_plus_5pct": _course_pvalue(new(wrong_c), new(eon_c), perm_rng),
    }


def test_discrete_sir_time_course_matches_eon(er500: nx.Graph) -> None:
    """Our discrete SIR and EoN's basic_discrete_SIR give the same epidemic curves.

    Set-up: ER graph (500 nodes, mean degree 6), seeds 0..9, p = 0.3 (a major outbreak every run, so
    the timing is sharp).  Statistic: permutation test on the mean number of newly infected at each
    step (200 runs each), plus a KS test on final sizes.
    Negative controls (our engine): (a) the time course recorded one step late; (b) p raised by 5%
    (0.315).  Measured over 100 repetitions with other seeds: power 1.00 for (a) and 1.00 for (b)
    (p <= ALPHA in 100/100 each); false rejection rate of the real engine 0/100 at ALPHA for the time
    course (p < 0.01 in 2/100, p < 0.05 in 5/100: calibrated) and 0/100 for the final size.
    """
    p = _sir_trial(er500, seed=1)
    print("discrete SIR vs EoN:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["final_size"] > ALPHA
    assert p["control_one_step_late"] <= ALPHA
    assert p["control_p_plus_5pct"] <= ALPHA


# --------------------------------------------------------------------------------------------------
# Independent cascade with per-edge probabilities versus NDlib's IndependentCascadesModel
# --------------------------------------------------------------------------------------------------

IC_RUNS = 200


def _highway_graph(n: int = 300, length: int = 25) -> nx.DiGraph:
    """A directed ER background (mean out-degree 4, p ~ U(0.02, 0.2): subcritical) plus a "highway"
    0 -> 1 -> ... -> length of edges with p ~ U(0.85, 1) whose reverse edges have p ~ U(0.02, 0.1).
    From seed 0 the cascade runs down the highway about one node a step; only if the probabilities
    sit on the right edges, in the right direction."""
    graph = nx.gnp_random_graph(n, 4 / (n - 1), seed=11, directed=True)
    rng = np.random.default_rng(12)
    for u, v in graph.edges:
        graph[u][v]["p"] = float(rng.uniform(0.02, 0.2))
    for i in range(length):
        graph.add_edge(i, i + 1, p=float(rng.uniform(0.85, 1.0)))
        graph.add_edge(i + 1, i, p=float(rng.uniform(0.02, 0.1)))
    return graph


def _transposed(net: Network) -> np.ndarray:
    """Per-entry probabilities with the value of ``u -> v`` taken from ``v -> u`` (where it exists)."""
    rows = np.repeat(np.arange(net.n), net.out_degree)
    back = np.asarray(net.to_scipy().T.tocsr()[rows, net.indices]).ravel()
    return np.where(back > 0, back, net.weights)


def _ic_trial(graph: nx.DiGraph, seed: int, runs: int = IC_RUNS) -> dict[str, float]:
    """p-values of ours vs NDlib (time course of new activations; final size) and of the controls."""
    gen, _, perm_rng, ndlib_seed = _streams(seed)
    seeds = [0]
    net = Network.from_networkx(graph, weight="p")
    assert net.directed and net.weights is not None

    def ours(p: np.ndarray) -> list[np.ndarray]:
        return [independent_cascade(net, seeds, p, gen).counts[:, 1:].sum(axis=1, keepdims=True)
                for _ in range(runs)]

    model = ndlib_epidemics.IndependentCascadesModel(graph, seed=ndlib_seed)
    config = ModelConfig.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    for u, v, prob in graph.edges(data="p"):
        config.add_edge_configuration("threshold", (u, v), prob)  # NDlib's per-edge probability
    model.set_initial_status(config)
    ndlib = [r.sum(axis=1, keepdims=True) for r in _ndlib_counts(model, seeds, runs, (1, 2))]
    samples = {
        "engine": ours(net.weights),
        "control_shuffled": ours(gen.permutation(net.weights)),  # the same probabilities on random edges
        "control_all_mean": ours(np.full(net.nnz, net.weights.mean())),  # every edge at the mean probability
        "control_transposed": ours(_transposed(net)),  # u -> v given the probability of v -> u
    }
    length = 1 + max(len(r) for r in [*ndlib, *(x for s in samples.values() for x in s)])
    peer = _pad(ndlib, length, "last")
    out = {name: _course_pvalue(np.diff(_pad(s, length, "last"), axis=1), np.diff(peer, axis=1), perm_rng)
           for name, s in samples.items()}
    out["final_size"] = _ks(_pad(samples["engine"], length, "last")[:, -1], peer[:, -1])
    return out


def test_independent_cascade_time_course_matches_ndlib() -> None:
    """Our IC with per-edge probabilities equals NDlib's IndependentCascadesModel, step by step.

    Set-up: :func:`_highway_graph` (directed, 300 nodes, heterogeneous per-edge p, a high-p path from
    seed 0 whose reverse edges have low p).  Statistic: permutation test on the mean number of newly
    activated nodes at each step (200 runs each), plus a KS test on final sizes.
    Negative controls (our engine): the same per-edge probabilities (a) shuffled across edges, (b) all
    set to their mean, (c) transposed (u -> v gets the p of v -> u).  Measured over 100 repetitions with
    other seeds: power 1.00, 1.00 and 1.00; false rejection rate of the real engine 0/100 at ALPHA for
    the time course (p < 0.01 in 1/100, p < 0.05 in 5/100) and 0/100 for the final size.
    """
    p = _ic_trial(_highway_graph(), seed=2)
    print("IC vs NDlib:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["final_size"] > ALPHA
    assert p["control_shuffled"] <= ALPHA
    assert p["control_all_mean"] <= ALPHA
    assert p["control_transposed"] <= ALPHA


# --------------------------------------------------------------------------------------------------
# SIS versus EoN's basic_discrete_SIS
# --------------------------------------------------------------------------------------------------

SIS_SEEDS, SIS_P, SIS_TMAX, SIS_RUNS = list(range(10)), 0.3, 15, 150


def _sis_trial(graph: nx.Graph, seed: int, runs: int = SIS_RUNS) -> dict[str, float]:
    """p-values of ours vs EoN (prevalence at steps 0..15; prevalence at 15) and of the controls."""
    gen, eon_rng, perm_rng, _ = _streams(seed)
    net = Network.from_networkx(graph)
    steps = SIS_TMAX + 1

    def ours(p: float, tmax: int) -> np.ndarray:
        return _pad([sis(net, SIS_SEEDS, p, gen, tmax=tmax)["I"][:, None] for _ in range(runs)],
                    tmax + 1, "zero")

    real = ours(SIS_P, SIS_TMAX + 1)  # one step more, for the control read one step off
    wrong_p = ours(SIS_P * 1.05, SIS_TMAX)
    eon = _pad([EoN.basic_discrete_SIS(graph, SIS_P, initial_infecteds=SIS_SEEDS, tmax=SIS_TMAX,
                                       rng=eon_rng)[2][:, None] for _ in range(runs)], steps, "zero")
    return {
        "engine": _course_pvalue(real[:, :steps], eon, perm_rng),
        "prevalence_at_tmax": _ks(real[:, SIS_TMAX], eon[:, SIS_TMAX]),
        "control_one_step_off": _course_pvalue(real[:, 1:], eon, perm_rng),  # prevalence read at t + 1
        "control_p_plus_5pct": _course_pvalue(wrong_p, eon, perm_rng),
    }


def test_sis_prevalence_time_course_matches_eon(er500: nx.Graph) -> None:
    """Our SIS (gamma = 1) and EoN's basic_discrete_SIS give the same prevalence at every step.

    Set-up: ER graph (500 nodes, mean degree 6), seeds 0..9, p = 0.3, steps 0..15 (growth from 10 to
    an endemic ~175, so the step matters).  Statistic: permutation test on the mean prevalence at each
    step (150 runs each), plus a KS test on the prevalence at step 15.
    Negative controls (our engine): (a) prevalence read one step off (I(t + 1) reported as I(t)); (b) p
    raised by 5%.  Measured over 100 repetitions with other seeds: power 1.00 and 1.00; false rejection
    rate of the real engine 0/100 at ALPHA for the time course (p < 0.01 in 1/100, p < 0.05 in 3/100)
    and 0/100 for the prevalence at step 15.
    """
    p = _sis_trial(er500, seed=3)
    print("SIS vs EoN:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["prevalence_at_tmax"] > ALPHA
    assert p["control_one_step_off"] <= ALPHA
    assert p["control_p_plus_5pct"] <= ALPHA


# --------------------------------------------------------------------------------------------------
# Compartmental models versus NDlib: SIR and SIS with gamma < 1, SEIR (seirs with omega = 0)
#
# NDlib's SIRModel, SISModel and SEIRModel update synchronously from the states at t, like ours:
# SIRModel: each infected node infects each susceptible neighbour with probability beta and recovers
# with probability gamma (our discrete_sir(p=beta, gamma)); SISModel (tp_rate = 1): a susceptible node
# with m infected neighbours is infected with probability 1 - (1 - beta)^m, an infected one recovers
# with probability lambda and can be infected again from the step after (our sis(p=beta,
# gamma=lambda)); SEIRModel: S -> E with probability 1 - (1 - beta)^m, E -> I with alpha, I -> R with
# gamma (our seirs(p=beta, sigma=alpha, gamma=gamma, omega=0)).  EoN covers gamma = 1 only.
#
# seirs with omega > 0 (waning) has no matched discrete-time peer: NDlib's SEISModel sends I straight
# back to S (our nodes spend at least one step in R), its SIRSModel has no exposed stage (ours spends
# at least one step in E), its SEIR_ct/SEIS_ct models leave E and I with probabilities that grow with
# the time spent there (ours are geometric), and EoN's only discrete-time models are SIR and SIS.
# --------------------------------------------------------------------------------------------------

NDLIB_SEEDS = list(range(10))  # the seed nodes of the three NDlib compartmental comparisons


def _vs_ndlib(graph: nx.Graph, seed: int, runs: int, steps: int, p: float,
              ours: Callable[[float, np.random.Generator, int], np.ndarray],
              model_class: type, params: dict[str, float], codes: tuple[int, ...]) -> dict[str, float]:
    """p-values of ours vs an NDlib model (mean counts of the states ``codes`` at steps 0..steps; KS on
    the last state's count at ``steps``) and of two controls run through our engine: the counts read
    one step off, and p raised by 5%.  ``ours(p, rng, tmax)`` gives one run's counts, in ``codes``' order."""
    gen, _, perm_rng, ndlib_seed = _streams(seed)
    k = len(codes)
    model = model_class(graph, seed=ndlib_seed)
    config = ModelConfig.Configuration()
    for name, value in params.items():
        config.add_model_parameter(name, value)
    config.add_model_initial_configuration("Infected", NDLIB_SEEDS)
    model.set_initial_status(config)
    peer = _pad(_ndlib_counts(model, NDLIB_SEEDS, runs, codes, steps=steps), steps + 1, "last")

    def sample(p_: float, tmax: int) -> np.ndarray:  # absorbing (or extinct) after a run ends
        return _pad([ours(p_, gen, tmax) for _ in range(runs)], tmax + 1, "last").reshape(runs, tmax + 1, k)

    real = sample(p, steps + 1)  # one step more, for the control read one step off
    wrong_p = sample(p * 1.05, steps).reshape(runs, -1)
    return {
        "engine": _course_pvalue(real[:, :-1].reshape(runs, -1), peer, perm_rng),
        "last_state_at_end": _ks(real[:, steps, -1], peer[:, -1]),
        "control_one_step_off": _course_pvalue(real[:, 1:].reshape(runs, -1), peer, perm_rng),
        "control_p_plus_5pct": _course_pvalue(wrong_p, peer, perm_rng),
    }


SIR_G_P, SIR_G_GAMMA, SIR_G_STEPS, SIR_G_RUNS = 0.2, 0.5, 25, 200


def _sir_gamma_trial(graph: nx.Graph, seed: int, runs: int = SIR_G_RUNS) -> dict[str, float]:
    net = Network.from_networkx(graph)

    def ours(p: float, rng: np.random.Generator, tmax: int) -> np.ndarray:
        return discrete_sir(net, NDLIB_SEEDS, p, rng, gamma=SIR_G_GAMMA, tmax=tmax).counts[:, 1:]  # I, R

    return _vs_ndlib(graph, seed, runs, SIR_G_STEPS, SIR_G_P, ours, ndlib_epidemics.SIRModel,
                     {"beta": SIR_G_P, "gamma": SIR_G_GAMMA}, (1, 2))


def test_discrete_sir_with_gamma_time_course_matches_ndlib(er500: nx.Graph) -> None:
    """discrete_sir(gamma=0.5) and NDlib's SIRModel give the same I and R counts at every step.

    Set-up: ER graph (500 nodes, mean degree 6), seeds 0..9, p = 0.2, gamma = 0.5, steps 0..25.
    Statistic: permutation test on the mean I and R counts at each step (200 runs each), plus a KS test
    on R at step 25.
    Negative controls (our engine): (a) the counts read one step off; (b) p raised by 5%.  Measured over
    100 repetitions with other seeds: power 1.00 and 1.00; false rejection rate of the real engine
    0/100 at ALPHA for the time course (p < 0.01 in 0/100, p < 0.05 in 3/100) and 0/100 for R at 25.
    """
    p = _sir_gamma_trial(er500, seed=6)
    print("discrete SIR (gamma = 0.5) vs NDlib:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["last_state_at_end"] > ALPHA
    assert p["control_one_step_off"] <= ALPHA
    assert p["control_p_plus_5pct"] <= ALPHA


SIS_G_P, SIS_G_GAMMA, SIS_G_STEPS, SIS_G_RUNS = 0.15, 0.5, 16, 150


def _sis_gamma_trial(graph: nx.Graph, seed: int, runs: int = SIS_G_RUNS) -> dict[str, float]:
    net = Network.from_networkx(graph)

    def ours(p: float, rng: np.random.Generator, tmax: int) -> np.ndarray:
        return sis(net, NDLIB_SEEDS, p, rng, gamma=SIS_G_GAMMA, tmax=tmax).counts[:, 1:]  # I

    return _vs_ndlib(graph, seed, runs, SIS_G_STEPS, SIS_G_P, ours, ndlib_epidemics.SISModel,
                     {"beta": SIS_G_P, "lambda": SIS_G_GAMMA}, (1,))


def test_sis_with_gamma_time_course_matches_ndlib(er500: nx.Graph) -> None:
    """sis(gamma=0.5) and NDlib's SISModel give the same prevalence at every step.

    Set-up: ER graph (500 nodes, mean degree 6), seeds 0..9, p = 0.15, gamma = 0.5, steps 0..16
    (growth from 10 to ~170).  Statistic: permutation test on the mean prevalence at each step (150
    runs each), plus a KS test on the prevalence at step 16.
    Negative controls (our engine): (a) prevalence read one step off; (b) p raised by 5%.  Measured over
    100 repetitions with other seeds: power 1.00 and 1.00; false rejection rate of the real engine
    0/100 at ALPHA for the time course (p < 0.01 in 2/100, p < 0.05 in 4/100) and 0/100 for the
    prevalence at 16.
    """
    p = _sis_gamma_trial(er500, seed=7)
    print("SIS (gamma = 0.5) vs NDlib:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["last_state_at_end"] > ALPHA
    assert p["control_one_step_off"] <= ALPHA
    assert p["control_p_plus_5pct"] <= ALPHA


SEIR_P, SEIR_SIGMA, SEIR_GAMMA, SEIR_STEPS, SEIR_RUNS = 0.25, 0.5, 0.5, 25, 200


def _seir_trial(graph: nx.Graph, seed: int, runs: int = SEIR_RUNS) -> dict[str, float]:
    net = Network.from_networkx(graph)

    def ours(p: float, rng: np.random.Generator, tmax: int) -> np.ndarray:
        return seirs(net, NDLIB_SEEDS, p, rng, sigma=SEIR_SIGMA, gamma=SEIR_GAMMA, omega=0.0,
                     tmax=tmax).counts[:, 1:]  # E, I, R

    return _vs_ndlib(graph, seed, runs, SEIR_STEPS, SEIR_P, ours, ndlib_epidemics.SEIRModel,
                     {"alpha": SEIR_SIGMA, "beta": SEIR_P, "gamma": SEIR_GAMMA}, (2, 1, 3))


def test_seir_time_course_matches_ndlib(er500: nx.Graph) -> None:
    """seirs(omega=0) and NDlib's SEIRModel give the same E, I and R counts at every step.

    Set-up: ER graph (500 nodes, mean degree 6), seeds 0..9 infectious, p = 0.25, sigma = gamma = 0.5,
    steps 0..25.  Statistic: permutation test on the mean E, I and R counts at each step (200 runs
    each), plus a KS test on R at step 25.
    Negative controls (our engine): (a) the counts read one step off; (b) p raised by 5%.  Measured over
    100 repetitions with other seeds: power 1.00 and 1.00 (with 150 runs (b) had only 0.93, hence
    200); false rejection rate of the real engine 0/100 at ALPHA for the time course (p < 0.01 in
    1/100, p < 0.05 in 4/100) and 0/100 for R at step 25.  Not powered against a 5% error in sigma or
    gamma (an engine with either 5% too high gives p ~ 0.002 here); the SIR and SIS comparisons with
    NDlib above do catch a 5% error in gamma.
    """
    p = _seir_trial(er500, seed=4)
    print("SEIR vs NDlib:", {k: round(v, 4) for k, v in p.items()})
    assert p["engine"] > ALPHA and p["last_state_at_end"] > ALPHA
    assert p["control_one_step_off"] <= ALPHA
    assert p["control_p_plus_5pct"] <= ALPHA


# --------------------------------------------------------------------------------------------------
# Threshold contagion versus NDlib's ThresholdModel (deterministic: adoption steps must be equal)
# --------------------------------------------------------------------------------------------------


def _ndlib_threshold_times(graph: nx.Graph, seeds: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Step at which each node adopts in NDlib's ThresholdModel (-1: never); node i is list(graph)[i].

    NDlib updates synchronously: a node adopts at iteration t + 1 if the fraction of its neighbours
    (in-neighbours, for a directed graph) that had adopted at t is >= its threshold; nodes without
    (in-)neighbours never adopt.  This is our threshold(kind="fraction") with per-node theta.
    """
    nodes = list(graph)
    model = ndlib_epidemics.ThresholdModel(graph, seed=0)  # deterministic; seeds numpy's global stream
    config = ModelConfig.Configuration()
    config.add_model_initial_configuration("Infected", [nodes[i] for i in seeds])
    for u, th in zip(nodes, theta):
        config.add_node_configuration("threshold", u, float(th))
    model.set_initial_status(config)
    index = {u: i for i, u in enumerate(nodes)}
    first = np.full(len(nodes), -1)
    first[seeds] = 0
    while True:
        it = model.iteration(node_status=True)
        if it["iteration"] > 0:
            if not it["status"]:
                return first
            for u, status in it["status"].items():
                assert status == 1 and first[index[u]] == -1  # adoption only, once
                first[index[u]] = it["iteration"]


def _threshold_trial(seed: int) -> dict[str, bool]:
    """On a random design drawn from ``seed``: an undirected and a directed ER graph (400 nodes, mean
    degree 5) with 12 random seeds each (a global cascade in 2000 of 2000 designs tried), compare
    adoption steps node by node with NDlib, for fractional thresholds ~ U(0.1, 0.4) and for absolute
    thresholds in {1, 2, 3} (NDlib threshold c / in-degree: a >= c exactly when a / d >= c / d in
    floating point); and the same for the controls."""
    rng = np.random.default_rng(seed)
    out: dict[str, bool] = {}
    for directed in (False, True):
        tag = "directed" if directed else "undirected"
        graph = nx.gnp_random_graph(400, 5 / 399, seed=int(rng.integers(2**31)), directed=directed)
        net = Network.from_networkx(graph)
        seeds = np.sort(rng.choice(400, 12, replace=False))
        theta = rng.uniform(0.1, 0.4, 400)
        peer = _ndlib_threshold_times(graph, seeds, theta)
        ours = threshold(net, seeds, theta)
        out[f"fraction_{tag}_equal"] = bool(np.array_equal(ours.first_time, peer))
        out[f"fraction_{tag}_spread"] = bool(ours.final_size >= 100 and ours.steps >= 4)
        wrong = threshold(net, seeds, np.minimum(theta * 1.05, 1.0)).first_time  # control: theta + 5%
        out[f"fraction_{tag}_control_differs"] = not np.array_equal(wrong, peer)
        count = rng.integers(1, 4, 400).astype(np.float64)
        deg = np.maximum(net.in_degree, 1)
        peer = _ndlib_threshold_times(graph, seeds, count / deg)
        ours = threshold(net, seeds, count, kind="count")
        out[f"count_{tag}_equal"] = bool(np.array_equal(ours.first_time, peer))
        bump = count + (rng.random(400) < 0.05)  # control: 5% of the nodes need one adopter more
        wrong = threshold(net, seeds, bump, kind="count").first_time
        out[f"count_{tag}_control_differs"] = not np.array_equal(wrong, peer)
    return out


def test_threshold_adoption_steps_match_ndlib() -> None:
    """threshold() equals NDlib's ThresholdModel node by node: same adopters, same adoption steps.

    The model is deterministic, so equality is asserted exactly, for fractional and absolute
    thresholds, undirected and directed graphs (design in :func:`_threshold_trial`).
    Negative controls (our engine): fractional thresholds raised by 5%; absolute thresholds of a random
    5% of the nodes raised by one.  Measured over 1000 random designs (other seeds): the real engine
    matched NDlib in 1000/1000 for each of the four set-ups, every design cascaded, and each control
    differed from NDlib in 1000/1000 (power 1.00).
    """
    res = _threshold_trial(seed=5)
    print("threshold vs NDlib:", res)
    assert all(res[k] for k in res if k.endswith(("_equal", "_spread"))), res
    assert all(res[k] for k in res if k.endswith("_control_differs")), res


@pytest.mark.slow
@pytest.mark.parametrize("name", ["sir", "ic", "sis", "sir_gamma", "sis_gamma", "seir"])
def test_peer_trials_keep_power_and_calibration_over_seeds(name: str, er500: nx.Graph) -> None:
    """Slow (make bench): a peer trial repeated with 20 further seeds, not only the suite's one.

    Every negative control must be rejected (p <= ALPHA) in at least 18 of 20 (measured power 1.00);
    the real engine may be rejected at most once, and may give p < 0.05 in at most 5 of 20 (a correct
    engine does worse with probability 3e-4 for each of its two checks).
    """
    trial = {
        "sir": lambda seed: _sir_trial(er500, seed),
        "ic": lambda seed: _ic_trial(_highway_graph(), seed),
        "sis": lambda seed: _sis_trial(er500, seed),
        "sir_gamma": lambda seed: _sir_gamma_trial(er500, seed),
        "sis_gamma": lambda seed: _sis_gamma_trial(er500, seed),
        "seir": lambda seed: _seir_trial(er500, seed),
    }[name]
    results = [trial(seed) for seed in range(100, 120)]
    for key in results[0]:
        p = np.array([r[key] for r in results])
        print(name, key, np.round(np.sort(p), 4))
        if key.startswith("control_"):
            assert np.sum(p <= ALPHA) >= 18, (key, p)
        else:
            assert np.sum(p <= ALPHA) <= 1 and np.sum(p < 0.05) <= 5, (key, p)


@pytest.mark.slow
def test_threshold_matches_ndlib_over_designs() -> None:
    """Slow (make bench): the threshold comparison on 200 further random designs: the real engine equals
    NDlib in all of them, and each control differs from NDlib in at least 95%."""
    results = [_threshold_trial(seed) for seed in range(100, 300)]
    for key in results[0]:
        hits = sum(r[key] for r in results)
        print(key, hits)
        assert hits >= (190 if key.endswith("_control_differs") else 200), (key, hits)


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
