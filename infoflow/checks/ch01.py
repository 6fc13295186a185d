"""Checks of chapter 1: the information crisis in the micro-era (source document 000).

Each computed check is a pure rule over an evidence dict, registered with the function that gathers
that evidence and a counterfactual (plausible other evidence that must change the verdict).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from infoflow import data, diffusion, fitting
from infoflow.checks.common import figure, judged, match_figure, period_values, series, three_way
from infoflow.claims import Evidence, Verdict, check, claim, untestable, unverified

#: Sina Weibo's public launch (beta), the origin of time for the fatigue models
WEIBO_LAUNCH = pd.Timestamp("2009-08-14")
#: active share of the churn model's population at launch (held fixed: six points cannot estimate it)
WEIBO_I0 = 1e-3
#: 'hundreds' read as at least 200, as elsewhere in the ledger
HUNDREDS = 200.0


def _jun_2017() -> dict:
    return {"stated": claim("C1.03")["stated"], "values": period_values("cnnic_internet_users", "Jun 2017")}


@check("C1.03", gather=_jun_2017,
       counterfactual={"values": {"internet_users": 751.16, "mobile_internet_users": 700.0}})
def mobile_users_june_2017(ev: Evidence) -> Verdict:
    """724 million 'mobile social network users' against every CNNIC series for June 2017."""
    return match_figure("C1.03", ev["stated"], ev["values"], claimed_series="mobile_social_network_users",
                        shown_in="fig-01-mobile-users")


def _moments_dec_2016() -> dict:
    return {"moments_share": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016"),
            "internet_users": figure("cnnic_internet_users", "internet_users", "Dec 2016"),
            "mobile_users": figure("cnnic_internet_users", "mobile_internet_users", "Dec 2016"),
            "mau": figure("tencent_mau", "wechat_mau", "4Q16")}


@check("C1.05", gather=_moments_dec_2016, counterfactual={"moments_share": 40.0, "mau": 300.0})
def wechat_majority_of_mobile_users(ev: Evidence) -> Verdict:
    """Bounds on the share of mobile internet users on WeChat: Moments users below, Tencent's MAU above."""
    moments = ev["moments_share"] / 100 * ev["internet_users"]
    non_mobile = ev["internet_users"] - ev["mobile_users"]
    lower = 100 * max(moments - non_mobile, 0.0) / ev["mobile_users"]
    upper = min(100 * ev["mau"] / ev["mobile_users"], 100.0)
    observed = (f"{ev['moments_share']:g}% of {ev['internet_users']:g} million internet users use Moments "
                f"({moments:.0f} million): at least {lower:.1f}% of {ev['mobile_users']:g} million mobile internet "
                f"users use WeChat; Tencent's {ev['mau']:g} million MAU (4Q16) caps it at {upper:.0f}% (CNNIC, Dec 2016)")
    return three_way("C1.05", lower > 50, upper <= 50, observed, "ch01-figures",
                     "the bounds straddle 50%", {"lower": lower, "upper": upper})


def _phone_checks() -> dict:
    df = data.load_figures("phone_checks")
    logged = {r.series: float(r.value) for r in df.itertuples() if r.series.startswith("logged_")}
    return {"minutes": float(claim("C1.11")["stated"].split()[0]), "waking_hours": 16.0, "logged": logged}


@check("C1.11", gather=_phone_checks,
       counterfactual={"logged": {"study_a": 140.0, "study_b": 160.0}})
def phone_checks_per_day(ev: Evidence) -> Verdict:
    """148 implied checks a day against the range of device-logged study means."""
    implied = ev["waking_hours"] * 60 / ev["minutes"]
    lo, hi = min(ev["logged"].values()), max(ev["logged"].values())
    observed = (f"implied {implied:.0f} checks a day (16 h × 60 / {ev['minutes']:g} min); device-logged study means "
                f"range from {lo:g} to {hi:g} a day ({len(ev['logged'])} studies)")
    return judged("C1.11", lo <= implied <= hi, observed, "ch01-figures",
                  {"implied": implied, "logged_min": lo, "logged_max": hi})


def _wallet_surveys() -> dict:
    df = data.load_figures("wallet_phone_survey")
    china = df[df["series"] == "china_rather_lose_wallet_than_phone"]
    return {"threshold": 70.0, "phone_over_wallet": dict(zip(china["period"], china["value"].astype(float)))}


@check("C1.12", gather=_wallet_surveys, counterfactual={"phone_over_wallet": {"2017": 71.0, "2018": 64.0}})
def phone_over_wallet(ev: Evidence) -> Verdict:
    """Chinese respondents choosing the phone over the wallet (KPMG): more than 70% in every survey found?"""
    shares = ev["phone_over_wallet"]
    observed = "; ".join(f"{year}: {v:g}% would rather lose the wallet than the phone" for year, v in shares.items())
    return judged("C1.12", all(v > ev["threshold"] for v in shares.values()), observed + " (no food option asked)",
                  "ch01-figures", {"shares": shares})


def _white_paper() -> dict:
    return {"followers": figure("wechat_government_accounts", "followers_per_government_account", "Dec 2014"),
            "stated": 36000.0,
            "release": int(figure("wechat_government_accounts", "white_paper_release_month", "Apr 2015")),
            "stated_release": 201512}


@check("C1.17", gather=_white_paper, counterfactual={"followers": 30000.0})
def government_account_followers(ev: Evidence) -> Verdict:
    """Average followers per government account against the white paper's own figure."""
    ok = ev["followers"] >= ev["stated"]
    observed = (f"the white paper states more than {ev['followers']:,.0f} followers per account on average "
                f"(data to end-2014, released {ev['release'] // 100}-{ev['release'] % 100:02d})")
    return Verdict("C1.17", "reproduced" if ok else "contradicted", observed=observed, shown_in="ch01-figures",
                   details={"followers": ev["followers"]})


@check("C1.19", gather=_white_paper, counterfactual={"release": 201512})
def white_paper_date(ev: Evidence) -> Verdict:
    """The white paper's release month against the paper's 'December 2015'."""
    released = f"{ev['release'] // 100}-{ev['release'] % 100:02d}"
    observed = f"released {released} (press reports of the launch), stated 2015-12"
    if ev["release"] == ev["stated_release"]:
        verdict = "reproduced"
    else:
        verdict = "corrected" if ev["followers"] >= ev["stated"] else "contradicted"
    return Verdict("C1.19", verdict, observed=observed, shown_in="ch01-figures",
                   details={"release": ev["release"]})


@lru_cache(maxsize=1)
def weibo_abandonment() -> dict:
    """Logistic, constant-churn and irSIR fits to CNNIC's Weibo users, with F-profiles of the leaving rates.

    Time is in years since Sina Weibo's launch.  The churn model starts at launch with
    ``WEIBO_I0`` of its population active, so it has three free parameters, as many as the
    logistic; irSIR (contagious leaving) keeps the share already gone at the first count fixed
    at 0.001 and has four.  Returns the fits, their comparison and the profiles.
    """
    users = series("cnnic_weibo_users", "weibo_users")
    t = ((users["date"] - WEIBO_LAUNCH).dt.days / 365.25).to_numpy()
    y = users["value"].to_numpy(dtype=float)
    logistic = diffusion.fit_logistic(t, y)
    churn = diffusion.fit_churn(t, y, t0=0.0, fixed={"i0": WEIBO_I0})
    irsir = diffusion.fit_irsir(t, y, fixed={"r0": 1e-3})
    delta_profile = fitting.profile_interval(
        churn, lambda v: diffusion.fit_churn(t, y, t0=0.0, fixed={"i0": WEIBO_I0, "delta": v}, start=churn.params),
        "delta",
        fitting.se_grid(churn, "delta", lower=0.0, size=21))
    nu_profile = fitting.profile_interval(
        irsir, lambda v: diffusion.fit_irsir(t, y, fixed={"r0": 1e-3, "nu": v}), "nu",
        fitting.se_grid(irsir, "nu", lower=0.0, size=13))
    return {"t": t, "y": y, "dates": users["date"].to_numpy(), "fits": [logistic, churn, irsir],
            "comparison": fitting.compare([logistic, churn, irsir]), "delta_profile": delta_profile,
            "nu_profile": nu_profile}


def _weibo_fatigue() -> dict:
    w = weibo_abandonment()
    cmp = w["comparison"].set_index("model")
    return {"aicc_logistic": float(cmp.loc["logistic", "aicc"]),
            "aicc_churn": float(cmp.loc["SIR with constant churn", "aicc"]),
            "aicc_irsir": float(cmp.loc["irSIR", "aicc"]), "n": int(cmp.loc["logistic", "n"])}


@check("C1.10", gather=_weibo_fatigue, counterfactual={"aicc_irsir": 80.0})
def fatigue_abandonment(ev: Evidence) -> Verdict:
    """Contagious abandonment (irSIR) against a non-contagious decline (constant churn) on microblog users: delta-AICc."""
    contagion = ev["aicc_churn"] - ev["aicc_irsir"]
    no_decline = min(ev["aicc_churn"], ev["aicc_irsir"]) - ev["aicc_logistic"]
    observed = (f"{ev['n']} CNNIC counts of microblog users (all services, 2010-2015, a proxy platform): AICc constant "
                f"churn minus AICc irSIR = {contagion:.1f} (positive favours contagious leaving); best abandonment "
                f"model minus logistic = {no_decline:.1f}")
    if not (math.isfinite(contagion) and math.isfinite(no_decline)):
        return three_way("C1.10", False, False, observed, "ch01-fatigue", "AICc is undefined on these points")
    return three_way("C1.10", contagion > 2 and no_decline < -2, no_decline > 2, observed, "ch01-fatigue",
                     "a decline without contagion fits as well or better, and the counts cannot tell fatigue from "
                     "an outside cause (WeChat's competition, the 2013 rumour crackdown)",
                     {"contagion_delta_aicc": contagion, "no_decline_delta_aicc": no_decline})


def posting_share() -> dict:
    """People posting to Moments per daily Moments viewer (%), in WeChat's 2020 figures and its 2025 restatement."""
    out = {}
    for p in ("2020", "Oct 2025"):
        posters = figure("wechat_open_class", "moments_posters_per_day", p)
        viewers = figure("wechat_open_class", "moments_viewers_per_day", p)
        out[p] = {"posters": posters, "viewers": viewers, "share": 100 * posters / viewers}
    return out


def _contacts() -> dict:
    return {"friends": figure("wechat_data_report", "friends_per_user", "Sep 2015"),
            "accounts_mean": None,
            "accounts_under_20": figure("questmobile_mau", "official_accounts_followed_under_20_share", "Feb 2019"),
            "hundreds": HUNDREDS}


@check("C1.14", gather=_contacts, counterfactual={"accounts_mean": 20.0})
def hundreds_of_contacts(ev: Evidence) -> Verdict:
    """Friends per user plus followed public accounts against 'hundreds' (200 or more)."""
    friends, accounts = ev["friends"], ev["accounts_mean"]
    known = accounts is not None
    total = friends + (accounts if known else 0.0)
    observed = (f"{friends:g} friends per user on average (WeChat, 2015); followed public accounts: "
                + (f"{accounts:g} on average" if known else
                   f"no published mean ({ev['accounts_under_20']:g}% of users follow fewer than 20, QuestMobile 2019)")
                + f"; 'hundreds' needs {ev['hundreds']:g}")
    return three_way("C1.14", total >= ev["hundreds"], known and total < ev["hundreds"], observed, "ch01-figures",
                     "the friends alone fall short of 200 and no mean count of followed public accounts is published",
                     {"friends": friends, "total_known": total})


def moments_qzone_shares(n_eff: float) -> pd.DataFrame:
    """CNNIC's Moments and Qzone shares of internet users, Dec 2016-Dec 2018, with binomial 95% intervals.

    Dec 2017 is implied by the Dec 2018 report's stated change ("down x points from Dec 2017"),
    read from the row's note.  ``n_eff`` is the assumed effective number of internet-user respondents.
    """
    df = data.load_figures("cnnic_moments_qzone")
    rows = []
    for r in df.itertuples():
        rows.append({"series": r.series, "period": r.period, "date": r.date, "share": float(r.value)})
        m = re.search(r"down (\d+(?:\.\d+)?) points from Dec 2017", r.note)
        if r.period == "Dec 2018":
            if m is None:
                raise data.DataError(f"data/figures/cnnic_moments_qzone.csv: the Dec 2018 row of {r.series} does not "
                                     "state its change since Dec 2017. Fix: restore the note 'down x points from Dec 2017'")
            rows.append({"series": r.series, "period": "Dec 2017 (implied)", "date": pd.Timestamp("2017-12-31"),
                         "share": float(r.value) + float(m.group(1))})
    out = pd.DataFrame(rows).sort_values(["series", "date"]).reset_index(drop=True)
    se = 100 * np.sqrt(out["share"] / 100 * (1 - out["share"] / 100) / n_eff)
    out["ci_low"], out["ci_high"] = out["share"] - 1.96 * se, out["share"] + 1.96 * se
    return out


untestable("C1.01", "C1.02", "C1.04", "C1.07", "C1.09", "C1.13", "C1.15", "C1.16")
unverified("C1.20")


def _hawkes_branching() -> dict:
    from infoflow import hawkes_background

    table = hawkes_background.proxy_branching()
    ok = table["identified"].astype(bool)
    return {"cascades": len(table), "identified": int(ok.sum()),
            "above": int((ok & (table["n_profile_low"] >= 1)).sum()),
            "below": int((ok & (table["n_profile_high"] < 1)).sum())}


@check("C1.08", gather=_hawkes_branching, counterfactual={"above": 12, "below": 1})
def self_sustaining_amplification(ev: Evidence) -> Verdict:
    """Branching ratio of the decaying-background Hawkes fits: profile interval at or above 1 in most cascades?"""
    half = ev["cascades"] / 2
    observed = (f"profile 95% interval of the branching ratio n at or above 1 in {ev['above']} of {ev['cascades']} "
                f"proxy cascades, below 1 in {ev['below']}, straddling 1 in "
                f"{ev['identified'] - ev['above'] - ev['below']}; {ev['cascades'] - ev['identified']} not identified")
    return three_way("C1.08", ev["above"] > half, ev["below"] > half, observed, "ch03-branching",
                     "neither side holds in most cascades", dict(ev))


# ------------------------------------------------------------------ cascades: circles, virality, warning


def _binomial_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper-Pearson 95% interval of a binomial share."""
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="beta")
    return float(lo), float(hi)


def circle_share(p: float = 0.01, runs: int = 2000) -> dict:
    """Share of simulated independent-cascade infections inside the seed's Louvain community, with its interval."""
    from infoflow import weakties

    runs = weakties.ego_facebook_circles(p, runs)
    total = (runs["inside"] + runs["outside"]).to_numpy()
    share, lo, hi = weakties.pooled_share_interval(runs["inside"].to_numpy(), total, seed=weakties.SEED)
    return {"share": share, "lo": lo, "hi": hi, "runs": len(runs), "reached": int(total.sum()),
            "runs_reaching": int((total > 0).sum())}


def _large_cascades() -> dict:
    import numpy as np

    from infoflow import cascades

    trees = [c for *_, c in cascades.twitter_unique()] + [c for _, c in cascades.deephawkes_cascades()]
    large = [c for c in trees if c.size >= 100]
    beyond = [float(np.mean(c.depths[1:] >= 2)) for c in large]
    return {"large": len(large), "multi_hop": int(sum(b > 0.5 for b in beyond))}


@check("C1.06", gather=_large_cascades, counterfactual={"multi_hop": 1500})
def viral_large_cascades(ev: Evidence) -> Verdict:
    """Share of large cascades in which most reshares come beyond the first hop, against one half."""
    lo, hi = _binomial_interval(ev["multi_hop"], ev["large"])
    share = ev["multi_hop"] / ev["large"]
    observed = (f"{ev['multi_hop']:,} of {ev['large']:,} cascades with 100 or more nodes ({100 * share:.1f}%, 95% "
                f"interval {100 * lo:.1f}% to {100 * hi:.1f}%) have most reshares beyond the first hop")
    return three_way("C1.06", lo > 0.5, hi < 0.5, observed, "ch01-rumours", "the interval straddles 50%",
                     {"share": share, "lo": lo, "hi": hi})


def mass_cascades() -> dict:
    """Per collection: cascades, median size, cascades above 100 times the median, and the largest."""
    import numpy as np

    from infoflow import cascades

    sizes = {"Twitter15/16": [c.size for *_, c in cascades.twitter_unique()],
             "DeepHawkes Weibo": [c.size for _, c in cascades.deephawkes_cascades()],
             "#auspol": [len(df) for df in data.load_auspol()]}
    out = {}
    for name, s in sizes.items():
        s = np.asarray(s, dtype=float)
        med = float(np.median(s))
        out[name] = {"cascades": int(s.size), "median": med, "mass": int(np.sum(s > 100 * med)),
                     "largest": float(s.max())}
    return {"sets": out}


def _early_warning() -> dict:
    from infoflow import rumours

    return rumours.forwarding_monitor()


@check("C1.18", gather=_early_warning, counterfactual={"auc": 0.62, "lo": 0.58, "hi": 0.66})
def early_forwarding_flags_rumours(ev: Evidence) -> Verdict:
    """AUC of a fixed monitor that flags the most forwarded cascades in their first hour, false against true."""
    observed = (f"monitor flagging the most forwarded first hours (mean rank of reshares per hour, depth, breadth): "
                f"AUC {ev['auc']:.3f} (95% interval {ev['lo']:.3f} to {ev['hi']:.3f}) on {ev['n']:,} rumours "
                f"({ev['positives']} false)")
    return judged("C1.18", ev["lo"] > 0.5, observed, "ch01-early-warning", dict(ev))
