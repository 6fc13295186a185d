"""Code discovery in interview studies: how many concepts a set of interviews reveals, and how many it misses.

The model (a *simulation*, not a fit: the paper publishes no per-interview coding) has ``K`` concepts.
Concept ``k`` is voiced in any one interview, independently, with probability ``p_k`` (its prevalence),
and the ``p_k`` are drawn from a prevalence distribution: a Beta, a logit-normal, or one fixed value.
With ``D_n`` the number of distinct concepts seen in the first ``n`` interviews,
``E[D_n] = K (1 - E[(1 - p)^n])``; :func:`calibrate_pool` picks ``K`` so that 15 interviews reveal
40 concepts on average, and :func:`simulate` keeps only the replicates that reveal exactly 40.

The first interview that voices concept ``k`` is geometric with parameter ``p_k``; after it, the
concept appears in each later interview with probability ``p_k``, so the number of the first ``m``
interviews that voice it is ``1 + Binomial(m - T_k, p_k)`` when ``T_k <= m``. That is all
:func:`simulate` draws, which keeps it fast.

Richness estimators: :func:`chao1` (abundance counts, Chao 1984, bias-corrected form) and
:func:`chao2` (incidence counts over ``m`` sampling units, Chao 1987), each with the variance of
Chao (1987) as implemented in EstimateS and the log-normal interval of Chao (1987), which never
falls below the observed richness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = ["GUEST_2006", "HENNINK_CODE_SATURATION", "REPS", "SEED", "ChaoEstimate", "Prevalence", "baseline_study", "calibrate_pool", "chao1", "chao2",
           "discovery_curve", "fit_beta_to_curve", "guest_prevalence", "sensitivity", "sensitivity_settings",
           "simulate", "study", "talkative_study"]

#: the random seed of every saturation simulation in the book
SEED = 20261126
#: Guest, Bunce & Johnson (2006), Ghana interviews: of the 109 codes found in 30 interviews, 80 had
#: appeared within the first 6 and 100 within the first 12
GUEST_2006 = {"shares": {6: 80 / 109, 12: 100 / 109}, "reference": 30}

_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite.hermgauss(80)


@dataclass(frozen=True)
class Prevalence:
    """A distribution of concept prevalences: ``beta`` (a, b), ``logitnormal`` (mu, sigma) or ``fixed`` (p)."""

    family: str
    a: float
    b: float = 0.0
    label: str = ""

    def __post_init__(self) -> None:
        if self.family == "beta":
            ok = self.a > 0 and self.b > 0
        elif self.family == "logitnormal":
            ok = math.isfinite(self.a) and self.b > 0
        elif self.family == "fixed":
            ok = 0 < self.a < 1
        else:
            raise ValueError(f"unknown prevalence family {self.family!r}; use beta, logitnormal or fixed")
        if not ok:
            raise ValueError(f"invalid parameters for a {self.family} prevalence: a={self.a}, b={self.b}")

    def sample(self, rng: np.random.Generator, size: tuple[int, ...] | int) -> np.ndarray:
        """Draw prevalences."""
        if self.family == "beta":
            p = rng.beta(self.a, self.b, size)
        elif self.family == "logitnormal":
            p = special.expit(rng.normal(self.a, self.b, size))
        else:
            p = np.full(size, self.a)
        return np.clip(p, 1e-12, 1 - 1e-12)

    def miss(self, n: int | np.ndarray) -> np.ndarray:
        """``E[(1 - p)^n]``: the chance that ``n`` interviews all miss a concept drawn from this distribution."""
        n = np.asarray(n, dtype=float)
        if self.family == "beta":
            return np.exp(special.betaln(self.a, self.b + n) - special.betaln(self.a, self.b))
        if self.family == "fixed":
            return (1.0 - self.a) ** n
        p = special.expit(self.a + math.sqrt(2.0) * self.b * _GH_NODES)
        return np.tensordot(_GH_WEIGHTS, (1.0 - p[:, None]) ** np.atleast_1d(n)[None, :], axes=1).reshape(
            n.shape) / math.sqrt(math.pi)

    def mean(self) -> float:
        """Mean prevalence (the share of interviews that voice a typical concept)."""
        return float(1.0 - self.miss(1))


def discovery_curve(prev: Prevalence, pool: int, n: int | np.ndarray) -> np.ndarray:
    """Expected number of distinct concepts revealed by ``n`` interviews out of a pool of ``pool``."""
    return pool * (1.0 - prev.miss(n))


def calibrate_pool(prev: Prevalence, interviews: int = 15, concepts: int = 40) -> int:
    """The whole number of concepts ``K`` whose expected discovery after ``interviews`` is closest to ``concepts``."""
    if interviews < 1 or concepts < 1:
        raise ValueError("interviews and concepts must be positive")
    exact = concepts / (1.0 - float(prev.miss(interviews)))
    cands = [k for k in (math.floor(exact), math.ceil(exact)) if k >= concepts]
    return min(cands, key=lambda k: abs(float(discovery_curve(prev, k, interviews)) - concepts))


def fit_beta_to_curve(shares: dict[int, float], reference: int) -> Prevalence:
    """Beta prevalence whose expected discovery curve, as a share of ``D_reference``, passes through ``shares``.

    ``shares`` maps a number of interviews to the share of the concepts found by ``reference``
    interviews that had already been found (e.g. Guest et al. 2006: {6: 80/109, 12: 100/109}, reference 30).
    """
    ns = np.array(sorted(shares), dtype=float)
    target = np.array([shares[int(n)] for n in ns])
    if np.any((target <= 0) | (target >= 1)) or np.any(ns >= reference):
        raise ValueError("shares must lie in (0, 1) at fewer interviews than the reference")

    def resid(u: np.ndarray) -> np.ndarray:
        a, b = np.exp(u)
        p = Prevalence("beta", a, b)
        return (1.0 - p.miss(ns)) / (1.0 - p.miss(reference)) - target

    best = min((optimize.least_squares(resid, np.log(x0)) for x0 in ([0.3, 2.0], [1.0, 5.0], [0.1, 1.0])),
               key=lambda r: r.cost)
    if best.cost > 1e-10:
        raise ValueError(f"no Beta prevalence reproduces the shares {shares} (residual {np.sqrt(2 * best.cost):.3g})")
    a, b = np.exp(best.x)
    return Prevalence("beta", float(a), float(b), label=f"Beta({a:.2f}, {b:.2f})")


@dataclass(frozen=True)
class ChaoEstimate:
    """A Chao richness estimate: observed, estimated unseen ``f0``, total, variance and log-normal interval."""

    s_obs: int
    f1: int
    f2: int
    f0: float
    s_est: float
    var: float
    ci: tuple[float, float]


def _chao(s_obs: int, f1: int, f2: int, A: float, level: float) -> ChaoEstimate:
    if f2 > 0:
        r = f1 / f2
        f0 = A * f1 * f1 / (2.0 * f2)
        var = f2 * (A / 2.0 * r**2 + A**2 * r**3 + A**2 / 4.0 * r**4)
    else:
        f0 = A * f1 * (f1 - 1) / 2.0
        s_est0 = s_obs + f0
        var = (A * f1 * (f1 - 1) / 2.0 + A**2 * f1 * (2 * f1 - 1) ** 2 / 4.0
               - (A**2 * f1**4 / (4.0 * s_est0) if s_est0 > 0 else 0.0))
    s_est = s_obs + f0
    if f0 <= 0 or var <= 0:
        ci = (float(s_obs), float(s_est))
    else:
        z = stats.norm.ppf(0.5 + level / 2.0)
        c = math.exp(z * math.sqrt(math.log1p(var / f0**2)))
        ci = (s_obs + f0 / c, s_obs + f0 * c)
    return ChaoEstimate(s_obs, f1, f2, f0, s_est, max(var, 0.0), ci)


def chao1(abundances: np.ndarray | list[int], level: float = 0.95) -> ChaoEstimate:
    """Bias-corrected Chao1 richness from abundance counts (individuals per observed species)."""
    x = np.asarray(abundances)
    if x.ndim != 1 or x.size == 0 or np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("abundances must be a non-empty list of whole, non-negative counts")
    x = x[x > 0].astype(int)
    n = int(x.sum())
    if n < 2:
        raise ValueError("Chao1 needs at least two individuals")
    return _chao(int(x.size), int(np.sum(x == 1)), int(np.sum(x == 2)), (n - 1) / n, level)


def chao2(incidences: np.ndarray | list[int], units: int, level: float = 0.95) -> ChaoEstimate:
    """Bias-corrected Chao2 richness from incidence counts (in how many of ``units`` sampling units each was seen)."""
    q = np.asarray(incidences)
    if q.ndim != 1 or np.any(q < 0) or np.any(q != np.round(q)) or np.any(q > units):
        raise ValueError(f"incidences must be whole counts between 0 and units={units}")
    if units < 2:
        raise ValueError("Chao2 needs at least two sampling units")
    q = q[q > 0].astype(int)
    return _chao(int(q.size), int(np.sum(q == 1)), int(np.sum(q == 2)), (units - 1) / units, level)


def simulate(prev: Prevalence, pool: int, rng: np.random.Generator, *, reps: int = 4000, first: int = 15,
             more: int = 5, horizon: int = 80, concepts: int | None = 40, share_rule: float = 0.92,
             initial: int = 10, run: int = 3) -> dict[str, np.ndarray]:
    """Simulate interview studies; keep those whose first ``first`` interviews reveal ``concepts`` concepts.

    Returns arrays over the kept replicates: ``found`` (concepts after ``first`` interviews),
    ``new_more`` (new concepts in the next ``more``), ``chao_f0``, ``chao_lo`` and ``chao_hi`` (Chao2
    estimate of unseen concepts after ``first`` interviews and its own 95% log-normal bounds),
    ``found_by`` (row ``n``: concepts found by interview ``n`` in each replicate, ``n = 0..horizon``), ``n_share`` (interviews until
    ``share_rule`` of the pool is found, ``horizon + 1`` if never) and ``n_stop`` (the stopping rule of
    Francis et al. 2010: ``initial`` interviews, then stop after ``run`` in a row with nothing new), plus
    ``accepted`` (the share of draws kept). ``concepts=None`` keeps every draw.
    """
    if pool < 1 or reps < 1 or first < 2 or horizon < first + more:
        raise ValueError("need pool >= 1, reps >= 1, first >= 2 and horizon >= first + more")
    p = prev.sample(rng, (reps, pool))
    t = rng.geometric(p)  # first interview voicing each concept (1-based)
    seen = t <= first
    found = seen.sum(axis=1)
    keep = np.ones(reps, bool) if concepts is None else found == concepts
    p, t, seen, found = p[keep], t[keep], seen[keep], found[keep]
    later = np.where(seen, rng.binomial(np.clip(first - t, 0, None), p), 0)
    incid = np.where(seen, 1 + later, 0)
    f1, f2 = (incid == 1).sum(axis=1), (incid == 2).sum(axis=1)
    ests = [_chao(int(s), int(a), int(b), (first - 1) / first, 0.95) for s, a, b in zip(found, f1, f2)]
    new_more = ((t > first) & (t <= first + more)).sum(axis=1)
    # discovery curve per replicate, interviews 1..horizon
    counts = np.stack([np.bincount(row[row <= horizon], minlength=horizon + 1)[1:] for row in t]) \
        if len(t) else np.zeros((0, horizon), int)
    cum = np.cumsum(counts, axis=1)
    reached = cum >= share_rule * pool
    n_share = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, horizon + 1)
    quiet = counts == 0
    window = np.ones(run, int)
    runs = np.array([np.convolve(q.astype(int), window, mode="valid") for q in quiet]) if len(t) else \
        np.zeros((0, horizon - run + 1), int)
    # a run ending at interview n (1-based) starts at n - run + 1, which must come after the initial sample
    ends = np.arange(run, horizon + 1)
    ok = (runs == run) & (ends - run + 1 > initial)[None, :]
    n_stop = np.where(ok.any(axis=1), ends[ok.argmax(axis=1)], horizon + 1)
    return {"found": found, "new_more": new_more, "chao_f0": np.array([e.f0 for e in ests]),
            "chao_lo": np.array([e.ci[0] - e.s_obs for e in ests]),
            "chao_hi": np.array([e.ci[1] - e.s_obs for e in ests]),
            "found_by": np.concatenate([np.zeros((len(t), 1), int), cum], axis=1).T, "n_share": n_share, "n_stop": n_stop,
            "accepted": np.array([keep.mean()]), "pool": np.array([pool])}


def guest_prevalence() -> Prevalence:
    """The baseline prevalence: the Beta whose discovery curve passes through Guest et al. (2006)'s two points."""
    fit = fit_beta_to_curve(GUEST_2006["shares"], GUEST_2006["reference"])
    return Prevalence("beta", fit.a, fit.b, label=f"Guest et al. 2006 curve, {fit.label}")


#: replicates of every saturation simulation in the chapter (one number, so the ledger and the prose agree)
REPS = 10000
#: Hennink, Kaiser & Marconi (2017): code saturation (the range of issues heard) reached after 9 interviews
HENNINK_CODE_SATURATION = 9


def study(prev: Prevalence, *, reps: int = REPS, seed: int = SEED, index: int = 0, horizon: int = 80
          ) -> dict[str, float]:
    """The paper's design under one prevalence distribution: 15 interviews revealing 40 concepts, then 5 more.

    Returns the calibrated pool (an input: the concepts the setting leaves unseen after 15 interviews
    follow from it), the replicates kept, P(5 more interviews reveal nothing new) with its binomial
    standard error, the 2.5th, 50th and 97.5th percentiles across replicates of the Chao2 estimate of
    unseen concepts after 15 interviews, the medians across replicates of Chao's own 95% log-normal
    interval (unseen concepts), the share of replicates whose own interval lies wholly below 4 unseen
    concepts, the interviews needed under Guest et al.'s 92% rule and Francis et al.'s 10 + 3 rule
    (medians; ``horizon + 1`` means not within ``horizon``), and the share of the pool found by
    Hennink et al.'s 9 interviews. Simulation, seeded with ``[seed, index]``.
    """
    pool = calibrate_pool(prev)
    sim = simulate(prev, pool, np.random.default_rng([seed, index]), reps=reps, horizon=horizon)
    zero = sim["new_more"] == 0
    n = zero.size
    lo, med, hi = np.percentile(sim["chao_f0"], [2.5, 50, 97.5])
    return {"prevalence": prev.label or prev.family, "mean prevalence": prev.mean(), "pool": pool,
            "unseen after 15": pool - 40, "replicates kept": n, "P(nothing new in 5)": float(zero.mean()),
            "se": float(math.sqrt(zero.mean() * (1 - zero.mean()) / n)),
            "Chao2 unseen (median)": float(med), "Chao2 2.5%": float(lo), "Chao2 97.5%": float(hi),
            "Chao CI low (median)": float(np.median(sim["chao_lo"])),
            "Chao CI high (median)": float(np.median(sim["chao_hi"])),
            "P(Chao CI below 4)": float(np.mean(sim["chao_hi"] < 4.0)),
            "Guest 92% rule (median n)": float(np.median(sim["n_share"])),
            "Francis 10+3 rule (median n)": float(np.median(sim["n_stop"])),
            "P(Francis stops by 20)": float(np.mean(sim["n_stop"] <= 20)),
            "share found by 9 (Hennink)": float(np.mean(sim["found_by"][HENNINK_CODE_SATURATION]) / pool),
            "seed": seed}


@lru_cache(maxsize=1)
def baseline_study() -> dict[str, float]:
    """The baseline setting (Guest et al.'s curve), computed once: row 0 of :func:`sensitivity` exactly."""
    return study(guest_prevalence(), index=0)


def sensitivity_settings() -> list[Prevalence]:
    """The prevalence distributions of the sensitivity analysis, the baseline first.

    The baseline (Guest et al.'s curve), one prevalence shared by every concept, a J-shaped Beta with
    many rare concepts, and logit-normal prevalences with median 0.1, 0.2 or 0.4 and spread (sd of the
    log-odds) 0.5, 1.5 or 2.5: from nearly equal prevalences to a long tail of rare concepts.
    """
    out = [guest_prevalence(), Prevalence("fixed", 0.2, label="every concept p = 0.2"),
           Prevalence("beta", 0.5, 2.0, label="Beta(0.5, 2), many rare concepts")]
    for med in (0.1, 0.2, 0.4):
        for sd in (0.5, 1.5, 2.5):
            out.append(Prevalence("logitnormal", float(special.logit(med)), sd,
                                  label=f"logit-normal, median {med:g}, sd {sd:g}"))
    return out


def sensitivity(settings: list[Prevalence]) -> pd.DataFrame:
    """:func:`study` under each prevalence distribution (the first, index 0, is the baseline), one row each."""
    rows = [baseline_study() if i == 0 and prev == guest_prevalence() else study(prev, index=i)
            for i, prev in enumerate(settings)]
    return pd.DataFrame(rows).drop(columns="seed")


def talkative_study(prev: Prevalence, shape: float, *, reps: int = REPS, seed: int = SEED, first: int = 15,
                    more: int = 5, concepts: int = 40) -> dict[str, float]:
    """The paper's design when interviewees differ in how much they say (simulation, seeded).

    Interviewee ``i`` voices concept ``k`` with probability ``1 - (1 - p_k)^lam_i``, where the
    talkativeness ``lam_i`` is Gamma with mean 1 and shape ``shape`` (smaller: more unequal; a group
    session transcribed as one document is a large ``lam_i``). The pool is calibrated so that
    ``first`` interviews reveal ``concepts`` on average, and only replicates revealing exactly
    ``concepts`` are kept. Returns the pool, the replicates kept, P(``more`` interviews reveal nothing
    new) with its standard error, and the median Chao2 estimate of unseen concepts.
    """
    if shape <= 0:
        raise ValueError(f"talkativeness shape must be positive, got {shape}")
    rng = np.random.default_rng([seed, 99])
    p_mc = prev.sample(rng, 200_000)
    miss = float(np.mean((1.0 - np.log1p(-p_mc) / shape) ** (-shape * first)))
    exact = concepts / (1.0 - miss)
    pool = min((k for k in (math.floor(exact), math.ceil(exact)) if k >= concepts),
               key=lambda k: abs(k * (1.0 - miss) - concepts))
    p = prev.sample(rng, (reps, pool, 1))
    lam = rng.gamma(shape, 1.0 / shape, (reps, 1, first + more))
    voiced = rng.random((reps, pool, first + more)) < -np.expm1(lam * np.log1p(-p))
    incid = voiced[:, :, :first].sum(axis=2)
    found = (incid > 0).sum(axis=1)
    keep = found == concepts
    new_more = ((incid[keep] == 0) & voiced[keep][:, :, first:].any(axis=2)).sum(axis=1)
    f1, f2 = (incid[keep] == 1).sum(axis=1), (incid[keep] == 2).sum(axis=1)
    f0 = [_chao(concepts, int(a), int(b), (first - 1) / first, 0.95).f0 for a, b in zip(f1, f2)]
    zero = new_more == 0
    return {"talkativeness shape": shape, "pool": pool, "replicates kept": int(keep.sum()),
            "P(nothing new in 5)": float(zero.mean()),
            "se": float(math.sqrt(zero.mean() * (1 - zero.mean()) / max(zero.size, 1))),
            "Chao2 unseen (median)": float(np.median(f0))}
