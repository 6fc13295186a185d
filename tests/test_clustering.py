"""Clustering experiments: the sparse transitivity and the paired edge-removal runs."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from infoflow import clustering


@pytest.mark.parametrize("graph", [nx.karate_club_graph(), nx.watts_strogatz_graph(300, 8, 0.1, seed=1),
                                   nx.star_graph(5), nx.complete_graph(6)], ids=["karate", "ws", "star", "k6"])
def test_transitivity_matches_networkx(graph):
    assert clustering.transitivity(graph) == pytest.approx(nx.transitivity(graph), abs=1e-12)


def test_removal_runs_are_paired_and_removing_every_edge_isolates_the_seed():
    g = nx.relabel_nodes(nx.watts_strogatz_graph(200, 6, 0.2, seed=3), lambda v: f"n{v}")
    edges = pd.DataFrame(list(g.edges()), columns=["u", "v"])
    half = edges.iloc[: len(edges) // 2]
    out = clustering.reach_after_removal(g, [edges, half], p=0.6, runs=20, seed=4)
    wide = out.pivot(index="run", columns="removed", values="reach")
    assert (wide["set 0"] == 1 / g.number_of_nodes()).all()  # no edges left: only the seed is reached
    assert (wide["set 1"] <= wide["none"]).mean() > 0.8  # fewer edges, same draws: rarely further
    assert wide["none"].mean() > 0.5
    assert g.number_of_edges() == len(edges)  # the caller's graph is untouched
