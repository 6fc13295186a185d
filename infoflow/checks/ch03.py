"""Checks of chapter 3: mobile socialization in media convergence (source document 002)."""

from __future__ import annotations

from infoflow import data
from infoflow.checks.common import (
    SUBSTANTIAL_SHARE,
    judged,
    mau_per_mobile_user,
    reshare_depths,
    seismic_hawkes,
    series,
)
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


@check("C3.01")
def mobile_dominates() -> Verdict:
    """CNNIC: mobile share of internet users above 90% and WeChat's MAU still rising by 2020."""
    cnnic = data.load_figures("cnnic_internet_users").pivot(index="date", columns="series", values="value").dropna()
    share = cnnic["mobile_internet_users"] / cnnic["internet_users"]
    first, last = share.index[0], share.index[-1]
    mau = series("tencent_mau", "wechat_mau").set_index("date")["value"]
    rising = bool(mau[mau.index.year <= 2020].is_monotonic_increasing)
    holds = share.iloc[-1] > 0.9 and rising
    observed = (f"mobile share {100 * share.iloc[0]:.0f}% ({first:%b %Y}) to {100 * share.iloc[-1]:.1f}% "
                f"({last:%b %Y}); MAU rising every reported quarter to 2020: {rising}")
    return judged("C3.01", holds, observed, "fig-01-mobile-users",
                  {"first_share": float(share.iloc[0]), "last_share": float(share.iloc[-1]), "mau_rising": rising,
                   "mau_per_mobile_user": mau_per_mobile_user()["ratio"].round(3).tolist()})


@check("C3.05")
def multi_hop_beyond_broadcast() -> Verdict:
    """Twitter15/16 (each source tweet once): reshares beyond the source's direct retweets, by veracity label."""
    from infoflow import cascades

    tw = cascades.metrics_table(cascades.twitter_unique())
    overall = tw["deeper"].sum() / (tw["deeper"].sum() + tw["depth1"].sum())
    by_label = tw.groupby("label")[["depth1", "deeper"]].sum()
    shares = (by_label["deeper"] / by_label.sum(axis=1)).to_dict()
    observed = (f"{100 * overall:.0f}% of {int(tw['deeper'].sum() + tw['depth1'].sum()):,} reshares in "
                f"{len(tw):,} trees come beyond the first hop; by label: "
                + ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares.items()))
    return judged("C3.05", overall >= SUBSTANTIAL_SHARE, observed, "ch01-models",
                  {"overall": float(overall), "by_label": shares})


@check("C3.10")
def secondary_dissemination_on_weibo() -> Verdict:
    """DeepHawkes Weibo cascades: share of reposts at depth two or more (secondary dissemination)."""
    dh = reshare_depths().set_index("dataset").loc["deephawkes"]
    total = int(dh["depth1"] + dh["deeper"])
    observed = (f"{int(dh['deeper']):,} of {total:,} reposts ({100 * dh['deeper_share']:.0f}%) in "
                f"{int(dh['cascades'])} cascades are secondary (depth 2 or more); deepest chain {int(dh['max_depth'])}")
    return judged("C3.10", dh["deeper_share"] >= SUBSTANTIAL_SHARE, observed, "ch01-models",
                  {"share": float(dh["deeper_share"])})


@check("C3.04")
def reshares_beget_reshares() -> Verdict:
    """SEISMIC tweet: Hawkes branching ratio well above 0, and most reshares after the first hour."""
    fit = seismic_hawkes()
    times = data.load_seismic_tweet()["relative_time_second"].to_numpy()
    first_hour = int((times <= 3600).sum())
    lo, hi = fit.ci["n_star"]
    holds = lo > 0.5 and first_hour < 0.5 * times.size
    observed = (f"Hawkes branching ratio {fit['n_star']:.3f} (95% CI {lo:.3f} to {hi:.3f}); {first_hour:,} of "
                f"{times.size:,} events ({100 * first_hour / times.size:.0f}%) in the first hour")
    return judged("C3.04", holds, observed, "ch03-models", {"n_star": fit["n_star"], "first_hour": first_hour})


untestable("C3.03", "C3.06", "C3.07", "C3.09", "C3.11", "C3.12", "C3.15")
pending("C3.08", "C3.13")
