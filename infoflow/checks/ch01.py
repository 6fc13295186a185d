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
pending("C1.08", "C1.10", "C1.13", "C1.14")


# ------------------------------------------------------------------ cascades: circles, virality, warning


def _binomial_interval(k: int, n: int) -> tuple[float, float]:
    """Clopper-Pearson 95% interval of a binomial share."""
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="beta")
    return float(lo), float(hi)


def _circles() -> dict:
    from infoflow import weakties

    runs = weakties.ego_facebook_circles()
    total = (runs["inside"] + runs["outside"]).to_numpy()
    share, lo, hi = weakties.pooled_share_interval(runs["inside"].to_numpy(), total, seed=weakties.SEED)
    return {"share": share, "lo": lo, "hi": hi, "runs": len(runs), "reached": int(total.sum()),
            "runs_reaching": int((total > 0).sum())}


@check("C1.04", gather=_circles, counterfactual={"share": 0.38, "lo": 0.31, "hi": 0.45})
def small_circle_spread(ev: Evidence) -> Verdict:
    """Share of simulated cascade infections inside the seed's community, against one half."""
    observed = (f"{100 * ev['share']:.1f}% of the {ev['reached']:,} users reached in {ev['runs']:,} simulated "
                f"cascades ({ev['runs_reaching']:,} reached anyone) lie in the seed's community "
                f"(95% interval {100 * ev['lo']:.1f}% to {100 * ev['hi']:.1f}%)")
    return three_way("C1.04", ev["lo"] > 0.5, ev["hi"] < 0.5, observed, "ch01-weak-ties",
                     "the interval straddles 50%", {"share": ev["share"], "lo": ev["lo"], "hi": ev["hi"]})


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


def _mass_cascades() -> dict:
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


@check("C1.07", gather=_mass_cascades,
       counterfactual={"sets": {"any": {"cascades": 100, "median": 10.0, "mass": 0, "largest": 500.0}}})
def mass_dissemination_possible(ev: Evidence) -> Verdict:
    """Share of cascades larger than 100 times their data set's median size: present, yet not the rule?"""
    n = sum(v["cascades"] for v in ev["sets"].values())
    k = sum(v["mass"] for v in ev["sets"].values())
    lo, hi = _binomial_interval(k, n)
    parts = "; ".join(f"{name}: {v['mass']} of {v['cascades']:,} (median {v['median']:g}, largest {v['largest']:,.0f})"
                      for name, v in ev["sets"].items())
    observed = (f"{k} of {n:,} cascades exceed 100 times their set's median size ({100 * k / n:.2f}%, 95% interval "
                f"{100 * lo:.3f}% to {100 * hi:.2f}%): {parts}")
    return three_way("C1.07", lo > 0 and hi < 0.5, k == 0 or lo > 0.5, observed, "ch01-rumours",
                     "the interval reaches 50%", {"share": k / n, "lo": lo, "hi": hi, "mass": k, "cascades": n})


def _early_warning() -> dict:
    import numpy as np

    from infoflow import rumours

    rule = rumours.early_warning()
    perm = rumours.early_warning_permutations()
    return {"auc": rule["auc"], "lo": rule["lo"], "hi": rule["hi"], "perm_q95": float(np.quantile(perm, 0.95)),
            "volume_auc": rule["volume_auc"], "volume_lo": rule["volume_lo"], "volume_hi": rule["volume_hi"],
            "n": rule["n"], "false": rule["positives"]}


@check("C1.18", gather=_early_warning, counterfactual={"volume_auc": 0.62, "volume_lo": 0.58, "volume_hi": 0.66})
def early_forwarding_flags_rumours(ev: Evidence) -> Verdict:
    """Cross-validated AUC of a first-hour rule for false against true rumours, and its direction."""
    observed = (f"first-hour rule: cross-validated AUC {ev['auc']:.3f} (95% interval {ev['lo']:.3f} to {ev['hi']:.3f}; "
                f"shuffled labels: 95th percentile {ev['perm_q95']:.3f}) on {ev['n']:,} rumours ({ev['false']} false); "
                f"first-hour reshares alone, more flagged as false: AUC {ev['volume_auc']:.3f} "
                f"({ev['volume_lo']:.3f} to {ev['volume_hi']:.3f})")
    signal = ev["lo"] > 0.5 and ev["auc"] > ev["perm_q95"]
    consistent = signal and ev["volume_lo"] > 0.5
    contradicted = ev["lo"] <= 0.5 or ev["volume_hi"] < 0.5
    return three_way("C1.18", consistent, contradicted, observed, "ch01-early-warning",
                     "the rule carries signal but first-hour volume alone points neither way", dict(ev))
