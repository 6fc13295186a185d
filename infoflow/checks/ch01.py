"""Checks of chapter 1: the information crisis in the micro-era (source document 000)."""

from __future__ import annotations

import pandas as pd

from infoflow.checks.common import Published, figure, judged, match_figure, mau_per_mobile_user
from infoflow.claims import Verdict, check, claim, pending, untestable


@check("C1.03")
def mobile_users_june_2017() -> Verdict:
    """724 million 'mobile social network users' in June 2017 against CNNIC's 40th report."""
    candidates = {
        "internet_users": Published("cnnic_internet_users", "internet_users", "Jun 2017"),
        "mobile_internet_users": Published("cnnic_internet_users", "mobile_internet_users", "Jun 2017"),
    }
    return match_figure("C1.03", claim("C1.03")["stated"], candidates,
                        claimed_series="mobile_social_network_users", evidence="fig-01-mobile-users")


@check("C1.05")
def wechat_majority_of_mobile_users() -> Verdict:
    """WeChat users a majority of mobile internet users: MAU per CNNIC mobile user, and Moments' share."""
    ratios = mau_per_mobile_user()
    near = ratios.iloc[(ratios["date"] - pd.Timestamp("2017-06-30")).abs().argmin()]
    moments = figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016")
    holds = near["ratio"] > 0.5 and moments > 50
    observed = (f"MAU / mobile internet users = {near['value_mau']:g} / {near['value_mobile']:g} = "
                f"{near['ratio']:.2f} ({near['period_mobile']}); Moments used by {moments:g}% of internet users")
    return judged("C1.05", holds, observed, "ch01-checks", {"ratio": float(near["ratio"]), "moments": moments})


@check("C1.13")
def lurking_majority() -> Verdict:
    """Daily Moments posters as a share of daily viewers (Open Class 2021): a lurking majority?"""
    posters = figure("wechat_open_class", "moments_posters_per_day", "2021")
    viewers = figure("wechat_open_class", "moments_viewers_per_day", "2021")
    share = posters / viewers
    observed = (f"{posters:g} of {viewers:g} million daily Moments viewers post ({100 * share:.0f}%); "
                "one year only, so the 'increasingly' cannot be tested")
    return judged("C1.13", share < 0.5, observed, "ch01-checks", {"poster_share": share})


untestable("C1.01", "C1.09", "C1.11", "C1.12", "C1.16", "C1.17")
pending("C1.02", "C1.04", "C1.06", "C1.07", "C1.08", "C1.10", "C1.14", "C1.15", "C1.18")
