"""Checks of chapter 3: mobile socialization in media convergence (source document 002)."""

from __future__ import annotations

from infoflow.checks.common import series
from infoflow.claims import Verdict, check, pending, untestable


@check("C3.02")
def younger_rely_more_on_social_news() -> Verdict:
    """Pew: adults 18-29 get news on TikTok more often than all adults, in every survey year."""
    young = series("pew_tiktok_news", "tiktok_news_18_29").set_index("period")["value"]
    adults = series("pew_tiktok_news", "tiktok_news_all_adults").set_index("period")["value"]
    years = sorted(set(young.index) & set(adults.index))
    gaps = {y: float(young[y] - adults[y]) for y in years}
    ok = len(years) >= 2 and all(g > 0 for g in gaps.values())
    observed = "; ".join(f"{y}: {young[y]:g}% vs {adults[y]:g}%" for y in years)
    return Verdict("C3.02", "consistent" if ok else "contradicted", observed=observed,
                   evidence="fig-05-pew-tiktok-news", details={"gap_points": gaps})


@check("C3.14")
def weibo_peaks_then_declines() -> Verdict:
    """CNNIC: Sina Weibo's share of internet users falls after its peak."""
    share = series("cnnic_weibo_users", "weibo_user_share")
    peak = share.loc[share["value"].idxmax()]
    last = share.iloc[-1]
    ok = peak["date"] < last["date"] and last["value"] < peak["value"]
    observed = f"peak {peak['value']:g}% ({peak['period']}), last {last['value']:g}% ({last['period']})"
    return Verdict("C3.14", "consistent" if ok else "contradicted", observed=observed,
                   evidence="fig-03-weibo-rise-fall",
                   details={"peak": float(peak["value"]), "last": float(last["value"])})


untestable("C3.03", "C3.06", "C3.07", "C3.09", "C3.11", "C3.12", "C3.15")
pending("C3.01", "C3.04", "C3.05", "C3.08", "C3.10", "C3.13")
