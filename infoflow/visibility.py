"""The visibility window: how much of a post's attention a 'visible for N days' setting leaves in place.

A post's attention is described by the attention-decay laws of :mod:`infoflow.decay`, fitted to proxy
cascades (the SEISMIC tweet and the pooled #auspol retweet cascades: public reshare delays, not
Moments views, which are not published). A window of ``w`` hours keeps the share ``F(w)`` of the
eventual attention and removes the rest, ``1 - F(w)``. Intervals come from drawing the parameters
from the asymptotic normal distribution of each maximum-likelihood fit on its log scale (the scale the
fit is made on) and recomputing ``F(w)``: a parametric interval that reflects sampling error only,
not the choice of law, which the book shows by setting the laws side by side.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, stats

from infoflow import data, decay
from infoflow.fitting import FitResult

__all__ = ["AUSPOL_WINDOW_HOURS", "auspol_cascade_ages", "cascade_bootstrap", "proxy_delays", "proxy_fits",
           "share_within", "tradeoff", "window_fit_test"]

#: #auspol reshares are used up to 30 days after their source (the fit is truncated there)
AUSPOL_WINDOW_HOURS = 30 * 24.0


def proxy_delays() -> dict[str, tuple[np.ndarray, float]]:
    """Reshare ages in hours and the observation window of each proxy: the SEISMIC tweet and pooled #auspol."""
    tweet = data.load_seismic_tweet()["relative_time_second"].to_numpy()[1:] / 3600.0
    tweet = tweet[tweet > 0]
    pooled = np.concatenate([(c["time"].to_numpy()[1:] - c["time"].to_numpy()[0]) / 3600.0
                             for c in data.load_auspol()])
    pooled = np.sort(pooled[(pooled > 0) & (pooled <= AUSPOL_WINDOW_HOURS)])
    return {"SEISMIC tweet": (np.sort(tweet), float(tweet.max())),
            "#auspol (pooled)": (pooled, AUSPOL_WINDOW_HOURS)}


@lru_cache(maxsize=1)
def proxy_fits() -> dict[str, list[FitResult]]:
    """The three decay laws fitted by :func:`infoflow.decay.fit_decay_models` to each proxy (computed once)."""
    return {name: decay.fit_decay_models(ages, t0=0.0, T=window) for name, (ages, window) in proxy_delays().items()}


def _draw_params(fit: FitResult, rng: np.random.Generator, draws: int) -> list[dict[str, float]]:
    names = list(fit.extra["free"])
    if any(fit.extra["transforms"][k] != "log" for k in names):
        raise ValueError(f"{fit.model}: expected every parameter to be fitted on the log scale")
    est = np.array([fit.params[k] for k in names])
    cov_log = np.asarray(fit.extra["covariance"]) / np.outer(est, est)
    if not np.all(np.isfinite(cov_log)):
        raise ValueError(f"{fit.model}: the fit has no usable covariance; its interval cannot be drawn")
    u = rng.multivariate_normal(np.log(est), cov_log, size=draws)
    return [dict(zip(names, np.exp(row))) for row in u]


def share_within(fit: FitResult, hours: float | np.ndarray, rng: np.random.Generator, *, draws: int = 1000,
                 level: float = 0.95) -> pd.DataFrame:
    """Share of eventual attention reached within ``hours`` of posting: estimate and parametric interval."""
    law = fit.extra.get("law")
    if law not in decay.DECAY_MODELS:
        raise ValueError(f"{fit.model} is not a decay fit from infoflow.decay")
    w = np.atleast_1d(np.asarray(hours, dtype=float))
    if np.any(w <= 0):
        raise ValueError("windows must be positive numbers of hours")
    point = np.asarray(decay.share_reached(fit, w))
    sims = np.array([1.0 - decay.decay_survival(law, w, **p) for p in _draw_params(fit, rng, draws)])
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(sims, [a, 1.0 - a], axis=0)
    return pd.DataFrame({"hours": w, "share": point, "low": lo, "high": hi})


def tradeoff(fits: dict[str, list[FitResult]], hours: np.ndarray, rng: np.random.Generator, *,
             draws: int = 1000) -> pd.DataFrame:
    """Share kept by each window in ``hours`` for every proxy and law, with parametric intervals (long table)."""
    parts = [share_within(f, hours, rng, draws=draws).assign(proxy=name, law=f.extra["law"])
             for name, fs in fits.items() for f in fs]
    return pd.concat(parts, ignore_index=True)[["proxy", "law", "hours", "share", "low", "high"]]


def auspol_cascade_ages() -> list[np.ndarray]:
    """Reshare ages in hours (within :data:`AUSPOL_WINDOW_HOURS`) of each #auspol cascade, one array per cascade."""
    out = []
    for c in data.load_auspol():
        t = c["time"].to_numpy()
        a = (t[1:] - t[0]) / 3600.0
        out.append(a[(a > 0) & (a <= AUSPOL_WINDOW_HOURS)])
    return out


def _weighted_refit(law: str, ages: np.ndarray, weights: np.ndarray, window: float,
                    start: dict[str, float]) -> dict[str, float]:
    """Maximum-likelihood refit of one decay law with case weights (a resampled data set), warm-started."""
    names, logs, logf = decay._law(law)
    n = float(weights.sum())

    def nll(u: np.ndarray) -> float:
        args = np.exp(u)
        val = -float(np.dot(weights, logf(ages, *args)))
        return val + n * math.log(-math.expm1(float(logs(np.array(window), *args))))

    res = optimize.minimize(nll, np.log([start[k] for k in names]), method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 2000})
    return dict(zip(names, np.exp(res.x)))


def cascade_bootstrap(cascades: list[np.ndarray], fits: list[FitResult], window: float, *,
                      hours: float | np.ndarray = 72.0, reps: int = 200, seed: int = 0) -> pd.DataFrame:
    """Cascade-level bootstrap of the share of attention within each of ``hours``, empirical and under each law.

    Cascades (not reshares) are resampled with replacement, so the self-excitation within a cascade
    stays inside each resampled unit. Each replicate gives, at each window ``h``, the observed share of
    reshares within ``h`` (among those within ``window``) and, for each *converged* law refitted to the
    replicate, the eventual share ``F(h)`` and the share the law predicts among reshares within the
    observation window, ``F(h) / F(window)`` (the quantity the observed share estimates). Long table:
    replicate, law, hours, observed, eventual, predicted within window.
    """
    h = np.atleast_1d(np.asarray(hours, dtype=float))
    sizes = np.array([len(c) for c in cascades])
    ages = np.concatenate(cascades)
    owner = np.repeat(np.arange(len(cascades)), sizes)
    below = ages[None, :] <= h[:, None]
    rng = np.random.default_rng(seed)
    laws = [f for f in fits if f.converged]
    rows = []
    for r in range(reps):
        counts = np.bincount(rng.integers(0, len(cascades), len(cascades)), minlength=len(cascades))
        w = counts[owner].astype(float)
        observed = below @ w / w.sum()
        for f in laws:
            law = f.extra["law"]
            p = _weighted_refit(law, ages, w, window, f.params)
            eventual = 1.0 - decay.decay_survival(law, h, **p)
            within = 1.0 - float(decay.decay_survival(law, window, **p))
            rows.append(pd.DataFrame({"replicate": r, "law": law, "hours": h, "observed": observed,
                                      "eventual": eventual, "predicted within window": eventual / within}))
    return pd.concat(rows, ignore_index=True)


def window_fit_test(fit: FitResult, ages: np.ndarray, window: float, *, hours: float = 72.0) -> dict[str, float]:
    """Observed share of reshares within ``hours`` against the share the law predicts within the window.

    The binomial z-score treats reshares as independent, which a single self-exciting cascade is not:
    its standard error is too small, so a rejection is only as strong as that assumption.
    """
    law = fit.extra["law"]
    q = (1.0 - float(decay.decay_survival(law, hours, **_free(fit)))) / \
        (1.0 - float(decay.decay_survival(law, window, **_free(fit))))
    observed = float(np.mean(ages <= hours))
    se = math.sqrt(q * (1 - q) / ages.size)
    z = (observed - q) / se
    return {"observed": observed, "predicted within window": q, "z": z,
            "p": float(2 * stats.norm.sf(abs(z)))}


def _free(fit: FitResult) -> dict[str, float]:
    return {k: fit.params[k] for k in fit.extra["free"]}
