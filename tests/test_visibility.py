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
