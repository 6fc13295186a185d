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


@lru_cache(maxsize=2)
def rewired_alters_graph(seed: int = SEED) -> nx.Graph:
    """The alters' graph (ego-Facebook without its ego users) after degree-preserving double-edge swaps."""
    rewired = ties.alters_graph().copy()
    m = rewired.number_of_edges()
    nx.double_edge_swap(rewired, nswap=m, max_tries=20 * m, seed=seed)
    return rewired


def _time_to_half(result: contagion.ContagionResult) -> int:
    reached = np.cumsum(np.bincount(result.first_time[result.first_time >= 0]))
    return int(np.searchsorted(reached, 0.5 * result.final_size))


@lru_cache(maxsize=8)
def friends_vs_mixed(runs: int = 200, p: float = 0.01, n_seeds: int = 5, seed: int = SEED,
                     egos: bool = True) -> pd.DataFrame:
    """Simulate independent cascades on ego-Facebook and on its degree-preserving rewiring.

    Paired design: run ``i`` starts from the same seed users on both graphs (common random numbers).
    Returns one row per run and network: final reach, whether it took off (more than
    :data:`TAKE_OFF` users), and the step by which half the final reach was attained. With
    ``egos=False`` both graphs are the alters' graph (ego users removed, :func:`infoflow.ties.alters_graph`)
    and its rewiring.
    Simulation, seeded with ``seed``.
    """
    if runs < 2:
        raise ValueError(f"runs must be at least 2, got {runs}")
    graphs = ({"friendship graph": data.load_facebook_graph(), "rewired, same degrees": rewired_facebook_graph(seed)}
              if egos else {"friendship graph": ties.alters_graph(), "rewired, same degrees": rewired_alters_graph(seed)})
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


#: the chapter's default feed-model parameters
DEFAULT_FEED = feeds.FeedParams(rounds=8)


@lru_cache(maxsize=1)
def facebook_ties() -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
    """ego-Facebook without its ego users as CSR (indptr, indices), a strong flag per entry, the threshold,
    and the number of friends the two ends of each entry share.

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
    entry = rows * n + net.indices
    strong = np.isin(entry, strong_keys)
    keys = np.concatenate([u * n + v, v * n + u])
    order = np.argsort(keys)
    shared = np.tile(emb["shared"].to_numpy(np.int64), 2)[order][np.searchsorted(keys[order], entry)]
    return net.indptr.astype(np.int64), net.indices.astype(np.int32), strong, threshold, shared


def facebook_population(params: feeds.FeedParams, rng: np.random.Generator) -> feeds.Population:
    """The chapter's one population: ego-Facebook's users (egos removed), their ties, interests and items."""
    indptr, indices, strong, _, shared = facebook_ties()
    return feeds.make_population(len(indptr) - 1, params, rng, indptr=indptr, indices=indices, strong=strong,
                                 shared=shared)


@lru_cache(maxsize=32)
def architectures(params: feeds.FeedParams = DEFAULT_FEED, runs: int = 10, seed: int = SEED,
                  which: tuple[str, ...] = ("social", "feed")) -> pd.DataFrame:
    """Paired replicates of the social-graph flow and the interest feed on ego-Facebook. Simulation, seeded."""
    return _architectures(params, runs, seed, tuple(which)).copy()


@lru_cache(maxsize=32)
def _architectures(params: feeds.FeedParams, runs: int, seed: int, which: tuple[str, ...]) -> pd.DataFrame:
    # a setting met twice (the base run, and each sensitivity parameter at its base value) is simulated once
    return feeds.replicates(facebook_population, params, which, runs=runs, seed=seed)


#: parameters that act on the recommender only; the others act on both architectures
FEED_ONLY = ("popularity_weight", "beta")


def feed_sensitivity(grid: dict[str, tuple], base: feeds.FeedParams = DEFAULT_FEED, runs: int = 5,
                     seed: int = SEED) -> pd.DataFrame:
    """Outcomes as one parameter at a time moves over ``grid`` (others at ``base``).

    Both architectures run at every setting (so the matched outcomes are defined); the recommender's
    parameters (:data:`FEED_ONLY`) leave the social graph's runs unchanged. Replicate ``r`` of every
    setting uses the same population seed (paired). Simulation, seeded.
    """
    frames = []
    for name, values in grid.items():
        for value in values:
            sims = architectures(base.with_(**{name: value}), runs=runs, seed=seed)
            frames.append(sims.assign(parameter=name, value=value))
    return pd.concat(frames, ignore_index=True)


def t_interval(x: pd.Series, level: float = 0.95) -> pd.Series:
    """Mean, and the half-width of a Student-t interval for it, of replicate values ``x``."""
    from scipy import stats

    x = x.dropna()
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size) if x.size > 1 else np.nan
    return pd.Series({"mean": x.mean(), "half": half, "runs": x.size})


def take_off_test(cascades: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Per pass-on probability: take-off shares on networks ``a`` and ``b`` with Wilson 95% intervals and
    an exact McNemar test on the paired runs (same seed users on both networks)."""
    from scipy import stats
    from statsmodels.stats.proportion import proportion_confint

    rows = []
    for p, part in cascades.groupby("p"):
        wide = part.pivot(index="run", columns="network", values="took_off").astype(bool)
        xa, xb = wide[a].to_numpy(), wide[b].to_numpy()
        only_a, only_b = int((xa & ~xb).sum()), int((~xa & xb).sum())
        test = stats.binomtest(only_a, only_a + only_b, 0.5) if only_a + only_b else None
        row = {"p": p, "runs": xa.size}
        for name, x in ((a, xa), (b, xb)):
            lo, hi = proportion_confint(int(x.sum()), x.size, method="wilson")
            row.update({f"{name}": x.mean(), f"{name} low": lo, f"{name} high": hi})
        row.update({"only first": only_a, "only second": only_b,
                    "McNemar p": test.pvalue if test is not None else np.nan})
        rows.append(row)
    return pd.DataFrame(rows)


def satiation_runs(satiation: float = 0.3, base: feeds.FeedParams = DEFAULT_FEED, runs: int = 6,
                   seed: int = SEED) -> pd.DataFrame:
    """Both architectures without and with satiation, on the same populations (paired). Simulation, seeded."""
    frames = [architectures(base.with_(satiation=s), runs=runs, seed=seed).assign(satiation=s)
              for s in (0.0, satiation)]
    return pd.concat(frames, ignore_index=True)


#: Pew's age groups for news on TikTok, in order, with labels
PEW_AGE_GROUPS = {"tiktok_news_18_29": "18-29", "tiktok_news_30_49": "30-49", "tiktok_news_50_64": "50-64",
                  "tiktok_news_65_plus": "65+", "tiktok_news_all_adults": "All adults"}


def pew_design_effect() -> float:
    """Design effect of Pew's American Trends Panel implied by a published full-sample margin of error.

    A margin ``moe`` (percentage points, 95%) for ``n`` respondents at p = 0.5 equals
    ``1.96 sqrt(deff * 0.25 / n)``, so ``deff = n (moe / 98)^2``.
    """
    df = data.load_figures("pew_tiktok_news").set_index("series")
    moe, n = float(df.loc["atp_full_sample_margin", "value"]), float(df.loc["atp_full_sample_respondents", "value"])
    return n * (moe / 98.0) ** 2


def pew_tiktok_by_age(group_fraction: float = 0.2) -> pd.DataFrame:
    """Pew's shares who regularly get news on TikTok, by age and year, with approximate 95% margins.

    Margins: ``1.96 sqrt(deff p (1 - p) / n_g)`` with the panel's design effect
    (:func:`pew_design_effect`) and ``n_g = group_fraction * n`` respondents in an age group
    (``n_g = n`` for all adults); ``n`` is the survey's respondents where typed, otherwise the smallest
    typed sample. A fifth of the sample is a conservative size for an age group, so the margins err wide.
    """
    if not 0 < group_fraction <= 1:
        raise ValueError(f"group_fraction must be in (0, 1], got {group_fraction}")
    df = data.load_figures("pew_tiktok_news")
    sizes = df[df["series"] == "survey_respondents"].set_index("period")["value"]
    out = df[df["series"].isin(list(PEW_AGE_GROUPS))].copy()
    out["group"] = out["series"].map(PEW_AGE_GROUPS)
    out["year"] = out["period"].astype(int)
    out["n"] = out["period"].map(sizes).fillna(sizes.min())
    out["n_sourced"] = out["period"].isin(sizes.index)
    n_g = np.where(out["group"] == "All adults", out["n"], group_fraction * out["n"])
    p = out["value"] / 100.0
    out["margin"] = 100 * 1.96 * np.sqrt(pew_design_effect() * p * (1 - p) / n_g)
    order = {g: i for i, g in enumerate(PEW_AGE_GROUPS.values())}
    out = out.sort_values(["group", "year"], key=lambda s: s.map(order) if s.name == "group" else s)
    return out[["group", "year", "value", "margin", "n", "n_sourced", "verified"]].reset_index(drop=True)


def survey_bootstrap(t: np.ndarray, y: np.ndarray, margin: np.ndarray, fit, grid: np.ndarray, *,
                     upper: dict[str, float] | None = None, n_boot: int = 400, seed: int = SEED,
                     level: float = 0.95) -> dict:
    """Parametric bootstrap of a growth-curve fit over survey sampling error.

    ``fit(t, y)`` gives the point fit (a :class:`~infoflow.fitting.FitResult`). Each replicate redraws
    every survey share from a normal with its own standard error (``margin / 1.96``) and refits the
    same curve by least squares from the point estimate, with parameters bounded above by ``upper``
    (e.g. a ceiling of 100 percent). Returns the point fit, percentile intervals of its parameters
    and of the curve on ``grid``, and which intervals touch a bound (not identifiable). Simulation, seeded.
    """
    from scipy.optimize import curve_fit

    t, y, margin, grid = (np.asarray(a, dtype=float) for a in (t, y, margin, grid))
    point = fit(t, y)
    names = list(point.params)
    hi = np.array([(upper or {}).get(k, np.inf) for k in names])
    lo = np.array([0.0 if k in ("K", "r") else -np.inf for k in names])
    start = np.clip([point.params[k] for k in names], lo + 1e-9, hi - 1e-9)

    def curve(tt: np.ndarray, *theta: float) -> np.ndarray:
        return point.curve(tt, **dict(zip(names, theta)))

    rng = np.random.default_rng(seed)
    draws, curves, failed = [], [], 0
    for _ in range(n_boot):
        y_star = np.clip(y + rng.normal(0.0, margin / 1.96), 0.05, None)
        try:
            theta, _ = curve_fit(curve, t, y_star, p0=start, bounds=(lo, hi), maxfev=2000)
        except (ValueError, RuntimeError):
            failed += 1
            continue
        draws.append(theta)
        curves.append(curve(grid, *theta))
    if len(draws) < 2:
        raise RuntimeError("fewer than two bootstrap replicates succeeded")
    a = (1 - level) / 2
    arr, cur = np.asarray(draws), np.asarray(curves)
    ci = {k: (float(np.quantile(arr[:, i], a)), float(np.quantile(arr[:, i], 1 - a))) for i, k in enumerate(names)}
    at_bound = {k: bool(np.isfinite(hi[i]) and np.mean(arr[:, i] >= 0.99 * hi[i]) > a) for i, k in enumerate(names)}
    return {"fit": point, "ci": ci, "draws": arr, "at_bound": at_bound, "failed": failed, "replicates": len(draws),
            "band": (np.quantile(cur, a, axis=0), np.quantile(cur, 1 - a, axis=0))}
