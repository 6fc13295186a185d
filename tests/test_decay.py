"""Attention decay laws and log-normal sizes: parameter recovery, half-lives, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from infoflow.decay import (
    DECAY_MODELS,
    decay_survival,
    fit_decay,
    fit_decay_models,
    fit_exponential_decay,
    fit_lognormal_sizes,
    fit_powerlaw_decay,
    fit_stretched_exponential_decay,
    half_life,
    share_reached,
)
from infoflow.fitting import compare

T_WINDOW = 20.0  # observation window: events after it are never seen (truncation)


def _draw(model: str, params: dict[str, float], n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ages by inverting the survival function, then keep those inside the window."""
    u = rng.random(n)
    if model == "exponential":
        s = -np.log(u) / params["rate"]
    elif model == "power law":
        s = params["c"] * (u ** (-1.0 / params["alpha"]) - 1.0)
    else:
        s = params["scale"] * (-np.log(u)) ** (1.0 / params["shape"])
    return np.sort(s[s <= T_WINDOW])


CASES = [
    ("exponential", {"rate": 0.5}, fit_exponential_decay),
    ("power law", {"alpha": 1.5, "c": 3.0}, fit_powerlaw_decay),
    ("stretched exponential", {"scale": 5.0, "shape": 0.6}, fit_stretched_exponential_decay),
]


@pytest.mark.parametrize(("model", "truth", "fitter"), CASES)
def test_decay_laws_recover_parameters_under_truncation(model, truth, fitter):
    # Recovery: 3,000 draws, truncated at the window end, events shifted to start at t0 = 100.
    # Tolerance: 10% for the exponential and Weibull parameters, 25% for the Lomax pair (they trade off).
    rng = np.random.default_rng(21)
    times = 100.0 + _draw(model, truth, 3000, rng)
    fit = fitter(times, t0=100.0, T=100.0 + T_WINDOW)
    assert fit.converged and fit.params["t0"] == 100.0 and fit.k == len(truth)
    for k, v in truth.items():
        assert fit.params[k] == pytest.approx(v, rel=0.25 if model == "power law" else 0.10)
        lo, hi = fit.ci[k]
        assert lo <= v <= hi, f"true {k}={v} outside ({lo}, {hi})"
    # the truncation matters: ignoring it biases the exponential rate upwards
    if model == "exponential":
        naive = fit_exponential_decay(times, t0=100.0)
        assert naive.params["rate"] > fit.params["rate"]


@pytest.mark.parametrize(("model", "truth"), [(m, t) for m, t, _ in CASES[1:]])
def test_comparison_picks_the_generating_law(model, truth):
    rng = np.random.default_rng(22)
    times = _draw(model, truth, 3000, rng)
    table = compare(fit_decay_models(times, T=T_WINDOW))
    assert table.loc[0, "model"] == f"{model} decay"
    assert table.loc[1, "delta_aic"] > 10


@pytest.mark.parametrize(("model", "truth"), [(m, t) for m, t, _ in CASES])
def test_half_life_is_where_half_of_the_activity_is_reached(model, truth):
    rng = np.random.default_rng(23)
    fit = fit_decay(model, _draw(model, truth, 1000, rng), T=T_WINDOW)
    h = half_life(fit)
    assert share_reached(fit, h) == pytest.approx(0.5, abs=1e-12)
    assert 1.0 - decay_survival(model, h, **{k: fit.params[k] for k in truth}) == pytest.approx(0.5)
    shares = share_reached(fit, [0.0, h / 2, h, 2 * h, 1e9])
    assert shares[0] == 0.0 and np.all(np.diff(shares) > 0) and shares[-1] <= 1.0
    if model == "exponential":
        assert h == pytest.approx(math.log(2) / fit.params["rate"])


def test_lognormal_sizes_recover_parameters():
    # Recovery: 2,000 log-normal sizes; tolerance 5%; exact intervals must cover the truth.
    rng = np.random.default_rng(24)
    fit = fit_lognormal_sizes(rng.lognormal(2.0, 1.2, 2000))
    for k, v in {"mu": 2.0, "sigma": 1.2}.items():
        assert fit.params[k] == pytest.approx(v, rel=0.05)
        assert fit.ci[k][0] <= v <= fit.ci[k][1]
    assert fit.predict(math.exp(fit.params["mu"])) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fit_exponential_decay([]), "empty"),
        (lambda: fit_powerlaw_decay([3.0, 1.0, 2.0]), "not sorted"),
        (lambda: fit_stretched_exponential_decay([0.0, 1.0, 2.0, 3.0]), "at or before t0"),
        (lambda: fit_exponential_decay([1.0, 2.0, 30.0], T=20.0), "after the end of observation"),
        (lambda: fit_exponential_decay([1.0, np.inf]), "finite"),
        (lambda: fit_decay("hyperbolic", [1.0, 2.0, 3.0]), "unknown decay model"),
        (lambda: fit_powerlaw_decay([1.0, 2.0]), "cannot identify"),
        (lambda: decay_survival("exponential", 1.0, rate=-1.0), "rate must be positive"),
        (lambda: decay_survival("power law", 1.0, alpha=1.0), "needs parameters c"),
        (lambda: fit_lognormal_sizes([]), "empty"),
        (lambda: fit_lognormal_sizes([3.0, 0.0, 5.0]), "positive"),
        (lambda: fit_lognormal_sizes([4.0, 4.0, 4.0]), "all sizes are equal"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_half_life_refuses_a_fit_that_is_not_a_decay_law():
    with pytest.raises(ValueError, match="not a decay fit"):
        half_life(fit_lognormal_sizes([1.0, 2.0, 3.0]))
    assert set(DECAY_MODELS) == {"exponential", "power law", "stretched exponential"}
