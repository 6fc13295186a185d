"""Checks of chapter 5: TikTok, WeChat and the shaping of information flows (source document 004)."""

from __future__ import annotations

import numpy as np

from infoflow import data
from infoflow.checks.common import figure, judged, ranked_first, three_way
from infoflow.claims import Evidence, Verdict, check, untestable, unverified

#: 'hundreds' of friends read as two hundred or more
HUNDREDS = 200


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


def _states() -> dict:
    return {"states": figure("un_states", "un_member_states", "2024") + figure("un_states", "un_observer_states", "2024"),
            "hundreds": 200.0}


@check("C5.07", gather=_states, counterfactual={"states": 249.0})
def hundreds_of_countries(ev: Evidence) -> Verdict:
    """'Hundreds of countries' (at least 200) against the number of sovereign states, an upper bound."""
    observed = f"{ev['states']:g} states in the world (UN members and observer states); 'hundreds' needs {ev['hundreds']:g}"
    return three_way("C5.07", False, ev["states"] < ev["hundreds"], observed, "ch05-all-claims",
                     "an upper bound of 200 or more cannot confirm the claim", {"states": ev["states"]})


def _messages() -> dict:
    return {"messages": figure("wechat_data_report", "messages_per_day", "2018"),
            "moments_items": figure("wechat_open_class", "moments_photos_per_day", "2020")
            + figure("wechat_open_class", "moments_videos_per_day", "2020")}


@check("C5.08", gather=_messages, counterfactual={"messages": 5000.0})
def mostly_private_communication(ev: Evidence) -> Verdict:
    """Daily private messages (2018) over daily Moments items posted (2021): at least 9 to 1?"""
    ratio = ev["messages"] / ev["moments_items"]
    observed = (f"{ev['messages']:,.0f} million messages a day (2018) against {ev['moments_items']:,.0f} million "
                f"Moments photos and videos a day (2021): {ratio:.0f} to 1 ({100 * ratio / (1 + ratio):.1f}% private)")
    return judged("C5.08", ratio >= 9, observed, "ch05-all-claims", {"ratio": ratio})


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
    degrees = np.array([d for _, d in data.load_facebook_graph().degree()])
    return {"median": figure("pew_facebook_friends", "facebook_friends_median", "2013"),
            "mean": figure("pew_facebook_friends", "facebook_friends_mean", "2013"),
            "ego_share": float(np.mean(degrees >= HUNDREDS)), "hundreds": float(HUNDREDS), "threshold": 0.10}


@check("C5.03", gather=_friend_counts, counterfactual={"median": 60.0, "mean": 15.0, "ego_share": 0.01})
def hundreds_of_friends(ev: Evidence) -> Verdict:
    """Bounds on the share of Facebook users with 200 or more friends against the 10% threshold.

    Lower bound: one half if Pew's median is at least 200 (half the users are at or above the
    median), else the ego-Facebook share (a truncated count, so also a lower bound). Upper bound:
    Markov's inequality, mean / 200.
    """
    h = ev["hundreds"]
    lower = max(0.5 if ev["median"] >= h else 0.0, ev["ego_share"])
    upper = min(1.0, ev["mean"] / h)
    observed = (f"Pew 2014: median {ev['median']:g} and mean {ev['mean']:g} friends, so between {100 * lower:.0f}% "
                f"and {100 * upper:.0f}% of users have {h:g} or more; ego-Facebook (truncated): "
                f"{100 * ev['ego_share']:.1f}% of its users")
    return three_way("C5.03", lower >= ev["threshold"], upper < ev["threshold"], observed, "ch05-friends",
                     f"the bounds ({100 * lower:.0f}% to {100 * upper:.0f}%) straddle the 10% threshold",
                     {"lower": lower, "upper": upper})


untestable("C5.01", "C5.02", "C5.04", "C5.09", "C5.10", "C5.11", "C5.13", "C5.16", "C5.17", "C5.18")
unverified("C5.14")
