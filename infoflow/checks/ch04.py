"""Checks of chapter 4: the privacy paradox in WeChat Moments (source document 003)."""

from __future__ import annotations

from infoflow import seedtables
from infoflow.checks.common import Published, figure, judged, match_figure
from infoflow.claims import Verdict, check, claim, pending, untestable


@check("C4.04")
def mau_2023() -> Verdict:
    """1.343 billion combined monthly active accounts (2023) against Tencent's 4Q23 results."""
    candidates = {"wechat_mau": Published("tencent_mau", "wechat_mau", "4Q23")}
    return match_figure("C4.04", claim("C4.04")["stated"], candidates, claimed_series="wechat_mau",
                        evidence="fig-04-mau-2023")


@check("C4.17")
def three_day_visibility_widely_used() -> Verdict:
    """Open Class 2021: users with 'visible for 3 days' against daily Moments viewers and MAU (4Q20)."""
    three_day = figure("wechat_open_class", "moments_visible_3_days_users", "2021")
    viewers = figure("wechat_open_class", "moments_viewers_per_day", "2021")
    mau = figure("tencent_mau", "wechat_mau", "4Q20")
    observed = (f"more than {three_day:g} million = more than {100 * three_day / viewers:.0f}% of daily Moments "
                f"viewers and {100 * three_day / mau:.0f}% of MAU; its effect on sharing is not testable here")
    return judged("C4.17", three_day / viewers > 0.2, observed, "ch04-all-claims",
                  {"share_of_viewers": three_day / viewers, "share_of_mau": three_day / mau})


@check("C4.02")
def interviewee_count_agrees() -> Verdict:
    """The number of interviewees is the same wherever the paper states it."""
    rows = seedtables.stated("privacy_counts", "interviewees")
    observed = "; ".join(f"{r.section}: {r.value}" for r in rows.itertuples())
    return judged("C4.02", rows["value"].nunique() == 1, observed, "ch04-checks", {"values": rows["value"].tolist()})


@check("C4.11")
def coding_plus_saturation_is_total() -> Verdict:
    """Transcripts used for coding plus those held back for saturation equal the interviewees."""
    def one(quantity: str) -> int:
        return int(seedtables.stated("privacy_counts", quantity)["value"].iloc[0])

    coding, saturation, total = one("coding documents"), one("saturation documents"), one("interviewees")
    tested = one("saturation records")
    holds = coding + saturation == total and tested == saturation
    observed = (f"{coding} coding + {saturation} saturation documents = {coding + saturation} against {total} "
                f"interviewees; saturation tested on {tested} records (Section 4.4)")
    return judged("C4.11", holds, observed, "ch04-checks", {"coding": coding, "saturation": saturation})


@check("C4.13")
def table2_counts() -> Verdict:
    """Table 2 holds as many main categories and subcategories as Sections 4.1 and 4.2 state."""
    coding = seedtables.load_seed_table("privacy_coding")
    subs = coding[coding["level"] == "sub"]
    per_main = subs.groupby("main_category", sort=False).size()
    stated_main = int(seedtables.stated("privacy_counts", "main categories")["value"].iloc[0])
    stated_categories = int(seedtables.stated("privacy_counts", "categories")["value"].iloc[0])
    holds = len(per_main) == stated_main and len(subs) == stated_categories
    observed = (f"Table 2: {len(per_main)} main categories (" + ", ".join(f"{k} {v}" for k, v in per_main.items())
                + f") with {len(subs)} subcategories; stated: {stated_main} main categories, {stated_categories} "
                "categories")
    return judged("C4.13", holds, observed, "ch04-checks", {"per_main": per_main.to_dict()})


@check("C4.15")
def central_category_not_its_own_factor() -> Verdict:
    """The central category (the privacy paradox) should not also be one of its own influencing factors."""
    coding = seedtables.load_seed_table("privacy_coding")
    central = coding.loc[coding["level"] == "central", "name"].str.lower().tolist()
    subs = coding[coding["level"] == "sub"]
    circular = subs[subs["name"].str.lower().isin(central)]
    observed = ("central category: " + ", ".join(central) + "; also listed as a subcategory under "
                + (", ".join(circular["main_category"]) if len(circular) else "none"))
    return judged("C4.15", circular.empty, observed, "ch04-checks", {"circular": circular["name"].tolist()})


untestable("C4.01", "C4.03", "C4.06", "C4.10", "C4.16", "C4.18")
pending("C4.05", "C4.07", "C4.08", "C4.09", "C4.12", "C4.14")
