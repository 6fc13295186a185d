"""SEIRS models of a topic's posting activity, fitted to binned counts with a negative-binomial likelihood.

The compartments read as follows for a Weibo topic: ``S`` users who may post about it, ``E`` users
who have seen it (exposed) but not yet posted, ``I`` users who have posted and still spread it,
``R`` users who have lost interest (fatigued).  With *waning* (rate ``omega``) fatigue wears off
and ``R`` users become susceptible again (SEIRS); without it the model is SEIR.  The *weekly
rhythm* ``F(t)`` (the share of Weibo's posting in each two-hour bucket of the week, mean 1 over
the window) modulates contact and posting as ``F*(t) = F(t)^kappa / mean(F^kappa)``: ``kappa = 0``
switches the rhythm off.  Posts in a bin are the flow ``E -> I``::

    S' = -beta F* S I / N - phi F* S + omega R
    E' =  beta F* S I / N + phi F* S - sigma F* E,      phi(t) = A exp(-t / tau)
    I' =  sigma F* E - gamma I
    R' =  gamma I - omega R,         posts_k ~ NegBin(mean = sigma F*_k E_k dt, dispersion k)

integrated by Euler steps of the bin width (half an hour), as in the RhP-SEIRS code.  The
cascade is lit by the news itself: an exogenous exposure rate ``A exp(-t / tau)`` moves ``S`` users
to ``E`` from the first bin on (outside attention that decays, as in the Hawkes models of the
chapter), and contagion does the rest.

:func:`rhp_forward` re-implements, from the MATLAB scripts of Sun et al. (2025, RhP-SEIRS;
``*_ode_pipeline_*NLL.m``), the authors' forward model: the same SEIRS with an extra ``E -> R``
loss ``delta``, a share ``theta`` of shock-driven users who post at once, and *shocks*: Gaussian
pulses of exogenous attention ``phi(t)`` whose times were placed by hand (:data:`RHP_SHOCKS`)
and whose amplitudes (and widths) were fitted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import interpolate, optimize, special, stats

from infoflow.fitting import FitResult, fit_mle

try:  # numba is pinned in requirements.txt; the pure-Python loop gives the same numbers, slower
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args: Any, **kwargs: Any) -> Any:
        return args[0] if args and callable(args[0]) else (lambda f: f)

__all__ = [
    "BIN_HOURS",
    "RHP_SHOCKS",
    "bin_counts",
    "fit_seirs",
    "fit_seirs_ablations",
    "nb_loglik",
    "profile_seirs",
    "rhp_decode",
    "rhp_forward",
    "rhp_rhythm",
    "rhythm_from_buckets",
    "seirs_mean",
    "simulate_seirs_counts",
    "week_phase_hours",
]

BIN_HOURS = 0.5

#: the RhP-SEIRS shock schedule per city, from the MATLAB scripts: local hour and day index of each
#: pulse, the hour of the first bin, and whether the first pulse has its own width and time shift
RHP_SHOCKS: dict[str, dict[str, Any]] = {
    "Chengdu": {"h_loc": [12, 11, 10, 21.25, 10, 12, 10.5], "day": [1, 2, 3, 3, 4, 8, 10], "start_hr": 4,
                "first_own_width": True},
    "Kashgar": {"h_loc": [20.5, 9, 14, 20, 9, 9], "day": [1, 2, 2, 2, 3, 4], "start_hr": 18,
                "first_own_width": True},
    "Qingdao": {"h_loc": [8.25, 13.25, 9, 9, 11.5, 9, 8, 9, 15.5, 9, 9], "day": list(range(1, 12)), "start_hr": 4,
                "first_own_width": False},
}


# ------------------------------------------------------------------------------------ data preparation


def bin_counts(created_at: Any, minutes: int = 30) -> tuple[pd.Timestamp, np.ndarray]:
    """Count posts in ``minutes``-wide bins from the first post's bin start to the last post's bin end.

    As in the RhP-SEIRS scripts: the first edge is the first post's time floored to the bin, the
    last edge the last post's time ceiled to the bin, and the final bin also counts posts on its right edge.
    """
    ts = pd.to_datetime(pd.Series(created_at)).sort_values()
    if ts.empty:
        raise ValueError("no post times to bin")
    freq = f"{minutes}min"
    t0, t_end = ts.iloc[0].floor(freq), ts.iloc[-1].ceil(freq)
    n = int((t_end - t0) / pd.Timedelta(freq)) + 1
    idx = ((ts - t0) / pd.Timedelta(freq)).to_numpy()
    k = np.minimum(np.floor(idx).astype(int), n - 1)
    return t0, np.bincount(k, minlength=n).astype(float)


def week_phase_hours(t0: pd.Timestamp) -> float:
    """Hours since Monday 00:00 of the week containing ``t0`` (the rhythm's origin)."""
    return t0.day_of_week * 24.0 + t0.hour + t0.minute / 60.0


def rhythm_from_buckets(counts: Any) -> Any:
    """Weekly rhythm from 84 two-hour bucket counts (Monday 00:00 first): periodic cubic spline through bucket starts."""
    c = np.asarray(counts, dtype=float).ravel()
    if c.size != 84 or np.any(c <= 0):
        raise ValueError(f"the weekly rhythm needs 84 positive bucket counts, got {c.size}")
    c = c / c.mean()
    x = 2.0 * np.arange(85)  # each count at its bucket's start, as in the RhP-SEIRS spline; wrapped once
    spline = interpolate.CubicSpline(x, np.append(c, c[0]), bc_type="periodic")

    def rhythm(hours: Any) -> np.ndarray:
        return spline(np.mod(np.asarray(hours, dtype=float), 168.0))

    return rhythm


def rhp_rhythm(spline: Mapping[str, Any]) -> Any:
    """The RhP-SEIRS rhythm: their MATLAB piecewise polynomial (``ppval`` on [0, 84] buckets) as a function of hours."""
    breaks, coefs = np.asarray(spline["breaks"], dtype=float), np.asarray(spline["coefs"], dtype=float)
    order = coefs.shape[1]

    def rhythm(hours: Any) -> np.ndarray:
        x = np.mod(np.asarray(hours, dtype=float) / 2.0, 84.0)
        i = np.clip(np.searchsorted(breaks, x, side="right") - 1, 0, breaks.size - 2)
        dx = x - breaks[i]
        return sum(coefs[i, j] * dx ** (order - 1 - j) for j in range(order))

    return rhythm


def window_rhythm(rhythm: Any, t0: pd.Timestamp, n_bins: int) -> np.ndarray:
    """The rhythm at each bin start of a window beginning at ``t0``, normalised to mean 1 over the window."""
    f = rhythm(week_phase_hours(t0) + BIN_HOURS * np.arange(n_bins))
    return f / f.mean()


# ------------------------------------------------------------------------------------ the forward model


@njit(cache=True)
def _euler(n_bins: int, N: float, b0: float, s0: float, gamma: float, delta: float, omega: float, theta: float,
           fstar: np.ndarray, phi: np.ndarray, e0: float, i0: float, dt: float) -> np.ndarray:  # pragma: no cover
    lam = np.empty(n_bins)
    S, E, I, R = N - e0 - i0, e0, i0, 0.0
    for k in range(n_bins):
        f = fstar[k]
        ph = phi[k] * f
        lam[k] = s0 * f * E * dt + theta * ph * S * dt
        inf = b0 * f * S * I / N
        dS = -inf + omega * R - ph * S
        dE = inf + (1.0 - theta) * ph * S - s0 * f * E - delta * E
        dI = s0 * f * E + theta * ph * S - gamma * I
        dR = gamma * I + delta * E - omega * R
        S, E, I, R = S + dt * dS, E + dt * dE, I + dt * dI, R + dt * dR
    return lam


def _fstar(F: np.ndarray, kappa: float) -> np.ndarray:
    fp = F**kappa
    return fp / fp.mean()


def seirs_mean(params: Mapping[str, float], F: Any) -> np.ndarray:
    """Expected posts per bin of the book's SEIRS model (N, beta, sigma, gamma, omega, kappa, A, tau)."""
    F = np.asarray(F, dtype=float)
    p = {"omega": 0.0, "kappa": 0.0} | dict(params)
    phi = p["A"] * np.exp(-BIN_HOURS * np.arange(F.size) / p["tau"])
    return _euler(F.size, p["N"], p["beta"], p["sigma"], p["gamma"], 0.0, p["omega"], 0.0, _fstar(F, p["kappa"]),
                  phi, 0.0, 0.0, BIN_HOURS)


def nb_loglik(y: Any, mu: Any, k: float) -> float:
    """Negative-binomial log-likelihood of counts ``y`` with means ``mu`` and dispersion ``k`` (variance mu + mu^2/k)."""
    y = np.asarray(y, dtype=float)
    mu = np.maximum(np.asarray(mu, dtype=float), 1e-9)
    k = max(float(k), 1e-9)
    return float(np.sum(special.gammaln(y + k) - special.gammaln(k) - special.gammaln(y + 1.0)
                        + k * np.log(k / (k + mu)) + y * np.log(mu / (k + mu))))


def nb_dispersion_mle(y: Any, mu: Any) -> tuple[float, float]:
    """Maximum-likelihood dispersion ``k`` of a negative binomial with given means; returns ``(k, loglik)``."""
    res = optimize.minimize_scalar(lambda lk: -nb_loglik(y, mu, math.exp(lk)), bounds=(-8.0, 12.0), method="bounded")
    return math.exp(res.x), -float(res.fun)


# ------------------------------------------------------------------------------------ fitting


def _model_name(waning: bool, rhythm: bool) -> str:
    return ("SEIRS" if waning else "SEIR") + (" + weekly rhythm" if rhythm else "")


def fit_seirs(counts: Any, F: Any, *, waning: bool = True, rhythm: bool = True, level: float = 0.95,
              fixed: Mapping[str, float] | None = None, starts: list[dict[str, float]] | None = None) -> FitResult:
    """Fit the SEIRS model (or SEIR without ``waning``, or without the ``rhythm``) to binned counts by ML.

    Parameters (rates per hour): ``N`` (users who may post), ``beta`` (contact), ``sigma`` (posting of the
    exposed), ``gamma`` (loss of interest), ``omega`` (waning of fatigue), ``kappa`` (rhythm exponent),
    ``A`` and ``tau`` (the initial rate and the decay time, in hours, of exogenous exposure) and the
    negative-binomial dispersion ``k``.  Nelder-Mead then BFGS on log parameters from the best two of
    four starts, then once more from the best estimate (a Nelder-Mead restart); Wald intervals from the observed information.
    """
    y = np.asarray(counts, dtype=float)
    F = np.asarray(F, dtype=float)
    if y.ndim != 1 or y.size != F.size:
        raise ValueError(f"counts ({y.size}) and rhythm ({F.size}) must be 1-D arrays of equal length")
    if y.size < 20 or np.any(y < 0):
        raise ValueError("need at least 20 non-negative bin counts")
    names = ["N", "beta", "sigma", "gamma"] + (["omega"] if waning else []) + (["kappa"] if rhythm else [])
    names += ["A", "tau", "k"]
    total = float(y.sum())

    def nll(p: dict[str, float]) -> float:
        mu = seirs_mean(p, F)
        if not np.all(np.isfinite(mu)) or np.any(mu < 0):
            return math.inf
        return -nb_loglik(y, mu, p["k"])

    if starts is None:
        starts = []
        for nf in (1.5, 5.0):
            for g in (0.05, 0.3):
                s = {"N": nf * total, "beta": 2.0 * g, "sigma": 0.5, "gamma": g, "omega": 0.01, "kappa": 1.0,
                     "A": 0.02, "tau": 24.0, "k": 2.0}
                starts.append({n: s[n] for n in names})
    transforms = {n: "log" for n in names}
    res = fit_mle(_model_name(waning, rhythm), nll, starts, transforms, y.size, fixed=fixed,
                  n_refine=None if len(starts) <= 2 else 2, level=level,
                  method="maximum likelihood (negative binomial, 30-minute bins; Euler steps of one bin); "
                         "Nelder-Mead then BFGS on log parameters; Wald intervals from the observed information")
    if len(starts) > 1:  # restart the simplex from the optimum: Nelder-Mead often stops early in 9 dimensions
        again = fit_mle(res.model, nll, [dict(res.params)], transforms, y.size, fixed=fixed, level=level,
                        method=res.method)
        res = again if again.loglik > res.loglik else res
    return replace(res, extra=res.extra | {"waning": waning, "rhythm": rhythm, "F": F, "counts": y})


ABLATIONS: dict[str, tuple[bool, bool]] = {"neither": (False, False), "rhythm only": (False, True),
                                           "waning only": (True, False), "both": (True, True)}


def fit_seirs_ablations(counts: Any, F: Any, *, level: float = 0.95) -> dict[str, FitResult]:
    """Fit the four nested variants (waning and weekly rhythm each on or off), each also started from its sub-models.

    Multi-start across the nesting: a model is started from the optimum of every model nested in it
    (with ``omega`` or ``kappa`` set near 0), so that a local optimum cannot leave it below a model
    it contains, and, except for the full model, from its own default starts too.  Keys as in
    :data:`ABLATIONS`.
    """
    out: dict[str, FitResult] = {}
    with np.errstate(over="ignore", invalid="ignore"):  # far trial points overflow harmlessly
        return _ablations(counts, F, level, out)


def _ablations(counts: Any, F: Any, level: float, out: dict[str, FitResult]) -> dict[str, FitResult]:
    for name, (waning, rhythm) in ABLATIONS.items():
        names = ["N", "beta", "sigma", "gamma"] + (["omega"] if waning else []) + (["kappa"] if rhythm else [])
        names += ["A", "tau", "k"]
        subs = [f for f in out.values() if not ((f.extra["waning"] and not waning) or (f.extra["rhythm"] and not rhythm))]
        # default starts too, except for the full model, which starts from its three sub-models' optima
        best = fit_seirs(counts, F, waning=waning, rhythm=rhythm, level=level) if len(subs) < 3 else None
        for sub in subs:  # start once more from each model nested in this one
            p = dict(sub.params) | {"omega": sub.params.get("omega", 1e-4), "kappa": sub.params.get("kappa", 1e-3)}
            try:
                r = fit_seirs(counts, F, waning=waning, rhythm=rhythm, level=level, starts=[{n: float(p[n]) for n in names}])
                best = r if best is None or r.loglik > best.loglik else best
            except (ValueError, RuntimeError):
                pass
        if best is None:
            raise RuntimeError(f"no start of the {name} variant converged")
        out[name] = best
    return out


def profile_seirs(fit: FitResult, param: str, *, span: float = 3.0, points: int = 9) -> pd.DataFrame:
    """Profile log-likelihood of one parameter of a :func:`fit_seirs` result on a log grid (``estimate * e^[-span, span]``).

    At each value the other parameters are re-maximised from the fit's estimates.  Returns the grid,
    the profile log-likelihood and its drop from the maximum (a flat profile: not identifiable).
    """
    if param not in fit.params or param in fit.extra.get("fixed", {}):
        raise ValueError(f"{fit.model}: {param!r} is not a fitted parameter ({', '.join(fit.params)})")
    y, F = fit.extra["counts"], fit.extra["F"]
    est = fit.params[param]
    rows = []
    for v in est * np.exp(np.linspace(-span, span, points)):
        try:
            r = fit_seirs(y, F, waning=fit.extra["waning"], rhythm=fit.extra["rhythm"], fixed={param: float(v)},
                          starts=[dict(fit.params) | {param: float(v)}])
            ll = r.loglik
        except (ValueError, RuntimeError):
            ll = -math.inf
        rows.append({"parameter": param, "value": float(v), "loglik": ll})
    df = pd.DataFrame(rows)
    df["drop"] = fit.loglik - df["loglik"]
    return df


def profile_bounds(profile: pd.DataFrame, estimate: float, level: float = 0.95) -> tuple[float, float]:
    """Interval where a gridded profile's drop stays below the chi-square(1) cut (log-linear interpolation).

    A side on which the drop never reaches the cut inside the grid is returned as ``0.0`` or ``inf``
    (the data do not bound the parameter there).
    """
    cut = stats.chi2.ppf(level, 1) / 2.0
    v, d = profile["value"].to_numpy(), profile["drop"].to_numpy()
    d = np.where(np.isfinite(d), d, np.inf)
    out = []
    for side, default in ((v < estimate, 0.0), (v > estimate, math.inf)):
        vs, ds = v[side], d[side]
        order = np.argsort(np.abs(np.log(vs / estimate)))
        vs, ds = vs[order], ds[order]
        prev_v, prev_d = estimate, 0.0
        bound = default
        for vi, di in zip(vs, ds, strict=True):
            if di > cut:
                w = (cut - prev_d) / (di - prev_d) if np.isfinite(di) else 0.0
                bound = float(math.exp(math.log(prev_v) + w * (math.log(vi) - math.log(prev_v))))
                break
            prev_v, prev_d = vi, max(di, 0.0)
        out.append(bound)
    return out[0], out[1]


def simulate_seirs_counts(params: Mapping[str, float], F: Any, rng: Any = None) -> np.ndarray:
    """Negative-binomial counts around :func:`seirs_mean` (a seeded simulation for recovery tests)."""
    rng = np.random.default_rng(rng)
    mu = seirs_mean(params, F)
    k = params["k"]
    return rng.negative_binomial(k, k / (k + np.maximum(mu, 1e-12))).astype(float)


# ------------------------------------------------------------------------------------ the RhP-SEIRS model


def rhp_decode(city: str, theta: Any) -> dict[str, Any]:
    """Natural-scale parameters of an RhP-SEIRS ``theta_refined`` vector, entry by entry as in the city's script."""
    if city not in RHP_SHOCKS:
        raise ValueError(f"unknown city {city!r}; the RhP-SEIRS scripts cover {', '.join(RHP_SHOCKS)}")
    th = np.asarray(theta, dtype=float).ravel()
    spec = RHP_SHOCKS[city]
    n_shock = len(spec["h_loc"])
    expected = 9 + n_shock + (2 if spec["first_own_width"] else 0)
    if th.size != expected:
        raise ValueError(f"{city}: theta has {th.size} entries, the script reads {expected}")
    p = {"beta": math.exp(th[0]), "sigma": math.exp(th[1]), "N": math.exp(th[2]),
         "theta": 1.0 / (1.0 + math.exp(-th[3])), "kappa": math.exp(th[4]), "gamma": math.exp(th[5]),
         "delta": math.exp(th[6]), "omega": math.exp(th[7]), "tau": math.exp(th[8])}
    p["amplitudes"] = np.exp(th[9:9 + n_shock])
    if spec["first_own_width"]:
        p["tau1"], p["shift1"] = math.exp(th[9 + n_shock]), float(th[10 + n_shock])
    else:
        p["tau1"], p["shift1"] = p["tau"], 0.0
    return p


def rhp_shock_times(city: str, shift1: float = 0.0) -> np.ndarray:
    """Hours after the first bin at which the city's hand-placed shocks peak (``h_loc + 24 (day - 1) - startHr``)."""
    spec = RHP_SHOCKS[city]
    h = np.array(spec["h_loc"], dtype=float)
    h[0] += shift1 if spec["first_own_width"] else 0.0
    return h + 24.0 * (np.array(spec["day"], dtype=float) - 1.0) - spec["start_hr"]


def rhp_forward(city: str, theta: Any, F: Any) -> np.ndarray:
    """Expected posts per bin of the authors' RhP-SEIRS fit (their ``forward``, re-implemented): shocks included."""
    p = rhp_decode(city, theta)
    F = np.asarray(F, dtype=float)
    t = BIN_HOURS * np.arange(F.size)
    tc = rhp_shock_times(city, p["shift1"])
    widths = np.full(tc.size, p["tau"])
    widths[0] = p["tau1"]
    phi = np.sum(p["amplitudes"][:, None] * np.exp(-0.5 * ((t[None, :] - tc[:, None]) / widths[:, None]) ** 2), axis=0)
    return _euler(F.size, p["N"], p["beta"], p["sigma"], p["gamma"], p["delta"], p["omega"], p["theta"],
                  _fstar(F, p["kappa"]), phi, 0.0, 0.0, BIN_HOURS)


# ------------------------------------------------------------------------------------ the three Weibo-COV cities


def city_data(city: str) -> dict[str, Any]:
    """Binned posts of a Weibo-COV city, the book's rhythm (registered bucket table) and the authors' rhythm."""
    from infoflow import data

    t0, y = bin_counts(data.load_weibo_cov(city)["created_at"])
    mine = rhythm_from_buckets(data.load_weekly_rhythm()["count"])
    theirs = rhp_rhythm(data.load_rhp_spline())
    return {"t0": t0, "counts": y, "F": window_rhythm(mine, t0, y.size), "F_rhp": window_rhythm(theirs, t0, y.size),
            "hours": BIN_HOURS * np.arange(y.size)}


def rhp_fit_summary(city: str, counts: Any, F_rhp: Any) -> dict[str, Any]:
    """The authors' fit on the book's bins: its curve, log-likelihood at their k = 5 and at the best k, parameter counts."""
    from infoflow import data

    theta = data.load_rhp_params(city)["theta"]
    mu = rhp_forward(city, theta, F_rhp)
    k_best, ll_best = nb_dispersion_mle(counts, mu)
    n_shocks = len(RHP_SHOCKS[city]["h_loc"])
    return {"mean": mu, "loglik_k5": nb_loglik(counts, mu, 5.0), "loglik": ll_best, "k": k_best,
            "fitted": int(np.asarray(theta).size) + 1, "shocks": n_shocks, "hand_times": n_shocks}
