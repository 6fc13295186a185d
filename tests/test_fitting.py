"""The shared fitting engines of infoflow.fitting, tested directly on problems with known answers.

* :func:`fit_mle`: the mean and standard deviation of a normal sample (closed-form MLE, observed
  information ``n / sigma^2`` and ``2 n / sigma^2``), with and without an analytic gradient, with a
  fixed parameter, and a Bernoulli proportion on the logit scale.
* :func:`fit_least_squares`: a straight line, against the closed-form OLS estimates and standard
  errors (and ``numpy.linalg.lstsq``), and a nonlinear exponential decay against
  ``scipy.optimize.curve_fit``.
* :func:`jacobian_covariance`, :func:`numerical_hessian`, :func:`wald_interval`: against exact
  formulas (a quadratic's Hessian, the Rosenbrock Hessian, ``scipy.stats.norm`` quantiles).
* bad input: every ``pytest.raises`` names the message it expects.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, stats

from infoflow.fitting import (
    FitResult,
    bootstrap_refit,
    check_event_times,
    check_series,
    compare,
    fit_least_squares,
    fit_mle,
    gaussian_loglik,
    information_criteria,
    jacobian_covariance,
    numerical_hessian,
    wald_interval,
)

# ------------------------------------------------------------------------------------------ fit_mle


def _normal_sample(n: int = 400, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(3.0, 2.0, n)


def _normal_nll(x: np.ndarray):
    def nll(p: dict[str, float]) -> float:
        return -float(np.sum(stats.norm.logpdf(x, p["mu"], p["sigma"])))

    return nll


def _normal_grad(x: np.ndarray):
    def grad(p: dict[str, float]) -> dict[str, float]:
        r = x - p["mu"]
        s = p["sigma"]
        return {"mu": -float(r.sum()) / s**2, "sigma": x.size / s - float(r @ r) / s**3}

    return grad


NORMAL_STARTS = [{"mu": 0.0, "sigma": 1.0}, {"mu": 5.0, "sigma": 5.0}]


@pytest.mark.parametrize("with_gradient", [False, True], ids=["nelder-mead", "l-bfgs-b"])
def test_fit_mle_normal_mean_and_sd_match_the_closed_form(with_gradient):
    x = _normal_sample()
    n = x.size
    fit = fit_mle("normal", _normal_nll(x), NORMAL_STARTS, {"mu": "identity", "sigma": "log"}, n,
                  gradient=_normal_grad(x) if with_gradient else None)
    mu, sigma = float(x.mean()), float(x.std(ddof=0))  # the MLEs
    assert fit.converged and fit.k == 2 and fit.n == n
    assert fit.params["mu"] == pytest.approx(mu, rel=1e-6)
    assert fit.params["sigma"] == pytest.approx(sigma, rel=1e-6)
    # observed information of the normal at its MLE: n / sigma^2 for mu, 2 n / sigma^2 for sigma
    assert fit.se["mu"] == pytest.approx(sigma / math.sqrt(n), rel=1e-5)
    assert fit.se["sigma"] == pytest.approx(sigma / math.sqrt(2 * n), rel=1e-5)
    cov = fit.extra["covariance"]
    assert abs(cov[0, 1]) < 1e-6 * math.sqrt(cov[0, 0] * cov[1, 1])  # mean and sd are orthogonal
    # intervals: mu on its own scale; sigma on the log scale (se of log sigma = 1 / sqrt(2 n)), mapped back
    z = stats.norm.ppf(0.975)
    se_mu = sigma / math.sqrt(n)
    assert fit.ci["mu"] == pytest.approx((mu - z * se_mu, mu + z * se_mu), rel=1e-6)
    half = z / math.sqrt(2 * n)
    assert fit.ci["sigma"] == pytest.approx((sigma * math.exp(-half), sigma * math.exp(half)), rel=1e-6)
    # likelihood and criteria
    loglik = -0.5 * n * (math.log(2 * math.pi * sigma**2) + 1.0)
    assert fit.loglik == pytest.approx(loglik, rel=1e-10)
    assert fit.aic == pytest.approx(2 * 2 - 2 * loglik, rel=1e-10)
    assert fit.bic == pytest.approx(2 * math.log(n) - 2 * loglik, rel=1e-10)


def test_fit_mle_with_a_fixed_parameter_counts_only_the_free_one():
    x = _normal_sample(n=250, seed=2)
    n = x.size
    fit = fit_mle("normal, sd known", _normal_nll(x), [{"mu": 0.0, "sigma": 2.0}], {"mu": "identity"}, n,
                  fixed={"sigma": 2.0}, level=0.9)
    assert fit.k == 1 and fit.params["sigma"] == 2.0
    assert math.isnan(fit.se["sigma"]) and all(math.isnan(v) for v in fit.ci["sigma"])
    assert fit.params["mu"] == pytest.approx(x.mean(), rel=1e-6)
    assert fit.se["mu"] == pytest.approx(2.0 / math.sqrt(n), rel=1e-5)  # sigma / sqrt(n) with the known sigma
    z = stats.norm.ppf(0.95)  # level 0.9
    half = z * 2.0 / math.sqrt(n)
    assert fit.ci["mu"] == pytest.approx((x.mean() - half, x.mean() + half), rel=1e-6)
    assert fit.level == 0.9


def test_fit_mle_logit_scale_for_a_proportion():
    y = np.random.default_rng(3).random(500) < 0.2
    n, p_hat = y.size, float(y.mean())

    def nll(p: dict[str, float]) -> float:
        return -float(np.sum(stats.bernoulli.logpmf(y, p["p"])))

    fit = fit_mle("Bernoulli", nll, [{"p": 0.5}], {"p": "logit"}, n)
    assert fit.params["p"] == pytest.approx(p_hat, rel=1e-6)
    assert fit.se["p"] == pytest.approx(math.sqrt(p_hat * (1 - p_hat) / n), rel=1e-5)
    # the interval is built on the logit scale (se 1 / sqrt(n p (1 - p))) and stays inside (0, 1)
    z = stats.norm.ppf(0.975)
    logit = math.log(p_hat / (1 - p_hat))
    half = z / math.sqrt(n * p_hat * (1 - p_hat))
    expected = (1 / (1 + math.exp(-(logit - half))), 1 / (1 + math.exp(-(logit + half))))
    assert fit.ci["p"] == pytest.approx(expected, rel=1e-6)
    assert 0 < fit.ci["p"][0] < p_hat < fit.ci["p"][1] < 1


# -------------------------------------------------------------------------------- fit_least_squares


def _line(t: np.ndarray, a: float, b: float) -> np.ndarray:
    return a + b * t


def _line_data(seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(-3.0, 10.0, 30))
    return t, 2.0 - 0.7 * t + rng.normal(0.0, 1.5, t.size)


def test_fit_least_squares_line_matches_closed_form_ols():
    t, y = _line_data()
    n = t.size
    x = np.column_stack([np.ones(n), t])
    coef, rss, *_ = np.linalg.lstsq(x, y, rcond=None)
    s2 = float(rss[0]) / (n - 2)
    cov = s2 * np.linalg.inv(x.T @ x)
    fit = fit_least_squares("line", _line, t, y, [{"a": 0.0, "b": 0.0}])
    assert fit.converged and fit.k == 3 and fit.n == n  # two coefficients and the noise variance
    assert [fit.params["a"], fit.params["b"]] == pytest.approx(coef, rel=1e-8)
    assert [fit.se["a"], fit.se["b"]] == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-6)
    assert fit.extra["covariance"] == pytest.approx(cov, rel=1e-6)
    assert fit.extra["rss"] == pytest.approx(float(rss[0]), rel=1e-10)
    tq = stats.t.ppf(0.975, n - 2)  # t intervals with n - p degrees of freedom
    for k, se in zip(("a", "b"), np.sqrt(np.diag(cov)), strict=True):
        assert fit.ci[k] == pytest.approx((fit.params[k] - tq * se, fit.params[k] + tq * se), rel=1e-6)
    loglik = -0.5 * n * (math.log(2 * math.pi * float(rss[0]) / n) + 1.0)
    assert fit.loglik == pytest.approx(loglik, rel=1e-10)
    assert (fit.aic, fit.bic) == pytest.approx((2 * 3 - 2 * loglik, 3 * math.log(n) - 2 * loglik), rel=1e-10)
    assert fit.predict([0.0, 1.0]) == pytest.approx([coef[0], coef[0] + coef[1]], rel=1e-8)
    assert fit.extra["at_bound"] == []


def test_fit_least_squares_with_a_fixed_slope_and_a_bound():
    t, y = _line_data(seed=5)
    n = t.size
    fit = fit_least_squares("line, slope known", _line, t, y, [{"a": 0.0, "b": 0.0}], fixed={"b": -0.7})
    resid = y + 0.7 * t
    assert fit.k == 2 and fit.params["b"] == -0.7 and math.isnan(fit.se["b"])
    assert fit.params["a"] == pytest.approx(resid.mean(), rel=1e-8)
    assert fit.se["a"] == pytest.approx(resid.std(ddof=1) / math.sqrt(n), rel=1e-6)  # s / sqrt(n), n - 1 dof
    # a bound the optimum wants to cross: the estimate stops on it and is flagged
    capped = fit_least_squares("line, capped", _line, t, y, [{"a": 0.0, "b": 0.0}],
                               bounds={"a": (-np.inf, 1.0)})
    assert capped.params["a"] == pytest.approx(1.0) and capped.extra["at_bound"] == ["a"]


def test_fit_least_squares_nonlinear_matches_curve_fit():
    rng = np.random.default_rng(6)
    t = np.linspace(0.0, 5.0, 40)

    def decay(t, amp, k):
        return amp * np.exp(-k * t)

    y = decay(t, 10.0, 0.8) + rng.normal(0, 0.3, t.size)
    fit = fit_least_squares("decay", decay, t, y, [{"amp": 1.0, "k": 0.1}, {"amp": 20.0, "k": 2.0}])
    popt, pcov = optimize.curve_fit(decay, t, y, p0=[5.0, 0.5])  # same s^2 (J^T J)^-1 convention
    assert [fit.params["amp"], fit.params["k"]] == pytest.approx(popt, rel=1e-6)
    assert [fit.se["amp"], fit.se["k"]] == pytest.approx(np.sqrt(np.diag(pcov)), rel=1e-4)


# ------------------------------------------------------------------------------ jacobian_covariance


def test_jacobian_covariance_is_the_ols_covariance_even_for_badly_scaled_columns():
    rng = np.random.default_rng(7)
    x = np.column_stack([np.ones(50), 1e6 * rng.normal(size=50), 1e-6 * rng.normal(size=50)])
    r = rng.normal(size=50)
    expected = float(r @ r) / (50 - 3) * np.linalg.inv(x.T @ x)
    got = jacobian_covariance(x, r)
    assert np.allclose(got, expected, rtol=1e-8, atol=0.0)


@pytest.mark.parametrize(
    "jac",
    [
        np.ones((3, 3)),  # n - p = 0 degrees of freedom
        np.column_stack([np.ones(10), np.zeros(10)]),  # a parameter the data do not inform
        np.column_stack([np.arange(10.0), 2 * np.arange(10.0)]),  # collinear: not identified
        np.column_stack([np.ones(10), np.r_[np.arange(9.0), np.inf]]),  # non-finite
    ],
    ids=["no-dof", "zero-column", "collinear", "non-finite"],
)
def test_jacobian_covariance_refuses_to_invent_uncertainty(jac):
    cov = jacobian_covariance(jac, np.linspace(-1, 1, jac.shape[0]))
    assert cov.shape == (jac.shape[1], jac.shape[1]) and np.all(np.isnan(cov))


# -------------------------------------------------------------------------------- numerical_hessian

A = np.array([[4.0, 1.0, -0.5], [1.0, 3.0, 0.2], [-0.5, 0.2, 2.0]])


def _quadratic_about(c: np.ndarray):
    """``0.5 (x - c)' A (x - c) + 7``: Hessian A, minimum at ``c`` (where the fitters take Hessians)."""

    def f(x: np.ndarray) -> float:
        d = x - c
        return float(0.5 * d @ A @ d + 7.0)

    return f


@pytest.mark.parametrize("x0", [np.zeros(3), np.array([1.5, -250.0, 3e3])], ids=["origin", "large-scale"])
@pytest.mark.parametrize("use_grad", [False, True], ids=["from-values", "from-gradient"])
def test_numerical_hessian_of_a_quadratic_is_its_matrix(x0, use_grad):
    # the steps scale with |x|, so the large-scale point checks the relative step as well
    c = x0 + np.array([0.3, -0.2, 0.1])
    hess = numerical_hessian(_quadratic_about(c), x0, grad=(lambda x: A @ (x - c)) if use_grad else None)
    assert np.allclose(hess, hess.T)
    assert np.allclose(hess, A, rtol=1e-6, atol=0.0)


def test_numerical_hessian_of_the_rosenbrock_function():
    x0 = np.array([1.3, 0.7, 0.8, 1.9])
    assert np.allclose(numerical_hessian(optimize.rosen, x0), optimize.rosen_hess(x0), rtol=1e-5, atol=1e-5)
    assert np.allclose(numerical_hessian(optimize.rosen, x0, grad=optimize.rosen_der, step=1e-6),
                       optimize.rosen_hess(x0), rtol=1e-7, atol=1e-6)


# ------------------------------------------------------------------------------------ wald_interval


@pytest.mark.parametrize("level", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_wald_interval_uses_normal_quantiles(level):
    lo, hi = wald_interval(3.0, 0.25, level)
    assert lo == pytest.approx(stats.norm.ppf((1 - level) / 2, loc=3.0, scale=0.25), rel=1e-12)
    assert hi == pytest.approx(stats.norm.ppf((1 + level) / 2, loc=3.0, scale=0.25), rel=1e-12)
    assert stats.norm.cdf(hi, 3.0, 0.25) - stats.norm.cdf(lo, 3.0, 0.25) == pytest.approx(level, rel=1e-12)


def test_wald_interval_without_a_standard_error_is_undefined():
    for se in (math.nan, math.inf):
        assert all(math.isnan(v) for v in wald_interval(1.0, se))


# ---------------------------------------------------------------------------- small shared pieces


def test_information_criteria_and_gaussian_loglik():
    assert information_criteria(-10.0, 100, 3) == pytest.approx((26.0, 3 * math.log(100) + 20.0))
    r = np.array([0.5, -1.0, 2.0, 0.0])
    sigma = math.sqrt(r @ r / r.size)  # the profiled MLE
    assert gaussian_loglik(r) == pytest.approx(float(np.sum(stats.norm.logpdf(r, 0.0, sigma))))
    assert np.isfinite(gaussian_loglik(np.zeros(5)))  # a perfect fit gets a floor, not inf


def test_fit_result_table_summary_and_lookup():
    t, y = _line_data()
    fit = fit_least_squares("line", _line, t, y, [{"a": 0.0, "b": 0.0}])
    table = fit.table()
    assert list(table["parameter"]) == ["a", "b"]
    assert table.loc[1, "estimate"] == fit["b"] and table.loc[1, "se"] == fit.se["b"]
    assert (table.loc[1, "ci_low"], table.loc[1, "ci_high"]) == fit.ci["b"]
    assert fit.summary() == {"model": "line", "n": t.size, "k": 3, "loglik": fit.loglik, "aic": fit.aic,
                             "bic": fit.bic, "method": fit.method, "converged": True}


# -------------------------------------------------------------------------------------- bad input

_NOCURVE = FitResult(model="bare", params={"x": 1.0}, se={"x": 0.1}, ci={"x": (0.8, 1.2)}, loglik=-1.0,
                     n=5, k=1, aic=4.0, bic=4.0, method="test", converged=True)
_T5 = np.arange(5.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fit_least_squares("line", _line, _T5, _T5, []), "at least one starting point"),
        (lambda: fit_least_squares("line", _line, _T5, _T5, [{"a": 0, "b": 0}], fixed={"z": 1.0}),
         r"line has no parameter\(s\) 'z' to fix; its parameters are a, b"),
        (lambda: fit_least_squares("line", _line, _T5, _T5, [{"a": 0, "b": 0}], fixed={"b": math.nan}),
         r"fixed value\(s\) for b must be finite"),
        (lambda: fit_least_squares("line", _line, _T5, _T5, [{"a": 0, "b": 0}], fixed={"a": 1.0, "b": 1.0}),
         "every parameter is fixed"),
        (lambda: fit_least_squares("line", _line, _T5[:2], _T5[:2], [{"a": 0, "b": 0}]),
         "2 data points cannot identify 2 free parameters"),
        (lambda: fit_least_squares("line", _line, _T5[::-1], _T5, [{"a": 0, "b": 0}]), "strictly increasing"),
        (lambda: fit_mle("normal", _normal_nll(_T5), [{"mu": 0.0, "sigma": 1.0}], {"sigma": "sqrt"}, 5),
         "unknown transform 'sqrt' for parameter 'sigma'"),
        (lambda: fit_mle("normal", _normal_nll(_T5), [{"mu": 0.0, "sigma": -1.0}], {"sigma": "log"}, 5),
         "normal: starting point .* is outside the parameter space"),
        (lambda: fit_mle("normal", _normal_nll(_T5), [], {"sigma": "log"}, 5), "at least one starting point"),
        (lambda: information_criteria(-1.0, 0, 1), "must be positive, got n=0"),
        (lambda: gaussian_loglik([]), "no residuals"),
        (lambda: check_series([0.0, 1.0], [1.0]), r"differ in length \(2 vs 1\)"),
        (lambda: check_series([0.0, np.nan], [1.0, 2.0]), r"must be finite; point 1"),
        (lambda: check_series([], []), "no data points"),
        (lambda: check_event_times([2.0, 1.0]), "not sorted"),
        (lambda: check_event_times([1.0, 2.0], T=1.5), "after the end of observation T=1.5"),
        (lambda: check_event_times([1.0], T=math.inf), "T must be finite"),
        (lambda: _NOCURVE.predict(1.0), "the bare fit has no curve to evaluate"),
        (lambda: bootstrap_refit(_NOCURVE, lambda t, y: _NOCURVE), "needs a least-squares fit"),
        (lambda: compare([]), "no fits to compare"),
        (lambda: compare([_NOCURVE, FitResult(**{**_NOCURVE.__dict__, "n": 6})]),
         "different numbers of observations"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bootstrap_needs_two_replicates():
    t, y = _line_data()
    fit = fit_least_squares("line", _line, t, y, [{"a": 0.0, "b": 0.0}])
    with pytest.raises(ValueError, match="n_boot must be at least 2, got 1"):
        bootstrap_refit(fit, lambda tt, yy: fit, n_boot=1)
