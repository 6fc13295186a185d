"""Attention decay: how the activity a post (or story) draws dies away with its age.

The event times ``t_i`` (reshares, comments, views) of one item are treated as independent draws
of the age ``s = t - t0`` from a lifetime density ``f``, observed on the window ``(t0, T]``, so the
likelihood is truncated at ``W = T - t0``::

    logL = sum_i log f(s_i) - n log F(W)

(with ``T = None`` the activity is taken as complete and nothing is truncated).  Three laws
(Wu & Huberman 2007, "Novelty and collective attention", who found the stretched exponential):

* ``exponential``: survival ``S(s) = exp(-rate s)``;
* ``power law`` (Lomax, a power law with a finite start): ``S(s) = (1 + s / c)^(-alpha)``;
* ``stretched exponential`` (Weibull): ``S(s) = exp(-(s / scale)^shape)``, stretched when
  ``shape < 1``.

Fits are maximum likelihood (:func:`infoflow.fitting.fit_mle`, log-scale parameters, observed-
information SEs).  A fit's ``predict(t)`` is the share of eventual activity reached by absolute
time ``t``: ``F(t - t0)`` of the *untruncated* law, i.e. extrapolated beyond the window.
:func:`half_life` is the age by which half of it has happened.  :func:`fit_lognormal_sizes` fits
a log-normal to final sizes (cascade sizes, view counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

from infoflow.fitting import FitResult, check_event_times, fit_mle, information_criteria

__all__ = [
    "DECAY_MODELS",
    "decay_survival",
    "fit_decay",
    "fit_decay_models",
    "fit_exponential_decay",
    "fit_lognormal_sizes",
    "fit_powerlaw_decay",
    "fit_stretched_exponential_decay",
    "half_life",
    "ks_test",
    "proxy_decay_fits",
    "proxy_reshare_ages",
    "share_reached",
]


# log-survival and log-density of each law, as functions of age s > 0 and the parameters
def _exp_logs(s: np.ndarray, rate: float) -> np.ndarray:
    return -rate * s


def _exp_logf(s: np.ndarray, rate: float) -> np.ndarray:
    return math.log(rate) - rate * s


def _lomax_logs(s: np.ndarray, alpha: float, c: float) -> np.ndarray:
    return -alpha * np.log1p(s / c)


def _lomax_logf(s: np.ndarray, alpha: float, c: float) -> np.ndarray:
    return math.log(alpha / c) - (alpha + 1.0) * np.log1p(s / c)


def _weib_logs(s: np.ndarray, scale: float, shape: float) -> np.ndarray:
    return -((s / scale) ** shape)


def _weib_logf(s: np.ndarray, scale: float, shape: float) -> np.ndarray:
    z = s / scale
    return math.log(shape / scale) + (shape - 1.0) * np.log(z) - z**shape


# derivatives of log f (summed over the ages) and of log S (at one age) with respect to each parameter
def _exp_dlogf(s: np.ndarray, rate: float) -> tuple[float, ...]:
    return (s.size / rate - float(np.sum(s)),)


def _exp_dlogs(w: float, rate: float) -> tuple[float, ...]:
    return (-w,)


def _lomax_dlogf(s: np.ndarray, alpha: float, c: float) -> tuple[float, ...]:
    return (s.size / alpha - float(np.sum(np.log1p(s / c))),
            -s.size / c + (alpha + 1.0) * float(np.sum(s / (c * (c + s)))))


def _lomax_dlogs(w: float, alpha: float, c: float) -> tuple[float, ...]:
    return (-math.log1p(w / c), alpha * w / (c * (c + w)))


def _weib_dlogf(s: np.ndarray, scale: float, shape: float) -> tuple[float, ...]:
    logz = np.log(s / scale)
    zk = np.exp(shape * logz)
    return (shape * (float(np.sum(zk)) - s.size) / scale,
            s.size / shape + float(np.sum(logz)) - float(np.sum(zk * logz)))


def _weib_dlogs(w: float, scale: float, shape: float) -> tuple[float, ...]:
    logz = math.log(w / scale)
    zk = math.exp(shape * logz)
    return (shape * zk / scale, -zk * logz)


_LAWS: dict[str, tuple[tuple[str, ...], Callable, Callable]] = {
    "exponential": (("rate",), _exp_logs, _exp_logf),
    "power law": (("alpha", "c"), _lomax_logs, _lomax_logf),
    "stretched exponential": (("scale", "shape"), _weib_logs, _weib_logf),
}
_GRADIENTS: dict[str, tuple[Callable, Callable]] = {
    "exponential": (_exp_dlogf, _exp_dlogs),
    "power law": (_lomax_dlogf, _lomax_dlogs),
    "stretched exponential": (_weib_dlogf, _weib_dlogs),
}
DECAY_MODELS: tuple[str, ...] = tuple(_LAWS)


def _law(model: str) -> tuple[tuple[str, ...], Callable, Callable]:
    try:
        return _LAWS[model]
    except KeyError:
        raise ValueError(f"unknown decay model {model!r}; choose one of {', '.join(DECAY_MODELS)}") from None


def decay_survival(model: str, s: Any, **params: float) -> np.ndarray:
    """Share of eventual activity still to come at age ``s`` (the survival function of the law)."""
    names, logs, _ = _law(model)
    missing = [k for k in names if k not in params]
    if missing:
        raise ValueError(f"{model} decay needs parameters {', '.join(missing)}")
    for k in names:
        if not (np.isfinite(params[k]) and params[k] > 0):
            raise ValueError(f"{model} decay: {k} must be positive, got {params[k]}")
    s = np.clip(np.asarray(s, dtype=float), 0.0, None)
    return np.exp(logs(s, *(params[k] for k in names)))


def _cdf_curve(model: str) -> Callable[..., np.ndarray]:
    names, logs, _ = _law(model)

    def curve(t: np.ndarray, t0: float = 0.0, **params: float) -> np.ndarray:
        s = np.clip(np.asarray(t, dtype=float) - t0, 0.0, None)
        return -np.expm1(logs(s, *(params[k] for k in names)))

    return curve


def _ages(times: Any, t0: float, T: float | None) -> tuple[np.ndarray, float]:
    arr = check_event_times(times, T)
    if arr[0] <= t0:
        n_bad = int(np.sum(arr <= t0))
        raise ValueError(f"{n_bad} event time(s) are at or before t0={t0}; decay laws need ages > 0 "
                         "(drop the original post, or set t0 just before the first event)")
    s = arr - t0
    window = math.inf if T is None else float(T) - t0
    return s, window


def _negloglik(model: str, s: np.ndarray, window: float, args: list[float]) -> float:
    """Negative log-likelihood of ages ``s`` under a law, truncated at ``window`` (inf: not truncated)."""
    _, logs, logf = _LAWS[model]
    try:
        with np.errstate(all="ignore"):
            val = -float(np.sum(logf(s, *args)))
            if math.isfinite(window):
                val += s.size * math.log(-math.expm1(float(logs(np.array(window), *args))))
    except (ValueError, ZeroDivisionError):  # a parameter under- or overflowed on the log scale
        return math.inf
    return val if math.isfinite(val) else math.inf


def _negloglik_gradient(model: str, s: np.ndarray, window: float, args: list[float]) -> np.ndarray:
    """Gradient of :func:`_negloglik` with respect to the natural parameters."""
    _, logs, _ = _LAWS[model]
    dlogf, dlogs = _GRADIENTS[model]
    with np.errstate(all="ignore"):
        g = np.array(dlogf(s, *args), dtype=float)
        if math.isfinite(window):
            # d/dθ of -n log F(W) = n S(W) dlogS(W)/dθ / F(W), with F = 1 - S
            try:
                log_sw = float(logs(np.array(window), *args))
                g += s.size * math.exp(log_sw) / -math.expm1(log_sw) * np.array(dlogs(window, *args), dtype=float)
            except (ValueError, ZeroDivisionError, OverflowError):
                return np.full(len(args), np.nan)
    return -g


def fit_decay(model: str, times: Any, *, t0: float = 0.0, T: float | None = None, level: float = 0.95) -> FitResult:
    """Fit one decay law (``exponential``, ``power law``, ``stretched exponential``) to event times by ML."""
    names = _law(model)[0]
    s, window = _ages(times, t0, T)
    n = s.size
    if n < len(names) + 1:
        raise ValueError(f"{model} decay: {n} events cannot identify {len(names)} parameters")
    mean, med = float(np.mean(s)), float(np.median(s))

    def nll(p: dict[str, float]) -> float:
        return _negloglik(model, s, window, [p[k] for k in names])

    def grad(p: dict[str, float]) -> dict[str, float]:
        return dict(zip(names, _negloglik_gradient(model, s, window, [p[k] for k in names]), strict=True))

    if model == "exponential":
        starts = [{"rate": 1.0 / mean}, {"rate": 1.0 / med}]
    elif model == "power law":
        starts = [{"alpha": a, "c": c} for a in (0.3, 1.0, 3.0) for c in (0.1 * med, med)]
    else:
        starts = [{"scale": sc, "shape": k} for sc in (med, mean) for k in (0.4, 1.0)]
    starts = [st | {"t0": float(t0)} for st in starts]
    trunc = "no truncation" if T is None else f"truncated at the window end T={T}"
    return fit_mle(
        f"{model} decay",
        nll,
        starts,
        {k: "log" for k in names},
        n,
        gradient=grad,
        curve=_cdf_curve(model),
        fixed={"t0": float(t0)},
        level=level,
        method=f"maximum likelihood on event ages ({trunc}); SEs from the observed information",
        extra={"T": T, "window": window, "law": model},
    )


def fit_exponential_decay(times: Any, *, t0: float = 0.0, T: float | None = None, level: float = 0.95) -> FitResult:
    """Fit exponential decay ``S(s) = exp(-rate s)`` to event times by maximum likelihood."""
    return fit_decay("exponential", times, t0=t0, T=T, level=level)


def fit_powerlaw_decay(times: Any, *, t0: float = 0.0, T: float | None = None, level: float = 0.95) -> FitResult:
    """Fit power-law (Lomax) decay ``S(s) = (1 + s/c)^-alpha`` to event times by maximum likelihood."""
    return fit_decay("power law", times, t0=t0, T=T, level=level)


def fit_stretched_exponential_decay(
    times: Any, *, t0: float = 0.0, T: float | None = None, level: float = 0.95
) -> FitResult:
    """Fit stretched-exponential (Weibull) decay ``S(s) = exp(-(s/scale)^shape)`` by maximum likelihood."""
    return fit_decay("stretched exponential", times, t0=t0, T=T, level=level)


def fit_decay_models(times: Any, *, t0: float = 0.0, T: float | None = None, level: float = 0.95) -> list[FitResult]:
    """Fit all three decay laws to the same events (pass the list to :func:`infoflow.fitting.compare`)."""
    return [fit_decay(m, times, t0=t0, T=T, level=level) for m in DECAY_MODELS]


def _law_of(result: FitResult) -> str:
    law = result.extra.get("law")
    if law not in _LAWS:
        raise ValueError(f"{result.model} is not a decay fit from infoflow.decay")
    return law


def share_reached(result: FitResult, t: Any) -> np.ndarray:
    """Share of eventual activity reached by absolute time ``t`` under a fitted decay law."""
    _law_of(result)
    return result.predict(t)


def ks_test(result: FitResult, times: Any) -> tuple[float, float]:
    """Kolmogorov-Smirnov statistic and p-value of event times against a fitted law, truncated at its window.

    The parameters were estimated from the same events, which makes the test lenient (conservative):
    a rejection is strong evidence against the law, an acceptance weak evidence for it.
    """
    _law_of(result)
    t0, window = float(result.params["t0"]), float(result.extra["window"])
    ages = np.asarray(times, dtype=float) - t0
    total = float(share_reached(result, t0 + window)) if math.isfinite(window) else 1.0
    res = stats.kstest(ages, lambda s: np.asarray(share_reached(result, t0 + np.asarray(s))) / total)
    return float(res.statistic), float(res.pvalue)


def half_life(result: FitResult) -> float:
    """Age (time after ``t0``) by which half of the eventual activity has happened."""
    law = _law_of(result)
    p = result.params
    if law == "exponential":
        return math.log(2.0) / p["rate"]
    if law == "power law":
        return p["c"] * math.expm1(math.log(2.0) / p["alpha"])
    if law == "stretched exponential":
        return p["scale"] * math.log(2.0) ** (1.0 / p["shape"])
    raise AssertionError(law)  # pragma: no cover


def half_life_interval(result: FitResult, level: float = 0.95) -> tuple[float, float, float]:
    """Delta-method standard error of :func:`half_life` and a log-scale Wald interval (NaN if no covariance)."""
    cov, free = result.extra.get("covariance"), result.extra.get("free", [])
    hl = half_life(result)
    if cov is None or not np.all(np.isfinite(cov)):
        return math.nan, math.nan, math.nan
    grad = np.zeros(len(free))
    for i, name in enumerate(free):
        h = 1e-6 * max(abs(result.params[name]), 1e-12)
        up = replace(result, params={**result.params, name: result.params[name] + h})
        dn = replace(result, params={**result.params, name: result.params[name] - h})
        grad[i] = (half_life(up) - half_life(dn)) / (2 * h)
    se = float(math.sqrt(max(grad @ np.asarray(cov) @ grad, 0.0)))
    z = stats.norm.ppf(0.5 + level / 2.0)
    return se, hl * math.exp(-z * se / hl), hl * math.exp(z * se / hl)


def _lognormal_cdf(x: np.ndarray, mu: float, sigma: float) -> np.ndarray:
    return stats.lognorm.cdf(np.asarray(x, dtype=float), s=sigma, scale=math.exp(mu))


def fit_lognormal_sizes(sizes: Any, *, level: float = 0.95) -> FitResult:
    """Fit a log-normal to positive final sizes by maximum likelihood (closed form; exact SEs)."""
    x = np.asarray(sizes, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("sizes are empty: at least two sizes are needed")
    if not np.all(np.isfinite(x)):
        raise ValueError("sizes must be finite")
    if np.any(x <= 0):
        bad = int(np.flatnonzero(x <= 0)[0])
        raise ValueError(f"sizes must be positive for a log-normal; element {bad} is {x[bad]}")
    n = x.size
    if n < 2:
        raise ValueError("a log-normal fit needs at least two sizes")
    lx = np.log(x)
    mu = float(lx.mean())
    sigma = float(lx.std(ddof=0))
    if sigma <= 0:
        raise ValueError("all sizes are equal: the log-normal spread is not identified")
    se_mu = sigma / math.sqrt(n)
    se_sigma = sigma / math.sqrt(2.0 * n)
    ll = float(np.sum(stats.norm.logpdf(lx, mu, sigma) - lx))
    aic, bic = information_criteria(ll, n, 2)
    # exact interval for mu (t) and for sigma (chi-square), both from the n log-sizes
    tq = stats.t.ppf(0.5 + level / 2.0, df=n - 1)
    s_unb = float(lx.std(ddof=1))
    a = (1.0 - level) / 2.0
    ci_sigma = (
        math.sqrt(n * sigma**2 / stats.chi2.ppf(1.0 - a, n - 1)),
        math.sqrt(n * sigma**2 / stats.chi2.ppf(a, n - 1)),
    )
    return FitResult(
        model="log-normal sizes",
        params={"mu": mu, "sigma": sigma},
        se={"mu": se_mu, "sigma": se_sigma},
        ci={"mu": (mu - tq * s_unb / math.sqrt(n), mu + tq * s_unb / math.sqrt(n)), "sigma": ci_sigma},
        loglik=ll,
        n=n,
        k=2,
        aic=aic,
        bic=bic,
        method="maximum likelihood on log sizes (closed form); t and chi-square intervals",
        converged=True,
        curve=_lognormal_cdf,
        level=level,
        extra={"median": math.exp(mu), "mean": math.exp(mu + sigma**2 / 2.0)},
    )


# --------------------------------------------------------------------------------------------------
# The book's proxy cascade sets (chapters 2 and 4 share these fits)
# --------------------------------------------------------------------------------------------------

#: the proxy data sets, with the observation window each fit is truncated at
PROXY_SETS: dict[str, str] = {
    "deephawkes": "DeepHawkes Weibo sample (30 cascades), window 24 h after each original post",
    "seismic tweet": "SEISMIC example tweet (one cascade), window to its last reshare",
    "auspol": "#auspol retweet cascades (3,333), pooled, window to the latest reshare of the set",
    "twitter15": "Twitter15 retweet trees (1,490), pooled, window to the latest reshare of the set",
    "twitter16": "Twitter16 retweet trees (818), pooled, window to the latest reshare of the set",
}

#: pooled sets larger than this are fitted on a seeded random sample of this many reshares
MAX_POOLED = 5_000


def proxy_reshare_ages() -> dict[str, tuple[np.ndarray, float]]:
    """Ages (hours after the original post) of every reshare in each proxy set, and the window end ``T``.

    Reshares recorded at or before their source (age <= 0, a few hundred in Twitter15/16 and one in
    #auspol) cannot enter a decay law and are dropped.
    """
    from infoflow import cascades, data

    ages = {"deephawkes": (np.concatenate([c.time[1:] for _, c in cascades.deephawkes_cascades()]) / 3600.0, 24.0)}
    s = data.load_seismic_tweet()["relative_time_second"].to_numpy(dtype=float)[1:] / 3600.0
    ages["seismic tweet"] = (s, float(s.max()))
    a = np.concatenate([c["time"].to_numpy(dtype=float)[1:] for c in data.load_auspol()]) / 3600.0
    ages["auspol"] = (a, float(a.max()))
    for ds in ("twitter15", "twitter16"):
        d = np.concatenate([c.time[1:] for _, _, c in cascades.twitter_cascades(ds)]) / 60.0
        ages[ds] = (d, float(d.max()))
    return {k: (np.sort(v[v > 0]), T) for k, (v, T) in ages.items()}


@lru_cache(maxsize=1)
def proxy_decay_fits() -> dict[str, list[FitResult]]:
    """The three decay laws fitted (truncated at each set's window) to the pooled reshare ages of each proxy set.

    Keys are those of :data:`PROXY_SETS`; ages in hours.  Twitter15 and Twitter16 (about 600,000
    and 350,000 reshares) are fitted on a seeded random sample of :data:`MAX_POOLED` reshares each,
    which keeps the fits to about a second; the other sets whole.  Computed once per process (chapters 2
    and 4 use the same fits).
    """
    out = {}
    for i, (name, (a, T)) in enumerate(proxy_reshare_ages().items()):
        if a.size > MAX_POOLED:
            a = np.sort(np.random.default_rng(i).choice(a, MAX_POOLED, replace=False))
        out[name] = fit_decay_models(a, t0=0.0, T=T)
    return out
