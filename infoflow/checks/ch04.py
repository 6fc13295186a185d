"""Checks of chapter 4: the privacy paradox in WeChat Moments (source document 003)."""

from __future__ import annotations

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


untestable("C4.01", "C4.03", "C4.06", "C4.10", "C4.16", "C4.18")
pending("C4.02", "C4.05", "C4.07", "C4.08", "C4.09", "C4.11", "C4.12", "C4.13", "C4.14",
        "C4.15")
