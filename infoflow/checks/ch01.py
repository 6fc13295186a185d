"""Checks of chapter 1: the information crisis in the micro-era (source document 000)."""

from __future__ import annotations

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
    """WeChat users a majority: CNNIC's share of internet users on Moments; MAU per mobile user as context."""
    moments = figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016")
    ratios = mau_per_mobile_user()
    context = ratios[ratios["period_mobile"].isin(["Dec 2016", "Dec 2018"])]
    observed = (f"Moments used by {moments:g}% of internet users (Dec 2016); context: Tencent MAU per CNNIC mobile "
                "internet user " + ", ".join(f"{r.period_mobile} {r.ratio:.2f}" for r in context.itertuples())
                + " (above 1: MAU counts accounts, including overseas WeChat, not people)")
    return judged("C1.05", moments > 50, observed, "ch01-all-claims",
                  {"moments": moments, "ratios": context["ratio"].tolist()})


untestable("C1.01", "C1.09", "C1.11", "C1.12", "C1.13", "C1.16", "C1.17")
pending("C1.02", "C1.04", "C1.06", "C1.07", "C1.08", "C1.10", "C1.14", "C1.15", "C1.18")
