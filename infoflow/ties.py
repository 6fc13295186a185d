"""Tie strength on the ego-Facebook friendship graph, measured by embeddedness (shared friends).

The SNAP ego-Facebook graph was collected as ten ego networks: every friend of an ego user is
linked to that ego, so an edge between two alters always shares the ego as a friend. Measured on
the whole graph, nearly every edge looks embedded. Tie-strength measures therefore drop the ten
ego users and their edges first (:func:`alters_graph`).
"""

from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd

from infoflow import data

#: the ten ego users of SNAP's ego-Facebook collection (the file names of its ego networks)
EGO_USERS: tuple[int, ...] = (0, 107, 348, 414, 686, 698, 1684, 1912, 3437, 3980)


def without_egos(graph: nx.Graph, egos: tuple = EGO_USERS) -> nx.Graph:
    """A copy of ``graph`` without the ego users and their edges (isolated alters dropped too)."""
    missing = [e for e in egos if e not in graph]
    if missing:
        raise ValueError(f"ego users {missing} are not in the graph: is it the SNAP ego-Facebook graph?")
    out = graph.copy()
    out.remove_nodes_from(egos)
    out.remove_nodes_from([v for v in list(out) if out.degree(v) == 0])
    return out


@lru_cache(maxsize=1)
def alters_graph() -> nx.Graph:
    """ego-Facebook with its ten ego users removed: the graph tie-strength measures are computed on."""
    return without_egos(data.load_facebook_graph())


def edge_embeddedness(graph: nx.Graph) -> pd.DataFrame:
    """One row per undirected edge (``u < v``): ``shared`` friends and ``overlap`` (Jaccard of neighbourhoods).

    Embeddedness is the number of friends the two ends share (Granovetter's strong ties sit inside
    closed triads); overlap divides it by the size of the union of their other friends.
    """
    if graph.is_directed():
        raise ValueError("edge_embeddedness needs an undirected graph")
    if graph.number_of_edges() == 0:
        raise ValueError("graph has no edges")
    nodes = list(graph)
    adj = nx.to_scipy_sparse_array(graph, nodelist=nodes, format="csr", weight=None)
    adj.data[:] = 1
    common = (adj @ adj).tocsr()
    rows, cols = adj.nonzero()
    keep = rows < cols
    rows, cols = rows[keep], cols[keep]
    shared = np.asarray(common[rows, cols]).ravel().astype(np.int64)
    deg = np.asarray(adj.sum(axis=1)).ravel().astype(np.int64)
    union = deg[rows] + deg[cols] - 2 - shared
    overlap = np.divide(shared, union, out=np.zeros(len(shared)), where=union > 0)
    labels = np.asarray(nodes, dtype=object)
    out = pd.DataFrame({"u": labels[rows], "v": labels[cols], "shared": shared, "overlap": overlap})
    return out.sort_values(["u", "v"], ignore_index=True)


def tie_classes(emb: pd.DataFrame, *, strong_min: int = 3) -> pd.Series:
    """Label each edge 'weak' (no shared friend), 'strong' (``strong_min`` or more) or 'intermediate'."""
    if strong_min < 1:
        raise ValueError(f"strong_min must be at least 1, got {strong_min}")
    shared = emb["shared"].to_numpy()
    return pd.Series(np.where(shared == 0, "weak", np.where(shared >= strong_min, "strong", "intermediate")),
                     index=emb.index, name="tie")
