"""Checks of chapter 5: TikTok, WeChat and the shaping of information flows (source document 004)."""

from __future__ import annotations

from itertools import pairwise

from infoflow.checks.common import figure, judged, series
from infoflow.claims import Verdict, check, pending, untestable


@check("C5.12")
def tiktok_news_rising() -> Verdict:
    """Pew: the share of US adults regularly getting news on TikTok rises in every survey."""
    rows = {}
    for name in ("tiktok_news_all_adults", "tiktok_news_18_29"):
        s = series("pew_tiktok_news", name)
        rows[name] = list(zip(s["period"], s["value"]))
    rising = all(all(b[1] > a[1] for a, b in pairwise(v)) for v in rows.values())
    observed = "; ".join(f"{name}: " + " → ".join(f"{v:g}% ({p})" for p, v in vals) for name, vals in rows.items())
    return Verdict("C5.12", "consistent" if rising else "contradicted", observed=observed,
                   evidence="fig-05-pew-tiktok-news", details=rows)


@check("C5.05")
def peer_flows_exceed_organisational() -> Verdict:
    """Open Class 2021: daily Moments viewers (between individuals) against Official Account readers."""
    moments = figure("wechat_open_class", "moments_viewers_per_day", "2021")
    accounts = figure("wechat_open_class", "official_account_readers_per_day", "2021")
    openers = figure("wechat_open_class", "wechat_openers_per_day", "2021")
    observed = (f"{moments:g} million view Moments vs {accounts:g} million read Official Accounts daily "
                f"(of {openers:g} million who open WeChat)")
    return judged("C5.05", moments > accounts, observed, "ch05-all-claims", {"ratio": moments / accounts})


untestable("C5.01", "C5.02", "C5.04", "C5.06", "C5.07", "C5.08", "C5.11", "C5.13")
pending("C5.03", "C5.09", "C5.10")
