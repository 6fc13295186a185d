"""Rumour cascades: AUC, the logistic rule (parameter recovery), no signal on shuffled labels, planted signal found."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from infoflow import rumours
from infoflow.cascades import Cascade


def test_auc_counts_pairs_and_ties():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 5, 60).astype(float)
    y = rng.random(60) < 0.4
    pairs = [(a > b) + 0.5 * (a == b) for a in s[y] for b in s[~y]]
    assert rumours.auc(s, y) == pytest.approx(np.mean(pairs))
    with pytest.raises(ValueError, match="AUC needs both classes"):
        rumours.auc(s, np.ones(60, bool))


def test_logistic_recovers_its_parameters():
    rng = np.random.default_rng(11)
    truth = np.array([-0.5, 1.2, -0.8, 0.0])
    X = rng.normal(size=(4000, 3))
    y = rng.random(4000) < 1 / (1 + np.exp(-(truth[0] + X @ truth[1:])))
    beta, se = rumours.fit_logistic(X, y)
    assert np.all(np.abs(beta - truth) <= 3 * se), (beta, se)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_shuffled_labels_give_an_auc_of_one_half(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2000, 3))
    y = rng.random(2000) < 1 / (1 + np.exp(-2 * X[:, 0]))  # real signal ...
    y = rng.permutation(y)  # ... destroyed by shuffling
    cv = rumours.cross_validated_auc(X, y, seed=seed, n_boot=200)
    n1, n0 = y.sum(), (~y).sum()
    se = np.sqrt((n1 + n0 + 1) / (12 * n1 * n0))  # the AUC's standard error under no signal (Hanley-McNeil)
    assert abs(cv["auc"] - 0.5) < 4 * se


def test_planted_signal_is_recovered():
    # one feature shifted by d between classes (unit variance): the best rule's AUC is Phi(d / sqrt 2)
    rng = np.random.default_rng(5)
    d = 1.0
    y = rng.random(3000) < 0.3
    X = np.column_stack([rng.normal(size=3000) + d * y, rng.normal(size=(3000, 2))])
    cv = rumours.cross_validated_auc(X, y, seed=2, n_boot=300)
    target = stats.norm.cdf(d / np.sqrt(2))
    assert cv["lo"] - 0.01 < target < cv["hi"] + 0.01 and abs(cv["auc"] - target) < 0.03
    perm = rumours.permutation_auc(X, y, permutations=30, seed=3)
    assert abs(perm.mean() - 0.5) < 0.03 and cv["auc"] > perm.max()


def test_alarm_cost_follows_prevalence():
    y = np.r_[np.ones(100, bool), np.zeros(100, bool)]
    s = np.r_[np.arange(100) + 50.0, np.arange(100.0)]  # positives 50..149, negatives 0..99
    out = rumours.alarm_cost(s, y, 0.5)  # threshold 99: at least half the positives (51), one negative
    assert out["tpr"] == 0.51 and out["fpr"] == 0.01
    assert out["flags_per_true_alarm"] == pytest.approx((51 + 1) / 51)
    out = rumours.alarm_cost(s, y, 1.0, prevalence=0.1)  # threshold 50: all positives, half the negatives
    assert out["flags_per_true_alarm"] == pytest.approx(1 + 0.5 * 0.9 / 0.1)


def _tree():
    # root 0; 1 and 2 at minutes 5 and 50; 3 (child of 1) at 70; 4 (child of 3) at 200
    return Cascade.from_edges([(0, 1, 5.0), (0, 2, 50.0), (1, 3, 70.0), (3, 4, 200.0)], time_unit="minutes")


def test_truncate_and_early_features():
    c = _tree()
    assert rumours.truncate(c, 60).size == 3
    assert rumours.truncate(c, 1000).size == 5
    f = rumours.early_features(c, 60)
    assert f == {"velocity": 2.0, "depth": 1.0, "breadth": 2.0}
    f = rumours.early_features(c, 120)
    assert f == {"velocity": 1.5, "depth": 2.0, "breadth": 2.0}
    assert rumours.early_features(c, 1)["velocity"] == 0.0


def test_shape_of_a_tree():
    s = rumours.shape(_tree())
    assert (s["size"], s["depth"], s["breadth"], s["first_hour"]) == (5, 3, 2, 2)
    assert s["half_time"] == pytest.approx(50 / 60)
    assert s["last_time"] == pytest.approx(200 / 60)


def test_size_matching_pairs_equal_sizes_and_finds_no_difference_between_copies():
    rng = np.random.default_rng(3)
    sizes = np.exp(rng.uniform(3, 7, 300)).round()
    depth = np.log(sizes) + rng.normal(0, 0.1, 300)
    t = pd.DataFrame({"label": ["a"] * 150 + ["b"] * 150, "size": sizes, "depth": depth})
    m = rumours.size_matched(t, "a", "b", caliper=0.05, seed=1)
    wide = m.pivot(index="pair", columns="label", values="size")
    assert np.all(np.abs(np.log(wide["a"] / wide["b"])) <= 0.05)
    diff = rumours.paired_differences(m, "a", "b", ["depth"], n_boot=300)
    assert diff.loc[0, "diff_lo"] < 0 < diff.loc[0, "diff_hi"]
    # a planted difference at equal size is found
    t.loc[t["label"] == "a", "depth"] += 0.5
    m = rumours.size_matched(t, "a", "b", caliper=0.05, seed=1)
    diff = rumours.paired_differences(m, "a", "b", ["depth"], n_boot=300)
    assert diff.loc[0, "diff_lo"] > 0.3


def test_compare_labels_reports_cliffs_delta():
    t = pd.DataFrame({"label": ["x"] * 50 + ["y"] * 50, "m": np.r_[np.arange(50) + 100.0, np.arange(50.0)]})
    out = rumours.compare_labels(t, "x", "y", ["m"], n_boot=100)
    assert out.loc[0, "cliffs_delta"] == 1.0 and out.loc[0, "mann_whitney_p"] < 1e-10


def test_fixed_monitor_has_no_learned_direction():
    """The monitor flags high features: AUC well above 0.5 when positives forward more, well below when they forward less."""
    rng = np.random.default_rng(7)
    y = np.r_[np.ones(300, bool), np.zeros(300, bool)]
    X = rng.normal(size=(600, 3)) + np.where(y, 0.8, 0.0)[:, None]
    assert rumours.auc(rumours.monitor_score(X), y) > 0.7
    assert rumours.auc(rumours.monitor_score(-X), y) < 0.3


def test_monitor_score_rejects_a_vector():
    with pytest.raises(ValueError, match="2-D feature matrix"):
        rumours.monitor_score(np.arange(5.0))
