"""Hawkes processes and SEISMIC: calibrated recovery, interval coverage, goodness of fit, the R package.

Recovery tolerances are in standard errors: ``|estimate - truth| <= Z * SE`` for every parameter,
``Z = 4`` (``Z_RECOVERY``), SE the fit's own.  Each recovery test was run over many seeds in a
scratch script; its docstring gives the share of seeds for which it fails.  Coverage tests repeat
simulate-and-fit ``R`` times and accept the number of intervals covering the truth when it lies in
the central 99.9% binomial range around the nominal rate; the ``slow`` versions run in ``make bench``.
The real-data test loads the shared SEISMIC tweet: a missing or corrupt file fails it with the data
registry's message (it is never turned into a skip).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from calibration import coverage_range as _coverage_range
from calibration import within as _within
from scipy import integrate, stats

from infoflow import data
from infoflow.fitting import FitResult
from infoflow.pointprocess import (
    fit_hawkes_exp,
    hawkes_compensator,
    hawkes_intensity,
    hawkes_loglik,
    memory_ccdf,
    memory_pdf,
    seismic_infectiousness,
    seismic_predict,
    simulate_hawkes_exp,
    simulate_seismic,
    time_rescaling_test,
)

HAWKES = {"mu": 0.5, "n_star": 0.6, "beta": 2.0}


def _hawkes_case(seed: int, T: float = 2000.0) -> tuple[np.ndarray, FitResult]:
    """A stationary Hawkes process on [0, T] (T = 2000: about 2,500 events), fitted by maximum likelihood."""
    times = simulate_hawkes_exp(**HAWKES, T=T, rng=np.random.default_rng(seed))
    return times, fit_hawkes_exp(times, T=T)


@pytest.fixture(scope="module")
def hawkes_sample() -> np.ndarray:
    return simulate_hawkes_exp(**HAWKES, T=2000.0, rng=np.random.default_rng(31))


def _loop_loglik(t: np.ndarray, T: float, mu: float, n_star: float, beta: float) -> float:
    """Independent reference: the intensity summed over strictly earlier events, O(n^2)."""
    ll = 0.0
    for i in range(t.size):
        earlier = t[t < t[i]]
        ll += math.log(mu + n_star * beta * np.sum(np.exp(-beta * (t[i] - earlier))))
    return ll - mu * T - n_star * float(np.sum(1.0 - np.exp(-beta * (T - t))))


def test_loglik_matches_the_quadratic_definition_with_ties():
    rng = np.random.default_rng(30)
    t = np.sort(np.round(rng.uniform(0, 50, 200), 1))  # rounded: many ties
    assert np.any(np.diff(t) == 0)
    for beta in (0.05, 1.0, 30.0):
        assert hawkes_loglik(t, 0.7, 0.5, beta, T=60.0) == pytest.approx(_loop_loglik(t, 60.0, 0.7, 0.5, beta),
                                                                       rel=1e-10)


@pytest.mark.parametrize("seed", [31])
def test_hawkes_fit_recovers_parameters(seed):
    """mu, n_star, beta within 4 SE (T = 2000, about 2,500 events).  Measured: fails for 0 of 1,000 seeds."""
    times, fit = _hawkes_case(seed)
    assert fit.converged and fit.n == times.size and fit.k == 3
    _within(fit, HAWKES)
    assert fit.extra["alpha"] == pytest.approx(fit.params["n_star"] * fit.params["beta"])
    assert fit.extra["T"] == 2000.0


@pytest.mark.parametrize("reps", [pytest.param(60, id="R60"),
                                  pytest.param(500, id="R500", marks=pytest.mark.slow)])
def test_hawkes_intervals_cover_at_the_nominal_rate(reps):
    """Coverage of the 95% Wald intervals (log scale, observed information) of mu, n_star and beta.

    R = 60: accept 50-60; R = 500: accept 458-489.  Measured over 1,400 repetitions (T = 2000):
    mu 0.940, n_star 0.947, beta 0.949.
    """
    covered = dict.fromkeys(HAWKES, 0)
    first = 10_000 if reps < 500 else 20_000
    for seed in range(first, first + reps):
        _, fit = _hawkes_case(seed)
        for k, v in HAWKES.items():
            covered[k] += fit.ci[k][0] <= v <= fit.ci[k][1]
    lo, hi = _coverage_range(reps)
    outside = {k: f"{c}/{reps}" for k, c in covered.items() if not lo <= c <= hi}
    print(f"Hawkes coverage over {reps}: {covered} (accept {lo}-{hi})")
    assert not outside, f"Hawkes coverage outside [{lo}, {hi}] of {reps} (99.9% binomial range): {outside}"


@pytest.mark.parametrize("seed", [32])
def test_hawkes_fit_is_finite_on_times_rounded_to_ties(seed):
    """Rounded times would make the likelihood unbounded (beta to infinity) if tied events excited each other.

    With times rounded to 0.1 (the mean delay is 0.5) the fit stays finite and beta stays *below* the
    truth: rounding blurs the fast excitation (beta is 16-49% low over 300 seeds), while mu and n_star
    remain within 4 SE.  Measured: fails for 0 of 300 seeds.
    """
    t = np.round(simulate_hawkes_exp(**HAWKES, T=1000.0, rng=np.random.default_rng(seed)), 1)
    assert np.any(np.diff(t) == 0)
    fit = fit_hawkes_exp(t, T=1000.0)
    assert fit.converged and np.isfinite(fit.loglik)
    assert 0 < fit.params["beta"] < HAWKES["beta"]
    _within(fit, {k: HAWKES[k] for k in ("mu", "n_star")})


def test_time_rescaling_accepts_the_true_model_and_rejects_a_poisson_one(hawkes_sample):
    """KS p-value above 0.05 for the fitted Hawkes model, below 1e-3 for a Poisson process of the same rate.

    Measured over 300 seeds: the smallest fitted-model p-value was 0.11 (a KS test with fitted
    parameters is conservative), the largest Poisson one 1e-70.
    """
    fit = fit_hawkes_exp(hawkes_sample, T=2000.0)
    good = time_rescaling_test(hawkes_sample, fit)
    assert good.n == hawkes_sample.size and good.pvalue > 0.05
    rate = hawkes_sample.size / 2000.0
    poisson = {"mu": rate, "n_star": 0.0, "beta": 1.0}  # same mean rate, no clustering
    assert time_rescaling_test(hawkes_sample, poisson).pvalue < 1e-3


def test_compensator_is_the_integral_of_the_intensity(hawkes_sample):
    t = hawkes_sample[:60]
    p = HAWKES
    grid = np.concatenate([[0.0], t, [t[-1] + 1.0]])
    total = sum(integrate.quad(lambda s: float(hawkes_intensity(t, p, s)), a, b, limit=200)[0]
                for a, b in itertools.pairwise(grid))
    assert hawkes_compensator(t, p, [grid[-1]])[0] == pytest.approx(total, rel=1e-7)
    assert np.allclose(hawkes_compensator(t, p), hawkes_compensator(t, p, t))


@pytest.mark.parametrize("seed", [33])
def test_simulation_has_the_stationary_mean_rate(seed):
    """The event count on [0, T] is within 4 SD of mu T / (1 - n*), SD^2 = mu T / (1 - n*)^3 (clusters).

    Measured: fails for 0 of 400 seeds (the standardised counts had SD 1.03).
    """
    mu, n_star, T = 1.0, 0.5, 4000.0
    t = simulate_hawkes_exp(mu, n_star, 3.0, T, rng=np.random.default_rng(seed))
    assert abs(t.size - mu * T / (1 - n_star)) <= 4 * math.sqrt(mu * T / (1 - n_star) ** 3)
    assert np.all(np.diff(t) >= 0) and 0 <= t[0] and t[-1] <= T
    again = simulate_hawkes_exp(mu, n_star, 3.0, T, rng=np.random.default_rng(seed))
    assert np.array_equal(t, again)


# ------------------------------------------------------------------------------------------------ SEISMIC


def test_memory_kernel_is_a_distribution():
    assert memory_ccdf(0.0) == 1.0
    assert memory_ccdf(300.0 - 1e-9) == pytest.approx(memory_ccdf(300.0 + 1e-9), rel=1e-6)
    s = np.array([10.0, 200.0, 500.0, 5000.0, 1e5])
    h = 1e-3 * s
    assert np.allclose((memory_ccdf(s - h) - memory_ccdf(s + h)) / (2 * h), memory_pdf(s), rtol=1e-5)


def _seismic_literal(share: np.ndarray, degree: np.ndarray, p: float) -> tuple[float, float]:
    """A direct, loop-by-loop reading of get.infectiousness and pred.cascade (R/tweetfunctions.R)."""
    theta, cutoff, c = 0.2314843, 300.0, 0.0006265725
    slope = min(max(1 / (p / 2), 1 / 7200), 1 / 300)
    window = min(max(p / 2, 300), 7200)
    if np.sum((share >= p - window) & (share < p)) < 5:
        lcv = int(np.sum(share < p))
        first = share[max(lcv - 5, 1) - 1]
        slope, window = 1 / (p - first), p - first

    def lin(t1, t2):
        return c * (t2 - p * slope * t2 + slope * t2**2 / 2) - c * (t1 - p * slope * t1 + slope * t1**2 / 2)

    def pw(t1, t2, s):
        def f(x):
            return (c * cutoff ** (1 + theta) * (x - s) ** (-theta)
                    * (s * slope - theta + (theta - 1) * p * slope - theta * slope * x + 1) / ((theta - 1) * theta))
        return f(t2) - f(t1)

    exposure = 0.0
    for s, d in zip(share, degree):
        v = 0.0
        if s < p <= s + cutoff:
            v = lin(s, p)
        if s + cutoff < p <= s + window:
            v = lin(s, s + cutoff) + pw(s + cutoff, p, s)
        if s + window < p <= s + window + cutoff:
            v = lin(p - window, s + cutoff) + pw(s + cutoff, p, s)
        if p > s + window + cutoff:
            v = pw(p - window, p, s)
        exposure += d * v
    tri = share[1:][(share[1:] >= p - window) & (share[1:] < p)]
    inf = float(np.sum(slope * (tri - p) + 1)) / exposure
    seen = share <= p
    ccdf = [1 - c * x if x <= cutoff else c * cutoff ** (1 + theta) / theta * x ** (-theta) for x in p - share[seen]]
    pred = (seen.sum() - 1) + float(np.sum(degree[seen] * inf * np.array(ccdf))) / (1 - 100 * inf)
    return inf, (math.inf if inf > 1 / 100 else pred)


def test_seismic_follows_the_r_package_line_by_line():
    share, degree = simulate_seismic(0.004, 50_000, np.random.default_rng(34).lognormal(4.0, 1.0, 500), 2e5,
                                     rng=np.random.default_rng(35))
    times = [30.0, 200.0, 900.0, 3600.0, 4 * 3600.0]
    out = seismic_predict(share, degree, times)
    inf = seismic_infectiousness(share, degree, times)
    assert np.array_equal(inf["infectiousness"], out["infectiousness"])
    assert np.all(inf["p_low"] <= inf["infectiousness"]) and np.all(inf["infectiousness"] <= inf["p_up"])
    for row, p in zip(out.itertuples(), times):
        inf, pred = _seismic_literal(share, degree, p)
        assert row.infectiousness == pytest.approx(inf, rel=1e-10)
        assert row.prediction == pytest.approx(pred, rel=1e-10)
        assert row.observed == np.sum(share <= p) - 1


SEISMIC_P = 0.005  # infectiousness of the simulated cascades
_FOLLOWERS = np.random.default_rng(36).lognormal(math.log(100) - 0.5, 1.0, 1000)  # mean degree ~100


@pytest.mark.parametrize("first_seed", [0])
def test_seismic_recovers_the_infectiousness_of_a_simulated_cascade(first_seed):
    """Recovery over 6 simulated cascades (p = 0.005, root with 200,000 followers, mean degree ~100).

    The median estimate at 1 h within 15% of p, and the median 6 h prediction within 25% of the final
    size.  Over 400 sets of 6 cascades the median relative errors had SD 4.5% (estimate) and 6.4%
    (prediction), so the tolerances are 3.3 and 3.9 SD.  Measured: fails for 0 of 400 sets.
    """
    estimates, errors = [], []
    for seed in range(first_seed, first_seed + 6):
        share, degree = simulate_seismic(SEISMIC_P, 200_000, _FOLLOWERS, math.inf,
                                         rng=np.random.default_rng(seed))
        est = seismic_predict(share, degree, [3600.0, 6 * 3600.0], n_star=float(_FOLLOWERS.mean()))
        estimates.append(est.loc[0, "infectiousness"])
        errors.append(est.loc[1, "prediction"] / (share.size - 1) - 1.0)
    assert np.median(estimates) == pytest.approx(SEISMIC_P, rel=0.15)
    assert abs(np.median(errors)) < 0.25


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the SEISMIC 90% band (p_low, p_up; the R package's chi-square band on the "
                   "unweighted count in the window) under-covers: measured 0.825 over 10,000 simulated "
                   "cascades "
                   "at 1 h (p = 0.005), against 0.90 nominal; the estimate itself is unbiased (mean 0.00501)")
@pytest.mark.parametrize("reps", [pytest.param(1000, id="R1000"),
                                  pytest.param(5000, id="R5000", marks=pytest.mark.slow)])
def test_seismic_band_covers_at_the_nominal_rate(reps):
    """Coverage of the 90% infectiousness band at 1 h.

    R = 1,000: accept 868-930; R = 5,000: accept 4,429-4,568.
    """
    covered = 0
    first = 10_000 if reps < 5000 else 20_000
    for seed in range(first, first + reps):
        # only the shares before 1 h enter the estimate at 1 h, so the simulation stops there
        share, degree = simulate_seismic(SEISMIC_P, 200_000, _FOLLOWERS, 3600.0,
                                         rng=np.random.default_rng(seed))
        band = seismic_infectiousness(share, degree, [3600.0]).iloc[0]
        covered += band["p_low"] <= SEISMIC_P <= band["p_up"]
    lo, hi = _coverage_range(reps, level=0.90)
    print(f"SEISMIC band coverage over {reps}: {covered} (accept {lo}-{hi})")
    assert lo <= covered <= hi, f"SEISMIC band covered p in {covered}/{reps}, outside [{lo}, {hi}]"


def test_seismic_reference_cascade():
    """The shared SEISMIC tweet (a missing or corrupt file fails here with the data registry's message)."""
    tweet = data.load_seismic_tweet()
    t = tweet["relative_time_second"].to_numpy(dtype=float)
    d = tweet["number_of_followers"].to_numpy(dtype=float)
    assert t.size == 15_563
    out = seismic_predict(t, d, [3600.0, 6 * 3600.0])
    final = t.size - 1  # reshares, the original post excluded
    assert out.loc[0, "observed"] < 0.1 * final
    assert out.loc[1, "prediction"] == pytest.approx(final, rel=0.10)
    assert out.loc[1, "prediction_low"] <= out.loc[1, "prediction"] <= out.loc[1, "prediction_high"]
    fit = fit_hawkes_exp(t)
    assert fit.converged and 0 < fit.params["n_star"] < 1.2


def test_a_corrupt_data_file_fails_the_real_data_test(tmp_path, monkeypatch):
    """A corrupt copy first in the search path must make the real-data test fail (DataError), not skip."""
    (tmp_path / "seismic_tweet.rda").write_bytes(b"not the SEISMIC tweet")
    monkeypatch.setenv("INFOFLOW_DATA_DIR", str(tmp_path))
    try:
        with pytest.raises(data.DataError, match=r"seismic_tweet\.rda: hash mismatch for .*Fix: re-download"):
            test_seismic_reference_cascade()
    except pytest.skip.Exception:
        pytest.fail("a corrupt data file was turned into a skip")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fit_hawkes_exp([]), "event times are empty"),
        (lambda: fit_hawkes_exp([1.0, 3.0, 2.0, 4.0]), r"event times are not sorted: element 2 \(2.0\)"),
        (lambda: fit_hawkes_exp([-1.0, 1.0, 2.0, 3.0]), "event times must be non-negative"),
        (lambda: fit_hawkes_exp([1.0, 2.0, 3.0, 9.0], T=5.0), "after the end of observation T=5.0"),
        (lambda: fit_hawkes_exp([1.0, 2.0]), "a Hawkes fit needs at least 3 events, got 2"),
        (lambda: hawkes_loglik([1.0, 2.0], mu=0.0, n_star=0.5, beta=1.0), "mu must be positive"),
        (lambda: hawkes_loglik([1.0, 2.0], mu=1.0, n_star=-0.1, beta=1.0), "n_star must be non-negative"),
        (lambda: hawkes_loglik([1.0, 2.0], mu=1.0, n_star=0.5, beta=0.0), "beta must be positive"),
        (lambda: simulate_hawkes_exp(1.0, 1.0, 1.0, 10.0), "n_star must be below 1"),
        (lambda: simulate_hawkes_exp(1.0, 0.5, 1.0, -1.0), "the horizon T must be positive"),
        (lambda: hawkes_compensator([1.0, 2.0], {"mu": 1.0, "beta": 1.0}),
         "need mu, n_star and beta; 'n_star' is missing"),
        (lambda: seismic_predict([5.0, 6.0], [10, 10], 100.0), "original post at time 0"),
        (lambda: seismic_predict([0.0, 6.0], [10, -1], 100.0),
         "follower counts must be non-negative; element 1"),
        (lambda: seismic_predict([0.0, 6.0, 3.0], [10, 1, 1], 100.0), "share times are not sorted"),
        (lambda: seismic_predict([0.0, 6.0], [10], 100.0),
         r"share times and follower counts differ in length \(2 vs 1\)"),
        (lambda: seismic_predict([0.0, 6.0], [10, 1], -5.0),
         "prediction times must be finite and non-negative"),
        (lambda: seismic_predict([0.0, 6.0], [10, 1], 100.0, n_star=0.0),
         r"n_star \(the mean degree\) must be positive"),
        (lambda: simulate_seismic(0.02, 100, [100.0], math.inf),
         "unbounded horizon needs a subcritical cascade"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_rescaled_intervals_are_exponential_under_the_true_parameters(hawkes_sample):
    """Under the true parameters the rescaled gaps are i.i.d. Exp(1): their mean is within 4/sqrt(n) of 1.

    Measured: fails for 0 of 300 seeds.
    """
    res = time_rescaling_test(hawkes_sample, HAWKES)
    assert abs(res.intervals.mean() - 1.0) <= 4.0 / math.sqrt(res.n)
    assert stats.kstest(res.intervals, "expon").pvalue == pytest.approx(res.pvalue)
