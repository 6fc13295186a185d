"""The code-discovery (saturation) model: Chao estimators on known communities, calibration and the simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from infoflow import saturation as sat


def test_chao1_on_a_known_community():
    # 8 species with 1,1,1,2,2,3,5,8 individuals: n = 23, f1 = 3, f2 = 2, A = 22/23
    est = sat.chao1([1, 1, 1, 2, 2, 3, 5, 8])
    assert (est.s_obs, est.f1, est.f2) == (8, 3, 2)
    # f0 = A f1^2 / (2 f2) = (22/23) * 9 / 4 = 2.15217...
    assert est.f0 == pytest.approx(22 / 23 * 9 / 4)
    assert est.s_est == pytest.approx(8 + 2.1521739, abs=1e-6)
    # var = f2 [A/2 r^2 + A^2 r^3 + A^2/4 r^4], r = 1.5: 2 * (0.47826*2.25 + 0.91493*3.375 + 0.22873*5.0625)
    assert est.var == pytest.approx(2 * (11 / 23 * 2.25 + (22 / 23) ** 2 * 3.375 + (22 / 23) ** 2 / 4 * 5.0625))
    lo, hi = est.ci
    c = math.exp(1.959964 * math.sqrt(math.log(1 + est.var / est.f0**2)))
    assert lo == pytest.approx(8 + est.f0 / c, rel=1e-5) and hi == pytest.approx(8 + est.f0 * c, rel=1e-5)
    assert lo > est.s_obs


def test_chao1_without_doubletons_uses_the_bias_corrected_form():
    # 1,1,1,5: n = 8, f1 = 3, f2 = 0 -> f0 = (7/8) * 3 * 2 / 2 = 2.625
    assert sat.chao1([1, 1, 1, 5]).f0 == pytest.approx(2.625)


def test_chao2_on_known_incidences():
    # four concepts seen in 1, 1, 2 and 3 of 4 interviews: f1 = 2, f2 = 1, A = 3/4 -> f0 = 0.75 * 4 / 2
    est = sat.chao2([1, 1, 2, 3, 0], units=4)
    assert (est.s_obs, est.f1, est.f2) == (4, 2, 1)
    assert est.f0 == pytest.approx(1.5)


def test_chao_estimators_refuse_bad_counts():
    with pytest.raises(ValueError, match="whole, non-negative counts"):
        sat.chao1([1, -2])
    with pytest.raises(ValueError, match="between 0 and units=3"):
        sat.chao2([1, 4], units=3)


@pytest.mark.parametrize("prev", [sat.Prevalence("beta", 0.5, 2.0), sat.Prevalence("logitnormal", -2.0, 1.5),
                                  sat.Prevalence("fixed", 0.2)])
def test_calibration_hits_forty_concepts(prev):
    pool = sat.calibrate_pool(prev)
    assert abs(float(sat.discovery_curve(prev, pool, 15)) - 40) < 1.0
    free = sat.simulate(prev, pool, np.random.default_rng(1), reps=4000, concepts=None)
    mean, se = free["found"].mean(), free["found"].std(ddof=1) / math.sqrt(free["found"].size)
    assert abs(mean - float(sat.discovery_curve(prev, pool, 15))) < 4 * se
    assert abs(mean - 40) < 1.0 + 4 * se
    kept = sat.simulate(prev, pool, np.random.default_rng(2), reps=4000)
    assert kept["found"].size > 100 and np.all(kept["found"] == 40)


def test_logitnormal_miss_matches_monte_carlo():
    prev = sat.Prevalence("logitnormal", -1.0, 1.2)
    p = prev.sample(np.random.default_rng(3), 400_000)
    assert float(prev.miss(15)) == pytest.approx(np.mean((1 - p) ** 15), abs=3e-3)


def test_nothing_new_matches_the_exact_probability_for_one_prevalence():
    # with every p = 0.2 and 40 of K found, 5 more interviews reveal nothing with probability 0.8^(5 (K - 40))
    prev = sat.Prevalence("fixed", 0.2)
    pool = sat.calibrate_pool(prev)
    sim = sat.simulate(prev, pool, np.random.default_rng(4), reps=20000)
    exact = 0.8 ** (5 * (pool - 40))
    zero = (sim["new_more"] == 0).mean()
    assert abs(zero - exact) < 4 * math.sqrt(exact * (1 - exact) / sim["new_more"].size)
    # a broken engine that counted interview 15 as a further interview would give far fewer quiet runs
    assert abs(0.8 ** (6 * (pool - 40)) - exact) > 4 * math.sqrt(exact * (1 - exact) / sim["new_more"].size)


def test_francis_stopping_rule_stops_at_thirteen_when_everything_appears_at_once():
    prev = sat.Prevalence("fixed", 1 - 1e-9)
    sim = sat.simulate(prev, 30, np.random.default_rng(5), reps=50, concepts=None)
    assert np.all(sim["n_stop"] == 13) and np.all(sim["n_share"] == 1)


def test_beta_fit_recovers_the_prevalence_behind_a_discovery_curve():
    truth = sat.Prevalence("beta", 2.0, 8.0)
    shares = {n: float((1 - truth.miss(n)) / (1 - truth.miss(30))) for n in (6, 12)}
    fit = sat.fit_beta_to_curve(shares, 30)
    assert fit.a == pytest.approx(2.0, rel=1e-3) and fit.b == pytest.approx(8.0, rel=1e-3)


def test_guest_curve_is_reproduced_by_the_baseline():
    prev = sat.guest_prevalence()
    for n, share in sat.GUEST_2006["shares"].items():
        assert float((1 - prev.miss(n)) / (1 - prev.miss(30))) == pytest.approx(share, abs=1e-6)


def test_prevalence_refuses_bad_parameters():
    with pytest.raises(ValueError, match="unknown prevalence family"):
        sat.Prevalence("gamma", 1.0, 1.0)
    with pytest.raises(ValueError, match="invalid parameters for a beta"):
        sat.Prevalence("beta", -1.0, 1.0)


def test_baseline_is_the_first_row_of_the_sensitivity_analysis():
    base = sat.baseline_study()
    row = sat.sensitivity(sat.sensitivity_settings()[:1]).iloc[0]
    assert row["P(nothing new in 5)"] == base["P(nothing new in 5)"]
    assert row["Chao2 97.5%"] == base["Chao2 97.5%"]
    assert base["Chao CI low (median)"] <= base["Chao2 unseen (median)"] <= base["Chao CI high (median)"]


def test_talkative_interviewees_reduce_to_the_equal_model():
    prev = sat.Prevalence("fixed", 0.2)
    many = sat.talkative_study(prev, 1e4, reps=4000)
    equal = sat.simulate(prev, sat.calibrate_pool(prev), np.random.default_rng(1), reps=4000)
    p_equal = float(np.mean(equal["new_more"] == 0))
    assert abs(many["P(nothing new in 5)"] - p_equal) < 4 * np.hypot(many["se"], 0.01)
    with pytest.raises(ValueError, match="talkativeness shape must be positive"):
        sat.talkative_study(prev, 0.0)
