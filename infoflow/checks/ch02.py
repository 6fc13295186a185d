"""Checks of chapter 2: individual knowledge diffusion in WeChat mode (source document 001)."""

from __future__ import annotations

from infoflow.checks.common import (
    SUBSTANTIAL_SHARE,
    Published,
    figure,
    judged,
    mau_per_mobile_user,
    number,
    reshare_delays,
    reshare_depths,
)
from infoflow.claims import Verdict, check, claim, pending, untestable


@check("C2.03")
def registered_exceeds_active() -> Verdict:
    """927 million registered accounts (spring 2016) must exceed Tencent's active accounts then."""
    stated = number(claim("C2.03")["stated"].lstrip(">"))
    mau = {p: Published("tencent_mau", "wechat_mau", p).value for p in ("2Q15", "2Q16")}
    ok = all(stated >= v for v in mau.values())
    observed = f"Tencent MAU 2Q15 = {mau['2Q15']:g}, 2Q16 = {mau['2Q16']:g} million; stated {stated:g}"
    return Verdict("C2.03", "consistent" if ok else "contradicted", observed=observed,
                   evidence="fig-02-mau-registered", details={"mau": mau, "stated": stated})


@check("C2.02")
def most_pervasive() -> Verdict:
    """Moments against Qzone and Weibo in CNNIC's shares of internet users: does WeChat rank first?"""
    shares = {
        "WeChat Moments (Dec 2016)": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016"),
        "Qzone (Dec 2016)": figure("cnnic_moments_qzone", "qzone_use_share", "Dec 2016"),
        "Sina Weibo (Jun 2015)": figure("cnnic_weibo_users", "weibo_user_share", "Jun 2015"),
    }
    ranked = sorted(shares, key=shares.get, reverse=True)
    observed = "; ".join(f"{name} {shares[name]:g}%" for name in ranked)
    return judged("C2.02", ranked[0].startswith("WeChat"), observed, "ch02-all-claims", {"shares": shares})


@check("C2.04")
def high_penetration() -> Verdict:
    """Penetration: CNNIC's share of internet users on Moments; MAU per mobile internet user 2013-2018 as context."""
    moments = figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016")
    ratios = mau_per_mobile_user()
    context = ratios[ratios["date"].dt.year.between(2013, 2018)]
    observed = (f"Moments used by {moments:g}% of internet users (Dec 2016); context: MAU per mobile internet user "
                + ", ".join(f"{r.period_mobile} {r.ratio:.2f}" for r in context.itertuples())
                + " (accounts, not people)")
    return judged("C2.04", moments > 80, observed, "ch02-all-claims",
                  {"moments": moments, "ratios": context["ratio"].tolist()})


@check("C2.10")
def reshares_come_within_hours() -> Verdict:
    """Reshare delays after the source: 'within hours' means a median delay under a day in every data set."""
    delays = reshare_delays()
    holds = bool((delays["median_hours"] < 24).all())
    observed = "; ".join(f"{r.dataset}: median {r.median_hours:.1f} h, {100 * r.within_1h:.0f}% within 1 h, "
                         f"{100 * r.within_24h:.0f}% within 24 h" for r in delays.itertuples())
    return judged("C2.10", holds, observed, "ch02-checks", {"median_hours": delays["median_hours"].tolist()})


@check("C2.16")
def multi_hop_chains() -> Verdict:
    """Share of reshares beyond the first hop, and the deepest chain, in Twitter15/16 and DeepHawkes."""
    depths = reshare_depths()
    holds = bool((depths["deeper_share"] >= SUBSTANTIAL_SHARE).all())
    observed = "; ".join(f"{r.dataset}: {100 * r.deeper_share:.0f}% of reshares beyond the first hop, "
                         f"deepest chain {r.max_depth}" for r in depths.itertuples())
    return judged("C2.16", holds, observed, "ch01-models", {"shares": depths["deeper_share"].tolist()})


untestable("C2.01", "C2.05", "C2.09", "C2.13")
pending("C2.06", "C2.07", "C2.08", "C2.11", "C2.12", "C2.14", "C2.15")
