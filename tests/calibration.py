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
