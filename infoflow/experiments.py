"""Simulation experiments shared by chapters and claim checks (each seeded, each labelled a simulation)."""

from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd

from infoflow import contagion, data, feeds, ties

#: the book's default random seed for simulations
SEED = 20261123
#: a cascade "takes off" when it reaches more than this many users
TAKE_OFF = 50


@lru_cache(maxsize=2)
def rewired_facebook_graph(seed: int = SEED) -> nx.Graph:
    """The ego-Facebook graph after degree-preserving double-edge swaps (one per edge): same degrees, no circles."""
    graph = data.load_facebook_graph()
    rewired = graph.copy()
    m = rewired.number_of_edges()
    nx.double_edge_swap(rewired, nswap=m, max_tries=20 * m, seed=seed)
    return rewired


def _time_to_half(result: contagion.ContagionResult) -> int:
    reached = np.cumsum(np.bincount(result.first_time[result.first_time >= 0]))
    return int(np.searchsorted(reached, 0.5 * result.final_size))


@lru_cache(maxsize=8)
def friends_vs_mixed(runs: int = 200, p: float = 0.01, n_seeds: int = 5, seed: int = SEED) -> pd.DataFrame:
    """Simulate independent cascades on ego-Facebook and on its degree-preserving rewiring.

    Paired design: run ``i`` starts from the same seed users on both graphs (common random numbers).
    Returns one row per run and network: final reach, whether it took off (more than
    :data:`TAKE_OFF` users), and the step by which half the final reach was attained.
    Simulation, seeded with ``seed``.
    """
    if runs < 2:
        raise ValueError(f"runs must be at least 2, got {runs}")
    graphs = {"friendship graph": data.load_facebook_graph(), "rewired, same degrees": rewired_facebook_graph(seed)}
    nets = {name: contagion.Network.from_networkx(g) for name, g in graphs.items()}
    nodes = list(graphs["friendship graph"])
    for name, net in nets.items():
        if list(net.nodes) != nodes and sorted(net.nodes) != sorted(nodes):
            raise ValueError(f"the {name} has different nodes from the friendship graph")
    seed_rng = np.random.default_rng(seed)
    seed_sets = [seed_rng.choice(len(nodes), size=n_seeds, replace=False) for _ in range(runs)]
    rows = []
    for name, net in nets.items():
        index = {node: i for i, node in enumerate(net.nodes)}
        rng = np.random.default_rng([seed, 1])
        for run, chosen in enumerate(seed_sets):
            seeds = [index[nodes[i]] for i in chosen]
            res = contagion.independent_cascade(net, seeds, p, rng)
            rows.append({"network": name, "run": run, "reach": res.final_size,
                         "took_off": res.final_size > TAKE_OFF, "steps_to_half": _time_to_half(res)})
    return pd.DataFrame(rows)


def summarise_reach(sims: pd.DataFrame) -> pd.DataFrame:
    """Mean (with 95% interval), median reach and take-off share per network (and p, when present)."""
    keys = [k for k in ("p", "network") if k in sims]
    g = sims.groupby(keys)
    out = g["reach"].agg(mean="mean", median="median", sd="std", runs="count").reset_index()
    out["ci95"] = 1.96 * out["sd"] / np.sqrt(out["runs"])
    out["take_off_share"] = g["took_off"].mean().to_numpy()
    return out.drop(columns="sd")


@lru_cache(maxsize=1)
def facebook_ties() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """ego-Facebook without its ego users as CSR (indptr, indices), a strong flag per entry, and the threshold.

    A tie is strong when its two ends share at least the median number of friends of all ties
    (embeddedness, :mod:`infoflow.ties`): nearly every tie shares some friend, so the upper half
    by embeddedness is the strong half.
    """
    graph = ties.alters_graph()
    emb = ties.edge_embeddedness(graph)
    threshold = int(np.ceil(emb["shared"].median()))
    net = contagion.Network.from_networkx(graph)
    index = {node: i for i, node in enumerate(net.nodes)}
    u = emb["u"].map(index).to_numpy(np.int64)
    v = emb["v"].map(index).to_numpy(np.int64)
    n = len(net.nodes)
    strong_keys = np.concatenate([u * n + v, v * n + u])[np.tile(emb["shared"].to_numpy() >= threshold, 2)]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(net.indptr))
    strong = np.isin(rows * n + net.indices, strong_keys)
    return net.indptr.astype(np.int64), net.indices.astype(np.int32), strong, threshold


def facebook_population(params: feeds.FeedParams, rng: np.random.Generator) -> feeds.Population:
    """The chapter's one population: ego-Facebook's users (egos removed), their ties, interests and items."""
    indptr, indices, strong, _ = facebook_ties()
    return feeds.make_population(len(indptr) - 1, params, rng, indptr=indptr, indices=indices, strong=strong)


@lru_cache(maxsize=32)
def architectures(params: feeds.FeedParams = feeds.FeedParams(), runs: int = 10, seed: int = SEED,
                  which: tuple[str, ...] = ("social", "feed")) -> pd.DataFrame:
    """Paired replicates of the social-graph flow and the interest feed on ego-Facebook. Simulation, seeded."""
    return feeds.replicates(facebook_population, params, which, runs=runs, seed=seed)
