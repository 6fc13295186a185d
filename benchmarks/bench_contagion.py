"""Benchmark: the contagion engine against EoN and NDlib on the same graph and the same model.

Setup (not timed): one Erdős–Rényi graph G(n = 100,000, mean degree 10), drawn by networkx with a
fixed seed, 10 seed nodes drawn with a fixed seed, per-edge transmission probability p = 0.15
(R0 = 1.5: the outbreak reaches about 58% of the nodes).  Timed, each as the best (and median) of a
few repetitions after one warm-up run:

* our ``discrete_sir`` vs EoN ``basic_discrete_SIR`` (same model), EoN ``fast_SIR`` (continuous
  time, rates chosen so the per-edge transmissibility tau / (tau + gamma) equals p, with recovery
  rate 1: a reference, not the same model) and NDlib ``SIRModel`` (beta = p, gamma = 1: the same
  model);
* our ``independent_cascade`` vs NDlib ``IndependentCascadesModel`` (every edge's threshold = p);
* our ``independent_cascade`` on G(n = 1,000,000, mean degree 10), drawn by
  :meth:`Network.erdos_renyi`, against the 0.1 s goal.

Run it through ``python -m benchmarks.run`` (``make bench``); ``python -m benchmarks.bench_contagion``
runs this part alone.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from infoflow.contagion import Network, discrete_sir, independent_cascade, random_seeds

N_PEER = 100_000
N_BIG = 1_000_000
MEAN_DEGREE = 10
N_SEEDS = 10
P = 0.15


@dataclass
class Row:
    """One line of the benchmark table: our time, a peer's time, the ratio and the goal."""

    benchmark: str
    ours_best: float
    ours_median: float
    peer: str = ""
    peer_best: float = math.nan
    peer_median: float = math.nan
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float:
        """How many times faster we are than the peer (best against best)."""
        return math.nan if math.isnan(self.peer_best) else self.peer_best / self.ours_best


def timed(fn: Callable[[int], object], reps: int, warmup: int = 1) -> tuple[float, float, list]:
    """Best and median wall time of ``fn(i)`` over ``reps`` runs after ``warmup`` runs; the outputs."""
    for i in range(warmup):
        fn(-1 - i)
    times, outs = [], []
    for i in range(reps):
        start = time.perf_counter()
        outs.append(fn(i))
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), outs


def _ndlib_runner(model_cls: type, graph: nx.Graph, seeds: list[int], configure: Callable) -> Callable:
    """Configure an NDlib model once (not timed); return ``run(i)`` that resets it and runs to extinction."""
    import ndlib.models.ModelConfig as mc

    model = model_cls(graph, seed=12345)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    configure(config)
    model.set_initial_status(config)

    def run(_: int) -> int:
        model.reset(seeds)
        while True:
            it = model.iteration(node_status=False)
            if it["iteration"] > 0 and it["node_count"][1] == 0:
                return int(it["node_count"][2])

    return run


def _sizes(outs: list) -> str:
    return f"mean final size {np.mean(outs):,.0f}"


def main(n: int = N_PEER, n_big: int = N_BIG, reps_ours: int = 7, reps_peer: int = 2,
         peers: bool = True) -> list[Row]:
    """Run the contagion benchmarks and return the table rows (also printed as they finish)."""
    import EoN
    import ndlib.models.epidemics as ep

    t0 = time.perf_counter()
    graph = nx.fast_gnp_random_graph(n, MEAN_DEGREE / (n - 1), seed=42)
    net = Network.from_networkx(graph)
    seeds = random_seeds(net, N_SEEDS, rng=7)
    seed_list = [int(s) for s in seeds]
    print(f"setup: G(n={n:,}, mean degree {2 * graph.number_of_edges() / n:.2f}) in "
          f"{time.perf_counter() - t0:.1f} s; {N_SEEDS} seeds; p = {P}", flush=True)
    rows: list[Row] = []

    def ours(model: Callable) -> tuple[float, float, list]:
        return timed(lambda i: model(net, seeds, P, 1000 + i).final_size, reps_ours)

    # discrete SIR ------------------------------------------------------------------------------
    best, med, outs = ours(discrete_sir)
    print(f"ours discrete_sir: best {best:.4f} s, median {med:.4f} s; {_sizes(outs)}", flush=True)
    if peers:
        pb, pm, po = timed(lambda i: EoN.basic_discrete_SIR(
            graph, P, initial_infecteds=seed_list, rng=np.random.default_rng(2000 + i))[3][-1], reps_peer)
        rows.append(Row(f"discrete SIR, n={n:,}", best, med, "EoN basic_discrete_SIR", pb, pm, ">= 20x",
                        pb / best >= 20, f"ours {_sizes(outs)}; EoN {_sizes(po)}"))
        print(f"EoN basic_discrete_SIR: best {pb:.3f} s; {_sizes(po)}", flush=True)
        tau = P / (1 - P)
        pb, pm, po = timed(lambda i: EoN.fast_SIR(
            graph, tau, 1.0, initial_infecteds=seed_list, rng=np.random.default_rng(3000 + i))[3][-1], reps_peer)
        rows.append(Row(f"discrete SIR, n={n:,}", best, med, "EoN fast_SIR (continuous time)", pb, pm,
                        "reference", None, f"EoN {_sizes(po)} (not the same model)"))
        print(f"EoN fast_SIR: best {pb:.3f} s; {_sizes(po)}", flush=True)

        def sir_config(config: object) -> None:
            config.add_model_parameter("beta", P)
            config.add_model_parameter("gamma", 1.0)

        run = _ndlib_runner(ep.SIRModel, graph, seed_list, sir_config)
        pb, pm, po = timed(run, reps_peer)
        rows.append(Row(f"discrete SIR, n={n:,}", best, med, "NDlib SIRModel (gamma=1)", pb, pm, ">= 100x",
                        pb / best >= 100, f"NDlib {_sizes(po)}"))
        print(f"NDlib SIRModel: best {pb:.3f} s; {_sizes(po)}", flush=True)

    # independent cascade -----------------------------------------------------------------------
    best, med, outs = ours(independent_cascade)
    print(f"ours independent_cascade: best {best:.4f} s, median {med:.4f} s; {_sizes(outs)}", flush=True)
    if peers:
        def ic_config(config: object) -> None:
            for e in graph.edges:
                config.add_edge_configuration("threshold", e, P)

        run = _ndlib_runner(ep.IndependentCascadesModel, graph, seed_list, ic_config)
        pb, pm, po = timed(run, reps_peer)
        rows.append(Row(f"independent cascade, n={n:,}", best, med, "NDlib IndependentCascadesModel", pb, pm,
                        ">= 100x", pb / best >= 100, f"ours {_sizes(outs)}; NDlib {_sizes(po)}"))
        print(f"NDlib IndependentCascadesModel: best {pb:.3f} s; {_sizes(po)}", flush=True)

    # independent cascade at n = 1,000,000 ------------------------------------------------------
    t0 = time.perf_counter()
    big = Network.erdos_renyi(n_big, MEAN_DEGREE, rng=1)
    big_seeds = random_seeds(big, N_SEEDS, rng=2)
    print(f"setup: G(n={n_big:,}, mean degree {big.nnz / n_big:.2f}) in {time.perf_counter() - t0:.1f} s",
          flush=True)
    best, med, outs = timed(lambda i: independent_cascade(big, big_seeds, P, 4000 + i).final_size,
                            max(reps_ours, 7))
    rows.append(Row(f"independent cascade, n={n_big:,}", best, med, goal="<= 0.1 s",
                    met=best <= 0.1, note=_sizes(outs)))
    print(f"ours independent_cascade n={n_big:,}: best {best:.4f} s, median {med:.4f} s; {_sizes(outs)}",
          flush=True)
    return rows


if __name__ == "__main__":
    for row in main():
        print(row)
