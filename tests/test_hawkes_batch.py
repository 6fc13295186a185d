"""The batch Hawkes fitter: parameter recovery, agreement with the scalar fitter, identifiability flags."""

from __future__ import annotations

import numpy as np
import pytest
from calibration import Z_RECOVERY

from infoflow.pointprocess import fit_hawkes_batch, fit_hawkes_exp, hawkes_loglik, simulate_hawkes_exp

TRUTH = {"mu": 0.5, "n_star": 0.6, "beta": 2.0}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batch_fit_recovers_parameters(seed):
    """Simulate three long cascades with known parameters; each estimate lies within 4 SE of the truth."""
    rng = np.random.default_rng(seed)
    cascades = [simulate_hawkes_exp(**TRUTH, T=400.0, rng=rng) for _ in range(3)]
    fits = fit_hawkes_batch(cascades, T=400.0)
    assert fits["identifiable"].all(), fits["reason"].tolist()
    for name, value in TRUTH.items():
        z = np.abs(fits[name] - value) / fits[f"se_{name}"]
        assert (z <= Z_RECOVERY).all(), f"{name}: {fits[name].tolist()} vs {value} (z {z.round(1).tolist()})"


def test_batch_fit_matches_the_scalar_fitter():
    """Same likelihood maximum as fit_hawkes_exp (to 1e-6 in log-likelihood) and the same estimates."""
    rng = np.random.default_rng(7)
    cascades = [simulate_hawkes_exp(0.3, 0.5, 1.0, T=150.0, rng=rng) for _ in range(4)]
    fits = fit_hawkes_batch(cascades, T=150.0)
    for row, t in zip(fits.itertuples(), cascades):
        ref = fit_hawkes_exp(t, 150.0)
        assert row.loglik == pytest.approx(ref.loglik, abs=1e-6)
        assert row.n_star == pytest.approx(ref.params["n_star"], rel=1e-3)
        assert row.loglik == pytest.approx(hawkes_loglik(t, row.mu, row.n_star, row.beta, 150.0), abs=1e-9)


def test_a_poisson_cascade_is_flagged_as_not_identifiable():
    """Events of a homogeneous Poisson process carry no excitation: the fit must not be reported as identified."""
    rng = np.random.default_rng(11)
    t = np.sort(rng.uniform(0, 100, 60))
    fits = fit_hawkes_batch([t], T=100.0)
    assert not fits.loc[0, "identifiable"]
    assert fits.loc[0, "reason"] in ("no excitation", "flat likelihood", "kernel longer than window")


def test_linear_growth_runs_away_and_is_flagged():
    """Events whose rate grows with the count (a Yule process) send n* to infinity; the flag says so."""
    rng = np.random.default_rng(3)
    t, times = 0.0, [0.0]
    while len(times) < 40:
        t += rng.exponential(1.0 / (0.05 * len(times)))
        times.append(t)
    fits = fit_hawkes_batch([np.array(times)])
    assert not fits.loc[0, "identifiable"]
    assert fits.loc[0, "reason"] in ("n* runaway", "at a bound", "kernel longer than window")


def test_bad_input_names_the_cascade():
    with pytest.raises(ValueError, match="cascade 1 has 2 events"):
        fit_hawkes_batch([np.arange(5.0), np.arange(2.0)])
    with pytest.raises(ValueError, match="cascade 0: the window end"):
        fit_hawkes_batch([np.arange(5.0)], T=2.0)
