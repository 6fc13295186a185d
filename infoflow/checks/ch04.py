"""Checks of chapter 4: the privacy paradox in WeChat Moments (source document 003)."""

from __future__ import annotations

from infoflow.checks.common import Published, match_figure
from infoflow.claims import Verdict, check, claim, pending, untestable


@check("C4.04")
def mau_2023() -> Verdict:
    """1.343 billion combined monthly active accounts (2023) against Tencent's 4Q23 results."""
    candidates = {"wechat_mau": Published("tencent_mau", "wechat_mau", "4Q23")}
    return match_figure("C4.04", claim("C4.04")["stated"], candidates, claimed_series="wechat_mau",
                        evidence="fig-04-mau-2023")


untestable("C4.03", "C4.06", "C4.10", "C4.16", "C4.18")
pending("C4.01", "C4.02", "C4.05", "C4.07", "C4.08", "C4.09", "C4.11", "C4.12", "C4.13", "C4.14",
        "C4.15", "C4.17")
