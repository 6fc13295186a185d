"""Checks of chapter 2: individual knowledge diffusion in WeChat mode (source document 001)."""

from __future__ import annotations

import pandas as pd

from infoflow.checks.common import (
    Published,
    figure,
    judged,
    number,
    ranked_first,
    reshare_delays,
    reshare_depths,
    three_way,
)
from infoflow.claims import Evidence, Verdict, check, claim, pending, untestable


def _shares_dec_2016() -> dict:
    return {"shares": {"WeChat Moments": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016"),
                       "Qzone": figure("cnnic_moments_qzone", "qzone_use_share", "Dec 2016")}}


@check("C2.02", gather=_shares_dec_2016, counterfactual={"shares": {"WeChat Moments": 85.8, "Qzone": 90.0}})
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


def _delays() -> dict:
    d = reshare_delays()
    return {"median_hours": dict(zip(d["dataset"], d["median_hours"])),
            "within_1h": dict(zip(d["dataset"], d["within_1h"]))}


@check("C2.10", gather=_delays,
       counterfactual={"median_hours": {"twitter15": 0.5, "twitter16": 0.5, "deephawkes": 0.4, "seismic tweet": 0.2}})
def reshares_come_within_the_hour(ev: Evidence) -> Verdict:
    """Median reshare delay after the source, per proxy data set: at most one hour in every set."""
    med = ev["median_hours"]
    observed = "; ".join(f"{name}: median {h:.2f} h" + (f", {100 * ev['within_1h'][name]:.0f}% within 1 h"
                                                          if name in ev.get("within_1h", {}) else "")
                         for name, h in med.items())
    return judged("C2.10", all(h <= 1.0 for h in med.values()), observed, "ch02-checks", {"median_hours": med})


def _depths() -> dict:
    d = reshare_depths()
    return {"deeper_share": dict(zip(d["dataset"], d["deeper_share"].astype(float))),
            "max_depth": dict(zip(d["dataset"], d["max_depth"].astype(int)))}


@check("C2.16", gather=_depths,
       counterfactual={"deeper_share": {"twitter15": 0.6, "twitter16": 0.55, "deephawkes": 0.7}})
def multi_hop_chains(ev: Evidence) -> Verdict:
    """Share of reshares beyond the first hop in each proxy tree set: more than half in every set."""
    shares = ev["deeper_share"]
    observed = "; ".join(f"{name}: {100 * s:.0f}% of reshares beyond the first hop"
                         + (f", deepest chain {ev['max_depth'][name]}" if name in ev.get("max_depth", {}) else "")
                         for name, s in shares.items())
    return judged("C2.16", all(s > 0.5 for s in shares.values()), observed, "ch01-models", {"shares": shares})


def _questmobile() -> dict:
    return {"mau": {"WeChat": figure("questmobile_mau", "wechat_mau", "Mar 2016"),
                    "QQ": figure("questmobile_mau", "qq_mau", "Mar 2016")}}


@check("C2.17", gather=_questmobile, counterfactual={"mau": {"WeChat": 706.7, "QQ": 800.0}})
def most_important_communication_tool(ev: Evidence) -> Verdict:
    """WeChat's rank by QuestMobile monthly active users among communication apps (March 2016)."""
    return ranked_first("C2.17", ev["mau"], "WeChat", "{name} {value:g} million", " (QuestMobile, March 2016)",
                        "ch02-all-claims")


untestable("C2.01", "C2.05", "C2.09", "C2.13")
pending("C2.06", "C2.07", "C2.08", "C2.11", "C2.12", "C2.14", "C2.15")
