"""Checks of chapter 1: the information crisis in the micro-era (source document 000).

Each computed check is a pure rule over an evidence dict, registered with the function that gathers
that evidence and a counterfactual (plausible other evidence that must change the verdict).
"""

from __future__ import annotations

from infoflow import data
from infoflow.checks.common import figure, judged, match_figure, period_values, three_way
from infoflow.claims import Evidence, Verdict, check, claim, pending, untestable, unverified


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
    return three_way("C1.05", lower > 50, upper <= 50, observed, "ch01-all-claims",
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
    return judged("C1.11", lo <= implied <= hi, observed, "ch01-all-claims",
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
                  "ch01-all-claims", {"shares": shares})


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
    return Verdict("C1.17", "reproduced" if ok else "contradicted", observed=observed, shown_in="ch01-all-claims",
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
    return Verdict("C1.19", verdict, observed=observed, shown_in="ch01-all-claims",
                   details={"release": ev["release"]})


untestable("C1.01", "C1.02", "C1.09", "C1.15", "C1.16")
unverified("C1.20")
pending("C1.04", "C1.06", "C1.07", "C1.08", "C1.10", "C1.13", "C1.14", "C1.18")
