"""Checks of chapter 2: individual knowledge diffusion in WeChat mode (source document 001)."""

from __future__ import annotations

from infoflow.checks.common import Published, number
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


untestable("C2.01", "C2.05", "C2.09", "C2.13")
pending("C2.02", "C2.04", "C2.06", "C2.07", "C2.08", "C2.10", "C2.11", "C2.12", "C2.14", "C2.15", "C2.16")
