"""Cowan & Jonard knowledge barter: hand-computed trades, the steady state, the Watts-Strogatz graphs."""

from __future__ import annotations

import numpy as np
import pytest

from infoflow import knowledge


def test_one_trade_matches_the_hand_computation():
    """Agents (1, 0) and (0.4, 0.8), alpha = 0.5: each absorbs half the gap where the other is ahead."""
    v = np.array([[1.0, 0.0], [0.4, 0.8]])
    knowledge.trade(v, np.array([[0, 1]]), 0.5)
    np.testing.assert_allclose(v, [[1.0, 0.4], [0.7, 0.8]])


def test_a_path_of_three_converges_to_the_hand_computed_state():
    """Path 0-1-2: agent 2 is dominated by 1 and never trades; 0 and 1 trade until their gaps fall below tol.

    By hand: with alpha = 0.5 the gaps between 0 and 1 halve at every trade (1.0 and 0.5), so after
    m trades agent 1 holds 1 - 2^-m in category 0 and agent 0 holds 0.5 - 0.5 * 2^-m in category 1;
    a barter needs each partner ahead by more than tol = 0.01, so the pair trades while
    0.5 * 2^-m > 0.01, i.e. for m = 0 .. 5: six trades (after them the smaller gap is 0.0078).
    Agent 2 (0, 0) is behind 1 in both categories: no barter with it.
    """
    v0 = np.array([[1.0, 0.0], [0.0, 0.5], [0.0, 0.0]])
    res = knowledge.barter(v0, np.array([[0, 1], [1, 2]]), 0.5, rng=0, tol=0.01)
    m = 6
    np.testing.assert_allclose(res.knowledge[0], [1.0, 0.5 - 0.5 * 2.0**-m])
    np.testing.assert_allclose(res.knowledge[1], [1.0 - 2.0**-m, 0.5])
    np.testing.assert_allclose(res.knowledge[2], [0.0, 0.0])
    assert res.trades == m and res.converged


def test_no_trade_without_a_double_coincidence():
    """A dominated agent never barters, whatever the network: knowledge stays as it was."""
    v0 = np.array([[1.0, 1.0], [0.5, 0.2]])
    res = knowledge.barter(v0, np.array([[0, 1]]), 0.7, rng=1)
    np.testing.assert_array_equal(res.knowledge, v0)
    assert res.trades == 0


def test_barter_never_loses_knowledge_and_ends_with_no_feasible_trade():
    rng = np.random.default_rng(5)
    edges = knowledge.watts_strogatz_edges(60, 4, 0.1, rng)
    v0 = rng.random((60, 5))
    res = knowledge.barter(v0, edges, 0.5, rng=rng, tol=1e-3)
    assert res.converged
    assert np.all(res.knowledge >= v0)
    assert np.all(res.knowledge <= v0.max(axis=0))  # no one exceeds the best initial holder of a category
    assert not knowledge.feasible(res.knowledge, edges, 1e-3).any()


@pytest.mark.parametrize("p", [0.0, 0.2, 1.0])
def test_watts_strogatz_keeps_edge_count_without_loops_or_duplicates(p):
    e = knowledge.watts_strogatz_edges(200, 10, p, 3)
    assert len(e) == 200 * 5
    assert np.all(e[:, 0] != e[:, 1])
    keys = np.minimum(e[:, 0], e[:, 1]) * 200 + np.maximum(e[:, 0], e[:, 1])
    assert np.unique(keys).size == len(e)
    moved = np.mean((e[:, 1] - e[:, 0]) % 200 > 5)
    assert moved == 0 if p == 0 else abs(moved - p * 198 / 199) < 0.06


def test_sweep_summary_has_replicate_errors():
    runs = knowledge.sweep([0.0, 1.0], 3, n=60, k=4, categories=3, seed=2)
    s = knowledge.summarise(runs)
    assert list(s["replicates"]) == [3, 3]
    assert (s["mean_se"] > 0).all()


def test_bad_input_raises():
    with pytest.raises(ValueError, match="absorptive capacity alpha"):
        knowledge.barter(np.ones((2, 2)), np.array([[0, 1]]), 1.5, rng=0)
    with pytest.raises(ValueError, match="k must be even"):
        knowledge.ring_lattice_edges(10, 3)


def test_peak_bootstrap_finds_a_clear_peak_and_spreads_over_a_flat_curve():
    """A peak far above noise is found in every resample; on a flat curve the peaks spread over several p."""
    import pandas as pd

    gen = np.random.default_rng(0)
    ps = np.repeat([0.0, 0.1, 1.0], 10)
    clear = pd.DataFrame({"p": ps, "mean": np.where(ps == 0.1, 5.0, 1.0) + 0.01 * gen.standard_normal(ps.size)})
    assert set(knowledge.peak_bootstrap(clear, n_boot=200, seed=1)) == {0.1}
    flat = pd.DataFrame({"p": ps, "mean": gen.standard_normal(ps.size)})
    assert len(set(knowledge.peak_bootstrap(flat, n_boot=200, seed=1))) == 3


def test_compiled_recheck_agrees_with_the_vectorised_feasibility():
    """The early-exit kernel that re-examines touched edges gives numpy's answer on every edge."""
    rng = np.random.default_rng(12)
    v = rng.random((200, 10))
    v[:50] = v[50:100]  # identical pairs: never able to trade
    edges = np.concatenate([rng.integers(0, 200, size=(2000, 2)), np.stack([np.arange(50), np.arange(50, 100)], 1)])
    for tol in (0.0, 0.3):
        able = np.ones(len(edges), dtype=bool)
        knowledge._recheck(v, edges, np.arange(len(edges)), tol, able)
        expected = knowledge.feasible(v, edges, tol)
        assert np.array_equal(able, expected)
        assert 0 < expected.sum() < len(edges)
