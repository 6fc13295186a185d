"""Checks of chapter 5: TikTok, WeChat and the shaping of information flows (source document 004)."""

from __future__ import annotations

from infoflow import data
from infoflow.checks.common import figure, judged, ranked_first, three_way
from infoflow.claims import Evidence, Verdict, check, untestable, unverified

#: 'hundreds' of friends read as two hundred or more
HUNDREDS = 200
#: Dunbar's number: the casual-friend layer people sustain offline
DUNBAR = 150


def _open_class() -> dict:
    return {"moments": figure("wechat_open_class", "moments_viewers_per_day", "2020"),
            "accounts": figure("wechat_open_class", "official_account_readers_per_day", "2020")}


@check("C5.05", gather=_open_class, counterfactual={"accounts": 900.0})
def peer_flows_exceed_organisational(ev: Evidence) -> Verdict:
    """Daily Moments viewers (between individuals) over daily Official Account readers (WeChat Open Class 2021)."""
    ratio = ev["moments"] / ev["accounts"]
    observed = (f"{ev['moments']:g} million view Moments vs {ev['accounts']:g} million read Official Accounts each day: "
                f"ratio {ratio:.2f}")
    return judged("C5.05", ratio > 1, observed, "ch05-all-claims", {"ratio": ratio})


def _revenue() -> dict:
    return {s: figure("tencent_revenue", s, "2023")
            for s in ("total_revenue", "value_added_services", "online_advertising", "fintech_business_services")}


@check("C5.06", gather=_revenue, counterfactual={"value_added_services": 100.0})
def tencent_named_streams(ev: Evidence) -> Verdict:
    """Share of Tencent's 2023 revenue from the streams the essay names (advertising and value-added services)."""
    share = (ev["online_advertising"] + ev["value_added_services"]) / ev["total_revenue"]
    observed = (f"advertising {ev['online_advertising']:g} + value-added services {ev['value_added_services']:g} of "
                f"{ev['total_revenue']:g} billion RMB = {100 * share:.1f}%; FinTech and business services, not named, "
                f"{100 * ev['fintech_business_services'] / ev['total_revenue']:.1f}%")
    return judged("C5.06", share > 0.5, observed, "ch05-all-claims", {"share": share})


@check("C5.15", gather=_revenue, counterfactual={"online_advertising": 400.0})
def revenue_beyond_advertising(ev: Evidence) -> Verdict:
    """Share of Tencent's 2023 revenue not from online advertising."""
    share = 1 - ev["online_advertising"] / ev["total_revenue"]
    observed = (f"{ev['total_revenue'] - ev['online_advertising']:.1f} of {ev['total_revenue']:g} billion RMB "
                f"({100 * share:.1f}%) not from online advertising")
    return judged("C5.15", share > 0.5, observed, "ch05-all-claims", {"share": share})


def _time_spent() -> dict:
    df = data.load_figures("app_time_spent")
    return {"minutes": {s.removesuffix("_minutes_per_day"): float(v) for s, v in zip(df["series"], df["value"])}}


@check("C5.12", gather=_time_spent,
       counterfactual={"minutes": {"tiktok": 95.0, "youtube": 110.0, "instagram": 51.0}})
def tiktok_holds_attention(ev: Evidence) -> Verdict:
    """TikTok's rank in minutes per user per day among major social and video apps (Sensor Tower, Q2 2022)."""
    return ranked_first("C5.12", ev["minutes"], "tiktok", "{name} {value:g}", " minutes per user per day (Q2 2022)",
                        "ch05-all-claims")


def _friend_counts() -> dict:
    return {"median": figure("pew_facebook_friends", "facebook_friends_median", "2013"),
            "hundreds": float(HUNDREDS), "dunbar": float(DUNBAR)}


@check("C5.03", gather=_friend_counts, counterfactual={"median": 100.0})
def hundreds_of_friends(ev: Evidence) -> Verdict:
    """The median US adult Facebook user's friend count (Pew 2013, secondary quote) against 200 and Dunbar's 150."""
    observed = (f"Pew 2013 (quoted by a secondary source): median {ev['median']:g} Facebook friends among US adult "
                f"users; 'hundreds' read as above {ev['hundreds']:g}, Dunbar's offline number {ev['dunbar']:g}")
    # a survey median's interval around an estimate at the threshold includes values below it, so at
    # the edge of "hundreds" the evidence cannot place the median above it
    return three_way("C5.03", ev["median"] > ev["hundreds"], ev["median"] < ev["dunbar"], observed, "ch05-friends",
                     f"the median lies between Dunbar's {ev['dunbar']:g} and {ev['hundreds']:g}, or at "
                     f"{ev['hundreds']:g} itself, where its survey interval (not computable from the quote) "
                     "straddles the threshold", {"median": ev["median"]})


untestable("C5.01", "C5.02", "C5.04", "C5.07", "C5.08", "C5.09", "C5.10", "C5.11", "C5.13", "C5.16", "C5.17", "C5.18")
unverified("C5.14")
