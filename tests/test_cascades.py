"""Cascade trees: validation, shape metrics, structural virality, branching number, real-file quirks."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from infoflow.cascades import (
    Cascade,
    branching_r,
    fit_offspring,
    offspring_distribution,
    parse_deephawkes_paths,
    reshare_offspring,
    simulate_galton_watson,
)

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


@pytest.mark.parametrize(("r", "offspring"), [(0.5, "poisson"), (0.8, "poisson"), (0.6, "geometric")])
def test_branching_number_and_the_mean_size_check(r, offspring):
    # Recovery: 4,000 simulated Galton-Watson trees; R within 0.03, and the mean size within 10%
    # of the subcritical total progeny 1 / (1 - R), with the true R and with the estimate.
    rng = np.random.default_rng(50)
    trees = [simulate_galton_watson(r, rng, offspring=offspring) for _ in range(4000)]
    fit = branching_r(trees)
    assert abs(fit.params["R"] - r) < 0.03
    assert fit.ci["R"][0] <= r <= fit.ci["R"][1]
    mean_size = fit.extra["mean_size"]
    assert mean_size == pytest.approx(1.0 / (1.0 - r), rel=0.10)
    assert fit.extra["predicted_mean_size"] == pytest.approx(mean_size, rel=0.10)
    # leaving out the deepest generation is biased upwards on complete trees (documented)
    assert branching_r(trees, exclude_last_generation=True).params["R"] > fit.params["R"]


def test_galton_watson_trees_have_breadth_first_layout():
    tree = simulate_galton_watson(0.9, np.random.default_rng(51))
    assert tree.size == 1 + int(tree.offspring.sum())
    assert np.all(np.diff(tree.depths) >= 0)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([], "empty"),
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
    with pytest.raises(ValueError, match="not a node"):
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
    with pytest.raises(ValueError, match="cannot be estimated"):
        branching_r(Cascade.from_parents([-1]))
    with pytest.raises(ValueError, match="non-negative"):
        simulate_galton_watson(-0.5)


def _load(name: str, *args):
    data = pytest.importorskip("infoflow.data")
    try:
        return getattr(data, name)(*args)
    except data.DataError as err:  # the shared data folder may be absent on a reader's machine
        pytest.skip(f"{name} not available: {err}")


def test_every_twitter16_tree_builds():
    trees = _load("load_twitter_trees", "twitter16").trees
    cascades = [Cascade.from_twitter(df) for df in trees.values()]
    assert len(cascades) == 818
    for c in cascades:
        assert np.all(c.time >= 0) and np.all(c.time[1:] >= c.time[c.parent[1:]])
    r = branching_r(cascades)
    assert 0 < r.params["R"] < 1


def test_every_deephawkes_sample_cascade_builds():
    df = _load("load_deephawkes")
    for row in df.itertuples():
        c = Cascade.from_deephawkes(row.paths)
        assert c.root == row.root_user
        assert c.size == row.size - c.repairs["repeated_users_dropped"] + c.repairs["intermediate_users_added"]


def test_offspring_fits_recover_mean_and_dispersion():
    """Negative-binomial offspring (R = 0.3, k = 0.5), 5,000 draws: both recovered within 10%."""
    rng = np.random.default_rng(20261123)
    y = rng.negative_binomial(0.5, 0.5 / (0.5 + 0.3), size=5000)
    poisson, negbin = fit_offspring(y)
    assert abs(negbin["R"] - 0.3) / 0.3 < 0.10 and abs(negbin["k"] - 0.5) / 0.5 < 0.10
    lo, hi = negbin.ci["k"]
    assert lo < 0.5 < hi
    assert negbin.aic < poisson.aic
    assert poisson["R"] == pytest.approx(y.mean(), rel=1e-4)


def test_offspring_fits_prefer_poisson_for_poisson_data():
    rng = np.random.default_rng(7)
    poisson, negbin = fit_offspring(rng.poisson(0.8, size=4000))
    assert poisson.aic < negbin.aic + 2  # the extra dispersion parameter buys nothing


@pytest.mark.parametrize("bad, message", [([1], "at least two"), ([0, -1, 2], "non-negative integers"),
                                          ([0.5, 1], "non-negative integers"), ([0, 0, 0], "every offspring")])
def test_offspring_fits_reject_bad_counts(bad, message):
    with pytest.raises(ValueError, match=message):
        fit_offspring(bad)


def test_reshare_offspring_skips_the_root():
    casc = Cascade.from_parents([-1, 0, 0, 1, 1, 1])
    assert casc.offspring.tolist() == [2, 3, 0, 0, 0, 0]
    assert reshare_offspring([casc]).tolist() == [3, 0, 0, 0, 0]


def test_reshare_r_interval_covers_the_truth_on_simulated_trees():
    """Broadcast roots with Poisson(0.3) forwarding: the cascade bootstrap interval covers R = 0.3."""
    from infoflow.cascades import reshare_r_interval

    rng = np.random.default_rng(11)
    trees = []
    for _ in range(300):
        parents = [-1] + [0] * int(rng.integers(1, 30))
        frontier = list(range(1, len(parents)))
        while frontier:
            nxt = []
            for node in frontier:
                for _ in range(rng.poisson(0.3)):
                    parents.append(node)
                    nxt.append(len(parents) - 1)
            frontier = nxt
        trees.append(Cascade.from_parents(parents))
    r, lo, hi = reshare_r_interval(trees)
    assert lo < 0.3 < hi and abs(r - 0.3) < 0.05
    with pytest.raises(ValueError, match="level"):
        reshare_r_interval(trees, level=1.5)
