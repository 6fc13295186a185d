"""Checks of chapter 2: individual knowledge diffusion in WeChat mode (source document 001)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from infoflow.checks.common import (
    Published,
    figure,
    judged,
    number,
    ranked_first,
    reshare_depths,
    three_way,
)
from infoflow.claims import Evidence, Verdict, check, claim, untestable


def _shares_dec_2016() -> dict:
    return {"shares": {"WeChat Moments": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016"),
                       "Qzone": figure("cnnic_moments_qzone", "qzone_use_share", "Dec 2016"),
                       "microblogs": figure("cnnic_social_shares", "microblog_use_share", "Dec 2016")}}


@check("C2.02", gather=_shares_dec_2016, counterfactual={"shares": {"WeChat Moments": 85.8, "Qzone": 90.0,
                                                                        "microblogs": 37.1}})
def most_pervasive(ev: Evidence) -> Verdict:
    """WeChat Moments against every other platform in CNNIC's shares of internet users (Dec 2016)."""
    return ranked_first("C2.02", ev["shares"], "WeChat Moments", "{name} {value:g}%", " of internet users (Dec 2016)",
                        "ch02-all-claims")


def _mau_around_april_2016() -> dict:
    before, after = Published("tencent_mau", "wechat_mau", "2Q15"), Published("tencent_mau", "wechat_mau", "2Q16")
    return {"stated": number(claim("C2.03")["stated"].lstrip(">")), "source_date": pd.Timestamp("2016-04-17"),
            "before": (before.row()["date"], before.value), "after": (after.row()["date"], after.value)}


@check("C2.03", gather=_mau_around_april_2016,
       counterfactual={"after": (pd.Timestamp("2016-06-30"), 1100.0)})
def registered_exceeds_active(ev: Evidence) -> Verdict:
    """927 million registered accounts against Tencent's MAU interpolated to the source date."""
    (d0, v0), (d1, v1) = ev["before"], ev["after"]
    frac = (ev["source_date"] - d0) / (d1 - d0)
    mau = v0 + frac * (v1 - v0)
    ratio = ev["stated"] / mau
    observed = (f"Tencent MAU interpolated to {ev['source_date'].date()}: {mau:.0f} million (between {v0:g} and "
                f"{v1:g}); stated registered base {ev['stated']:g} million, ratio {ratio:.2f}")
    return judged("C2.03", ratio >= 1, observed, "fig-02-mau-registered", {"mau": mau, "ratio": ratio})


def _penetration_2013() -> dict:
    return {"mau": figure("tencent_mau", "wechat_mau", "2Q13"),
            "mobile": figure("cnnic_internet_users", "mobile_internet_users", "Jun 2013"),
            "lower": None}


@check("C2.04", gather=_penetration_2013, counterfactual={"mau": 200.0})
def high_penetration(ev: Evidence) -> Verdict:
    """Tencent MAU over CNNIC mobile internet users (June 2013): an upper bound on WeChat penetration."""
    upper = ev["mau"] / ev["mobile"]
    lower = ev["lower"]  # no lower bound is published for 2013
    observed = (f"{ev['mau']:g} million MAU (2Q13) over {ev['mobile']:g} million mobile internet users (Jun 2013) = "
                f"{100 * upper:.1f}%, an upper bound (accounts, not people); no lower bound is published")
    return three_way("C2.04", lower is not None and lower > 0.5, upper <= 0.5, observed, "ch02-all-claims",
                     "the upper bound exceeds 50% and no lower bound shows a majority", {"upper": upper})


def per_cascade_delays() -> dict[str, np.ndarray]:
    """Median reshare delay (hours) of each cascade in the sets of many cascades: Twitter15/16, DeepHawkes."""
    from infoflow import cascades

    out = {ds: np.array([np.median(c.time[1:]) / 60.0 for _, _, c in cascades.twitter_cascades(ds) if c.time.size > 1])
           for ds in ("twitter15", "twitter16")}
    out["deephawkes"] = np.array([np.median(c.time[1:]) / 3600.0 for _, c in cascades.deephawkes_cascades()
                                  if c.time.size > 1])
    return out


def _median_ci(x: np.ndarray, seed: int = 0, n_boot: int = 2000) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    boot = np.median(x[rng.integers(0, x.size, size=(n_boot, x.size))], axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(np.median(x)), float(lo), float(hi)


def _delays() -> dict:
    return {name: dict(zip(("median", "ci_low", "ci_high"), _median_ci(m))) | {"cascades": int(m.size)}
            for name, m in per_cascade_delays().items()}


@check("C2.10", gather=_delays,
       counterfactual={"twitter15": {"median": 1.5, "ci_low": 1.3, "ci_high": 1.7, "cascades": 1490},
                       "twitter16": {"median": 1.6, "ci_low": 1.4, "ci_high": 1.8, "cascades": 818},
                       "deephawkes": {"median": 1.4, "ci_low": 1.1, "ci_high": 1.7, "cascades": 30}})
def reshares_come_within_the_hour(ev: Evidence) -> Verdict:
    """Median over cascades of each cascade's median reshare delay, bootstrap interval, against one hour."""
    observed = "; ".join(f"{name}: {d['median']:.2f} h (95% interval {d['ci_low']:.2f}-{d['ci_high']:.2f}, "
                         f"{d['cascades']:,} cascades)" for name, d in ev.items())
    return three_way("C2.10", all(d["ci_high"] <= 1.0 for d in ev.values()),
                     any(d["ci_low"] > 1.0 for d in ev.values()), observed, "ch02-checks",
                     "an interval includes one hour", {"sets": dict(ev)})


def forwarding_depths() -> dict:
    """Share of reshares beyond the first hop and the deepest chain, per proxy tree set (described, not judged)."""
    d = reshare_depths()
    return {"deeper_share": dict(zip(d["dataset"], d["deeper_share"].astype(float))),
            "max_depth": dict(zip(d["dataset"], d["max_depth"].astype(int)))}


def _questmobile() -> dict:
    return {"mau": {"WeChat": figure("questmobile_mau", "wechat_mau", "Mar 2016"),
                    "QQ": figure("questmobile_mau", "qq_mau", "Mar 2016")}}


@check("C2.17", gather=_questmobile, counterfactual={"mau": {"WeChat": 706.7, "QQ": 800.0}})
def most_important_communication_tool(ev: Evidence) -> Verdict:
    """WeChat's rank by QuestMobile monthly active users among communication apps (March 2016)."""
    return ranked_first("C2.17", ev["mau"], "WeChat", "{name} {value:g} million", " (QuestMobile, March 2016)",
                        "ch02-all-claims")


# ------------------------------------------------------------------ evidence shared with the chapter

#: rewiring probabilities of the Cowan & Jonard sweep (0 and 15 log-spaced values from 0.001 to 1)
CJ_PS = (0.0, *np.round(np.logspace(-3, 0, 15), 5).tolist())
CJ_REPLICATES = 10
CJ_SEED = 2004


@lru_cache(maxsize=1)
def cowan_jonard_sweep() -> pd.DataFrame:
    """Steady states of knowledge barter (n = 500, 10 neighbours, 10 categories, alpha = 0.5), seeded sweep."""
    from infoflow import knowledge

    return knowledge.sweep(CJ_PS, CJ_REPLICATES, seed=CJ_SEED)


CJ_BAND = (0.01, 0.2)
CJ_BOOT = 2000


def _cj() -> dict:
    from infoflow import knowledge

    runs = cowan_jonard_sweep()
    peak = knowledge.small_world_peak(knowledge.summarise(runs), "mean")
    boot = knowledge.peak_bootstrap(runs, "mean", n_boot=CJ_BOOT, seed=CJ_SEED)
    in_band = float(((boot >= CJ_BAND[0]) & (boot <= CJ_BAND[1])).mean())
    return peak | {"share_in_band": in_band, "boot_peaks": boot}


@check("C2.06", gather=_cj, counterfactual={"share_in_band": 0.99})
def small_world_peak(ev: Evidence) -> Verdict:
    """Bootstrap (over replicates) share of mean-knowledge peaks in the small-world band 0.01-0.2."""
    stands_out = min(ev["z_low_end"], ev["z_high_end"]) > 2
    share = ev["share_in_band"]
    observed = (f"mean knowledge peaks at p = {ev['p_peak']:.3g}, {ev['z_low_end']:.1f} and {ev['z_high_end']:.1f} "
                f"standard errors above the lattice (p = 0) and random (p = 1) ends; the peak lies in 0.01-0.2 in "
                f"{100 * share:.0f}% of {CJ_BOOT:,} bootstrap resamples of the replicates")
    reproduced = share >= 0.95 and stands_out
    contradicted = share <= 0.05 or not stands_out
    if reproduced or contradicted:
        return Verdict("C2.06", "reproduced" if reproduced else "contradicted", observed=observed,
                       shown_in="ch02-cowan-jonard", details=dict(ev))
    return Verdict("C2.06", "not testable", observed=observed, shown_in="ch02-cowan-jonard",
                   reason="the peak's location is not settled at this precision: between 5% and 95% of bootstrap "
                          "peaks fall in the small-world band", details=dict(ev))


# Simple versus complex contagion on ego-Facebook and its degree-preserving rewiring
FB_SIMPLE_P = 0.01
FB_RUNS = 40
FB_SEED = 2010


@lru_cache(maxsize=1)
def facebook_reach() -> pd.DataFrame:
    """Paired reach of simple (p = 0.01) and complex (threshold 2) contagion on ego-Facebook and its rewiring."""
    from infoflow import clustering

    real, rewired = clustering.facebook_graph()
    return clustering.paired_reach(real, rewired, p=FB_SIMPLE_P, runs=FB_RUNS, seed=FB_SEED)


def clustering_effect() -> dict:
    """Clustered-minus-rewired relative reach of simple and complex contagion on ego-Facebook, paired intervals."""
    from infoflow import clustering

    reach = facebook_reach()
    return {kind: clustering.relative_difference(reach, kind) for kind in ("simple", "complex")}


COMMUNITY_P = 0.02
COMMUNITY_RUNS = 60


@lru_cache(maxsize=1)
def community_spread() -> dict[str, pd.DataFrame]:
    """Inside/outside infection times of independent cascades on ego-Facebook and its rewiring (Louvain, seed 1)."""
    import networkx as nx

    from infoflow import clustering

    real, rewired = clustering.facebook_graph()
    comm = {v: i for i, c in enumerate(nx.community.louvain_communities(real, seed=1)) for v in c}
    return {name: clustering.community_spread(g, comm, p=COMMUNITY_P, runs=COMMUNITY_RUNS, seed=8)
            for name, g in (("real", real), ("rewired", rewired))}


def _mean_ci(x: np.ndarray, seed: int = 0, n_boot: int = 2000) -> tuple[float, float, float]:
    rng = np.random.default_rng(seed)
    boot = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return float(x.mean()), float(lo), float(hi)


def community_ratio() -> dict:
    """Outside/inside infection-time ratio with bootstrap intervals, on ego-Facebook and its rewiring."""
    return {name: dict(zip(("ratio", "ci_low", "ci_high"), _mean_ci(df["ratio"].to_numpy())))
            for name, df in community_spread().items()}


@lru_cache(maxsize=1)
def early_and_late() -> pd.DataFrame:
    """Reshares in the first hour and after it, per cascade of #auspol and DeepHawkes (the root not counted)."""
    from infoflow import cascades, data

    rows = []
    for i, c in enumerate(data.load_auspol()):
        a = c["time"].to_numpy(dtype=float)[1:] / 3600.0
        rows.append({"dataset": "auspol", "cascade": i, "first_hour": int((a <= 1).sum()), "later": int((a > 1).sum())})
    for cid, c in cascades.deephawkes_cascades():
        a = c.time[1:] / 3600.0
        rows.append({"dataset": "deephawkes", "cascade": cid, "first_hour": int((a <= 1).sum()),
                     "later": int((a > 1).sum())})
    return pd.DataFrame(rows)


def later_given_early() -> pd.DataFrame:
    """Share of #auspol cascades with any reshare after the first hour, by the number of reshares in the first hour."""
    df = early_and_late()
    df = df[df["dataset"] == "auspol"]
    bins = pd.cut(df["first_hour"], [-1, 0, 1, 2, 3, 4, 5, np.inf], labels=["0", "1", "2", "3", "4", "5", "6+"])
    g = (df["later"] > 0).groupby(bins, observed=True)
    return pd.DataFrame({"cascades": g.size(), "reshared later": g.sum(), "share": g.mean()}).rename_axis(
        "first-hour reshares").reset_index()


def with_and_without_first_hour(drop_single: bool = False) -> dict:
    """Share of #auspol cascades reshared after the first hour, with and without a first-hour reshare.

    With ``drop_single``, cascades of exactly one reshare are left out.  Shown as a description: a
    cascade of one reshare is reshared later exactly when its first hour is silent, so those cascades
    set the comparison's sign by construction, and any cascade reshared at all but not in its first
    hour is reshared later by definition.
    """
    df = early_and_late()
    df = df[df["dataset"] == "auspol"]
    if drop_single:
        df = df[df["first_hour"] + df["later"] != 1]
    early, later = df["first_hour"] > 0, df["later"] > 0
    k1, n1 = int((later & early).sum()), int(early.sum())
    k0, n0 = int((later & ~early).sum()), int((~early).sum())
    diff, lo, hi = _two_props(k1, n1, k0, n0)
    return {"with": k1, "n_with": n1, "without": k0, "n_without": n0, "diff": diff, "ci_low": lo, "ci_high": hi,
            "never": int(((df["first_hour"] + df["later"]) == 0).sum())}


@lru_cache(maxsize=1)
def empirical_half_lives() -> pd.DataFrame:
    """Hours until half of each cascade's observed reshares had come: #auspol cascades and the SEISMIC tweet."""
    from infoflow import data

    rows = [{"dataset": "auspol", "cascade": i, "reshares": len(c) - 1,
             "half_life_h": float(np.median(c["time"].to_numpy(dtype=float)[1:])) / 3600.0}
            for i, c in enumerate(data.load_auspol()) if len(c) > 1]
    s = data.load_seismic_tweet()["relative_time_second"].to_numpy(dtype=float)[1:]
    rows.append({"dataset": "seismic tweet", "cascade": 0, "reshares": s.size, "half_life_h": float(np.median(s)) / 3600})
    return pd.DataFrame(rows)


def _half_lives() -> dict:
    h = empirical_half_lives()["half_life_h"].to_numpy()
    k, n = int((h < 24).sum()), int(h.size)
    ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
    return {"brief": k, "cascades": n, "ci_low": float(ci.low), "ci_high": float(ci.high)}


@check("C2.12", gather=_half_lives, counterfactual={"brief": 700, "ci_low": 0.39, "ci_high": 0.44})
def most_items_fade_within_a_day(ev: Evidence) -> Verdict:
    """Share of cascades whose half-life is under 24 hours, with a Clopper-Pearson 95% interval."""
    share = ev["brief"] / ev["cascades"]
    observed = (f"{ev['brief']:,} of {ev['cascades']:,} cascades ({100 * share:.0f}%, 95% interval "
                f"{100 * ev['ci_low']:.0f}-{100 * ev['ci_high']:.0f}%) had half their reshares within 24 hours")
    return three_way("C2.12", ev["ci_low"] > 0.5, ev["ci_high"] < 0.5, observed, "ch02-decay",
                     "the interval includes 50%", dict(ev))


TIE_P = 0.03
TIE_RUNS = 40


@lru_cache(maxsize=1)
def tie_strength() -> dict:
    """Embeddedness, overlap quartiles, bridging and removal experiments on ego-Facebook without its egos."""
    from infoflow import clustering, ties

    g = ties.alters_graph()
    emb = ties.edge_embeddedness(g)
    q1, q3 = np.quantile(emb["overlap"], [0.25, 0.75])
    weak, strong = emb[emb["overlap"] <= q1], emb[emb["overlap"] >= q3]
    comm = clustering.alters_communities()
    bridge = clustering.bridging_share(emb, comm)
    strongest = emb.sort_values("overlap", ascending=False, kind="stable").head(len(weak))
    removal = clustering.reach_after_removal(g, [weak, strongest], p=TIE_P, runs=TIE_RUNS, seed=5)
    return {"emb": emb, "q1": float(q1), "q3": float(q3), "weak": weak.index, "strong": strong.index,
            "bridge": bridge, "removal": removal, "communities": len(set(comm.values()))}


def _two_props(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    p1, p2 = k1 / n1, k2 / n2
    se = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return p1 - p2, p1 - p2 - 1.96 * se, p1 - p2 + 1.96 * se


def weak_tie_measures() -> dict:
    """Bridging shares of weak and strong ties, weak share of bridges, and the tie-removal reach difference."""
    t = tie_strength()
    bw, bs = t["bridge"].loc[t["weak"]], t["bridge"].loc[t["strong"]]
    diff, lo, hi = _two_props(int(bw.sum()), len(bw), int(bs.sum()), len(bs))
    wide = t["removal"].pivot(index="run", columns="removed", values="reach")
    drop = (wide["none"] - wide["set 0"]) - (wide["none"] - wide["set 1"])
    d, dlo, dhi = _mean_ci(drop.to_numpy())
    bridges = t["bridge"][t["bridge"].astype(bool)].index
    weak_of_bridges = float(bridges.isin(t["weak"]).mean())
    return {"weak_of_bridges": weak_of_bridges, "bridges": len(bridges),
            "bridge_weak": float(bw.mean()), "bridge_strong": float(bs.mean()), "bridge_diff": diff,
            "bridge_lo": lo, "bridge_hi": hi, "drop_diff": d, "drop_lo": dlo, "drop_hi": dhi}


untestable("C2.01", "C2.05", "C2.07", "C2.08", "C2.09", "C2.11", "C2.13", "C2.14", "C2.15", "C2.16")
