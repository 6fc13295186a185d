"""Checks of chapter 3: mobile socialization in media convergence (source document 002)."""

from __future__ import annotations

from itertools import pairwise

from infoflow import data, seedtables
from infoflow.checks.common import figure, judged, three_way
from infoflow.claims import Evidence, Verdict, check, untestable, unverified


def _moments_2018() -> dict:
    return {"moments_share": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2018")}


@check("C3.01", gather=_moments_2018, counterfactual={"moments_share": 45.0})
def mobile_social_use_is_the_majority(ev: Evidence) -> Verdict:
    """CNNIC: share of internet users using WeChat Moments, a mobile social feature (Dec 2018)."""
    observed = f"{ev['moments_share']:g}% of internet users use WeChat Moments (CNNIC, Dec 2018)"
    return judged("C3.01", ev["moments_share"] > 50, observed, "ch03-all-claims", {"share": ev["moments_share"]})


def _pew_by_age() -> dict:
    def pew(name: str, period: str) -> float:
        return figure("pew_social_news_age", name, period)

    return {"pairs": {"2016, often (18-29 vs 65+)": (pew("often_news_social_18_29", "2016"),
                                                      pew("often_news_social_65_plus", "2016")),
                      "2017, ever (18-49 vs 50+)": (pew("ever_news_social_18_49", "2017"),
                                                     pew("ever_news_social_50_plus", "2017"))}}


@check("C3.02", gather=_pew_by_age,
       counterfactual={"pairs": {"2016, often (18-29 vs 65+)": (5.0, 6.0), "2017, ever (18-49 vs 50+)": (78.0, 55.0)}})
def younger_rely_more_on_social_news(ev: Evidence) -> Verdict:
    """Pew: younger US adults get news on social media more than older adults, in every survey typed."""
    gaps = {k: young - old for k, (young, old) in ev["pairs"].items()}
    observed = "; ".join(f"{k}: {young:g}% vs {old:g}%" for k, (young, old) in ev["pairs"].items())
    return judged("C3.02", all(g > 0 for g in gaps.values()), observed, "ch03-all-claims", {"gap_points": gaps})


def _ding_zhen_report() -> dict:
    return {"likes_million": figure("ding_zhen", "video_likes", "Nov 2020"),
            "length_seconds": figure("ding_zhen", "video_length", "Nov 2020"),
            "followers_million": figure("ding_zhen", "douyin_followers_after_first_post", "Nov 2020"),
            "stated_likes": 5.0, "stated_length": 7.0, "stated_followers": 2.0}


@check("C3.06", gather=_ding_zhen_report, counterfactual={"likes_million": 2.744})
def ding_zhen_likes(ev: Evidence) -> Verdict:
    """The cited report's like count for the 7-second video: does it round to 5 million?"""
    ok = round(ev["likes_million"]) == ev["stated_likes"] and ev["length_seconds"] == ev["stated_length"]
    observed = (f"the cited report states a {ev['length_seconds']:g}-second video with about "
                f"{ev['likes_million']:g} million likes")
    return Verdict("C3.06", "reproduced" if ok else "contradicted", observed=observed, shown_in="ch03-all-claims",
                   details={"likes": ev["likes_million"]})


@check("C3.07", gather=_ding_zhen_report, counterfactual={"followers_million": 1.07})
def ding_zhen_followers(ev: Evidence) -> Verdict:
    """The cited report's follower count after the first Douyin post: more than 2 million?"""
    ok = ev["followers_million"] >= ev["stated_followers"]
    observed = f"the cited report states that followers passed {ev['followers_million']:g} million after the first post"
    return Verdict("C3.07", "reproduced" if ok else "contradicted", observed=observed, shown_in="ch03-all-claims",
                   details={"followers": ev["followers_million"]})


def _dingzhen_counts() -> dict:
    df = seedtables.load_seed_table("dingzhen_counts").set_index("quantity")["value"]
    return {"reads_billion": float(df["named topics reads (billions)"]),
            "views_billion": float(df["monitored topics views (billions)"]),
            "dates": {q.split(" (")[0]: int(v) for q, v in df.items() if q.endswith("(yyyymmdd)")}}


@check("C3.08", gather=_dingzhen_counts, counterfactual={"reads_billion": 15.0})
def reads_within_views(ev: Evidence) -> Verdict:
    """The three named topics' reads cannot exceed the 213 topics' views (on the stated assumption)."""
    share = ev["reads_billion"] / ev["views_billion"]
    observed = (f"{ev['reads_billion']:g} billion reads of three named topics = {100 * share:.0f}% of the "
                f"{ev['views_billion']:g} billion views of all 213 monitored topics (if reads are views and the three are "
                "among the 213)")
    return judged("C3.08", share <= 1, observed, "ch03-all-claims", {"share": share})


@check("C3.16", gather=_dingzhen_counts,
       counterfactual={"dates": {"video filmed": 20201111, "Douyin account opened": 20201205,
                                 "bureaus joined": 20201127, "data cut-off": 20201202, "source published": 20201203}})
def timeline_in_order(ev: Evidence) -> Verdict:
    """The Ding Zhen timeline's dates are in order and none is after the cited source."""
    dates = ev["dates"]
    events = ["video filmed", "Douyin account opened", "bureaus joined", "data cut-off"]
    seq = [dates[e] for e in events]
    ordered = all(a <= b for a, b in pairwise(seq))
    before_source = max(seq) <= dates["source published"]
    observed = "; ".join(f"{e} {str(dates[e])[4:6]}-{str(dates[e])[6:]}" for e in events) + (
        f"; source dated {str(dates['source published'])[:4]}-{str(dates['source published'])[4:6]}-"
        f"{str(dates['source published'])[6:]}")
    return judged("C3.16", ordered and before_source, observed, "ch03-all-claims", {"dates": dates})


def _netease() -> dict:
    return {"bound": figure("netease_cloud_music", "mobile_user_share", "Jun 2016"), "bound_kind": "lower",
            "stated": 81.0}


@check("C3.11", gather=_netease, counterfactual={"bound": 90.0})
def netease_mobile_share(ev: Evidence) -> Verdict:
    """NetEase Cloud Music's mobile share as NetEase reported it ('more than 80%') against the stated 81%."""
    if ev["bound_kind"] == "exact":
        verdict = "reproduced" if ev["bound"] == ev["stated"] else "contradicted"
    elif ev["bound_kind"] == "lower":
        verdict = "consistent" if ev["stated"] > ev["bound"] else "contradicted"
    else:
        raise ValueError(f"C3.11: bound kind {ev['bound_kind']!r} is not 'exact' or 'lower'")
    observed = f"NetEase reported a mobile share of more than {ev['bound']:g}% (first half of 2016); stated 81%"
    return Verdict("C3.11", verdict, observed=observed, shown_in="ch03-all-claims", details={"bound": ev["bound"]})


def _douyin_growth() -> dict:
    return {"jan_2018": figure("short_video_users", "douyin_dau", "Jan 2018"),
            "jan_2019": figure("short_video_users", "douyin_dau", "Jan 2019")}


@check("C3.13", gather=_douyin_growth, counterfactual={"jan_2019": 40.0})
def explosive_growth(ev: Evidence) -> Verdict:
    """Douyin daily active users: at least a doubling in the year before the 2019 blue paper."""
    factor = ev["jan_2019"] / ev["jan_2018"]
    observed = (f"Douyin daily active users {ev['jan_2018']:g} million (Jan 2018) to {ev['jan_2019']:g} million "
                f"(Jan 2019): × {factor:.1f} in a year")
    return judged("C3.13", factor >= 2, observed, "ch03-all-claims", {"factor": factor})


def _douyin_weibo() -> dict:
    return {"douyin_dau": figure("short_video_users", "douyin_dau", "Jul 2019"),
            "weibo_dau": figure("short_video_users", "weibo_dau", "Jun 2019")}


@check("C3.14", gather=_douyin_weibo, counterfactual={"douyin_dau": 150.0})
def douyin_overtakes_weibo(ev: Evidence) -> Verdict:
    """Douyin's daily active users against Weibo's, mid-2019."""
    ratio = ev["douyin_dau"] / ev["weibo_dau"]
    observed = (f"Douyin {ev['douyin_dau']:g} million daily active users (Jul 2019) vs Weibo {ev['weibo_dau']:g} "
                f"million (Jun 2019): ratio {ratio:.2f}")
    return judged("C3.14", ratio > 1, observed, "ch03-all-claims", {"ratio": ratio})


def _pathways() -> dict:
    df = data.load_figures("pew_social_news_age")
    rows = df[df["series"].str.startswith("online_news_instances_")]
    return {"shares": {s.removeprefix("online_news_instances_").replace("_", " "): float(v)
                       for s, v in zip(rows["series"], rows["value"])}}


@check("C3.18", gather=_pathways,
       counterfactual={"shares": {"news sites": 36.0, "social media": 35.0, "search engines": 40.0}})
def news_sites_and_social_lead(ev: Evidence) -> Verdict:
    """News websites and social media as the two leading online news pathways (presumed Pew 2017)."""
    shares = ev["shares"]
    ranked = sorted(shares, key=shares.get, reverse=True)
    observed = "; ".join(f"{k} {shares[k]:g}%" for k in ranked) + " of online news instances (several allowed)"
    return judged("C3.18", set(ranked[:2]) == {"news sites", "social media"}, observed, "ch03-all-claims",
                  {"ranked": ranked})


def _self_excitation() -> dict:
    from infoflow import hawkes_background

    tab = hawkes_background.proxy_branching()
    return {"p_values": dict(zip(tab.index, tab["p_value"].astype(float)))}


@check("C3.04", gather=_self_excitation,
       counterfactual={"p_values": {"SEISMIC tweet": 1e-9, "#auspol a": 0.01, "#auspol b": 0.3}})
def forwarding_generates_momentum(ev: Evidence) -> Verdict:
    """Self-excitation against the decaying-rate Poisson null: significant at 5% in more than half the cascades?"""
    p = ev["p_values"]
    sig = sum(v < 0.05 for v in p.values())
    observed = (f"self-excitation significant at 5% (LR test against a Poisson process with power-law decaying rate) "
                f"in {sig} of {len(p)} proxy cascades")
    return judged("C3.04", sig > len(p) / 2, observed, "ch03-branching", {"significant": sig, "cascades": len(p)})


def _multiplier() -> dict:
    from infoflow import hawkes_background

    return hawkes_background.pooled_multiplier(hawkes_background.proxy_branching())


@check("C3.05", gather=_multiplier,
       counterfactual={"multiplier": 1.4, "low": 1.2, "high": 1.7, "n": 0.3, "cascades": 13, "excluded": 1,
                       "supercritical": 0})
def one_way_is_insufficient(ev: Evidence) -> Verdict:
    """Reach multiplier 1/(1 - n) of secondary dissemination, pooled with a bootstrap interval, against 2."""
    observed = (f"mean branching ratio {ev['n']:.3f} over {ev['cascades']} subcritical cascades ({ev['excluded']} not "
                f"identified, {ev['supercritical']} fitted at n ≥ 1, reported separately): reach multiplier "
                f"{ev['multiplier']:.2f}, 95% bootstrap interval {ev['low']:.2f} to {ev['high']:.2f}")
    return three_way("C3.05", ev["low"] > 2, ev["high"] < 2, observed, "ch03-branching",
                     "the multiplier's interval straddles 2", {"low": ev["low"], "high": ev["high"]})


untestable("C3.10", "C3.15")
unverified("C3.03", "C3.09", "C3.12", "C3.17", "C3.19")
