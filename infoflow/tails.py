"""Heavy tails of count data: a discrete power law against lognormal, negative binomial and exponential laws.

Following Clauset, Shalizi & Newman (2009): the tail ``x >= xmin`` is fitted by maximum likelihood
with a discrete power law ``p(x) = x^-alpha / zeta(alpha, xmin)``; ``xmin`` is the value that makes
the fitted law closest to the data (smallest Kolmogorov-Smirnov distance).  Alternatives fitted on
the same tail: a discretised lognormal, a negative binomial and a discrete exponential (geometric),
each truncated at ``xmin``.  "Closer to a power law" is then a likelihood-ratio statement with a test: Vuong's
normalised log-likelihood ratio, positive when the power law fits better, with a two-sided p-value
(a large p means the data cannot tell the two laws apart).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special, stats


def _tail(x: Any, xmin: int) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 1 or np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("counts must be a 1-D array of non-negative integers")
    if xmin < 1:
        raise ValueError(f"xmin must be at least 1, got {xmin}")
    tail = x[x >= xmin].astype(float)
    if tail.size < 10:
        raise ValueError(f"only {tail.size} counts at or above xmin={xmin}: too few to fit a tail")
    return tail


def powerlaw_loglik(tail: np.ndarray, alpha: float, xmin: int) -> np.ndarray:
    """Pointwise log-likelihood of a discrete power law on ``x >= xmin``."""
    return -alpha * np.log(tail) - math.log(special.zeta(alpha, xmin))


def fit_powerlaw(x: Any, xmin: int) -> dict[str, float]:
    """Maximum-likelihood exponent ``alpha`` of a discrete power law on ``x >= xmin``, with its standard error."""
    tail = _tail(x, xmin)
    slog = float(np.log(tail).sum())
    n = tail.size

    def nll(a: float) -> float:
        return a * slog + n * math.log(special.zeta(a, xmin))

    res = optimize.minimize_scalar(nll, bounds=(1.0001, 8.0), method="bounded", options={"xatol": 1e-9})
    a = float(res.x)
    h = 1e-4 * a
    curv = (nll(a + h) - 2 * nll(a) + nll(a - h)) / h**2
    return {"alpha": a, "se": float(1 / math.sqrt(curv)) if curv > 0 else math.nan, "n_tail": n,
            "loglik": -float(res.fun)}


def lognormal_loglik(tail: np.ndarray, mu: float, sigma: float, xmin: int) -> np.ndarray:
    """Pointwise log-likelihood of a lognormal discretised on integers (``x - 1/2`` to ``x + 1/2``), truncated at xmin."""
    hi = stats.norm.logsf((np.log(tail - 0.5) - mu) / sigma)
    lo = stats.norm.logsf((np.log(tail + 0.5) - mu) / sigma)
    mass = hi + np.log1p(-np.exp(np.minimum(lo - hi, -1e-300)))
    return mass - float(stats.norm.logsf((math.log(xmin - 0.5) - mu) / sigma))


def fit_lognormal(x: Any, xmin: int) -> dict[str, float]:
    """Maximum-likelihood ``mu, sigma`` of a discretised lognormal on ``x >= xmin``."""
    tail = _tail(x, xmin)
    values, counts = np.unique(tail, return_counts=True)
    logs = np.log(tail)

    def nll(p: np.ndarray) -> float:
        val = -float(np.sum(counts * lognormal_loglik(values, p[0], math.exp(p[1]), xmin)))
        return val if math.isfinite(val) else 1e300

    return _best_of(nll, ([logs.mean(), math.log(logs.std() + 0.1)], [0.0, 1.0], [-5.0, 1.5], [-15.0, 1.3]),
                    ("mu", "sigma"), tail.size)


def _best_of(nll: Any, starts: Any, names: tuple[str, str], n_tail: int) -> dict[str, float]:
    """Minimise ``nll`` over (identity, log)-scaled parameters from several starts (Nelder-Mead)."""
    best = None
    for start in starts:
        res = optimize.minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10,
                                                                          "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    return {names[0]: float(best.x[0]), names[1]: float(math.exp(best.x[1])), "loglik": -float(best.fun),
            "n_tail": n_tail}


def negbin_loglik(tail: np.ndarray, log_mean: float, k: float, xmin: int) -> np.ndarray:
    """Pointwise log-likelihood of a negative binomial (mean ``exp(log_mean)``, dispersion ``k``) truncated at xmin."""
    mean = math.exp(log_mean)
    p = k / (k + mean)
    return stats.nbinom.logpmf(tail, k, p) - float(stats.nbinom.logsf(xmin - 1, k, p))


def fit_negbin(x: Any, xmin: int) -> dict[str, float]:
    """Maximum-likelihood negative binomial (untruncated mean ``exp(log_mean)``, dispersion ``k``) on ``x >= xmin``."""
    tail = _tail(x, xmin)
    values, counts = np.unique(tail, return_counts=True)

    def nll(p: np.ndarray) -> float:
        val = -float(np.sum(counts * negbin_loglik(values, p[0], math.exp(p[1]), xmin)))
        return val if math.isfinite(val) else 1e300

    m = float(tail.mean())
    return _best_of(nll, ([math.log(m), 0.0], [math.log(m), math.log(0.1)], [0.0, math.log(0.01)]),
                    ("log_mean", "k"), tail.size)


def exponential_loglik(tail: np.ndarray, q: float, xmin: int) -> np.ndarray:
    """Pointwise log-likelihood of a geometric law ``(1 - q) q^(x - xmin)`` on ``x >= xmin``."""
    return math.log1p(-q) + (tail - xmin) * math.log(q)


def fit_exponential(x: Any, xmin: int) -> dict[str, float]:
    """Maximum-likelihood ratio ``q`` of a geometric (discrete exponential) law on ``x >= xmin``."""
    tail = _tail(x, xmin)
    m = float(np.mean(tail - xmin))
    q = m / (1 + m) if m > 0 else 1e-12
    return {"q": q, "loglik": float(np.sum(exponential_loglik(tail, q, xmin))), "n_tail": tail.size}


def ks_distance(x: Any, alpha: float, xmin: int) -> float:
    """Largest gap between the empirical and fitted power-law distribution functions on ``x >= xmin``."""
    tail = np.sort(_tail(x, xmin))
    values, counts = np.unique(tail, return_counts=True)
    emp = np.cumsum(counts) / tail.size
    model = 1 - special.zeta(alpha, values + 1) / special.zeta(alpha, xmin)
    return float(np.max(np.abs(emp - model)))


def choose_xmin(x: Any, candidates: Any) -> int:
    """The candidate ``xmin`` whose power-law fit is closest to the data in KS distance (Clauset et al. 2009)."""
    best, best_d = None, math.inf
    for xm in candidates:
        xm = int(xm)
        try:
            fit = fit_powerlaw(x, xm)
        except ValueError:
            continue
        d = ks_distance(x, fit["alpha"], xm)
        if d < best_d:
            best, best_d = xm, d
    if best is None:
        raise ValueError("no candidate xmin leaves enough counts in the tail")
    return best


def vuong(ll_a: np.ndarray, ll_b: np.ndarray) -> dict[str, float]:
    """Vuong's test of two non-nested laws: log-likelihood ratio, normalised ratio ``z`` (> 0 favours a), p-value."""
    d = np.asarray(ll_a, dtype=float) - np.asarray(ll_b, dtype=float)
    if d.ndim != 1 or d.size < 2:
        raise ValueError("need pointwise log-likelihoods of at least two observations")
    sd = float(d.std(ddof=0))
    z = float(d.sum() / (math.sqrt(d.size) * sd)) if sd > 0 else 0.0
    return {"llr": float(d.sum()), "z": z, "p": float(2 * stats.norm.sf(abs(z)))}


def compare_tail(x: Any, xmin: int) -> dict[str, Any]:
    """Fit the three laws to ``x >= xmin`` and test the power law against each alternative."""
    tail = _tail(x, xmin)
    pl = fit_powerlaw(x, xmin)
    ln = fit_lognormal(x, xmin)
    ex = fit_exponential(x, xmin)
    nb = fit_negbin(x, xmin)
    ll_pl = powerlaw_loglik(tail, pl["alpha"], xmin)
    return {"xmin": xmin, "n_tail": tail.size, "alpha": pl["alpha"], "alpha_se": pl["se"],
            "ks": ks_distance(x, pl["alpha"], xmin), "mu": ln["mu"], "sigma": ln["sigma"], "q": ex["q"],
            "k": nb["k"],
            "vs_lognormal": vuong(ll_pl, lognormal_loglik(tail, ln["mu"], ln["sigma"], xmin)),
            "vs_negbin": vuong(ll_pl, negbin_loglik(tail, nb["log_mean"], nb["k"], xmin)),
            "vs_exponential": vuong(ll_pl, exponential_loglik(tail, ex["q"], xmin))}
