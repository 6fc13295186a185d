"""The visibility window: shares kept by a window under fitted decay laws, with parametric intervals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from infoflow import decay, visibility


def _fit(seed: int = 0):
    rng = np.random.default_rng(seed)
    ages = np.sort(rng.exponential(10.0, 3000))  # exponential decay, rate 0.1 per hour
    return decay.fit_decay("exponential", ages, T=None)


def test_share_within_matches_the_law_and_covers_the_truth():
    fit = _fit()
    out = visibility.share_within(fit, np.array([5.0, 24.0, 72.0]), np.random.default_rng(1), draws=2000)
    assert out["share"].to_numpy() == pytest.approx(1 - np.exp(-fit.params["rate"] * out["hours"].to_numpy()))
    assert np.all(out["low"] <= out["share"]) and np.all(out["share"] <= out["high"])
    truth = 1 - math.exp(-0.1 * 5.0)
    assert out.loc[0, "low"] - 0.02 < truth < out.loc[0, "high"] + 0.02


def test_interval_width_follows_the_standard_error():
    # delta method for F(w) = 1 - exp(-rate w): sd = w exp(-rate w) se(rate)
    fit = _fit(2)
    w = 5.0
    out = visibility.share_within(fit, w, np.random.default_rng(3), draws=4000)
    sd = w * math.exp(-fit.params["rate"] * w) * fit.se["rate"]
    width = float(out["high"].iloc[0] - out["low"].iloc[0])
    assert width == pytest.approx(2 * 1.96 * sd, rel=0.15)


def test_share_within_refuses_bad_windows_and_foreign_fits():
    fit = _fit()
    with pytest.raises(ValueError, match="windows must be positive"):
        visibility.share_within(fit, 0.0, np.random.default_rng(0))
    from dataclasses import replace
    with pytest.raises(ValueError, match="is not a decay fit"):
        visibility.share_within(replace(fit, extra={}), 1.0, np.random.default_rng(0))


def test_tradeoff_is_a_long_table_rising_with_the_window():
    fits = {"toy": [_fit()]}
    out = visibility.tradeoff(fits, np.array([1.0, 10.0, 100.0]), np.random.default_rng(0), draws=200)
    assert list(out.columns) == ["proxy", "law", "hours", "share", "low", "high"]
    assert np.all(np.diff(out["share"].to_numpy()) > 0)


def _exp_cascades(rng, rate, n_cascades, window):
    out = []
    for _ in range(n_cascades):
        a = rng.exponential(1 / rate, rng.integers(1, 6))
        out.append(a[a <= window])
    return out


def test_cascade_bootstrap_recovers_a_known_law_and_its_share():
    rng = np.random.default_rng(3)
    window, rate = 50.0, 0.1
    cascades = _exp_cascades(rng, rate, 800, window)
    ages = np.sort(np.concatenate(cascades))
    fits = decay.fit_decay_models(ages, t0=0.0, T=window)
    boot = visibility.cascade_bootstrap(cascades, fits, window, hours=np.array([10.0, 30.0]), reps=60, seed=1)
    exp = boot[(boot["law"] == "exponential") & (boot["hours"] == 10.0)]
    truth = 1 - np.exp(-rate * 10.0)
    lo, hi = np.percentile(exp["eventual"], [0.5, 99.5])
    assert lo < truth < hi
    # the observed share estimates the law's share within the window
    assert abs(exp["observed"].mean() - exp["predicted within window"].mean()) < 0.02
    assert set(boot["law"]) == {f.extra["law"] for f in fits if f.converged}


def test_window_fit_test_accepts_the_true_law_and_rejects_a_wrong_one():
    rng = np.random.default_rng(5)
    window = 100.0
    ages = rng.exponential(10.0, 20000)
    ages = np.sort(ages[ages <= window])
    good = decay.fit_decay("exponential", ages, t0=0.0, T=window)
    assert abs(visibility.window_fit_test(good, ages, window, hours=20.0)["z"]) < 4
    heavy = np.sort(np.concatenate([ages, rng.uniform(20, window, 800)]))
    bad = decay.fit_decay("exponential", heavy, t0=0.0, T=window)
    assert visibility.window_fit_test(bad, heavy, window, hours=20.0)["p"] < 1e-6
