"""Hawkes with a decaying background: parameter recovery, profile intervals, the fair null and its test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from calibration import within

from infoflow import hawkes_background as hb
from infoflow import pointprocess

TRUTH = {"m": 1500.0, "alpha": 1.2, "c": 900.0, "n_star": 0.6, "beta": 1 / 120.0}
T = 3 * 86400.0


def _simulate(seed: int, **over: float) -> np.ndarray:
    p = TRUTH | over
    return hb.simulate_hawkes_decaying_background(p["m"], p["n_star"], p["beta"], T, seed, alpha=p["alpha"],
                                                  c=p["c"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fit_recovers_parameters(seed):
    """Simulate with known parameters, fit, recover every parameter within 4 standard errors."""
    t = _simulate(seed)
    fit = hb.fit_hawkes_decaying_background(t, T)
    assert fit.converged
    within(fit, TRUTH)


def test_profile_interval_covers_the_truth_and_brackets_the_estimate():
    """The 95% profile interval of n_star contains the estimate and, on this seed, the true value."""
    t = _simulate(11)
    fit = hb.fit_hawkes_decaying_background(t, T)
    lo, hi = hb.profile_interval(t, fit)
    assert lo < fit["n_star"] < hi
    assert lo < TRUTH["n_star"] < hi
    # the profile and Wald intervals agree roughly when the likelihood is near-quadratic
    wlo, whi = fit.ci["n_star"]
    assert abs(lo - wlo) < 0.5 * (whi - wlo) and abs(hi - whi) < 0.5 * (whi - wlo)


def test_profile_interval_is_open_when_the_data_do_not_bound_it():
    """A pure Poisson cascade: the profile interval of n_star reaches down to 0."""
    t = _simulate(5, n_star=0.0)
    fit = hb.fit_hawkes_decaying_background(t, T)
    lo, _ = hb.profile_interval(t, fit)
    assert lo == 0.0 or lo < 0.05


def test_lr_test_rejects_the_null_only_for_self_exciting_data():
    """Power: n_star = 0.6 is detected in 5 of 5 seeds; size: with n_star = 0 at most 1 of 10 seeds rejects at 5%."""
    assert all(hb.self_excitation_test(_simulate(s), T).pvalue < 0.05 for s in range(20, 25))
    false = sum(hb.self_excitation_test(_simulate(s, n_star=0.0, m=600.0), T).pvalue < 0.05 for s in range(30, 40))
    assert false <= 1


def test_constant_background_inflates_n_star_on_decaying_poisson_data():
    """The artefact the model fixes: on a Poisson process with decaying rate, a constant-background Hawkes
    fit finds strong self-excitation and the decaying-background fit does not."""
    t = _simulate(7, n_star=0.0, m=3000.0)
    const = pointprocess.fit_hawkes_exp(t, T)
    hdb = hb.fit_hawkes_decaying_background(t, T)
    assert const["n_star"] > 0.3
    assert hdb["n_star"] < 0.1
    assert hdb.aic < const.aic


def test_compensator_rescales_to_exponential_under_the_true_model():
    """Time-rescaling with the true parameters does not reject (KS p > 0.01); dropping the offspring does."""
    t = _simulate(8)
    _, p = hb.rescaling_ks(hb.hdb_compensator(t, TRUTH, law="power law"))
    assert p > 0.01
    broken = TRUTH | {"n_star": 0.0}
    assert hb.rescaling_ks(hb.hdb_compensator(t, broken, law="power law"))[1] < 0.01


def test_loglik_matches_the_poisson_formula_when_n_star_is_zero():
    """With n_star = 0 the likelihood is sum log(m f) - m F(T), computed by hand."""
    t = np.array([10.0, 50.0, 400.0, 900.0])
    p = {"m": 7.0, "alpha": 1.5, "c": 100.0}
    f = p["alpha"] / p["c"] * (1 + t / p["c"]) ** (-p["alpha"] - 1)
    F = 1 - (1 + 1000.0 / p["c"]) ** (-p["alpha"])
    assert math.isclose(hb.hdb_loglik(t, p, T=1000.0), float(np.sum(np.log(p["m"] * f)) - p["m"] * F), rel_tol=1e-12)


def test_bad_inputs_raise_clear_errors():
    """Unknown law, unknown parameter, too few events, an explosive simulation."""
    with pytest.raises(ValueError, match="unknown background law"):
        hb.fit_hawkes_decaying_background(np.arange(1.0, 20.0), law="gamma")
    with pytest.raises(ValueError, match="at least 5 events"):
        hb.fit_hawkes_decaying_background([1.0, 2.0, 3.0])
    fit = hb.fit_inhomogeneous_poisson(_simulate(3, n_star=0.0, m=300.0), T)
    with pytest.raises(ValueError, match="has no parameter 'n_star'"):
        hb.profile_interval(np.arange(1.0, 20.0), fit)
    with pytest.raises(ValueError, match="0 <= n_star < 1"):
        hb.simulate_hawkes_decaying_background(10.0, 1.2, 1.0, 10.0, alpha=1.0, c=1.0)


def test_pooled_multiplier_counts_cascades_once_and_keeps_supercritical_fits_apart():
    """Unweighted pooling; unidentified rows left out, n >= 1 rows counted separately; the interval widens with
    each cascade's profile uncertainty."""
    import pandas as pd

    tab = pd.DataFrame({"events": [100, 300, 50, 60, 70], "n_star": [0.2, 0.6, 5.0, 1.3, 0.4],
                        "n_profile_low": [0.1, 0.5, np.nan, 1.1, 0.3], "n_profile_high": [0.3, 0.7, np.nan, 1.6, 0.5],
                        "identified": [True, True, False, True, True]}, index=list("abcde"))
    out = hb.pooled_multiplier(tab, n_boot=500)
    assert math.isclose(out["n"], 0.4)
    assert out["excluded"] == 1 and out["cascades"] == 3 and out["supercritical_names"] == ["d"]
    assert out["low"] <= out["multiplier"] <= out["high"]
    wide = hb.pooled_multiplier(tab.assign(n_profile_low=0.0, n_profile_high=0.99), n_boot=500)
    assert wide["high"] - wide["low"] > out["high"] - out["low"]


def test_onset_at_the_first_reshare():
    """With the default onset every proxy cascade starts at 0 with its first reshare; with 'post' none does."""
    first = hb.proxy_cascades()
    post = hb.proxy_cascades(onset="post")
    assert all(t[0] == 0.0 for t in first.values()) and all(t[0] > 0 for t in post.values())
    delays = hb.first_reshare_delays()
    assert set(delays) == set(first) and max(delays.values()) > 1.0
    with pytest.raises(ValueError, match="unknown onset"):
        hb.proxy_cascades(onset="launch")


def test_hawkes_fit_never_ends_below_its_poisson_null():
    """The Hawkes model nests the null (n_star -> 0): its fitted log-likelihood is never lower (nested starts)."""
    for seed in (4, 5):
        t = np.sort(np.random.default_rng(seed).uniform(0.0, 100.0, 60))
        test = hb.self_excitation_test(t, 100.0)
        assert test.hawkes.loglik >= test.null.loglik - 1e-6
