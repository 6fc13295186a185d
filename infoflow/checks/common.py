"""Reusable comparisons between what a paper states and what a primary source says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from infoflow import data
from infoflow.claims import Verdict


@dataclass(frozen=True)
class Published:
    """One typed public figure: table, series and period, looked up in ``data/figures``."""

    table: str
    series: str
    period: str

    def row(self) -> pd.Series:
        """Return the figure's row (a KeyError naming the table, series, period and fix if absent)."""
        df = data.load_figures(self.table)
        hit = df[(df["series"] == self.series) & (df["period"] == self.period)]
        if len(hit) != 1:
            raise KeyError(
                f"data/figures/{self.table}.csv has {len(hit)} rows for series {self.series!r} and period "
                f"{self.period!r}; expected exactly one. Fix: correct the lookup or the CSV"
            )
        return hit.iloc[0]

    @property
    def value(self) -> float:
        """The figure's value."""
        return float(self.row()["value"])


def stated_precision(stated: str) -> float:
    """Half a unit of the last digit the paper gives: the rounding a stated number allows."""
    digits = stated.replace(",", "").strip()
    if not re.fullmatch(r"\d+(\.\d+)?", digits):
        raise ValueError(f"stated value {stated!r} is not a plain number")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return 0.5 * 10 ** (-decimals)


def number(stated: str) -> float:
    """Parse a stated number such as '1,343' or '724'."""
    return float(stated.replace(",", "").strip())


def match_figure(claim_id: str, stated: str, values: dict[str, float], claimed_series: str,
                 shown_in: str) -> Verdict:
    """Judge a stated number against every series of a primary source (a pure function of ``values``).

    A series matches when it is within half a unit of the last digit the paper gives.
    ``reproduced`` when the series the paper names matches; ``corrected`` when only a differently
    labelled series matches (right number, wrong label); otherwise ``contradicted``.
    """
    target, tol = number(stated), stated_precision(stated)
    matches = [name for name, v in values.items() if abs(v - target) <= tol]
    listing = "; ".join(f"{name.replace('_', ' ')} = {v:g}" for name, v in values.items())
    details = {"values": dict(values), "tolerance": tol}
    if claimed_series in matches:
        return Verdict(claim_id, "reproduced", observed=f"{claimed_series.replace('_', ' ')} = "
                       f"{values[claimed_series]:g}", shown_in=shown_in, details=details)
    if matches:
        return Verdict(claim_id, "corrected",
                       observed=f"{stated} matches {matches[0].replace('_', ' ')} = {values[matches[0]]:g}, "
                                f"not {claimed_series.replace('_', ' ')} ({listing})",
                       shown_in=shown_in, details=details)
    return Verdict(claim_id, "contradicted", observed=f"no series within ±{tol:g} of {stated} ({listing})",
                   shown_in=shown_in, details=details)


def period_values(table: str, period: str) -> dict[str, float]:
    """Every series of a typed table at one period, as ``{series: value}``."""
    df = data.load_figures(table)
    hit = df[df["period"] == period]
    if hit.empty:
        raise KeyError(f"data/figures/{table}.csv has no rows for period {period!r}. Fix: correct the period")
    return dict(zip(hit["series"], hit["value"].astype(float)))


def series(table: str, name: str) -> pd.DataFrame:
    """Return one series of a typed table, sorted by date."""
    df = data.load_figures(table)
    out = df[df["series"] == name].sort_values("date").reset_index(drop=True)
    if out.empty:
        raise KeyError(f"data/figures/{table}.csv has no series {name!r}. Fix: correct the series name or add "
                       "its rows, each with its source")
    return out


def figure(table: str, series_name: str, period: str) -> float:
    """Return one typed public figure's value."""
    return Published(table, series_name, period).value


def judged(claim_id: str, holds: bool, observed: str, shown_in: str, details: dict | None = None) -> Verdict:
    """A 'consistent' or 'contradicted' verdict from a computed condition."""
    return Verdict(claim_id, "consistent" if holds else "contradicted", observed=observed, shown_in=shown_in,
                   details=details or {})


def ranked_first(claim_id: str, values: dict[str, float], leader: str, fmt: str, suffix: str, shown_in: str
                 ) -> Verdict:
    """'consistent' if ``leader`` has the largest value, else 'contradicted' (values listed largest first)."""
    ranked = sorted(values, key=values.get, reverse=True)
    observed = "; ".join(fmt.format(name=name, value=values[name]) for name in ranked) + suffix
    return judged(claim_id, ranked[0] == leader, observed, shown_in, {"ranked": ranked})


def three_way(claim_id: str, consistent: bool, contradicted: bool, observed: str, shown_in: str,
              undecided: str, details: dict | None = None) -> Verdict:
    """'consistent', 'contradicted', or 'not testable' (with ``undecided`` as reason) when neither holds."""
    if consistent and contradicted:
        raise ValueError(f"{claim_id}: a rule cannot be both consistent and contradicted")
    if consistent or contradicted:
        return judged(claim_id, consistent, observed, shown_in, details)
    return Verdict(claim_id, "not testable", observed=observed, shown_in=shown_in, reason=undecided,
                   details=details or {})


def mau_per_mobile_user() -> pd.DataFrame:
    """Tencent MAU over CNNIC mobile internet users at the dates both report (accounts per user)."""
    mau = series("tencent_mau", "wechat_mau")[["period", "date", "value"]]
    mobile = series("cnnic_internet_users", "mobile_internet_users")[["period", "date", "value"]]
    out = mau.merge(mobile, on="date", suffixes=("_mau", "_mobile"))
    out["ratio"] = out["value_mau"] / out["value_mobile"]
    return out.reset_index(drop=True)


def reshare_depths(by_label: bool = False) -> pd.DataFrame:
    """Reshares at depth 1 and at depth >= 2 in Twitter15, Twitter16 and the DeepHawkes Weibo cascades."""
    from infoflow import cascades

    tables = [cascades.metrics_table(cascades.twitter_cascades(ds)).assign(dataset=ds)
              for ds in ("twitter15", "twitter16")]
    tables.append(cascades.metrics_table(cascades.deephawkes_cascades()).assign(dataset="deephawkes", label="-"))
    df = pd.concat(tables, ignore_index=True)
    keys = ["dataset", "label"] if by_label else ["dataset"]
    out = df.groupby(keys, sort=False).agg(cascades=("id", "size"), depth1=("depth1", "sum"),
                                            deeper=("deeper", "sum"), max_depth=("depth", "max")).reset_index()
    out["deeper_share"] = out["deeper"] / (out["depth1"] + out["deeper"])
    return out


def reshare_delays() -> pd.DataFrame:
    """Delay of every reshare after its source, in hours: Twitter15/16, DeepHawkes Weibo, the SEISMIC tweet."""
    import numpy as np

    from infoflow import cascades, data

    delays = {ds: np.concatenate([c.time[1:] for _, _, c in cascades.twitter_cascades(ds)]) / 60.0
              for ds in ("twitter15", "twitter16")}
    delays["deephawkes"] = np.concatenate([c.time[1:] for _, c in cascades.deephawkes_cascades()]) / 3600.0
    delays["seismic tweet"] = data.load_seismic_tweet()["relative_time_second"].to_numpy()[1:] / 3600.0
    return pd.DataFrame([{"dataset": name, "reshares": d.size, "median_hours": float(np.median(d)),
                          "within_1h": float(np.mean(d <= 1)), "within_24h": float(np.mean(d <= 24))}
                         for name, d in delays.items()])


@lru_cache(maxsize=1)
def seismic_hawkes():
    """The exponential-kernel Hawkes fit of the SEISMIC tweet (times in seconds), computed once."""
    from infoflow import data, pointprocess

    return pointprocess.fit_hawkes_exp(data.load_seismic_tweet()["relative_time_second"].to_numpy())


def poisson_loglik(n: int, T: float) -> float:
    """Log-likelihood of ``n`` events on ``[0, T]`` under the best homogeneous Poisson process."""
    import math

    return n * math.log(n / T) - n
