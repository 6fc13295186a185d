"""Shared calibration helpers for the fitter tests: recovery in standard errors and binomial coverage ranges."""

from __future__ import annotations

import numpy as np
from scipy import stats

from infoflow.fitting import FitResult

Z_RECOVERY = 4.0  # recovery tolerance, in standard errors of the fit
COVERAGE_ACCEPT = 0.999  # central binomial range accepted for a coverage count


def within(fit: FitResult, truth: dict[str, float], z: float = Z_RECOVERY) -> None:
    """Every true parameter lies within ``z`` of the fit's own standard errors of its estimate."""
    for k, v in truth.items():
        est, se = fit.params[k], fit.se[k]
        assert np.isfinite(se) and se > 0, f"{fit.model}: no standard error for {k} ({se})"
        assert abs(est - v) <= z * se, (f"{fit.model}: {k}={est:.6g} is {abs(est - v) / se:.1f} SE from the "
                                        f"truth {v} (tolerance {z} SE, SE={se:.3g})")


def coverage_range(reps: int, level: float = 0.95) -> tuple[int, int]:
    """Central ``COVERAGE_ACCEPT`` range of Binomial(reps, level): accepted counts of covering intervals."""
    tail = (1.0 - COVERAGE_ACCEPT) / 2.0
    return int(stats.binom.ppf(tail, reps, level)), int(stats.binom.isf(tail, reps, level))


def assert_coverage(case, reps: int, first_seed: int) -> dict[str, int]:
    """Simulate and fit ``reps`` times; each parameter's interval must cover at a rate consistent with 95%."""
    covered: dict[str, int] = {}
    for seed in range(first_seed, first_seed + reps):
        fit, truth = case(seed)
        assert fit.level == 0.95
        for k, v in truth.items():
            lo, hi = fit.ci[k]
            covered[k] = covered.get(k, 0) + bool(lo <= v <= hi)
    lo, hi = coverage_range(reps)
    outside = {k: f"{c}/{reps} = {c / reps:.3f}" for k, c in covered.items() if not lo <= c <= hi}
    print(f"{fit.model} coverage over {reps}: {covered} (accept {lo}-{hi})")
    assert not outside, f"{fit.model}: coverage outside [{lo}, {hi}] of {reps} (99.9% range): {outside}"
    return covered
