"""Tail laws: the power-law exponent is recovered, and Vuong's test picks the law that made the data."""

import numpy as np
import pytest
from scipy import stats

from infoflow import tails


@pytest.mark.parametrize(("alpha", "xmin", "seed"), [(2.5, 1, 1), (2.2, 3, 2), (3.0, 2, 3)])
def test_powerlaw_exponent_is_recovered(alpha, xmin, seed):
    x = stats.zipf.rvs(alpha, size=6000, random_state=np.random.default_rng(seed))
    fit = tails.fit_powerlaw(x, xmin)
    assert abs(fit["alpha"] - alpha) <= 3 * fit["se"], fit


def test_vuong_prefers_the_law_that_made_the_data():
    rng = np.random.default_rng(4)
    pl = stats.zipf.rvs(2.3, size=8000, random_state=rng)
    out = tails.compare_tail(pl, 2)
    assert out["vs_exponential"]["z"] > 2 and out["vs_negbin"]["z"] > 2
    ln = np.floor(np.exp(rng.normal(1.0, 1.0, 8000)) + 0.5).astype(int)
    out = tails.compare_tail(ln, 2)
    assert out["vs_lognormal"]["z"] < -3 and out["vs_lognormal"]["p"] < 0.01


def test_lognormal_parameters_are_recovered():
    rng = np.random.default_rng(6)
    ln = np.floor(np.exp(rng.normal(2.0, 0.8, 10000)) + 0.5).astype(int)
    fit = tails.fit_lognormal(ln, 1)
    assert fit["mu"] == pytest.approx(2.0, abs=0.05) and fit["sigma"] == pytest.approx(0.8, abs=0.05)


def test_choose_xmin_finds_where_a_power_law_starts():
    rng = np.random.default_rng(8)
    body = rng.integers(1, 6, 4000)  # flat below 6
    tail = stats.zipf.rvs(2.5, size=20000, random_state=rng)
    x = np.r_[body, tail[tail >= 6]]
    assert 5 <= tails.choose_xmin(x, range(1, 15)) <= 8


def test_vuong_is_antisymmetric_and_tails_need_data():
    a, b = np.array([-1.0, -2.0, -1.5]), np.array([-1.2, -1.9, -2.0])
    assert tails.vuong(a, b)["z"] == pytest.approx(-tails.vuong(b, a)["z"])
    with pytest.raises(ValueError, match="too few to fit a tail"):
        tails.fit_powerlaw(np.arange(20), 15)
