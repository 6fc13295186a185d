"""Rumour cascades: shape by veracity label, size-matched comparison, and an early-warning rule.

* :func:`cascade_table` -- per cascade: size, depth, breadth, structural virality and speed, on the
  whole observed tree or on the tree cut at a common horizon (:func:`truncate`), since trees are
  right-censored at collection.
* :func:`compare_labels` -- two labels compared on each metric: medians, Mann-Whitney test and
  Cliff's delta (``2 AUC - 1``) with a bootstrap interval.
* :func:`size_matched` -- the comparison repeated on pairs matched on size (Juul & Ugander 2021):
  a difference in depth or virality that vanishes at equal size is a difference in size.
* :func:`early_features` and :func:`cross_validated_auc` -- a logistic rule on the first ``window``
  of forwarding (velocity, depth, breadth), scored by out-of-fold ROC AUC with a bootstrap
  interval, against a permutation baseline (:func:`permutation_auc`); :func:`alarm_cost` turns a
  rule into flags per true alarm at a given prevalence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from infoflow.cascades import Cascade

FEATURES = ("velocity", "depth", "breadth")


# --------------------------------------------------------------------------------- cascade shape


def truncate(casc: Cascade, horizon: float) -> Cascade:
    """The part of ``casc`` observed by ``horizon`` (nodes with ``time <= horizon``; the root always kept).

    The times of the book's trees are consistent (no node before its parent), so the kept nodes form
    a subtree, and the breadth-first order survives the cut.
    """
    keep = casc.time <= horizon
    keep[0] = True
    if np.any(keep[1:] & ~keep[np.clip(casc.parent[1:], 0, None)]):
        raise ValueError("a node is timed before its parent: repair the times before truncating")
    new_index = np.cumsum(keep) - 1
    idx = np.flatnonzero(keep)
    parent = np.where(casc.parent[idx] >= 0, new_index[np.clip(casc.parent[idx], 0, None)], -1)
    return Cascade([casc.nodes[i] for i in idx], parent, casc.time[idx], time_unit=casc.time_unit)


def shape(casc: Cascade, *, hour: float = 60.0) -> dict[str, float]:
    """Size, depth, maximum breadth (reshares in one generation), structural virality and speed of one tree.

    Speed is ``first_hour`` (reshares within ``hour`` time units of the source) and ``half_time``
    (hours until half of the observed reshares had happened); ``last_time`` is the last observed
    reshare, in hours: a lower bound on how long the tree was watched.
    """
    t = np.sort(casc.time[1:])
    gens = casc.generation_sizes[1:]
    return {
        "size": casc.size,
        "depth": casc.depth,
        "breadth": int(gens.max()) if gens.size else 0,
        "virality": casc.structural_virality,
        "first_hour": int(np.sum(t <= hour)),
        "half_time": float(t[(t.size - 1) // 2] / hour) if t.size else math.nan,
        "last_time": float(t[-1] / hour) if t.size else 0.0,
    }


def cascade_table(cascades: Iterable[tuple[str, str, Cascade]], *, horizon: float | None = None) -> pd.DataFrame:
    """One row of :func:`shape` per ``(id, label, cascade)``, optionally on the trees cut at ``horizon``."""
    rows = []
    for cid, label, casc in cascades:
        c = truncate(casc, horizon) if horizon is not None else casc
        rows.append({"id": cid, "label": label, **shape(c)})
    return pd.DataFrame(rows)


def auc(scores: Any, labels: Any) -> float:
    """ROC AUC: the probability that a random positive scores above a random negative (ties count half)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels).astype(bool)
    if s.shape != y.shape or s.ndim != 1:
        raise ValueError(f"scores and labels must be 1-D arrays of one length, got {s.shape} and {y.shape}")
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        raise ValueError(f"AUC needs both classes; got {n1} positives and {n0} negatives")
    ranks = stats.rankdata(s)
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _boot_auc(scores: np.ndarray, y: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """AUCs of stratified bootstrap resamples (positives and negatives resampled separately)."""
    pos, neg = scores[y], scores[~y]
    out = np.empty(n_boot)
    for b in range(n_boot):
        p = pos[rng.integers(0, pos.size, pos.size)]
        q = neg[rng.integers(0, neg.size, neg.size)]
        out[b] = auc(np.concatenate([p, q]), np.r_[np.ones(p.size, bool), np.zeros(q.size, bool)])
    return out


def compare_labels(table: pd.DataFrame, a: str, b: str, metrics: Iterable[str], *, n_boot: int = 500,
                   seed: int = 0) -> pd.DataFrame:
    """Label ``a`` against label ``b`` on each metric: medians, Mann-Whitney p and Cliff's delta with a 95% interval.

    Cliff's delta is ``P(a > b) - P(a < b)`` = ``2 AUC - 1``: +1 when every ``a`` cascade exceeds every ``b``.
    """
    rng = np.random.default_rng(seed)
    sub = table[table["label"].isin([a, b])]
    if (sub["label"] == a).sum() < 2 or (sub["label"] == b).sum() < 2:
        raise ValueError(f"need at least two cascades labelled {a!r} and two labelled {b!r}")
    y = (sub["label"] == a).to_numpy()
    rows = []
    for m in metrics:
        x = sub[m].to_numpy(dtype=float)
        ok = np.isfinite(x)
        xa, xb = x[ok & y], x[ok & ~y]
        p = stats.mannwhitneyu(xa, xb, alternative="two-sided").pvalue
        d = 2 * auc(x[ok], y[ok]) - 1
        lo, hi = np.quantile(2 * _boot_auc(x[ok], y[ok], n_boot, rng) - 1, [0.025, 0.975])
        rows.append({"metric": m, f"median {a}": float(np.median(xa)), f"median {b}": float(np.median(xb)),
                     "cliffs_delta": d, "delta_lo": float(lo), "delta_hi": float(hi), "mann_whitney_p": float(p)})
    return pd.DataFrame(rows)


def size_matched(table: pd.DataFrame, a: str, b: str, *, caliper: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Pairs of an ``a`` and a ``b`` cascade whose sizes differ by at most ``caliper`` on the log scale.

    Greedy one-to-one matching without replacement: ``a`` cascades in random order (seeded), each
    taking the unmatched ``b`` cascade of nearest log size within the caliper.  Returns the matched
    rows of both labels, with a ``pair`` column.
    """
    if caliper <= 0:
        raise ValueError(f"caliper must be positive, got {caliper}")
    rng = np.random.default_rng(seed)
    ta = table[table["label"] == a].reset_index(drop=True)
    tb = table[table["label"] == b].reset_index(drop=True)
    la, lb = np.log(ta["size"].to_numpy(float)), np.log(tb["size"].to_numpy(float))
    free = np.ones(lb.size, dtype=bool)
    pairs = []
    for i in rng.permutation(la.size):
        gap = np.where(free, np.abs(lb - la[i]), np.inf)
        j = int(np.argmin(gap))
        if gap[j] <= caliper:
            free[j] = False
            pairs.append((i, j))
    if len(pairs) < 2:
        raise ValueError(f"fewer than two {a!r}-{b!r} pairs within a log-size caliper of {caliper}")
    ia, ib = (np.array(x) for x in zip(*pairs, strict=True))
    out = pd.concat([ta.iloc[ia].assign(pair=np.arange(ia.size)), tb.iloc[ib].assign(pair=np.arange(ib.size))])
    return out.reset_index(drop=True)


def paired_differences(matched: pd.DataFrame, a: str, b: str, metrics: Iterable[str], *, n_boot: int = 2000,
                       seed: int = 0) -> pd.DataFrame:
    """Per metric, over matched pairs: median of ``a - b``, its bootstrap 95% interval and the Wilcoxon signed-rank p."""
    rng = np.random.default_rng(seed)
    wide_a = matched[matched["label"] == a].set_index("pair").sort_index()
    wide_b = matched[matched["label"] == b].set_index("pair").sort_index()
    rows = []
    for m in metrics:
        d = (wide_a[m] - wide_b[m]).to_numpy(float)
        d = d[np.isfinite(d)]
        boot = np.median(d[rng.integers(0, d.size, (n_boot, d.size))], axis=1)
        p = stats.wilcoxon(d).pvalue if np.any(d != 0) else 1.0
        rows.append({"metric": m, "pairs": d.size, "median_difference": float(np.median(d)),
                     "diff_lo": float(np.quantile(boot, 0.025)), "diff_hi": float(np.quantile(boot, 0.975)),
                     "share_a_greater": float(np.mean(d > 0)), "share_b_greater": float(np.mean(d < 0)),
                     "wilcoxon_p": float(p)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ early warning


def early_features(casc: Cascade, window: float) -> dict[str, float]:
    """What a monitor sees ``window`` time units after the source: reshares per hour, depth, breadth.

    ``velocity`` is the reshares observed by ``window`` per hour (time in minutes), ``depth`` the
    deepest generation reached, ``breadth`` the largest generation (0 before any reshare).
    """
    if window <= 0:
        raise ValueError(f"window must be positive, got {window}")
    early = truncate(casc, window)
    gens = early.generation_sizes[1:]
    return {"velocity": (early.size - 1) / (window / 60.0), "depth": float(early.depth),
            "breadth": float(gens.max()) if gens.size else 0.0}


def design(cascades: Iterable[Cascade], window: float) -> np.ndarray:
    """Feature matrix of :func:`early_features`, each feature as ``log(1 + x)``."""
    rows = [[early_features(c, window)[f] for f in FEATURES] for c in cascades]
    return np.log1p(np.asarray(rows, dtype=float))


def fit_logistic(X: Any, y: Any, *, ridge: float = 1e-4, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression by Newton-Raphson (a small ridge on the slopes only); return coefficients and SEs.

    The first coefficient is the intercept; SEs are from the inverse observed information.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be 2-D with one row per label; got {X.shape} and {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X has missing or infinite values")
    Z = np.column_stack([np.ones(len(X)), X])
    pen = np.full(Z.shape[1], ridge)
    pen[0] = 0.0
    beta = np.zeros(Z.shape[1])
    for _ in range(max_iter):
        eta = np.clip(Z @ beta, -30, 30)
        p = 1.0 / (1.0 + np.exp(-eta))
        grad = Z.T @ (y - p) - pen * beta
        hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(pen)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    eta = np.clip(Z @ beta, -30, 30)
    p = 1.0 / (1.0 + np.exp(-eta))
    hess = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(pen)
    return beta, np.sqrt(np.diag(np.linalg.inv(hess)))


def _folds(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Stratified fold index of each observation."""
    fold = np.empty(y.size, dtype=np.int64)
    for cls in (False, True):
        idx = np.flatnonzero(y == cls)
        fold[rng.permutation(idx)] = np.arange(idx.size) % k
    return fold


def out_of_fold_scores(X: Any, y: Any, *, k: int = 5, seed: int = 0) -> np.ndarray:
    """Scores (linear predictors) of a logistic rule for each observation from the fit that did not see it."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).astype(bool)
    if min(y.sum(), (~y).sum()) < k:
        raise ValueError(f"each class needs at least k={k} observations for stratified {k}-fold cross-validation")
    fold = _folds(y, k, np.random.default_rng(seed))
    scores = np.empty(y.size)
    for f in range(k):
        test = fold == f
        beta, _ = fit_logistic(X[~test], y[~test])
        scores[test] = beta[0] + X[test] @ beta[1:]
    return scores


def cross_validated_auc(X: Any, y: Any, *, k: int = 5, seed: int = 0, n_boot: int = 1000) -> dict[str, Any]:
    """Out-of-fold ROC AUC of the logistic rule, with a stratified bootstrap 95% interval over cascades."""
    y = np.asarray(y).astype(bool)
    scores = out_of_fold_scores(X, y, k=k, seed=seed)
    boot = _boot_auc(scores, y, n_boot, np.random.default_rng(seed + 1))
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return {"auc": auc(scores, y), "lo": float(lo), "hi": float(hi), "scores": scores, "n": int(y.size),
            "positives": int(y.sum())}


def permutation_auc(X: Any, y: Any, *, permutations: int = 200, k: int = 5, seed: int = 0) -> np.ndarray:
    """Cross-validated AUCs of the same rule with the labels shuffled (the no-signal baseline)."""
    y = np.asarray(y).astype(bool)
    rng = np.random.default_rng(seed)
    out = np.empty(permutations)
    for i in range(permutations):
        shuffled = rng.permutation(y)
        out[i] = auc(out_of_fold_scores(X, shuffled, k=k, seed=int(rng.integers(2**31))), shuffled)
    return out


def alarm_cost(scores: Any, y: Any, recall: float, prevalence: float | None = None) -> dict[str, float]:
    """Flags per true alarm when the threshold catches ``recall`` of the positives.

    At the sample's own prevalence by default; with ``prevalence`` the false-positive rate is
    re-weighted to that share of positives: flags per true alarm = ``1 + FPR (1 - pi) / (TPR pi)``.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(y).astype(bool)
    if not 0 < recall <= 1:
        raise ValueError(f"recall must lie in (0, 1], got {recall}")
    threshold = float(np.quantile(s[y], 1 - recall, method="lower"))
    tpr = float(np.mean(s[y] >= threshold))
    fpr = float(np.mean(s[~y] >= threshold))
    pi = float(y.mean()) if prevalence is None else float(prevalence)
    if not 0 < pi < 1:
        raise ValueError(f"prevalence must lie in (0, 1), got {pi}")
    return {"threshold": threshold, "tpr": tpr, "fpr": fpr, "prevalence": pi,
            "flags_per_true_alarm": 1.0 + fpr * (1 - pi) / (tpr * pi)}


# ------------------------------------------------------------------------- the book's settings

#: seed of the book's rumour analyses (cross-validation folds, bootstraps, permutations, matching)
SEED = 20261123


@lru_cache(maxsize=1)
def false_true_cascades() -> tuple[tuple[Cascade, ...], np.ndarray]:
    """Twitter15/16 trees labelled false or true (each source tweet once) and the indicator ``label == 'false'``."""
    from infoflow.cascades import twitter_unique

    sub = [(c, label) for _, label, c in twitter_unique() if label in ("false", "true")]
    return tuple(c for c, _ in sub), np.array([label == "false" for _, label in sub])


@lru_cache(maxsize=8)
def early_warning(window: float = 60.0, n_boot: int = 1000) -> dict[str, Any]:
    """The book's early-warning rule on the first ``window`` minutes: cross-validated AUC and its parts."""
    casc, y = false_true_cascades()
    X = design(casc, window)
    out = cross_validated_auc(X, y, seed=SEED, n_boot=n_boot)
    beta, se = fit_logistic(X, y)
    reshares = X[:, 0]
    boot = _boot_auc(reshares, y, n_boot, np.random.default_rng(SEED + 2))
    out.update({"window": window, "X": X, "y": y, "coef": dict(zip(("intercept", *FEATURES), beta, strict=True)),
                "coef_se": dict(zip(("intercept", *FEATURES), se, strict=True)),
                "volume_auc": auc(reshares, y), "volume_lo": float(np.quantile(boot, 0.025)),
                "volume_hi": float(np.quantile(boot, 0.975))})
    return out


def monitor_score(X: Any) -> np.ndarray:
    """The fixed "highly forwarded" monitor: mean within-sample percentile rank of the features (higher = flagged)."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"X must be a 2-D feature matrix with at least two rows, got shape {X.shape}")
    return np.mean([stats.rankdata(col) / col.size for col in X.T], axis=0)


@lru_cache(maxsize=8)
def forwarding_monitor(window: float = 60.0, n_boot: int = 1000) -> dict[str, Any]:
    """AUC (stratified bootstrap 95% interval) of the fixed monitor that flags the most forwarded cascades as false."""
    casc, y = false_true_cascades()
    score = monitor_score(design(casc, window))
    boot = _boot_auc(score, y, n_boot, np.random.default_rng(SEED + 3))
    return {"window": window, "auc": auc(score, y), "lo": float(np.quantile(boot, 0.025)),
            "hi": float(np.quantile(boot, 0.975)), "n": int(y.size), "positives": int(y.sum())}


@lru_cache(maxsize=1)
def early_warning_permutations(window: float = 60.0, permutations: int = 200) -> np.ndarray:
    """Cross-validated AUCs of the book's rule with shuffled labels (seeded)."""
    casc, y = false_true_cascades()
    return permutation_auc(design(casc, window), y, permutations=permutations, seed=SEED)
