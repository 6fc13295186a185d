"""Checks of chapter 1: the information crisis in the micro-era (source document 000)."""

from __future__ import annotations

from infoflow.checks.common import Published, match_figure
from infoflow.claims import Verdict, check, claim, pending, untestable


@check("C1.03")
def mobile_users_june_2017() -> Verdict:
    """724 million 'mobile social network users' in June 2017 against CNNIC's 40th report."""
    candidates = {
        "internet_users": Published("cnnic_internet_users", "internet_users", "Jun 2017"),
        "mobile_internet_users": Published("cnnic_internet_users", "mobile_internet_users", "Jun 2017"),
    }
    return match_figure("C1.03", claim("C1.03")["stated"], candidates,
                        claimed_series="mobile_social_network_users", evidence="fig-01-mobile-users")


untestable("C1.01", "C1.09", "C1.11", "C1.12", "C1.16", "C1.17")
pending("C1.02", "C1.04", "C1.05", "C1.06", "C1.07", "C1.08", "C1.10", "C1.13", "C1.14", "C1.15", "C1.18")
