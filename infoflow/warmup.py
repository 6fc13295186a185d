"""Compile the numba kernels once, at set-up, so that no chapter pays for compilation when it runs.

The kernels are compiled with ``cache=True``: the machine code is written beside the package
(``infoflow/__pycache__``) and reused by every later process until the source changes.  A fresh
checkout would otherwise compile the batch Hawkes fitter (about 15 s) inside the first chapter that
calls it.  ``make setup`` runs ``python -m infoflow.warmup``.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from infoflow import contagion, knowledge, pointprocess


def warm() -> dict[str, float]:
    """Call each compiled routine once on a tiny input; return the seconds each took."""
    rng = np.random.default_rng(0)
    net = contagion.Network.from_networkx(nx.path_graph(6))
    calls = {
        "batch Hawkes fit": lambda: pointprocess.fit_hawkes_batch([np.sort(rng.random(25)) * 100.0]),
        "independent cascade": lambda: contagion.independent_cascade(net, [0], 0.5, rng=1),
        "threshold contagion": lambda: contagion.threshold(net, [0, 1], 1, kind="count"),
        "knowledge barter": lambda: knowledge.barter(rng.random((4, 3)), np.array([[0, 1], [1, 2]]), 0.5, 1),
    }
    spent = {}
    for name, call in calls.items():
        start = time.perf_counter()
        call()
        spent[name] = time.perf_counter() - start
    return spent


if __name__ == "__main__":
    for name, seconds in warm().items():
        print(f"compiled {name}: {seconds:.1f} s")
