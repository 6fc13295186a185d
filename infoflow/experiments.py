"""Simulation experiments shared by chapters and claim checks (each seeded, each labelled a simulation)."""

from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd

from infoflow import contagion, data

#: the book's default random seed for simulations
SEED = 20261123


def degree_matched_mixed_graph(graph: nx.Graph, seed: int = SEED) -> nx.Graph:
    """A configuration-model graph with ``graph``'s degree sequence (self-loops and repeat edges dropped)."""
    degrees = [d for _, d in graph.degree()]
    mixed = nx.Graph(nx.configuration_model(degrees, seed=seed))
    mixed.remove_edges_from(list(nx.selfloop_edges(mixed)))
    return mixed


def _time_to_half(result: contagion.ContagionResult) -> int:
    reached = np.cumsum(np.bincount(result.first_time[result.first_time >= 0]))
    return int(np.searchsorted(reached, 0.5 * result.final_size))


@lru_cache(maxsize=4)
def friends_vs_mixed(runs: int = 200, p: float = 0.01, n_seeds: int = 5, seed: int = SEED) -> pd.DataFrame:
    """Simulate independent cascades on ego-Facebook and on its degree-matched mixed graph.

    Returns one row per run: network, final reach, and the step by which half the final reach
    was attained. Simulation, seeded with ``seed``.
    """
    if runs < 2:
        raise ValueError(f"runs must be at least 2, got {runs}")
    graph = data.load_facebook_graph()
    rng = np.random.default_rng(seed)
    rows = []
    for name, g in (("friendship graph", graph), ("same degrees, mixed", degree_matched_mixed_graph(graph, seed))):
        net = contagion.Network.from_networkx(g)
        for run in range(runs):
            res = contagion.independent_cascade(net, contagion.random_seeds(net, n_seeds, rng), p, rng)
            rows.append({"network": name, "run": run, "reach": res.final_size, "steps_to_half": _time_to_half(res)})
    return pd.DataFrame(rows)
