"""Does clustering help spread?  Simple versus complex contagion on clustered and rewired graphs.

The set-up of Centola (2010, *Science* 329:1194): the same people, the same number of contacts
each, wired either in a clustered lattice or at random.  A *simple* contagion passes on through any
single contact (here an independent cascade, :func:`infoflow.contagion.independent_cascade`); a
*complex* one needs reinforcement from several contacts (a threshold of two adopting neighbours,
:func:`infoflow.contagion.threshold`, seeded as in Centola & Macy 2007 with a node and its
neighbours).  Rewiring keeps every node's degree (a configuration-model redraw, or Maslov-Sneppen
swaps on a lattice) and destroys the clustering.  Runs are paired: the same seed node and random
stream on both graphs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from infoflow import contagion, knowledge, ties

__all__ = [
    "bridging_share",
    "community_spread",
    "degree_preserving_rewire",
    "facebook_graph",
    "lattice",
    "paired_reach",
    "reach_after_removal",
    "relative_difference",
    "transitivity",
]


def lattice(n: int = 1000, k: int = 6) -> nx.Graph:
    """A clustered ring lattice: ``n`` nodes, each joined to its ``k`` nearest neighbours."""
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(knowledge.ring_lattice_edges(n, k).tolist())
    return g


def degree_preserving_rewire(graph: nx.Graph, seed: int, swaps_per_edge: float = 5.0) -> nx.Graph:
    """Maslov-Sneppen double-edge swaps: same degrees, clustering destroyed (kept connected is not enforced)."""
    g = graph.copy()
    m = g.number_of_edges()
    nx.double_edge_swap(g, nswap=int(swaps_per_edge * m), max_tries=int(100 * swaps_per_edge * m), seed=seed)
    return g


@lru_cache(maxsize=1)
def facebook_graph() -> tuple[nx.Graph, nx.Graph]:
    """The ego-Facebook graph and one degree-preserving rewiring of it (seed 2010, one swap per edge)."""
    from infoflow import data

    g = data.load_facebook_graph()
    return g, degree_preserving_rewire(g, seed=2010, swaps_per_edge=1.0)


def transitivity(graph: nx.Graph) -> float:
    """Share of connected triples that are closed (networkx's ``transitivity``), by sparse matrix products."""
    adj = nx.to_scipy_sparse_array(graph, weight=None, format="csr")
    adj.data[:] = 1.0
    closed = float((adj @ adj).multiply(adj).sum())  # each triangle counted six times, as are its triples
    deg = np.asarray(adj.sum(axis=1)).ravel()
    triples = float(np.sum(deg * (deg - 1)))
    return closed / triples if triples else 0.0


def _net(graph: nx.Graph) -> contagion.Network:
    return contagion.Network.from_networkx(nx.convert_node_labels_to_integers(graph, ordering="sorted"))


def paired_reach(clustered: nx.Graph, rewired: nx.Graph, *, p: float, runs: int, seed: int,
                 threshold: int = 2) -> pd.DataFrame:
    """Final reach (share of nodes) of simple and complex contagion from the same seeds on both graphs.

    Simple: an independent cascade with per-edge probability ``p`` from one random node.  Complex:
    a count threshold of ``threshold`` adopting neighbours, seeded with a random node and its
    neighbours.  Both graphs must share their node labels.
    """
    a, b = _net(clustered), _net(rewired)
    if a.n != b.n:
        raise ValueError(f"the two graphs differ in size ({a.n} and {b.n} nodes)")
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(runs):
        s = int(rng.integers(a.n))
        child = int(rng.integers(2**32))
        for name, net in (("clustered", a), ("rewired", b)):
            ic = contagion.independent_cascade(net, [s], p, rng=child)
            hood = np.concatenate([[s], net.indices[net.indptr[s]:net.indptr[s + 1]]])
            th = contagion.threshold(net, hood, threshold, kind="count")
            rows.append({"run": r, "graph": name, "simple": ic.final_size / net.n,
                         "complex": (th.final_size - hood.size) / (net.n - hood.size)})
    return pd.DataFrame(rows)


def relative_difference(reach: pd.DataFrame, column: str, n_boot: int = 2000, seed: int = 0) -> dict[str, float]:
    """(clustered - rewired) / rewired mean reach, with a paired bootstrap 95% interval over runs."""
    wide = reach.pivot(index="run", columns="graph", values=column)
    c, r = wide["clustered"].to_numpy(), wide["rewired"].to_numpy()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(c), size=(n_boot, len(c)))
    with np.errstate(divide="ignore", invalid="ignore"):
        boot = (c[idx].mean(axis=1) - r[idx].mean(axis=1)) / r[idx].mean(axis=1)
    est = (c.mean() - r.mean()) / r.mean() if r.mean() > 0 else math.inf
    lo, hi = np.nanpercentile(boot, [2.5, 97.5]) if np.isfinite(est) else (math.inf, math.inf)
    return {"clustered": float(c.mean()), "rewired": float(r.mean()), "rel_diff": float(est),
            "ci_low": float(lo), "ci_high": float(hi)}


def community_spread(graph: nx.Graph, communities: dict, *, p: float, runs: int, seed: int) -> pd.DataFrame:
    """Per run: median step of infection inside and outside the seed's community, for independent cascades.

    ``communities`` maps each node label to a community; seeds are drawn at random.  Runs that
    infect no node outside (or inside) the seed's community are dropped (their ratio is undefined).
    """
    nodes = sorted(graph)
    net = contagion.Network.from_networkx(graph.subgraph(nodes).copy())
    comm = np.array([communities[v] for v in net.nodes])
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(runs):
        s = int(rng.integers(net.n))
        res = contagion.independent_cascade(net, [s], p, rng=int(rng.integers(2**32)))
        hit = res.first_time > 0
        inside, outside = hit & (comm == comm[s]), hit & (comm != comm[s])
        if inside.any() and outside.any():
            rows.append({"run": r, "inside": float(np.median(res.first_time[inside])),
                         "outside": float(np.median(res.first_time[outside])), "reach": res.final_size})
    out = pd.DataFrame(rows)
    out["ratio"] = out["outside"] / out["inside"]
    return out


def bridging_share(emb: pd.DataFrame, communities: dict) -> pd.Series:
    """For each edge of an embeddedness table, whether its two ends lie in different communities."""
    return pd.Series([communities[u] != communities[v] for u, v in zip(emb["u"], emb["v"])], index=emb.index)


def reach_after_removal(graph: nx.Graph, remove: list[pd.DataFrame], *, p: float, runs: int,
                        seed: int) -> pd.DataFrame:
    """Mean reach of independent cascades on ``graph`` and on copies with each edge set of ``remove`` deleted.

    Runs are paired: the same seed node and random stream on every version of the graph.
    """
    nodes = list(graph.subgraph(sorted(graph)))  # the node order of the paired runs
    where = {v: i for i, v in enumerate(nodes)}
    adj = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="csr")
    nets = {"none": contagion.Network(adj, directed=False, nodes=nodes)}
    for i, edges in enumerate(remove):
        u = np.array([where[x] for x in edges["u"]], dtype=np.int64)
        v = np.array([where[x] for x in edges["v"]], dtype=np.int64)
        cut = sp.csr_array((np.ones(2 * u.size), (np.r_[u, v], np.r_[v, u])), shape=adj.shape)
        nets[f"set {i}"] = contagion.Network(adj - cut.multiply(adj), directed=False, nodes=nodes)
    rng = np.random.default_rng(seed)
    n = nets["none"].n
    rows = []
    for r in range(runs):
        s = int(rng.integers(n))
        child = int(rng.integers(2**32))
        for k, net in nets.items():
            rows.append({"run": r, "removed": k,
                         "reach": contagion.independent_cascade(net, [s], p, rng=child).final_size / n})
    return pd.DataFrame(rows)


@lru_cache(maxsize=2)
def alters_communities(seed: int = 1) -> dict:
    """Louvain communities (networkx, seeded) of ego-Facebook without its ten ego users (computed once)."""
    g = ties.alters_graph()
    return {v: i for i, c in enumerate(nx.community.louvain_communities(g, seed=seed)) for v in c}


def circle_purity(communities: dict) -> float:
    """Share of ego-Facebook alters whose community's most common ego circle is their own (first ego listed)."""
    from infoflow import data

    g = data.load_facebook_graph()
    home: dict = {}
    for e in ties.EGO_USERS:
        for v in g.neighbors(e):
            home.setdefault(v, e)
    df = pd.DataFrame({"comm": pd.Series(communities), "ego": pd.Series(home)}).dropna()
    majority = df.groupby("comm")["ego"].agg(lambda s: s.value_counts().index[0])
    return float((df["ego"] == df["comm"].map(majority)).mean())
