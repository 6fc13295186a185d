"""Adoption curves: parameter recovery, the Bass NLS/OLS cross-check, model comparison, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from infoflow.diffusion import (
    bass_curve,
    bass_ols,
    fit_bass,
    fit_gompertz,
    fit_irsir,
    fit_logistic,
    gompertz_curve,
    irsir_curve,
    irsir_states,
    logistic_curve,
)
from infoflow.fitting import FitResult, bootstrap_refit, compare


def _inside(fit: FitResult, truth: dict[str, float]) -> None:
    for k, v in truth.items():
        lo, hi = fit.ci[k]
        assert lo <= v <= hi, f"{fit.model}: true {k}={v} outside the {fit.level:.0%} interval ({lo}, {hi})"


def _close(fit: FitResult, truth: dict[str, float], rel: float) -> None:
    for k, v in truth.items():
        assert fit.params[k] == pytest.approx(v, rel=rel), f"{fit.model}: {k}={fit.params[k]} vs true {v}"


BASS = {"m": 1000.0, "p": 0.03, "q": 0.5}


def test_bass_nls_recovers_parameters():
    # Recovery: quarterly series over 15 years, Gaussian noise sd 5 (0.5% of m); tolerance 5%.
    rng = np.random.default_rng(11)
    t = np.arange(0.0, 15.01, 0.25)
    y = bass_curve(t, **BASS) + rng.normal(0, 5, t.size)
    fit = fit_bass(t, y)
    assert fit.converged and fit.k == 4 and fit.n == t.size
    _close(fit, BASS, rel=0.05)
    _inside(fit, BASS)
    assert np.allclose(fit.predict(t), bass_curve(t, **fit.params))


def test_bass_estimates_launch_time_on_calendar_years():
    # Float calendar years with an unknown launch (2011.0); unevenly spaced observations.
    rng = np.random.default_rng(12)
    t = np.sort(rng.uniform(2012.0, 2024.0, 40))
    truth = BASS | {"t0": 2011.0}
    y = bass_curve(t, **truth) + rng.normal(0, 4, t.size)
    fit = fit_bass(t, y, t0=None)
    _close(fit, BASS, rel=0.10)
    assert abs(fit.params["t0"] - 2011.0) < 0.3
    _inside(fit, truth)


def test_bass_ols_recovers_the_discrete_bass_model():
    # Recovery for the OLS routine itself: Bass's discrete recursion with noise on the new
    # adopters (the regression's error term), sd 5 (about 1% of the peak); tolerance 5%.
    rng = np.random.default_rng(13)
    m, p, q = 5000.0, 0.02, 0.4
    y = [0.0]
    for _ in range(40):
        prev = y[-1]
        y.append(prev + (p + q * prev / m) * (m - prev) + rng.normal(0, 5))
    fit = bass_ols(y)
    _close(fit, {"m": m, "p": p, "q": q}, rel=0.05)
    _inside(fit, {"m": m, "p": p, "q": q})


def test_bass_nls_and_ols_agree_on_a_finely_sampled_series():
    # Cross-check: monthly sampling, where the discrete form approximates the continuous curve.
    rng = np.random.default_rng(14)
    dt = 1.0 / 12.0
    t = np.arange(0.0, 14.0, dt)
    y = bass_curve(t, **BASS) + rng.normal(0, 1.0, t.size)
    nls = fit_bass(t, y)
    ols = bass_ols(y, dt=dt)
    assert ols.params["m"] == pytest.approx(nls.params["m"], rel=0.03)
    assert ols.params["q"] == pytest.approx(nls.params["q"], rel=0.10)
    assert ols.params["p"] == pytest.approx(nls.params["p"], rel=0.25)
    # the OLS fit models new adopters: comparing its AIC with the NLS fit must be refused
    with pytest.raises(ValueError, match="different numbers of observations"):
        compare([nls, ols])


@pytest.mark.parametrize(
    ("fitter", "curve", "truth"),
    [
        (fit_logistic, logistic_curve, {"K": 800.0, "r": 0.9, "t_mid": 2016.0}),
        (fit_gompertz, gompertz_curve, {"K": 800.0, "r": 0.6, "t_mid": 2016.0}),
    ],
)
def test_sigmoid_curves_recover_parameters(fitter, curve, truth):
    # Recovery on uneven calendar years with noise sd 5 (0.6% of K); tolerance 3%.
    rng = np.random.default_rng(15)
    t = np.sort(rng.uniform(2011.0, 2024.0, 35))
    y = curve(t, **truth) + rng.normal(0, 5, t.size)
    fit = fitter(t, y)
    assert fit.converged
    _close(fit, truth, rel=0.03)
    _inside(fit, truth)


def test_model_comparison_prefers_the_generating_curve():
    rng = np.random.default_rng(16)
    t = np.arange(2010.0, 2024.0, 0.25)
    y = gompertz_curve(t, 800.0, 0.5, 2015.0) + rng.normal(0, 5, t.size)
    table = compare([fit_logistic(t, y), fit_gompertz(t, y), fit_bass(t, y, t0=None)])
    assert table.loc[0, "model"] == "Gompertz"
    assert table["akaike_weight"].sum() == pytest.approx(1.0)
    assert table["delta_aic"].iloc[0] == 0.0
    assert list(table["aic"]) == sorted(table["aic"])


IRSIR = {"N": 500.0, "beta": 2.0, "nu": 3.0, "i0": 0.01, "r0": 0.001}


def test_irsir_recovers_parameters_from_uneven_observations():
    # Recovery: 30 unevenly spaced observations of a rise and fall, noise sd 3 (0.7% of the peak).
    rng = np.random.default_rng(17)
    t = np.sort(rng.uniform(2010.0, 2020.0, 30))
    y = np.abs(irsir_curve(t, **IRSIR, t0=t[0]) + rng.normal(0, 3, t.size))
    fit = fit_irsir(t, y)
    assert fit.params["t0"] == t[0]
    _close(fit, {k: IRSIR[k] for k in ("N", "beta", "nu")}, rel=0.05)
    _close(fit, {k: IRSIR[k] for k in ("i0", "r0")}, rel=0.25)
    _inside(fit, IRSIR)
    # a logistic curve cannot fall: the comparison must prefer irSIR by a wide margin
    table = compare([fit, fit_logistic(t, y)])
    assert table.loc[0, "model"] == "irSIR" and table.loc[1, "delta_aic"] > 50


def test_irsir_with_a_fixed_parameter_estimates_the_others():
    rng = np.random.default_rng(19)
    t = np.sort(rng.uniform(2010.0, 2020.0, 25))
    y = np.abs(irsir_curve(t, **IRSIR, t0=t[0]) + rng.normal(0, 3, t.size))
    fit = fit_irsir(t, y, fixed={"r0": IRSIR["r0"]})
    assert fit.k == 5 and fit.params["r0"] == IRSIR["r0"] and np.isnan(fit.se["r0"])
    # this sample has a gap in the rise (2010.9 to 2012.7), which leaves beta less certain
    _close(fit, {k: IRSIR[k] for k in ("N", "nu")}, rel=0.05)
    _close(fit, {"beta": IRSIR["beta"]}, rel=0.10)


def test_irsir_states_conserve_the_population_and_run_backwards():
    t = np.linspace(-2.0, 6.0, 41)
    states = irsir_states(t, **IRSIR, t0=0.0)
    assert np.allclose(states.sum(axis=1), IRSIR["N"], rtol=1e-6)
    assert np.all(np.diff(states[:, 2]) >= -1e-9)  # R never shrinks
    assert states[10, 1] == pytest.approx(IRSIR["N"] * IRSIR["i0"], rel=1e-8)


def test_bootstrap_standard_errors_match_the_jacobian_ones():
    # A residual bootstrap (60 replicates) must agree with the Jacobian SEs within 35%.
    rng = np.random.default_rng(18)
    t = np.arange(2010.0, 2022.0, 0.5)
    truth = {"K": 800.0, "r": 0.9, "t_mid": 2015.0}
    y = logistic_curve(t, **truth) + rng.normal(0, 8, t.size)
    fit = fit_logistic(t, y)
    boot = bootstrap_refit(fit, fit_logistic, n_boot=60, rng=np.random.default_rng(1))
    assert "bootstrap" in boot.method
    assert boot.extra["bootstrap"].shape == (60 - boot.extra["bootstrap_failed"], 3)
    assert boot.params == fit.params
    for k in truth:
        assert boot.se[k] == pytest.approx(fit.se[k], rel=0.35)
        assert boot.ci[k][0] < boot.params[k] < boot.ci[k][1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fit_bass([], []), "empty"),
        (lambda: fit_logistic([1.0, 3.0, 2.0, 4.0, 5.0], [1, 2, 3, 4, 5]), "strictly increasing"),
        (lambda: fit_gompertz([1.0, 2.0, 3.0], [1.0, 2.0]), "differ in length"),
        (lambda: fit_logistic([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), "cannot identify"),
        (lambda: fit_bass([1.0, 2.0, np.nan, 4.0, 5.0], [1, 2, 3, 4, 5]), "finite"),
        (lambda: fit_bass([1.0, 2.0, 3.0, 4.0, 5.0], [1, 2, 3, 4, 5], t0=3.0), "after the first observation"),
        (lambda: fit_irsir(np.arange(8.0), [1, 2, 3, -4, 5, 6, 7, 8]), "non-negative"),
        (lambda: bass_curve([1.0], m=-1.0, p=0.1, q=0.3), "m must be a positive"),
        (lambda: logistic_curve([1.0], K=10.0, r=0.0, t_mid=0.0), "r must be a positive"),
        (lambda: irsir_curve([1.0], N=10.0, beta=1.0, nu=1.0, i0=0.7, r0=0.5), "add up to more than 1"),
        (lambda: bass_ols([1.0, 2.0, 3.0]), "at least 5"),
        (lambda: bass_ols(np.arange(10.0)), "c=.* must be negative"),
        (lambda: compare([]), "no fits"),
        (lambda: fit_irsir(np.arange(9.0), np.arange(9.0) + 1, fixed={"rho": 1.0}), "no parameter.*'rho'"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_compare_reports_aicc_and_refuses_it_when_data_are_too_few():
    t = np.arange(12.0)
    y = 100 / (1 + np.exp(-(t - 5.0))) + np.resize([0.5, -0.3, 0.2, -0.4], 12)
    fit = fit_logistic(t, y)
    row = compare([fit]).iloc[0]
    assert row["aicc"] == pytest.approx(fit.aic + 2 * fit.k * (fit.k + 1) / (fit.n - fit.k - 1))
    few = fit_logistic(t[3:8], y[3:8])  # n = 5 observations, k = 4 (K, r, t_mid, sigma): n - k - 1 = 0
    assert compare([few])["aicc"].isna().all()
