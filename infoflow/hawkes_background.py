"""Hawkes processes whose background decays: self-excitation judged against a fair null.

A retweet cascade has two sources of events: *immigrants*, the direct reshares of the original
post, whose rate wanes as the post ages (its outside attention decays), and *offspring*, reshares
triggered by earlier reshares.  A Hawkes model with a constant background rate cannot represent
the first: it attributes the waning to self-excitation and drives the branching ratio towards 1.
Here the background follows a decay law (:mod:`infoflow.decay`)::

    lambda(t) = m f(t) + n_star * beta * sum_{t_j < t} exp(-beta (t - t_j))

with ``f`` the density of an exponential (``rate``) or power-law (Lomax: ``alpha``, ``c``) lifetime,
``m`` the expected number of immigrants over an unbounded horizon, ``n_star`` the branching ratio
(mean number of reshares each reshare triggers) and ``beta`` the decay of excitation.  The log-
likelihood on ``[0, T]`` is ``sum_i log lambda(t_i) - m F(T) - n_star sum_i (1 - exp(-beta (T - t_i)))``;
the excitation sums use the O(n) recursion of :mod:`infoflow.pointprocess` (events tied in time do
not excite each other).  The gradient is analytic.

The fair null for "reshares beget reshares" is the same model with ``n_star = 0``: an
*inhomogeneous* Poisson process whose rate decays like the fitted attention
(:func:`fit_inhomogeneous_poisson`).  :func:`self_excitation_test` is the likelihood-ratio test of
the two.  Because ``n_star = 0`` lies on the boundary and ``beta`` is not identified under the null
(the Davies problem), no chi-square reference is exact: the LR statistic is referred to a
chi-square with 2 degrees of freedom as an approximation whose calibration is not established here.

*Onset.*  Both the background and the null decay from time 0.  Measured from the post, a cascade
whose first reshare comes hours later cannot be fitted by a rate that is highest at 0, so the
real cascades are measured from their *first reshare* (:data:`ONSETS`, :func:`proxy_cascades`).

:func:`profile_interval` gives a profile-likelihood interval for any parameter (``n_star`` by
default): unlike the Wald interval it is not symmetric and does not run through ``n_star = 1``
when the likelihood is flat there.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import optimize, stats

from infoflow.fitting import FitResult, check_event_times, check_window, fit_mle
from infoflow.pointprocess import _excitation, _excitation_dbeta, _tie_starts, with_descendants

__all__ = [
    "BACKGROUNDS",
    "ONSETS",
    "ExcitationTest",
    "background_compensator",
    "fit_hawkes_decaying_background",
    "fit_inhomogeneous_poisson",
    "hdb_compensator",
    "hdb_loglik",
    "profile_interval",
    "rescaling_ks",
    "self_excitation_test",
    "simulate_hawkes_decaying_background",
]

RngLike = np.random.Generator | int | None

#: the fit stays where the excitation memory ``1/beta`` is shorter than the window and ``n_star`` is finite;
#: beyond these walls the likelihood keeps rising along a ridge (rate growing linearly with the count)
MIN_BETA_T, MAX_N_STAR = 1.0, 20.0

#: where a real cascade's clock starts: at the post, or at its first reshare (which then sits at time 0)
ONSETS = ("post", "first reshare")

#: background laws and their parameters
BACKGROUNDS: dict[str, tuple[str, ...]] = {"exponential": ("rate",), "power law": ("alpha", "c")}


# ---------------------------------------------------------------------------------------- pieces


def _law_names(law: str) -> tuple[str, ...]:
    try:
        return BACKGROUNDS[law]
    except KeyError:
        raise ValueError(f"unknown background law {law!r}; choose one of {', '.join(BACKGROUNDS)}") from None


def _bg(law: str, t: np.ndarray, p: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """Density f(t), cdf F(t), and d log f / d theta, d F / d theta for each law parameter."""
    if law == "exponential":
        r = p["rate"]
        f = r * np.exp(-r * t)
        F = -np.expm1(-r * t)
        return f, F, {"rate": 1.0 / r - t}, {"rate": t * np.exp(-r * t)}
    a, c = p["alpha"], p["c"]
    lg = np.log1p(t / c)
    f = (a / c) * np.exp(-(a + 1.0) * lg)
    S = np.exp(-a * lg)
    dlogf = {"alpha": 1.0 / a - lg, "c": -1.0 / c + (a + 1.0) * t / (c * (c + t))}
    dF = {"alpha": lg * S, "c": -a * t * S / (c * (c + t))}
    return f, -np.expm1(-a * lg), dlogf, dF


def background_compensator(law: str, t: Any, params: Mapping[str, float]) -> np.ndarray:
    """Expected number of immigrants by time ``t``: ``m F(t)``."""
    _law_names(law)
    _, F, _, _ = _bg(law, np.asarray(t, dtype=float), params)
    return params["m"] * F


def _loglik_grad(t: np.ndarray, T: float, law: str, p: Mapping[str, float], first: np.ndarray,
                 excite: bool, grad: bool) -> tuple[float, dict[str, float]]:
    m = p["m"]
    f, _, dlogf, _ = _bg(law, t, p)
    _, FT, _, dFT = _bg(law, np.array([T]), p)
    lam = m * f
    if excite:
        ns, beta = p["n_star"], p["beta"]
        a, _ = _excitation(t, beta, first)
        lam = lam + ns * beta * a
        e = np.exp(-beta * (T - t))
        comp_exc = ns * float(np.sum(1.0 - e))
    else:
        comp_exc = 0.0
    ll = float(np.sum(np.log(lam))) - m * float(FT[0]) - comp_exc
    if not grad:
        return ll, {}
    inv = 1.0 / lam
    g = {"m": float(np.sum(f * inv)) - float(FT[0])}
    for k in BACKGROUNDS[law]:
        g[k] = m * float(np.sum(f * dlogf[k] * inv)) - m * float(dFT[k][0])
    if excite:
        b = _excitation_dbeta(t, beta, a, first)
        g["n_star"] = beta * float(np.sum(a * inv)) - float(np.sum(1.0 - e))
        g["beta"] = ns * float(np.sum((a - beta * b) * inv)) - ns * float(np.sum((T - t) * e))
    return ll, g


def hdb_loglik(times: Any, params: Mapping[str, float], *, law: str = "power law", T: float | None = None) -> float:
    """Log-likelihood of the decaying-background Hawkes model (``n_star = 0`` gives the Poisson null)."""
    t, T = check_window(times, T)
    _law_names(law)
    excite = "n_star" in params and params["n_star"] > 0
    return _loglik_grad(t, T, law, params, _tie_starts(t), excite, False)[0]


# ---------------------------------------------------------------------------------------- fitting


def _starts(t: np.ndarray, T: float, law: str, excite: bool) -> list[dict[str, float]]:
    n = t.size
    scale = float(np.median(t[t > 0])) if np.any(t > 0) else T / 2
    gaps = np.diff(t)
    typical = float(np.median(gaps[gaps > 0])) if np.any(gaps > 0) else T / n
    laws = ([{"rate": 1.0 / scale}, {"rate": 0.2 / scale}] if law == "exponential"
            else [{"alpha": a, "c": cf * scale} for a in (0.5, 1.5) for cf in (0.1, 1.0)])
    if not excite:
        return [{"m": 1.2 * n, **lp} for lp in laws]
    return [{"m": (1.0 - ns) * n * 1.2, **lp, "n_star": ns, "beta": bf / typical}
            for lp in laws for ns in (0.2, 0.6) for bf in (0.03, 0.3, 3.0)]


def _fit(times: Any, T: float | None, law: str, excite: bool, level: float,
         fixed: Mapping[str, float] | None = None, starts: list[dict[str, float]] | None = None) -> FitResult:
    t, T = check_window(times, T)
    names = _law_names(law)
    if t.size < 5:
        raise ValueError(f"a decaying-background fit needs at least 5 events, got {t.size}")
    first = _tie_starts(t)

    def nll(p: dict[str, float]) -> float:
        if excite and (p["beta"] * T < MIN_BETA_T or p["n_star"] > MAX_N_STAR):
            return math.inf  # excitation slower than the window, or runaway: not identified (a wall)
        return -_loglik_grad(t, T, law, p, first, excite, False)[0]

    def grad(p: dict[str, float]) -> dict[str, float]:
        _, g = _loglik_grad(t, T, law, p, first, excite, True)
        return {k: -v for k, v in g.items()}

    transforms = {"m": "log", **{k: "log" for k in names}}
    if excite:
        transforms |= {"n_star": "log", "beta": "log"}
    model = (f"Hawkes, {law} background" if excite else f"inhomogeneous Poisson, {law} decay")
    if excite and starts is None:  # also start from the null's optimum: the Hawkes model nests it (n_star -> 0)
        null = _fit(t, T, law, False, level)
        gaps = np.diff(t)
        typical = float(np.median(gaps[gaps > 0])) if np.any(gaps > 0) else T / t.size
        nested = [{"m": null.params["m"] * (1.0 - ns), **{k: null.params[k] for k in names}, "n_star": ns,
                   "beta": max(bf / typical, 1.01 * MIN_BETA_T / T)}
                  for ns in (0.02, 0.3) for bf in (0.03, 0.3, 3.0)]
        starts_all = _starts(t, T, law, excite) + nested
    else:
        starts_all = starts or _starts(t, T, law, excite)
    res = fit_mle(model, nll, starts_all, transforms, t.size, gradient=grad,
                  fixed=fixed, n_refine=None if starts else 3, level=level,
                  method="maximum likelihood, O(n) recursion, analytic gradient (L-BFGS-B on log parameters); "
                         "Wald intervals from the observed information",
                  extra={"T": T, "law": law, "excite": excite})
    p = res.params
    immigrants = float(background_compensator(law, T, p))
    return replace(res, extra=res.extra | {"immigrants": immigrants})


def fit_hawkes_decaying_background(times: Any, T: float | None = None, level: float = 0.95, *,
                                   law: str = "power law") -> FitResult:
    """Fit a Hawkes process with a decaying background (``m``, law parameters, ``n_star``, ``beta``) by ML.

    ``times`` are the reshare times (the original post at time 0 is *not* an event), ``T`` the end of
    observation (default: the last event).  ``law`` is ``"power law"`` (Lomax background, default)
    or ``"exponential"``.  Intervals are Wald intervals on the log scale; use
    :func:`profile_interval` for ``n_star``.  ``extra["immigrants"]`` is the expected number of
    immigrants in ``[0, T]``.
    """
    return _fit(times, T, law, True, level)


def fit_inhomogeneous_poisson(times: Any, T: float | None = None, level: float = 0.95, *,
                              law: str = "power law") -> FitResult:
    """Fit the fair null: a Poisson process with rate ``m f(t)`` decaying like attention (no self-excitation)."""
    return _fit(times, T, law, False, level)


def profile_interval(times: Any, fit: FitResult, param: str = "n_star", *, level: float | None = None,
                     upper_limit: float = MAX_N_STAR) -> tuple[float, float]:
    """Profile-likelihood interval of one parameter of a decaying-background fit (Hawkes or Poisson null).

    The bounds are where ``2 (logL_max - logL_profile)`` crosses the chi-square(1) quantile at
    ``level`` (default: the fit's level); at each trial value the other parameters are re-maximised
    (L-BFGS-B on log parameters, started from the MLE).  A bound the profile does not reach inside
    ``(0, upper_limit]`` is returned as ``0.0`` or ``inf``.
    """
    if param not in fit.params:
        raise ValueError(f"{fit.model} has no parameter {param!r}; its parameters are {', '.join(fit.params)}")
    law, excite, T = fit.extra["law"], fit.extra["excite"], fit.extra["T"]
    t, T = check_window(times, T)
    first = _tie_starts(t)
    level = fit.level if level is None else level
    cut = stats.chi2.ppf(level, 1) / 2.0
    est = fit.params[param]
    free = [k for k in fit.params if k != param]
    mle_u = np.log([fit.params[k] for k in free])

    def drop(value: float) -> float:
        def obj(u: np.ndarray) -> tuple[float, np.ndarray]:
            p = dict(zip(free, np.exp(u), strict=True)) | {param: value}
            if excite and (p["beta"] * T < MIN_BETA_T or p["n_star"] > MAX_N_STAR):
                return 1e300, np.zeros(u.size)
            with np.errstate(all="ignore"):
                ll, g = _loglik_grad(t, T, law, p, first, excite, True)
            if not np.isfinite(ll):
                return 1e300, np.zeros(u.size)
            return -ll, -np.array([g[k] * p[k] for k in free])

        # start from the MLE of the other parameters (warm starts from far trial values can stall on the
        # flat ridge of the background law)
        res = optimize.minimize(obj, mle_u, jac=True, method="L-BFGS-B",
                                options={"ftol": 1e-14, "gtol": 1e-8, "maxiter": 3000})
        return fit.loglik + res.fun - cut

    def bound(direction: float, limit: float) -> float:
        se_u = fit.se[param] / est if np.isfinite(fit.se[param]) and fit.se[param] > 0 else 1.0
        step = max(se_u, 0.05)
        inner = est
        for _ in range(40):
            x = est * math.exp(direction * 2.0 * step)
            if (direction > 0 and x >= limit) or (direction < 0 and x <= limit):
                x = limit
            if drop(x) > 0:
                return optimize.brentq(drop, min(inner, x), max(inner, x), xtol=5e-3 * est, rtol=1e-3)
            if x == limit:
                return math.inf if direction > 0 else 0.0
            inner, step = x, step * 2.0
        return math.inf if direction > 0 else 0.0

    return (float(bound(-1.0, est * 1e-4)), float(bound(1.0, upper_limit)))


# ---------------------------------------------------------------------------------------- tests


@dataclass(frozen=True)
class ExcitationTest:
    """Likelihood-ratio test of self-excitation against the decaying-rate Poisson null."""

    statistic: float
    df: int
    pvalue: float
    hawkes: FitResult
    null: FitResult


def self_excitation_test(times: Any, T: float | None = None, *, law: str = "power law",
                         hawkes: FitResult | None = None) -> ExcitationTest:
    """LR test of the decaying-background Hawkes fit against the inhomogeneous Poisson null (chi-square, 2 df)."""
    hawkes = hawkes or fit_hawkes_decaying_background(times, T, law=law)
    null = fit_inhomogeneous_poisson(times, hawkes.extra["T"], law=hawkes.extra["law"])
    lr = max(0.0, 2.0 * (hawkes.loglik - null.loglik))
    return ExcitationTest(statistic=lr, df=2, pvalue=float(stats.chi2.sf(lr, 2)), hawkes=hawkes, null=null)


def hdb_compensator(times: Any, fit: FitResult | Mapping[str, float], *, law: str | None = None) -> np.ndarray:
    """Compensator ``Lambda(t_i)`` at the events of a decaying-background fit (Hawkes or Poisson null)."""
    t = check_event_times(times)
    p = fit.params if isinstance(fit, FitResult) else fit
    law = law or (fit.extra["law"] if isinstance(fit, FitResult) else "power law")
    comp = background_compensator(law, t, p)
    if p.get("n_star", 0.0) > 0:
        first = _tie_starts(t)
        a, _ = _excitation(t, p["beta"], first)
        comp = comp + p["n_star"] * (first - a)
    return comp


def rescaling_ks(compensator: Any) -> tuple[float, float]:
    """Time-rescaling KS test: gaps of the compensator at the events against Exp(1); ``(statistic, p)``."""
    lam = np.asarray(compensator, dtype=float)
    ks = stats.kstest(np.diff(np.concatenate([[0.0], lam])), "expon")
    return float(ks.statistic), float(ks.pvalue)


# ---------------------------------------------------------------------------------------- simulation


def simulate_hawkes_decaying_background(m: float, n_star: float, beta: float, T: float, rng: RngLike = None, *,
                                        law: str = "power law", **law_params: float) -> np.ndarray:
    """Simulate the model on ``[0, T]`` by its cluster construction (immigrants from the law, offspring Poisson)."""
    names = _law_names(law)
    missing = [k for k in names if k not in law_params]
    if missing:
        raise ValueError(f"a {law} background needs {', '.join(missing)}")
    if not (m > 0 and 0 <= n_star < 1 and beta > 0 and np.isfinite(T) and T > 0):
        raise ValueError(f"need m > 0, 0 <= n_star < 1, beta > 0 and finite T > 0; got m={m}, n_star={n_star}, "
                         f"beta={beta}, T={T}")
    rng = np.random.default_rng(rng)
    k = rng.poisson(m)
    u = rng.random(k)
    if law == "exponential":
        gen = -np.log1p(-u) / law_params["rate"]
    else:  # Lomax inverse cdf
        gen = law_params["c"] * ((1.0 - u) ** (-1.0 / law_params["alpha"]) - 1.0)
    return with_descendants(gen, n_star, beta, T, rng)


# ---------------------------------------------------------------------------------------- real cascades


def jitter_ties(times: Any, resolution: float, seed: int) -> np.ndarray:
    """Spread times recorded to ``resolution`` uniformly within their tick (seeded), sorted."""
    t = np.asarray(times, dtype=float)
    return np.sort(t + np.random.default_rng(seed).uniform(0.0, resolution, t.size))


def _onset(times: np.ndarray, onset: str) -> np.ndarray:
    if onset not in ONSETS:
        raise ValueError(f"unknown onset {onset!r}; choose one of {', '.join(map(repr, ONSETS))}")
    return times - times[0] if onset == "first reshare" else times


def proxy_cascades(min_events: int = 50, seed: int = 20261123, *, onset: str = "first reshare") -> dict[str, np.ndarray]:
    """Reshare times (seconds) of the SEISMIC tweet and the ``#auspol`` cascades with >= ``min_events``.

    Events are counted with the original post, as stored; the post itself (time 0) is dropped, so the
    times are the reshares.  Times are recorded to the second: tied seconds are spread uniformly
    within the second (seed ``seed`` for the tweet, ``seed + i`` for ``#auspol`` cascade ``i``).  With
    ``onset="first reshare"`` (default) every cascade's clock starts at its first reshare, which sits
    at time 0; with ``onset="post"`` at the post.
    """
    from infoflow import data

    tweet = data.load_seismic_tweet()["relative_time_second"].to_numpy()
    out = {"SEISMIC tweet": _onset(jitter_ties(tweet[1:], 1.0, seed), onset)}
    for i, df in enumerate(data.load_auspol()):
        if len(df) >= min_events:
            out[f"#auspol {i + 1}"] = _onset(jitter_ties(df["time"].to_numpy()[1:], 1.0, seed + i), onset)
    return out


def first_reshare_delays(min_events: int = 50) -> dict[str, float]:
    """Hours from the post to the first reshare of each proxy cascade (as recorded)."""
    from infoflow import data

    out = {"SEISMIC tweet": float(data.load_seismic_tweet()["relative_time_second"].to_numpy()[1]) / 3600.0}
    for i, df in enumerate(data.load_auspol()):
        if len(df) >= min_events:
            out[f"#auspol {i + 1}"] = float(df["time"].to_numpy()[1]) / 3600.0
    return out


def branching_row(times: Any, T: float | None = None, *, law: str = "power law", level: float = 0.95) -> dict:
    """Fit the constant- and decaying-background Hawkes models and the fair null to one cascade; one table row."""
    from infoflow import pointprocess

    t, T = check_window(times, T)
    with np.errstate(over="ignore", invalid="ignore"):  # trial points far out on the log scale overflow harmlessly
        const = pointprocess.fit_hawkes_exp(t, T, level=level)
        test = self_excitation_test(t, T, law=law)
        hdb = test.hawkes
        identified = bool(hdb.converged and np.isfinite(hdb.se["n_star"]) and hdb["n_star"] < MAX_N_STAR * 0.99
                          and hdb["beta"] * T > MIN_BETA_T * 1.01)
        lo, hi = profile_interval(t, hdb, level=level, upper_limit=5.0) if identified else (math.nan, math.nan)
    ks_const = pointprocess.time_rescaling_test(t, const)
    ks_hdb = rescaling_ks(hdb_compensator(t, hdb))
    ks_null = rescaling_ks(hdb_compensator(t, test.null))
    return {"events": int(t.size), "hours": T / 3600.0,
            "n_star_const": const["n_star"], "n_const_wald_low": const.ci["n_star"][0],
            "n_const_wald_high": const.ci["n_star"][1], "aic_const": const.aic, "ks_const": ks_const.statistic,
            "ks_const_p": ks_const.pvalue,
            "n_star": hdb["n_star"], "n_wald_low": hdb.ci["n_star"][0], "n_wald_high": hdb.ci["n_star"][1],
            "n_profile_low": lo, "n_profile_high": hi, "beta": hdb["beta"], "aic_hdb": hdb.aic,
            "ks_hdb": ks_hdb[0], "ks_hdb_p": ks_hdb[1],
            "aic_null": test.null.aic, "ks_null": ks_null[0], "ks_null_p": ks_null[1],
            "lr": test.statistic, "p_value": test.pvalue, "immigrants": hdb.extra["immigrants"],
            "identified": identified}


def branching_table(cascades: Mapping[str, Any], *, law: str = "power law", level: float = 0.95):
    """:func:`branching_row` for every cascade of ``{name: reshare times}`` as a DataFrame indexed by name."""
    import pandas as pd

    return pd.DataFrame({name: branching_row(t, law=law, level=level) for name, t in cascades.items()}).T.infer_objects()


@functools.lru_cache(maxsize=2)
def _proxy_branching(onset: str) -> Any:
    return branching_table(proxy_cascades(onset=onset))


def proxy_branching(onset: str = "first reshare") -> Any:
    """:func:`branching_table` of :func:`proxy_cascades` (SEISMIC tweet, ``#auspol`` >= 50 events), computed once."""
    return _proxy_branching(onset).copy()


def pooled_multiplier(table: Any, *, n_boot: int = 2000, level: float = 0.95, seed: int = 20261123
                      ) -> dict[str, Any]:
    """Mean branching ratio of the subcritical cascades and the reach multiplier ``1/(1 - n)``, with a bootstrap.

    Each cascade counts once (unweighted mean of ``n_star``).  Cascades whose ``n_star`` is not
    identified (no value to pool) are left out; cascades fitted at or above criticality (``n_star >= 1``,
    where ``1/(1 - n)`` is undefined) are not averaged in but counted and named separately.  Each
    replicate resamples the subcritical cascades and draws each one's ``n`` from a split normal
    matching its 95% profile interval (upper bounds capped at 5), truncated at 0, so the interval
    carries both between- and within-cascade uncertainty; a replicate whose mean reaches 1 has an
    infinite multiplier.  Percentile interval, ``n_boot`` replicates, seeded.
    """
    ident = table[table["identified"].astype(bool)]
    sub = ident[ident["n_star"].astype(float) < 1.0]
    if len(sub) < 2:
        raise ValueError("fewer than two cascades have an identified subcritical branching ratio: nothing to pool")
    n = sub["n_star"].to_numpy(dtype=float)
    z = stats.norm.ppf(0.975)
    lo = np.nan_to_num(sub["n_profile_low"].to_numpy(dtype=float), nan=0.0)
    hi = np.minimum(np.nan_to_num(sub["n_profile_high"].to_numpy(dtype=float), nan=5.0, posinf=5.0), 5.0)
    s_lo, s_hi = np.maximum(n - lo, 0.0) / z, np.maximum(hi - n, 0.0) / z
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n.size, size=(n_boot, n.size))
    e = np.abs(rng.standard_normal(size=idx.shape))
    up = rng.random(idx.shape) < s_hi[idx] / np.where(s_lo[idx] + s_hi[idx] > 0, s_lo[idx] + s_hi[idx], 1.0)
    draws = np.clip(n[idx] + np.where(up, s_hi[idx], -s_lo[idx]) * e, 0.0, None)
    boot = draws.mean(axis=1)
    pooled = float(n.mean())
    a = (1.0 - level) / 2.0
    n_low, n_high = float(np.quantile(boot, a)), float(np.quantile(boot, 1 - a))

    def mult(x: float) -> float:  # monotone in n, so the quantiles carry over
        return 1.0 / (1.0 - x) if x < 1 else math.inf

    supercritical = ident[ident["n_star"].astype(float) >= 1.0]
    return {"n": pooled, "n_low": n_low, "n_high": n_high, "multiplier": mult(pooled),
            "low": mult(n_low), "high": mult(n_high), "cascades": int(n.size),
            "supercritical": len(supercritical), "supercritical_names": list(supercritical.index),
            "excluded": int(len(table) - len(ident)), "share_infinite": float(np.mean(boot >= 1.0)),
            "n_boot": n_boot}


# ---------------------------------------------------------------------------------------- SEISMIC calibration


def seismic_calibration(min_events: int = 50, hours: Any = (1, 3, 6, 12, 24)) -> Any:
    """SEISMIC predictions of the final size at ``hours`` for the proxy cascades, with interval coverage.

    One row per cascade and prediction time: reshares observed so far, infectiousness with its 90% band,
    the prediction and its interval (the band plugged into the prediction, see
    :func:`infoflow.pointprocess.seismic_predict`), the final number of reshares and whether the
    interval contains it.  Recorded times are used as stored (SEISMIC needs no tie-breaking).
    """
    import pandas as pd

    from infoflow import data, pointprocess

    tweet = data.load_seismic_tweet()
    sets = [("SEISMIC tweet", tweet["relative_time_second"].to_numpy(), tweet["number_of_followers"].to_numpy())]
    sets += [(f"#auspol {i + 1}", df["time"].to_numpy(), df["magnitude"].to_numpy())
             for i, df in enumerate(data.load_auspol()) if len(df) >= min_events]
    rows = []
    for name, t, d in sets:
        pred = pointprocess.seismic_predict(t, d, np.asarray(hours, dtype=float) * 3600.0)
        final = t.size - 1
        for h, r in zip(hours, pred.itertuples(), strict=True):
            rows.append({"cascade": name, "hours": h, "observed": r.observed, "infectiousness": r.infectiousness,
                         "p_low": r.p_low, "p_up": r.p_up, "prediction": r.prediction,
                         "prediction_low": r.prediction_low, "prediction_high": r.prediction_high,
                         "final": final, "complete": bool(r.observed >= final),
                         "covered": bool(r.prediction_low <= final <= r.prediction_high)})
    return pd.DataFrame(rows)
