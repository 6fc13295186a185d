"""Adoption curves: Bass, logistic, Gompertz, and irSIR adoption with abandonment.

Every model comes as a pair: ``<model>_curve(t, **params)`` evaluates the curve and
``fit_<model>(t, y, ...)`` fits it by nonlinear least squares (:func:`infoflow.fitting.fit_least_squares`:
several starting points, Jacobian standard errors, Gaussian AIC/BIC), returning a
:class:`~infoflow.fitting.FitResult` whose ``predict`` evaluates the fitted curve.  Time may be any
float scale (years such as ``2013.25`` are fine) and need not be evenly spaced; rates are per unit of
that time.

* Bass (1969): cumulative adopters ``N(t) = m F(t - t0)`` with
  ``F(s) = (1 - exp(-(p + q) s)) / (1 + (q / p) exp(-(p + q) s))`` for ``s >= 0`` (0 before the
  launch ``t0``); ``p`` innovation, ``q`` imitation, ``m`` market potential.  :func:`bass_ols` is
  Bass's own discrete regression ``n_t = a + b N_{t-1} + c N_{t-1}^2`` (``a = p m``, ``b = q - p``,
  ``c = -q / m``) for evenly spaced series, the classic cross-check of the NLS fit.
* Logistic: ``K / (1 + exp(-r (t - t_mid)))``.
* Gompertz: ``K exp(-exp(-r (t - t_mid)))`` (inflection at ``t_mid`` where ``N = K / e``).
* irSIR (Cannarella & Spechler 2014, "Epidemiological modeling of online social network dynamics"):
  users join through contact with users and leave through contact with those who have already
  left ("infectious recovery")::

      dS/dt = -beta S I / N
      dI/dt =  beta S I / N - nu I R / N
      dR/dt =  nu I R / N

  fitted to the active-user series ``I(t)``.  Parameters: population ``N``, ``beta``, ``nu``, and
  the initial shares ``i0 = I(t0) / N`` and ``r0 = R(t0) / N`` at the reference time ``t0``
  (default: the first observation, held fixed).  With ``r0 = 0`` nobody ever leaves, so ``r0`` is
  estimated (or can be fixed through ``fixed={"r0": ...}``).
* SIR with constant churn: the same joining by contact, but users leave at a constant per-capita
  rate ``delta`` (``dI/dt = beta S I / N - delta I``): abandonment that is not contagious, the
  alternative against which irSIR's contagious abandonment is judged.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from scipy import stats
from scipy.integrate import odeint

from infoflow.fitting import (
    FitResult,
    check_series,
    fit_least_squares,
    gaussian_loglik,
    information_criteria,
    jacobian_covariance,
)

__all__ = [
    "bass_curve",
    "bass_ols",
    "churn_curve",
    "fit_bass",
    "fit_churn",
    "fit_gompertz",
    "fit_irsir",
    "fit_logistic",
    "gompertz_curve",
    "irsir_curve",
    "irsir_states",
    "logistic_curve",
]


def _positive(**kw: float) -> None:
    for name, value in kw.items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive finite number, got {value}")


# --------------------------------------------------------------------------------------------------
# Bass
# --------------------------------------------------------------------------------------------------


def _bass(t: np.ndarray, m: float, p: float, q: float, t0: float) -> np.ndarray:
    s = np.clip(np.asarray(t, dtype=float) - t0, 0.0, None)
    e = np.exp(-(p + q) * s)
    return m * (1.0 - e) / (1.0 + (q / p) * e)


def bass_curve(t: Any, m: float, p: float, q: float, t0: float = 0.0) -> np.ndarray:
    """Cumulative Bass adopters ``m F(t - t0)`` (zero before the launch time ``t0``)."""
    _positive(m=m, p=p)
    if not (np.isfinite(q) and q >= 0):
        raise ValueError(f"q must be a non-negative finite number, got {q}")
    return _bass(np.asarray(t, dtype=float), m, p, q, t0)


def fit_bass(
    t: Any,
    y: Any,
    *,
    t0: float | None = 0.0,
    fixed: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> FitResult:
    """Fit the cumulative Bass curve by NLS; ``t0`` is the launch time (``None``: estimate it too)."""
    t, y = check_series(t, y)
    fixed = dict(fixed or {})
    if t0 is not None:
        if t0 > t[0]:
            raise ValueError(f"the launch time t0={t0} is after the first observation t={t[0]}")
        fixed["t0"] = float(t0)
    ymax = float(np.max(y))
    if ymax <= 0:
        raise ValueError("cumulative adopters y must have a positive maximum")
    origin = float(t0) if t0 is not None else float(t[0]) - 0.1 * float(t[-1] - t[0])
    span = float(t[-1]) - origin
    starts = []
    for mf, qs, pf in itertools.product((1.1, 2.0, 5.0), (1.0, 3.0, 8.0), (0.01, 0.1)):
        q = qs / span
        starts.append({"m": mf * ymax, "p": pf * q, "q": q, "t0": origin})
    ols = _bass_ols_start(t, y)
    if ols is not None:
        starts.insert(0, ols | {"t0": origin})
    bounds = {"m": (0.5 * ymax, 1e4 * ymax), "p": (1e-9 / span, 1e3 / span), "q": (0.0, 1e3 / span),
              "t0": (float(t[0]) - 10 * span, float(t[0]))}
    scale = {"m": ymax, "p": 0.1 / span, "q": 1.0 / span, "t0": span}
    name = "Bass" if t0 is not None else "Bass (launch time estimated)"
    return fit_least_squares(name, _bass, t, y, starts, bounds=bounds, fixed=fixed, x_scale=scale,
                             level=level, n_refine=4,
                             method="NLS on cumulative adopters (scipy least_squares, trf); SEs from the Jacobian")


def _bass_ols_start(t: np.ndarray, y: np.ndarray) -> dict[str, float] | None:
    dt = np.diff(t)
    if t.size < 5 or not np.allclose(dt, dt[0], rtol=1e-6):
        return None
    try:
        fit = bass_ols(y, dt=float(dt[0]))
    except ValueError:
        return None
    return {k: fit.params[k] for k in ("m", "p", "q")}


def _bass_ols_abc(cumulative: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lag = cumulative[:-1]
    new = np.diff(cumulative)
    x = np.column_stack([np.ones_like(lag), lag, lag**2])
    return x, new, lag


def _abc_to_mpq(a: float, b: float, c: float) -> tuple[float, float, float]:
    if not c < 0:
        raise ValueError(f"Bass OLS: the quadratic coefficient c={c:.4g} must be negative (no saturation)")
    disc = b * b - 4.0 * a * c
    if disc < 0:
        raise ValueError(f"Bass OLS: no real market potential (b^2 - 4ac = {disc:.4g} < 0)")
    m = (-b - math.sqrt(disc)) / (2.0 * c)
    if not m > 0:
        raise ValueError(f"Bass OLS: the implied market potential m={m:.4g} is not positive")
    p = a / m
    q = -c * m
    if not (p > 0 and q >= 0):
        raise ValueError(f"Bass OLS: implied p={p:.4g}, q={q:.4g} are outside the Bass model (p > 0, q >= 0)")
    return m, p, q


def bass_ols(cumulative: Any, *, dt: float = 1.0, t0: float = 0.0, level: float = 0.95) -> FitResult:
    """Bass's (1969) discrete regression ``n_t = a + b N_{t-1} + c N_{t-1}^2`` with (m, p, q) recovered.

    ``cumulative`` is evenly spaced (one value per period of length ``dt``); ``p`` and ``q`` are
    returned per unit of time (per-period values divided by ``dt``).  Standard errors of m, p, q
    come from the OLS covariance of (a, b, c) by the delta method.  The likelihood is that of the
    regression of *new* adopters (``n = len(cumulative) - 1``), so its AIC is not comparable with
    the NLS fit of cumulative adopters.  ``t0`` only places the fitted continuous curve in time.
    """
    y = np.asarray(cumulative, dtype=float).ravel()
    if y.size == 0:
        raise ValueError("Bass OLS: the cumulative series is empty")
    if not np.all(np.isfinite(y)):
        raise ValueError("Bass OLS: the cumulative series has non-finite values")
    if y.size < 5:
        raise ValueError(f"Bass OLS needs at least 5 evenly spaced values, got {y.size}")
    _positive(dt=dt)
    x, new, _ = _bass_ols_abc(y)
    coef, *_ = np.linalg.lstsq(x, new, rcond=None)
    resid = new - x @ coef
    n = new.size
    dof = n - 3
    cov_abc = jacobian_covariance(x, resid)
    a, b, c = map(float, coef)
    m, p, q = _abc_to_mpq(a, b, c)

    def mpq(v: np.ndarray) -> np.ndarray:
        mm, pp, qq = _abc_to_mpq(*v)
        return np.array([mm, pp / dt, qq / dt])

    est = np.array([m, p / dt, q / dt])
    jac = np.empty((3, 3))
    for j in range(3):
        h = 1e-6 * max(abs(coef[j]), 1e-12)
        e = np.zeros(3)
        e[j] = h
        try:
            jac[:, j] = (mpq(coef + e) - mpq(coef - e)) / (2 * h)
        except ValueError:
            jac[:, j] = np.nan
    cov = jac @ cov_abc @ jac.T
    se_vec = np.sqrt(np.clip(np.diag(cov), 0, None))
    tq = stats.t.ppf(0.5 + level / 2.0, df=max(dof, 1))
    names = ("m", "p", "q")
    params = dict(zip(names, map(float, est), strict=True))
    se = dict(zip(names, map(float, se_vec), strict=True))
    ci = {k: (params[k] - tq * se[k], params[k] + tq * se[k]) for k in names}
    ll = gaussian_loglik(resid)
    aic, bic = information_criteria(ll, n, 4)
    return FitResult(
        model="Bass (OLS, discrete)",
        params=params,
        se=se,
        ci=ci,
        loglik=ll,
        n=n,
        k=4,
        aic=aic,
        bic=bic,
        method="OLS of new adopters on lagged cumulative adopters (Bass 1969); delta-method SEs",
        converged=True,
        curve=functools.partial(_bass, t0=t0),
        level=level,
        extra={"a": a, "b": b, "c": c, "cov_abc": cov_abc, "residuals": resid, "dt": dt},
    )


# --------------------------------------------------------------------------------------------------
# Logistic and Gompertz
# --------------------------------------------------------------------------------------------------


def _logistic(t: np.ndarray, K: float, r: float, t_mid: float) -> np.ndarray:
    return K / (1.0 + np.exp(-r * (np.asarray(t, dtype=float) - t_mid)))


def _gompertz(t: np.ndarray, K: float, r: float, t_mid: float) -> np.ndarray:
    return K * np.exp(-np.exp(-r * (np.asarray(t, dtype=float) - t_mid)))


def logistic_curve(t: Any, K: float, r: float, t_mid: float) -> np.ndarray:
    """Logistic curve ``K / (1 + exp(-r (t - t_mid)))``."""
    _positive(K=K, r=r)
    return _logistic(np.asarray(t, dtype=float), K, r, t_mid)


def gompertz_curve(t: Any, K: float, r: float, t_mid: float) -> np.ndarray:
    """Gompertz curve ``K exp(-exp(-r (t - t_mid)))``."""
    _positive(K=K, r=r)
    return _gompertz(np.asarray(t, dtype=float), K, r, t_mid)


def _sigmoid_starts(t: np.ndarray, y: np.ndarray) -> tuple[list[dict[str, float]], dict, dict]:
    ymax = float(np.max(y))
    if ymax <= 0:
        raise ValueError("y must have a positive maximum")
    span = float(t[-1] - t[0])
    half = t[np.argmax(y >= 0.5 * ymax)]
    starts = [
        {"K": kf * ymax, "r": rs / span, "t_mid": tm}
        for kf, rs, tm in itertools.product((1.05, 1.5, 3.0), (1.0, 4.0, 12.0), (float(half), float(t[-1])))
    ]
    bounds = {"K": (0.1 * ymax, 1e4 * ymax), "r": (1e-6 / span, 1e3 / span),
              "t_mid": (float(t[0]) - 20 * span, float(t[-1]) + 20 * span)}
    scale = {"K": ymax, "r": 1.0 / span, "t_mid": span}
    return starts, bounds, scale


def _fit_sigmoid(name: str, curve: Callable[..., np.ndarray], t: Any, y: Any,
                 fixed: Mapping[str, float] | None, level: float) -> FitResult:
    t, y = check_series(t, y)
    starts, bounds, scale = _sigmoid_starts(t, y)
    return fit_least_squares(name, curve, t, y, starts, bounds=bounds, fixed=fixed, x_scale=scale,
                             level=level, n_refine=4,
                             method="NLS (scipy least_squares, trf); SEs from the Jacobian")


def fit_logistic(t: Any, y: Any, *, fixed: Mapping[str, float] | None = None, level: float = 0.95) -> FitResult:
    """Fit the logistic curve (K, r, t_mid) by NLS with Jacobian standard errors."""
    return _fit_sigmoid("logistic", _logistic, t, y, fixed, level)


def fit_gompertz(t: Any, y: Any, *, fixed: Mapping[str, float] | None = None, level: float = 0.95) -> FitResult:
    """Fit the Gompertz curve (K, r, t_mid) by NLS with Jacobian standard errors."""
    return _fit_sigmoid("Gompertz", _gompertz, t, y, fixed, level)


# --------------------------------------------------------------------------------------------------
# irSIR
# --------------------------------------------------------------------------------------------------


def _irsir_rhs(x: np.ndarray, _t: float, beta: float, nu: float) -> list[float]:
    s, i, r = x
    inf = beta * s * i
    rec = nu * i * r
    return [-inf, inf - rec, rec]


def _irsir_fractions(t: np.ndarray, beta: float, nu: float, i0: float, r0: float, t0: float) -> np.ndarray:
    """Shares (s, i, r) at times ``t`` from the state at ``t0``; integrates forward and backward."""
    t = np.asarray(t, dtype=float)
    out = np.empty((t.size, 3))
    x0 = [max(1.0 - i0 - r0, 0.0), i0, r0]
    for mask, sign in ((t >= t0, 1.0), (t < t0, -1.0)):
        if not mask.any():
            continue
        tt = t[mask]
        order = np.argsort(sign * tt, kind="stable")  # away from t0: forward in time, or backward
        grid = np.concatenate([[t0], tt[order]])
        sol = odeint(_irsir_rhs, x0, grid, args=(beta, nu), rtol=1e-9, atol=1e-12, mxstep=20000)
        vals = np.empty((tt.size, 3))
        vals[order] = sol[1:]
        out[mask] = vals
    return out


def irsir_states(t: Any, N: float, beta: float, nu: float, i0: float, r0: float, t0: float = 0.0) -> np.ndarray:
    """irSIR compartments: an array of shape (len(t), 3) with S, I, R (people, not shares) at ``t``."""
    _positive(N=N, beta=beta, nu=nu, i0=i0)
    if not (np.isfinite(r0) and r0 >= 0):
        raise ValueError(f"r0 must be a non-negative share, got {r0}")
    if i0 + r0 > 1:
        raise ValueError(f"the initial shares i0={i0} and r0={r0} add up to more than 1")
    return N * _irsir_fractions(np.atleast_1d(np.asarray(t, dtype=float)), beta, nu, i0, r0, t0)


def _irsir_active(t: np.ndarray, N: float, beta: float, nu: float, i0: float, r0: float, t0: float) -> np.ndarray:
    return N * _irsir_fractions(t, beta, nu, i0, r0, t0)[:, 1]


def irsir_curve(t: Any, N: float, beta: float, nu: float, i0: float, r0: float, t0: float = 0.0) -> np.ndarray:
    """Active users ``I(t)`` of the irSIR model (Cannarella & Spechler 2014)."""
    return irsir_states(t, N, beta, nu, i0, r0, t0)[:, 1]


def _active_series(t: Any, y: Any, t0: float | None, fixed: Mapping[str, float] | None
                   ) -> tuple[np.ndarray, np.ndarray, dict[str, float], float]:
    """Validate an active-user series; the held parameters with ``t0`` (default ``t[0]``); the series maximum."""
    t, y = check_series(t, y)
    if np.any(y < 0):
        raise ValueError(f"active users must be non-negative; y[{int(np.argmax(y < 0))}] < 0")
    fixed = dict(fixed or {})
    fixed["t0"] = float(t[0] if t0 is None else t0)
    ymax = float(np.max(y))
    if ymax <= 0:
        raise ValueError("active users y must have a positive maximum")
    return t, y, fixed, ymax


def fit_irsir(
    t: Any,
    y: Any,
    *,
    t0: float | None = None,
    fixed: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> FitResult:
    """Fit irSIR to an active-user series by NLS on an ODE solution (LSODA); ``t0`` defaults to ``t[0]``.

    Free parameters: ``N``, ``beta``, ``nu``, ``i0``, ``r0`` (any of them can be held through
    ``fixed``).  Unevenly spaced observations are fine: the ODE is solved at the observed times.
    With fewer than seven observations fix something (e.g. ``r0``), else the fit is not identified.
    """
    t, y, fixed, ymax = _active_series(t, y, t0, fixed)
    span = float(t[-1] - t[0])
    i_first = float(np.interp(fixed["t0"], t, y))
    starts = []
    for nf, bs, nr, r0 in itertools.product((1.2, 2.0, 4.0), (3.0, 8.0, 20.0), (0.5, 1.0, 2.0), (1e-3, 3e-2)):
        N = nf * ymax
        starts.append({"N": N, "beta": bs / span, "nu": nr * bs / span, "i0": max(i_first, 1e-6 * ymax) / N,
                       "r0": r0, "t0": fixed["t0"]})
    bounds = {"N": (0.5 * ymax, 1e3 * ymax), "beta": (1e-6 / span, 1e4 / span), "nu": (0.0, 1e4 / span),
              "i0": (1e-12, 1.0), "r0": (1e-12, 1.0)}
    scale = {"N": ymax, "beta": 1.0 / span, "nu": 1.0 / span, "i0": 0.1, "r0": 0.01}
    return fit_least_squares("irSIR", _irsir_active, t, y, starts, bounds=bounds, fixed=fixed, x_scale=scale,
                             level=level, n_refine=4,
                             method="NLS on active users, ODE solved by LSODA (scipy odeint); SEs from the Jacobian")


# --------------------------------------------------------------------------------------------------
# SIR with constant churn: adoption by contact, abandonment at a constant rate (not contagious)
# --------------------------------------------------------------------------------------------------


def _churn_rhs(x: np.ndarray, _t: float, beta: float, delta: float) -> list[float]:
    s, i = x
    inf = beta * s * i
    return [-inf, inf - delta * i]


def _churn_active(t: np.ndarray, N: float, beta: float, delta: float, i0: float, t0: float) -> np.ndarray:
    t = np.asarray(t, dtype=float)
    out = np.empty(t.size)
    x0 = [max(1.0 - i0, 0.0), i0]
    for mask, sign in ((t >= t0, 1.0), (t < t0, -1.0)):
        if not mask.any():
            continue
        tt = t[mask]
        order = np.argsort(sign * tt, kind="stable")
        sol = odeint(_churn_rhs, x0, np.concatenate([[t0], tt[order]]), args=(beta, delta), rtol=1e-9, atol=1e-12,
                     mxstep=20000)
        vals = np.empty(tt.size)
        vals[order] = sol[1:, 1]
        out[mask] = vals
    return N * out


def churn_curve(t: Any, N: float, beta: float, delta: float, i0: float, t0: float = 0.0) -> np.ndarray:
    """Active users of SIR with constant churn: ``dS/dt = -beta S I / N``, ``dI/dt = beta S I / N - delta I``.

    Users join through contact with active users and leave at the constant per-capita rate
    ``delta`` whatever others do: abandonment without contagion, the fair alternative to irSIR.
    """
    _positive(N=N, beta=beta, i0=i0)
    if not (np.isfinite(delta) and delta >= 0):
        raise ValueError(f"delta must be a non-negative finite rate, got {delta}")
    if i0 > 1:
        raise ValueError(f"the initial active share i0={i0} is more than 1")
    return _churn_active(np.atleast_1d(np.asarray(t, dtype=float)), N, beta, delta, i0, t0)


def fit_churn(
    t: Any,
    y: Any,
    *,
    t0: float | None = None,
    fixed: Mapping[str, float] | None = None,
    level: float = 0.95,
    start: Mapping[str, float] | None = None,
) -> FitResult:
    """Fit SIR with constant churn (``N``, ``beta``, ``delta``, ``i0``) by NLS on the ODE solution.

    ``t0`` (default ``t[0]``) is the time at which the active share is ``i0``; it is always held.
    Starting the model at a platform's launch with ``fixed={"i0": small}`` leaves three free
    parameters, as many as a logistic curve, so the two can be ranked on few points.  ``start``
    (e.g. a previous fit's parameters, when profiling) is tried before the built-in grid of starts.
    """
    t, y, fixed, ymax = _active_series(t, y, t0, fixed)
    span = float(t[-1] - fixed["t0"]) if t[-1] > fixed["t0"] else float(t[-1] - t[0])
    i_first = max(float(np.interp(fixed["t0"], t, y)), 1e-6 * ymax)
    starts = [{"N": nf * ymax, "beta": bs / span, "delta": df * bs / span, "i0": min(i_first / (nf * ymax), 0.5),
               "t0": fixed["t0"]}
              for nf, bs, df in itertools.product((1.2, 2.0, 4.0), (3.0, 8.0, 20.0), (0.01, 0.1, 0.3))]
    if start is not None:
        starts.insert(0, {k: float(start.get(k, starts[0][k])) for k in starts[0]} | {"t0": fixed["t0"]})
    bounds = {"N": (0.5 * ymax, 1e3 * ymax), "beta": (1e-6 / span, 1e4 / span), "delta": (0.0, 1e4 / span),
              "i0": (1e-12, 1.0)}
    scale = {"N": ymax, "beta": 1.0 / span, "delta": 0.1 / span, "i0": 0.1}
    return fit_least_squares("SIR with constant churn", _churn_active, t, y, starts, bounds=bounds, fixed=fixed,
                             x_scale=scale, level=level, n_refine=4,
                             method="NLS on active users, ODE solved by LSODA (scipy odeint); SEs from the Jacobian")
