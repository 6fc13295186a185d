"""Embeddedness on hand-built graphs, and the ego users of ego-Facebook."""

import networkx as nx
import pytest

from infoflow import ties


def test_embeddedness_of_a_triangle_with_a_tail():
    g = nx.Graph([(1, 2), (2, 3), (1, 3), (3, 4)])
    emb = ties.edge_embeddedness(g).set_index(["u", "v"])
    assert emb.loc[(1, 2), "shared"] == 1
    assert emb.loc[(3, 4), "shared"] == 0
    # 1 and 3: shared friend 2; other friends of 3: 4 -> union of others = {2, 4} -> overlap 1/2
    assert emb.loc[(1, 3), "overlap"] == pytest.approx(0.5)
    assert list(ties.tie_classes(emb.reset_index(), strong_min=1)) == ["strong", "strong", "strong", "weak"]


def test_embeddedness_matches_networkx_common_neighbors():
    g = nx.karate_club_graph()
    emb = ties.edge_embeddedness(g)
    for u, v, s in emb[["u", "v", "shared"]].itertuples(index=False):
        assert s == len(list(nx.common_neighbors(g, u, v)))
    assert len(emb) == g.number_of_edges()


def test_without_egos_drops_egos_and_isolates():
    g = nx.star_graph(3)  # hub 0 with leaves 1..3
    g.add_edge(1, 2)
    out = ties.without_egos(g, egos=(0,))
    assert set(out) == {1, 2} and out.number_of_edges() == 1


def test_without_egos_names_missing_ego():
    with pytest.raises(ValueError, match="ego users \\[99\\] are not in the graph"):
        ties.without_egos(nx.path_graph(3), egos=(99,))


def test_alters_graph_removes_the_ego_effect():
    emb = ties.edge_embeddedness(ties.alters_graph())
    full = ties.edge_embeddedness(ties.data.load_facebook_graph())
    assert (full["shared"] > 0).mean() > 0.99
    assert (emb["shared"] > 0).mean() < (full["shared"] > 0).mean()
    assert not set(ties.EGO_USERS) & (set(emb["u"]) | set(emb["v"]))
