"""Cascade trees: validation, shape metrics, structural virality, branching estimates, real-file quirks.

Recovery tolerances are in standard errors: ``|estimate - truth| <= Z * SE``, ``Z = 4``
(``Z_RECOVERY``), SE the fit's own.  Each recovery test was run over many seeds in a scratch script;
its docstring gives the share of seeds for which it fails.  Coverage tests repeat simulate-and-fit
``R`` times and accept the number of 95% intervals covering the truth when it lies in the central
99.9% binomial range around ``0.95 R``; the ``slow`` versions run in ``make bench``.  Tests on the
shared data files fail (never skip) when a file is missing or corrupt, with the data registry's message.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from calibration import COVERAGE_ACCEPT, Z_RECOVERY
from calibration import coverage_range as _coverage_range
from calibration import within as _within
from scipy import stats

from infoflow import data
from infoflow.cascades import (
    Cascade,
    branching_r,
    fit_offspring,
    offspring_distribution,
    parse_deephawkes_paths,
    reshare_offspring,
    reshare_r_interval,
    simulate_galton_watson,
)
from infoflow.fitting import FitResult

# root a; a -> b, c, d; b -> e, f; e -> g
EDGES = [("a", "b", 1.0), ("a", "c", 2.0), ("b", "e", 3.0), ("a", "d", 2.5), ("b", "f", 4.0), ("e", "g", 9.0)]


def test_shape_metrics_of_a_small_tree():
    c = Cascade.from_edges(EDGES)
    assert c.root == "a" and c.size == len(c) == 7
    assert c.depth == 3 and c.max_breadth == 3
    assert list(c.generation_sizes) == [1, 3, 2, 1]
    off = dict(zip(c.nodes, c.offspring))
    assert off == {"a": 3, "b": 2, "c": 0, "d": 0, "e": 1, "f": 0, "g": 0}
    assert dict(zip(c.nodes, c.subtree_sizes))["b"] == 4
    assert dict(zip(c.nodes, c.time))["g"] == 9.0
    assert list(offspring_distribution(c)) == [4, 1, 1, 1]
    m = c.metrics()
    assert m["size"] == 7 and m["root_offspring"] == 3 and m["last_time"] == 9.0


def _random_tree_edges(n: int, rng: np.random.Generator) -> list[tuple[int, int, float]]:
    parent = [-1] + [int(rng.integers(0, i)) for i in range(1, n)]
    label = rng.permutation(n) * 7 + 100  # arbitrary ids, not 0..n-1
    edges = [(int(label[parent[i]]), int(label[i]), float(i)) for i in range(1, n)]
    rng.shuffle(edges)
    return edges


@pytest.mark.parametrize("seed", range(6))
def test_structural_virality_matches_brute_force_all_pairs(seed):
    rng = np.random.default_rng(40 + seed)
    n = int(rng.integers(2, 80))
    c = Cascade.from_edges(_random_tree_edges(n, rng))
    lengths = dict(nx.all_pairs_shortest_path_length(c.to_networkx()))
    brute = sum(lengths[u][v] for u, v in itertools.combinations(c.nodes, 2)) / (n * (n - 1) / 2)
    assert c.structural_virality == pytest.approx(brute, rel=1e-12)


def test_structural_virality_extremes():
    star = Cascade.from_edges([("r", i, 1.0) for i in range(50)])
    chain = Cascade.from_edges([(i, i + 1, float(i)) for i in range(50)])
    n = 51
    assert star.structural_virality == pytest.approx(2.0 * (n - 1) / n)  # broadcast: close to 2
    assert chain.structural_virality == pytest.approx((n + 1) / 3)  # a path: (n + 1) / 3
    assert np.isnan(Cascade.from_parents([-1]).structural_virality)


@pytest.mark.parametrize("seed", [50])
@pytest.mark.parametrize(("r", "offspring"), [(0.5, "poisson"), (0.8, "poisson"), (0.6, "geometric")])
def test_branching_number_and_the_mean_size_check(r, offspring, seed):
    """4,000 simulated Galton-Watson trees: R within 4 SE; the mean size within 4 SE of 1 / (1 - R).

    Measured: fails for 0 of 200 seeds in each of the three cases.
    """
    rng = np.random.default_rng(seed)
    trees = [simulate_galton_watson(r, rng, offspring=offspring) for _ in range(4000)]
    fit = branching_r(trees)
    _within(fit, {"R": r})
    sizes = np.array([t.size for t in trees], dtype=float)
    mean_size = fit.extra["mean_size"]
    assert mean_size == pytest.approx(sizes.mean())
    # the subcritical total progeny 1 / (1 - R), with the SE of a mean of 4,000 sizes
    assert abs(mean_size - 1.0 / (1.0 - r)) <= Z_RECOVERY * sizes.std(ddof=1) / np.sqrt(sizes.size)
    # with the Harris estimator R = (nodes - roots) / nodes, 1 / (1 - R) is the mean size exactly (documented)
    assert fit.extra["predicted_mean_size"] == pytest.approx(mean_size, rel=1e-12)
    # leaving out the deepest generation is biased upwards on complete trees (documented)
    assert branching_r(trees, exclude_last_generation=True).params["R"] > fit.params["R"]


def test_galton_watson_trees_have_breadth_first_layout():
    tree = simulate_galton_watson(0.9, np.random.default_rng(51))
    assert tree.size == 1 + int(tree.offspring.sum())
    assert np.all(np.diff(tree.depths) >= 0)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([], "the edge list is empty"),
        ([("a", "b", 1.0), ("b", "c", 2.0), ("c", "a", 3.0)], "no root: nodes 'c' -> 'a' -> 'b' -> 'c' form a cycle"),
        ([("a", "b", 1.0), ("b", "a", 2.0)], "no root"),
        ([("a", "a", 1.0)], "self-loop on node 'a'"),
        ([("a", "b", 1.0), ("x", "y", 2.0)], "2 roots \\('a', 'x'\\)"),
        ([("a", "b", 1.0), ("a", "c", -2.0)], r"edge 1 \('a' -> 'c'\) has a negative delay"),
        ([("a", "b", 1.0), ("a", "c", float("nan"))], "missing or infinite delay"),
        ([("a", "b", 1.0), ("c", "b", 1.0)], "node 'b' has two parents"),
        ([("a", "b")], "not a \\(parent, child, delay\\) triple"),
        ([("a", "b", "soon")], "not a number"),
    ],
)
def test_bad_trees_raise_a_clear_error(edges, message):
    with pytest.raises(ValueError, match=message):
        Cascade.from_edges(edges)


def test_cycle_beside_a_valid_root_is_named():
    with pytest.raises(ValueError, match="form a cycle") as err:
        Cascade.from_edges([("r", "a", 1.0), ("x", "y", 1.0), ("y", "x", 2.0)])
    assert "'x' -> 'y' -> 'x'" in str(err.value) or "'y' -> 'x' -> 'y'" in str(err.value)


def test_from_parents_validates():
    with pytest.raises(ValueError, match="2 roots"):
        Cascade.from_parents([-1, -1, 0])
    with pytest.raises(ValueError, match="node 1 has parent 5, which is not a node"):
        Cascade.from_parents([-1, 5])
    with pytest.raises(ValueError, match="breadth-first"):
        Cascade(["a", "b"], [0, -1], [0.0, 1.0])
    assert Cascade.from_parents([-1, 0, 0, 1]).depth == 2


def _twitter(rows: list[tuple]) -> pd.DataFrame:
    cols = ["parent_uid", "parent_tweet", "parent_delay", "child_uid", "child_tweet", "child_delay"]
    return pd.DataFrame(rows, columns=cols)


def test_twitter_quirks_are_repaired_and_counted():
    df = _twitter([
        ("1", "9", 0.0, "2", "9", 5.0),      # ROOT line not first (as in 27 real files)
        ("ROOT", "ROOT", 0.0, "1", "9", 0.0),
        ("1", "9", 0.0, "2", "9", 5.0),      # exact repeat
        ("1", "9", 0.0, "3", "9", -4.0),     # child dated before the source tweet
        ("3", "9", -4.0, "4", "9", -1.0),    # ... and its child, still before the root
        ("2", "9", 5.0, "2", "9", 5.0),      # self-loop
        ("3", "9", -4.0, "2", "9", 5.0),     # user 2 again, through another parent
        ("2", "9", 5.0, "1", "9", 6.0),      # a line that gives the root a parent
    ])
    c = Cascade.from_twitter(df)
    assert c.root == "1" and c.size == 4 and c.time_unit == "minutes"
    parent = {c.nodes[i]: c.nodes[p] for i, p in enumerate(c.parent) if p >= 0}
    assert parent == {"2": "1", "3": "1", "4": "3"}
    times = dict(zip(c.nodes, c.time))
    assert times == {"1": 0.0, "2": 5.0, "3": 0.0, "4": 0.0}
    assert c.repairs == {"lines": 8, "self_loops_dropped": 1, "root_parent_lines_dropped": 1,
                         "repeated_lines_dropped": 1, "extra_parents_dropped": 1, "times_raised_to_parent": 2}


def test_twitter_needs_one_root_line_and_its_columns():
    with pytest.raises(ValueError, match="exactly one line with parent 'ROOT', found 0"):
        Cascade.from_twitter(_twitter([("1", "9", 0.0, "2", "9", 5.0)]))
    with pytest.raises(ValueError, match="lack column"):
        Cascade.from_twitter(pd.DataFrame({"parent_uid": ["ROOT"]}))


def test_deephawkes_paths_with_repeats_and_self_reshares():
    field = "1:0 1/2:30 1/3:10 1/3/4:50 1/2/2:40 1/3/2:20 1/1:90"
    paths = parse_deephawkes_paths(field)
    assert paths[3] == (("1", "3", "4"), 50.0)
    c = Cascade.from_deephawkes(paths)
    parent = {c.nodes[i]: c.nodes[p] for i, p in enumerate(c.parent) if p >= 0}
    assert parent == {"3": "1", "2": "3", "4": "3"}  # user 2: earliest path (20 s via user 3)
    assert dict(zip(c.nodes, c.time))["2"] == 20.0
    assert c.repairs["self_reshares_collapsed"] == 2 and c.repairs["repeated_users_dropped"] == 3
    with pytest.raises(ValueError, match="2 different roots"):
        Cascade.from_deephawkes([(("1",), 0.0), (("5", "6"), 3.0)])
    with pytest.raises(ValueError, match="negative time"):
        Cascade.from_deephawkes([(("1",), 0.0), (("1", "6"), -3.0)])
    with pytest.raises(ValueError, match="users:seconds"):
        parse_deephawkes_paths("1/2")


def test_branching_r_bad_input():
    with pytest.raises(ValueError, match="no cascades"):
        branching_r([])
    with pytest.raises(ValueError, match=r"only 1 node\(s\) with observed offspring: R cannot be estimated"):
        branching_r(Cascade.from_parents([-1]))
    with pytest.raises(ValueError, match="the reproduction number r must be non-negative, got -0.5"):
        simulate_galton_watson(-0.5)


def test_every_twitter16_tree_builds():
    """Every Twitter16 tree builds (a missing or corrupt archive fails here, with the registry's message)."""
    trees = data.load_twitter_trees("twitter16").trees
    cascades = [Cascade.from_twitter(df) for df in trees.values()]
    assert len(cascades) == 818
    for c in cascades:
        assert np.all(c.time >= 0) and np.all(c.time[1:] >= c.time[c.parent[1:]])
    r = branching_r(cascades)
    assert 0 < r.params["R"] < 1


def test_every_deephawkes_sample_cascade_builds():
    """Every DeepHawkes cascade builds (a missing or corrupt file fails here, with the registry's message)."""
    df = data.load_deephawkes()
    assert len(df) == 30
    for row in df.itertuples():
        c = Cascade.from_deephawkes(row.paths)
        assert c.root == row.root_user
        assert c.size == row.size - c.repairs["repeated_users_dropped"] + c.repairs["intermediate_users_added"]


def test_a_missing_data_file_fails_the_real_data_test(tmp_path, monkeypatch):
    """With the file in no search directory and downloads off, the real-data test fails (never skips)."""
    monkeypatch.setattr(data, "SHARED_DIR", tmp_path / "no-shared-data")
    monkeypatch.setattr(data, "cache_dir", lambda: tmp_path / "no-cache")
    monkeypatch.delenv("INFOFLOW_DATA_DIR", raising=False)
    monkeypatch.setenv("INFOFLOW_OFFLINE", "1")
    try:
        message = r"deephawkes_weibo_sample\.txt was not found and downloads are off"
        with pytest.raises(data.DataError, match=message):
            test_every_deephawkes_sample_cascade_builds()
    except pytest.skip.Exception:
        pytest.fail("a missing data file was turned into a skip")


NEGBIN = {"R": 0.3, "k": 0.5}
NEGBIN_CHAPTER = {"R": 0.25, "k": 0.07}  # close to the Twitter15/16 fit of chapter 1 (R 0.25, k 0.07)


def _negbin_case(seed: int, n: int = 5000, truth: dict[str, float] = NEGBIN
                 ) -> tuple[FitResult, FitResult, np.ndarray]:
    """``n`` negative-binomial offspring counts (default R = 0.3, k = 0.5: variance 1.6 times the mean)."""
    rng = np.random.default_rng(seed)
    y = rng.negative_binomial(truth["k"], truth["k"] / (truth["k"] + truth["R"]), size=n)
    poisson, negbin = fit_offspring(y)
    return poisson, negbin, y


@pytest.mark.parametrize("seed", [20261123])
def test_offspring_fits_recover_mean_and_dispersion(seed):
    """Negative-binomial offspring, 5,000 draws: R and k within 4 SE.  Measured: fails for 0 of 800 seeds."""
    poisson, negbin, y = _negbin_case(seed)
    assert negbin.converged and negbin.k == 2 and poisson.k == 1
    _within(negbin, NEGBIN)
    # both laws are parametrised by their mean, whose MLE is the sample mean
    assert poisson["R"] == pytest.approx(y.mean(), rel=1e-6)
    assert negbin["R"] == pytest.approx(y.mean(), rel=1e-4)
    assert poisson.se["R"] == pytest.approx(np.sqrt(y.mean() / y.size), rel=1e-4)


def _assert_negbin_coverage(truth: dict[str, float], n: int, reps: int, first: int) -> None:
    covered = dict.fromkeys(truth, 0)
    for seed in range(first, first + reps):
        _, negbin, _ = _negbin_case(seed, n, truth)
        for k, v in truth.items():
            covered[k] += negbin.ci[k][0] <= v <= negbin.ci[k][1]
    lo, hi = _coverage_range(reps)
    outside = {k: f"{c}/{reps}" for k, c in covered.items() if not lo <= c <= hi}
    print(f"negative-binomial {truth} coverage over {reps}: {covered} (accept {lo}-{hi})")
    assert not outside, f"negative-binomial coverage outside [{lo}, {hi}] of {reps}: {outside}"


@pytest.mark.parametrize(
    ("truth", "reps"),
    [pytest.param(NEGBIN, 60, id="k0.5-R60"),
     pytest.param(NEGBIN, 500, id="k0.5-R500", marks=pytest.mark.slow),
     pytest.param(NEGBIN_CHAPTER, 500, id="k0.07-R500", marks=pytest.mark.slow)],
)
def test_negative_binomial_intervals_cover_at_the_nominal_rate(truth, reps):
    """Coverage of the 95% Wald intervals (log scale) of R and k, 5,000 counts per fit.

    R = 60: accept 50-60; R = 500: accept 458-489.  Measured: (R 0.3, k 0.5) over 1,400 repetitions
    R 0.961, k 0.944; (R 0.25, k 0.07) over 100 repetitions R 0.96, k 0.96.
    """
    _assert_negbin_coverage(truth, 5000, reps, first=10_000 if reps < 500 else 20_000)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="on Poisson data the negative-binomial k runs off towards infinity and stops "
                   "just below 1e7, where nll_negbin switches to the Poisson likelihood; the kink there "
                   "passes for an interior optimum: this sample gives k = 9.9e6 with a 95% interval "
                   "6.8e6-1.4e7 and converged=True, an interval that excludes the Poisson (k = infinity) it "
                   "was drawn from.  With weak overdispersion (R = 0.8, k = 20, 4,000 counts) ~5% of fits "
                   "end there and the k interval covers 0.88 (300 fits)")
def test_negative_binomial_fit_does_not_invent_a_dispersion_on_poisson_data():
    _, negbin = fit_offspring(np.random.default_rng(0).poisson(0.8, size=4000))
    boundary = negbin["k"] > 1e6  # numerically at k = infinity
    spurious = boundary and negbin.converged and np.isfinite(negbin.ci["k"][1])
    assert not spurious, (negbin["k"], negbin.ci["k"])


# the largest likelihood-ratio gain of the negative binomial over the Poisson allowed on Poisson data: the
# 99.9% point of the boundary null 0.5 chi2(0) + 0.5 chi2(1), i.e. the chi2(1) 99.8% point (9.55)
LR_POISSON_MAX = float(stats.chi2.ppf(0.998, 1))


@pytest.mark.parametrize("seed", [7])
def test_offspring_fits_prefer_poisson_for_poisson_data(seed):
    """On Poisson data the negative binomial (which nests it) gains no more than chance allows.

    Criterion: the likelihood-ratio gain ``LR = 2 (logL_nb - logL_pois)`` is at least 0 (the nested
    fit cannot be worse: a broken NB fit fails here) and below 9.55, i.e. AIC_nb - AIC_pois = 2 - LR
    > -7.55; on Poisson data this fails for 0.1% of samples.  Measured: fails for 0 of 200 seeds (LR
    exceeded 6.63, the 99.5% point, for 1).  How often AIC prefers the Poisson is checked by the slow test.
    """
    poisson, negbin = fit_offspring(np.random.default_rng(seed).poisson(0.8, size=4000))
    _within(poisson, {"R": 0.8})  # the Poisson fit recovers its mean (0 of 400 seeds outside 4 SE)
    lr = 2.0 * (negbin.loglik - poisson.loglik)
    assert -1e-6 <= lr < LR_POISSON_MAX
    assert negbin.aic - poisson.aic == pytest.approx(2.0 - lr)


@pytest.mark.parametrize("seed", [8])
def test_offspring_fits_prefer_the_negative_binomial_for_overdispersed_data(seed):
    """On negative-binomial data (R = 0.3, k = 0.5, 5,000 counts) AIC prefers it by more than 10.

    Measured: fails for 0 of 200 seeds.
    """
    poisson, negbin, _ = _negbin_case(seed)
    assert poisson.aic - negbin.aic > 10


@pytest.mark.slow
def test_aic_prefers_poisson_at_the_rate_the_boundary_null_predicts():
    """Over R = 200 Poisson samples, AIC prefers the Poisson (LR < 2) at the rate of the null mixture.

    Under the null LR ~ 0.5 chi2(0) + 0.5 chi2(1), so P(LR < 2) = 0.921; accept the central 99.9%
    binomial range of Binomial(200, 0.921), 170-195.  Measured: 190/200.
    """
    p_prefer = 0.5 + 0.5 * float(stats.chi2.cdf(2.0, 1))
    prefer = 0
    for seed in range(10_000, 10_200):
        poisson, negbin = fit_offspring(np.random.default_rng(seed).poisson(0.8, size=4000))
        prefer += poisson.aic < negbin.aic
    tail = (1.0 - COVERAGE_ACCEPT) / 2.0
    lo, hi = stats.binom.ppf(tail, 200, p_prefer), stats.binom.isf(tail, 200, p_prefer)
    print(f"AIC preferred the Poisson in {prefer}/200 (accept {lo:.0f}-{hi:.0f})")
    assert lo <= prefer <= hi, f"AIC preferred the Poisson in {prefer}/200, outside [{lo}, {hi}]"


@pytest.mark.parametrize("bad, message", [([1], "at least two"), ([0, -1, 2], "non-negative integers"),
                                          ([0.5, 1], "non-negative integers"), ([0, 0, 0], "every offspring")])
def test_offspring_fits_reject_bad_counts(bad, message):
    with pytest.raises(ValueError, match=message):
        fit_offspring(bad)


def test_reshare_offspring_skips_the_root():
    casc = Cascade.from_parents([-1, 0, 0, 1, 1, 1])
    assert casc.offspring.tolist() == [2, 3, 0, 0, 0, 0]
    assert reshare_offspring([casc]).tolist() == [3, 0, 0, 0, 0]


def _broadcast_tree(rng: np.random.Generator, r: float = 0.3) -> Cascade:
    """A broadcast root with 1-29 direct reshares, each reshare forwarded Poisson(r) times, and so on."""
    parents = [np.array([-1], dtype=np.int64)]
    frontier = np.arange(1, 1 + int(rng.integers(1, 30)), dtype=np.int64)
    parents.append(np.zeros(frontier.size, dtype=np.int64))
    total = 1 + frontier.size
    while frontier.size:
        kids = np.repeat(frontier, rng.poisson(r, frontier.size))
        frontier = np.arange(total, total + kids.size, dtype=np.int64)
        total += kids.size
        parents.append(kids)
    par = np.concatenate(parents)
    return Cascade(list(range(par.size)), par, np.zeros(par.size))


def _reshare_case(seed: int) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    return reshare_r_interval([_broadcast_tree(rng) for _ in range(300)], seed=seed)


@pytest.mark.parametrize("seed", [11])
def test_reshare_r_interval_recovers_r_on_simulated_trees(seed):
    """300 broadcast cascades with Poisson(0.3) forwarding: R within 4 SE, the SE read off the bootstrap
    interval (half-width / 1.96).  Measured: fails for 0 of 400 seeds."""
    r, lo, hi = _reshare_case(seed)
    assert lo < r < hi
    assert abs(r - 0.3) <= Z_RECOVERY * (hi - lo) / (2 * stats.norm.ppf(0.975))


@pytest.mark.parametrize("reps", [pytest.param(100, id="R100"),
                                  pytest.param(500, id="R500", marks=pytest.mark.slow)])
def test_reshare_r_interval_covers_at_the_nominal_rate(reps):
    """Coverage of the cascade-bootstrap 95% interval (R = 100: accept 87-100; R = 500: accept 458-489).

    Measured over 1,000 repetitions: 0.954.
    """
    first = 10_000 if reps < 500 else 20_000
    covered = 0
    for seed in range(first, first + reps):
        _, lo, hi = _reshare_case(seed)
        covered += lo <= 0.3 <= hi
    lo, hi = _coverage_range(reps)
    print(f"bootstrap interval coverage over {reps}: {covered} (accept {lo}-{hi})")
    assert lo <= covered <= hi, f"bootstrap interval covered 0.3 in {covered}/{reps}, outside [{lo}, {hi}]"


def test_reshare_r_interval_bad_input():
    trees = [_broadcast_tree(np.random.default_rng(1)) for _ in range(3)]
    with pytest.raises(ValueError, match=r"level must lie in \(0, 1\), got 1.5"):
        reshare_r_interval(trees, level=1.5)
    with pytest.raises(ValueError, match="need at least two cascades with reshares"):
        reshare_r_interval(trees[:1])
