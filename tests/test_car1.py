"""Continuous-time AR(1) errors: exact likelihood and parameter recovery on irregular times."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from infoflow import diffusion, fitting


def _times(rng: np.random.Generator) -> np.ndarray:
    """26 unevenly spaced report times over about 12 years (gaps early, quarterly later)."""
    early = np.sort(rng.uniform(1.0, 2.8, 4))
    return np.concatenate([early, 3.0 + 0.4 * np.arange(22) + rng.uniform(-0.05, 0.05, 22)])


def _car1(t: np.ndarray, sigma: float, tau: float, rng: np.random.Generator) -> np.ndarray:
    """Simulate an Ornstein-Uhlenbeck process with stationary sd ``sigma`` observed at ``t``."""
    e = np.empty(t.size)
    e[0] = rng.normal(0, sigma)
    for i in range(1, t.size):
        phi = np.exp(-(t[i] - t[i - 1]) / tau)
        e[i] = phi * e[i - 1] + rng.normal(0, sigma * np.sqrt(1 - phi**2))
    return e


def test_car1_loglik_equals_the_dense_multivariate_normal():
    rng = np.random.default_rng(1)
    t = _times(rng)
    e = rng.normal(size=t.size)
    cov = 2.0**2 * np.exp(-np.abs(t[:, None] - t[None, :]) / 0.7)
    dense = stats.multivariate_normal(np.zeros(t.size), cov).logpdf(e)
    assert fitting.car1_loglik(e, t, 2.0, 0.7) == pytest.approx(dense, rel=1e-9)
    # a wrong correlation time gives a different likelihood (the test can fail)
    assert abs(fitting.car1_loglik(e, t, 2.0, 0.2) - dense) > 1.0


@pytest.mark.parametrize("seed", range(8))
def test_car1_refit_recovers_gompertz_parameters_within_four_se(seed):
    rng = np.random.default_rng(seed)
    truth = {"K": 1400.0, "r": 0.37, "t_mid": 3.9}
    t = _times(rng)
    base = diffusion.fit_gompertz(t, np.ones_like(t))  # only to borrow the curve
    y = base.curve(t, **truth) + _car1(t, 20.0, 0.5, rng)
    fit = fitting.fit_car1_errors(diffusion.fit_gompertz(t, y))
    assert fit.extra["hessian_ok"]
    for k, v in truth.items():
        assert abs(fit.params[k] - v) < 4 * fit.se[k], (k, fit.params[k], fit.se[k])
    assert fit.ci["tau"][0] < 0.5 < fit.ci["tau"][1] or abs(np.log(fit.extra["tau"] / 0.5)) < 1.5


def test_car1_refit_needs_a_least_squares_fit():
    fit = diffusion.fit_gompertz(np.arange(10.0), 100 / (1 + np.exp(-np.arange(10.0) + 5)))
    with pytest.raises(ValueError, match="a CAR\\(1\\) refit needs a least-squares fit with a curve"):
        fitting.fit_car1_errors(fit.__class__(**{**fit.__dict__, "extra": {}}))
