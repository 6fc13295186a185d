"""The weak-tie feed simulation and the small-circle cascades: exact accounting on small graphs, known answers."""

import networkx as nx
import numpy as np
import pytest

from infoflow import weakties


def _two_triangles():
    # two triangles joined by one bridge: triangle edges have a shared friend, the bridge none
    return nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)])


def test_feed_graph_classes_ties_by_shared_friends():
    fg = weakties.feed_graph(_two_triangles(), strong_min=1)
    codes = {tuple(sorted((int(a), int(b)))): int(t) for a, b, t in zip(fg.u, fg.v, fg.tie)}
    assert codes[(2, 3)] == weakties.TIE_CODES["weak"]
    assert sum(c == weakties.TIE_CODES["strong"] for c in codes.values()) == 6


def test_scan_to_follow_adds_new_distinct_ties_between_strangers():
    g = nx.karate_club_graph()
    fg = weakties.feed_graph(g)
    ext = weakties.scan_to_follow(fg, 200, 3)
    keys = np.minimum(ext.u, ext.v) * ext.n + np.maximum(ext.u, ext.v)
    assert ext.m == fg.m + 200 and np.unique(keys).size == ext.m  # no repeated tie, none duplicating a friendship
    assert np.all(ext.u != ext.v)
    assert np.all(ext.tie[fg.m:] == weakties.TIE_CODES["scan"])
    assert weakties.with_prefix(fg, ext, 50).m == fg.m + 50


def test_scan_to_follow_refuses_more_ties_than_pairs():
    fg = weakties.feed_graph(nx.path_graph(4))
    with pytest.raises(ValueError, match="only 3 pairs of users have no tie"):
        weakties.scan_to_follow(fg, 4, 0)


def test_feed_counts_every_contacts_posts_and_spends_exactly_the_budget():
    g = nx.karate_club_graph()
    fg = weakties.feed_graph(g)
    deg = np.array([d for _, d in g.degree()])
    for budget in (0, 3, 10, 1000):
        out = weakties.feed_day(fg, budget, 5, post_rate=2.0)
        posts = np.random.default_rng(5).poisson(2.0, fg.n)
        adj = nx.to_numpy_array(g, nodelist=list(g), weight=None)
        feed = adj @ posts  # each reader sees every post of each contact
        assert out["posts"] == posts.sum()
        assert out["feed"] == pytest.approx(feed.mean())
        assert out["reads"] == pytest.approx(np.minimum(feed, budget).sum())  # the budget binds exactly
    assert out["views_per_post"] == pytest.approx((deg * posts).sum() / posts.sum())  # unlimited budget: every contact


def test_strong_first_reads_close_friends_before_others():
    g = nx.karate_club_graph()
    fg = weakties.scan_to_follow(weakties.feed_graph(g), 150, 1)
    rnd = weakties.feed_day(fg, 4, 9, order="random")
    first = weakties.feed_day(fg, 4, 9, order="strong_first")
    assert first["strong_share"] == rnd["strong_share"]  # same posts in the feed
    assert first["read_strong_share"] > rnd["read_strong_share"]
    assert first["strong_post_views"] > rnd["strong_post_views"]


def test_random_reading_is_unbiased_between_tie_classes():
    # with random order, the share of strong-tie posts among those read matches their share in the feed
    g = nx.connected_watts_strogatz_graph(400, 12, 0.2, seed=2)
    fg = weakties.scan_to_follow(weakties.feed_graph(g, strong_min=2), 1200, 2)
    out = [weakties.feed_day(fg, 8, s) for s in range(20)]
    feed = np.mean([o["strong_share"] for o in out])
    read = np.mean([o["read_strong_share"] for o in out])
    assert read == pytest.approx(feed, abs=0.01)


def test_inflation_adds_ties_per_user_and_feeds_grow():
    g = nx.connected_watts_strogatz_graph(300, 10, 0.1, seed=4)
    runs = weakties.inflation(g, [0, 5, 10], budget=8, replicates=20, seed=1)
    s = weakties.summarise(runs, ["feed", "strong_share", "views_per_post"]).query("order == 'random'")
    # each added tie per user adds one contact per user, so the mean feed grows by the post rate (1) per tie
    assert np.diff(s["feed_mean"].to_numpy()) == pytest.approx([5, 5], abs=0.8)
    assert np.all(np.diff(s["strong_share_mean"].to_numpy()) < 0)
    assert (s["views_per_post_mean"] <= 8 + 0.5).all()  # attention per post cannot exceed the budget per reader


def test_feed_rejects_bad_settings():
    fg = weakties.feed_graph(nx.karate_club_graph())
    with pytest.raises(ValueError, match="order must be 'random' or 'strong_first'"):
        weakties.feed_day(fg, 5, 0, order="newest")
    with pytest.raises(ValueError, match="budget must be non-negative"):
        weakties.feed_day(fg, -1, 0)


def test_circle_spread_stays_in_a_closed_community():
    # two cliques with no tie between them: every cascade stays inside its seed's community
    g = nx.disjoint_union(nx.complete_graph(20), nx.complete_graph(20))
    label = np.array([0] * 20 + [1] * 20)
    runs = weakties.circle_spread(g, label, 0.2, 50, 3)
    assert runs["outside"].sum() == 0 and runs["inside"].sum() > 0
    # labels alternating within each clique: 9 of the 19 other clique members share the seed's label
    mixed = np.tile([0, 1], 20)
    runs = weakties.circle_spread(g, mixed, 0.2, 200, 4)
    share, lo, hi = weakties.pooled_share_interval(runs["inside"].to_numpy(), (runs["inside"] + runs["outside"]).to_numpy())
    assert share == pytest.approx(9 / 19, abs=0.02) and lo < 9 / 19 < hi


def test_communities_label_every_node():
    g = nx.disjoint_union(nx.complete_graph(6), nx.complete_graph(6))
    g.add_edge(0, 6)
    label = weakties.communities(g, 1)
    assert len(set(label[:6])) == 1 and len(set(label[6:])) == 1 and label[0] != label[6]


def test_pooled_share_needs_a_reach():
    with pytest.raises(ValueError, match="no run reached anyone"):
        weakties.pooled_share_interval(np.zeros(3), np.zeros(3))


def test_inflation_is_reproducible_from_its_seed():
    g = nx.connected_watts_strogatz_graph(120, 8, 0.1, seed=5)
    a = weakties.inflation(g, [0, 4], budget=6, replicates=2, seed=7)
    b = weakties.inflation(g, [0, 4], budget=6, replicates=2, seed=7)
    c = weakties.inflation(g, [0, 4], budget=6, replicates=2, seed=8)
    assert a.equals(b) and not a.equals(c)
