"""Checks of chapter 4: the privacy paradox in WeChat Moments (source document 003)."""

from __future__ import annotations

from itertools import pairwise

from infoflow import seedtables
from infoflow.checks.common import figure, judged, match_figure, three_way
from infoflow.claims import Evidence, Verdict, check, claim, untestable, unverified
from infoflow.seedtables import key_terms


def _count(quantity: str) -> list[int]:
    return [int(v) for v in seedtables.stated("privacy_counts", quantity)["value"]]


def _moments_trend() -> dict:
    import re

    from infoflow import data

    cnnic = data.load_figures("cnnic_moments_qzone").set_index(["series", "period"])
    note = str(cnnic.loc[("moments_use_share", "Dec 2018"), "note"])
    drop = re.search(r"down ([0-9.]+) points from Dec 2017", note)
    if drop is None:
        raise ValueError("data/figures/cnnic_moments_qzone.csv, row moments_use_share Dec 2018: the note must state "
                         "'down X points from Dec 2017' (the implied Dec 2017 share). Fix: restore the note")
    dec18 = figure("cnnic_moments_qzone", "moments_use_share", "Dec 2018")
    return {"cnnic": {"Dec 2016": figure("cnnic_moments_qzone", "moments_use_share", "Dec 2016"),
                      "Dec 2017": round(dec18 + float(drop.group(1)), 1), "Dec 2018": dec18},
            "daily": {"2018": figure("wechat_open_class", "moments_openers_per_day", "2018"),
                      "2020": figure("wechat_open_class", "moments_viewers_per_day", "2020")}}


@check("C4.01", gather=_moments_trend,
       counterfactual={"cnnic": {"Dec 2016": 88.0, "Dec 2017": 86.0, "Dec 2018": 83.4},
                       "daily": {"2018": 750.0, "2020": 700.0}})
def moments_cooling(ev: Evidence) -> Verdict:
    """Use of Moments step by step: CNNIC's use shares 2016-2018, then WeChat's daily audience 2018-2020."""
    c, d = ev["cnnic"], ev["daily"]
    years = list(c)
    steps = [c[b] - c[a] for a, b in pairwise(years)]
    daily = 100 * (d["2020"] / d["2018"] - 1)
    falls = all(x < -1 for x in steps) and daily < -1
    rises = all(x > 1 for x in steps) and daily > 1
    observed = ("CNNIC share of internet users using Moments " + " → ".join(f"{c[y]:g}% ({y})" for y in years)
                + " (Dec 2017 implied), steps " + ", ".join(f"{x:+.1f}" for x in steps)
                + f" points; daily Moments audience {d['2018']:g} million opening (2018, talk of January 2019) → "
                f"{d['2020']:g} million viewing (2020, talk of January 2021), {daily:+.1f}%")
    return three_way("C4.01", falls, rises, observed, "ch04-cold",
                     "use rises and falls from step to step, so it shows no gradual trend either way; and use "
                     "stands in for posting, which no published series measures",
                     {"steps": steps, "daily_change_pct": daily})


def _interviewees() -> dict:
    rows = seedtables.stated("privacy_counts", "interviewees")
    return {"values": dict(zip(rows["section"], rows["value"].astype(int)))}


@check("C4.02", gather=_interviewees,
       counterfactual={"values": {"Abstract": 20, "3. Research Design": 20, "5. Conclusion": 21}})
def interviewee_count_agrees(ev: Evidence) -> Verdict:
    """The number of interviewees is the same wherever the paper states it."""
    observed = "; ".join(f"{sec}: {v}" for sec, v in ev["values"].items())
    return judged("C4.02", len(set(ev["values"].values())) == 1, observed, "ch04-checks",
                  {"values": list(ev["values"].values())})


def _mau_4q23() -> dict:
    return {"stated": claim("C4.04")["stated"], "values": {"wechat_mau": figure("tencent_mau", "wechat_mau", "4Q23")},
            "previous": figure("tencent_mau", "wechat_mau", "4Q22")}


@check("C4.04", gather=_mau_4q23, counterfactual={"values": {"wechat_mau": 1300.0}})
def mau_2023(ev: Evidence) -> Verdict:
    """1.343 billion combined monthly active accounts against Tencent's 4Q23 results."""
    return match_figure("C4.04", ev["stated"], ev["values"], claimed_series="wechat_mau", shown_in="fig-04-mau-2023")


@check("C4.19", gather=_mau_4q23, counterfactual={"previous": 1400.0})
def mau_has_risen(ev: Evidence) -> Verdict:
    """Tencent's combined MAU at 4Q23 against 4Q22: has it risen?"""
    now, before = ev["values"]["wechat_mau"], ev["previous"]
    observed = f"{before:g} million (4Q22) to {now:g} million (4Q23): {now - before:+.1f} million"
    return judged("C4.19", now > before, observed, "ch04-all-claims", {"change": now - before})


def _citations() -> dict:
    refs = seedtables.load_seed_table("privacy_references")
    return {"references": {int(r.number): {"authors": r.authors, "year": int(r.year), "title": r.title}
                           for r in refs.itertuples()},
            "marker_1967": _count("marker for grounded theory introduced in 1967")[0],
            "marker_strauss": _count("marker for Strauss's coding procedures")[0]}


_FATIGUE_TERMS = ("fatigue", "estrangement", "distancing")


@check("C4.07", gather=_citations,
       counterfactual={"references": {10: {"authors": "Jiang, J.", "year": 2016, "title": "Likes in WeChat Moments"}}})
def fatigue_citation(ev: Evidence) -> Verdict:
    """Citation match only: does the title of the work cited for social fatigue ([10]) name fatigue?"""
    cited = ev["references"].get(10)
    if cited is None:
        return Verdict("C4.07", "contradicted", observed="the reference list holds no [10]", shown_in="ch04-checks")
    hits = [t for t in _FATIGUE_TERMS if t in cited["title"].lower()]
    observed = (f"[10] is {cited['authors']} ({cited['year']}), '{cited['title']}': the citation "
                + ("matches the sentence (a check of the citation, not evidence of fatigue)" if hits
                   else "is on another topic"))
    return Verdict("C4.07", "consistent" if hits else "corrected", observed=observed, shown_in="ch04-checks",
                   details={"terms": hits})


@check("C4.08", gather=_citations, counterfactual={"marker_1967": 12})
def grounded_theory_citation(ev: Evidence) -> Verdict:
    """Does marker [11] point to Glaser and Strauss's 1967 book?"""
    hits = [n for n, r in ev["references"].items()
            if r["year"] == 1967 and "Glaser" in r["authors"] and "Strauss" in r["authors"]]
    cited = ev["references"].get(ev["marker_1967"], {})
    if ev["marker_1967"] in hits:
        verdict = "reproduced"
    else:
        verdict = "corrected" if hits else "contradicted"
    observed = (f"the sentence cites [{ev['marker_1967']}] ({cited.get('authors', '?')}, {cited.get('year', '?')}); "
                + (f"the 1967 book is [{hits[0]}]" if hits else "no 1967 Glaser and Strauss entry"))
    return Verdict("C4.08", verdict, observed=observed, shown_in="ch04-checks", details={"hits": hits})


@check("C4.09", gather=_citations,
       counterfactual={"marker_strauss": 14})
def strauss_procedure_citation(ev: Evidence) -> Verdict:
    """Is the work cited for Strauss's coding procedures ([13]) a work by Strauss?"""
    cited = ev["references"].get(ev["marker_strauss"], {"authors": "", "year": "?"})
    by_strauss = [n for n, r in ev["references"].items() if "Strauss" in r["authors"]]
    if "Strauss" in cited["authors"]:
        verdict = "reproduced"
    else:
        verdict = "corrected" if by_strauss else "contradicted"
    observed = (f"[{ev['marker_strauss']}] is {cited['authors']} ({cited['year']}); works by Strauss in the list: "
                + ", ".join(f"[{n}]" for n in by_strauss))
    return Verdict("C4.09", verdict, observed=observed, shown_in="ch04-checks", details={"by_strauss": by_strauss})


def _document_counts() -> dict:
    return {"coding": _count("coding documents")[0], "saturation": _count("saturation documents")[0],
            "interviewees": _count("interviewees")[0], "saturation_records": _count("saturation records")[0]}


@check("C4.11", gather=_document_counts, counterfactual={"saturation": 6})
def coding_plus_saturation_is_total(ev: Evidence) -> Verdict:
    """Coding plus saturation documents equal the interviewees; §4.4 tests the same five."""
    holds = ev["coding"] + ev["saturation"] == ev["interviewees"] and ev["saturation_records"] == ev["saturation"]
    observed = (f"{ev['coding']} coding + {ev['saturation']} saturation documents = {ev['coding'] + ev['saturation']} "
                f"against {ev['interviewees']} interviewees; saturation tested on {ev['saturation_records']} records")
    return judged("C4.11", holds, observed, "ch04-checks", dict(ev))


def _table2() -> dict:
    coding = seedtables.load_seed_table("privacy_coding")
    subs = coding[coding["level"] == "sub"]
    return {"per_main": subs.groupby("main_category", sort=False).size().to_dict(),
            "stated_main": _count("main categories")[0], "stated_categories": _count("categories")[0],
            "implications": dict(zip(subs["name"], subs["implication"])),
            "central": coding.loc[coding["level"] == "central", "name"].tolist(),
            "subcategories": dict(zip(subs["name"], subs["main_category"]))}


@check("C4.13", gather=_table2, counterfactual={"stated_categories": 21})
def table2_counts(ev: Evidence) -> Verdict:
    """Table 2 holds as many main categories and subcategories as Sections 4.1 and 4.2 state."""
    per_main, n_sub = ev["per_main"], sum(ev["per_main"].values())
    holds = len(per_main) == ev["stated_main"] and n_sub == ev["stated_categories"]
    observed = (f"Table 2: {len(per_main)} main categories (" + ", ".join(f"{k} {v}" for k, v in per_main.items())
                + f") with {n_sub} subcategories; stated: {ev['stated_main']} main categories, "
                f"{ev['stated_categories']} categories")
    return judged("C4.13", holds, observed, "ch04-checks", {"per_main": per_main})


@check("C4.14", gather=_table2,
       counterfactual={"implications": {"Privacy Awareness": "Sensitivity and awareness of personal privacy",
                                         "Emotional Needs": "Emotional satisfaction or recognition gained through sharing"}})
def table2_implications_match(ev: Evidence) -> Verdict:
    """Pairs of Table 2 rows whose implications each fit the other's name better than their own."""
    imp = ev["implications"]
    names = list(imp)

    def fit(i: str, n: str) -> int:
        return len(key_terms(imp[i]) & key_terms(n))

    swaps = [(a, b) for k, a in enumerate(names) for b in names[k + 1:]
             if fit(a, b) > fit(a, a) and fit(b, a) > fit(b, b)]
    observed = ("swapped: " + "; ".join(f"'{a}' reads '{imp[a]}', '{b}' reads '{imp[b]}'" for a, b in swaps)
                if swaps else f"every one of {len(names)} implications fits its own row")
    return judged("C4.14", not swaps, observed, "ch04-checks", {"swaps": swaps})


@check("C4.15", gather=_table2, counterfactual={"subcategories": {"Privacy Protection Measures": "Platform Factors"}})
def central_category_not_its_own_factor(ev: Evidence) -> Verdict:
    """The central category should not also be one of its own influencing factors."""
    central = [c.lower() for c in ev["central"]]
    circular = {n: m for n, m in ev["subcategories"].items() if any(n.lower() in c for c in central)}
    observed = ("central category: " + ", ".join(ev["central"]) + "; contained subcategory: "
                + (", ".join(f"{n} (under {m})" for n, m in circular.items()) if circular else "none"))
    return judged("C4.15", not circular, observed, "ch04-checks", {"circular": list(circular)})


def _cited_ids() -> dict:
    return {"ids": _count("interviewee cited"), "interviewees": _count("interviewees")[0]}


@check("C4.20", gather=_cited_ids, counterfactual={"ids": [1, 4, 6, 25]})
def cited_interviewees_within_sample(ev: Evidence) -> Verdict:
    """Every interviewee number the text cites is at most the number of interviewees."""
    observed = ", ".join(f"A-{i}" for i in ev["ids"]) + f" cited; {ev['interviewees']} interviewees"
    return judged("C4.20", max(ev["ids"]) <= ev["interviewees"], observed, "ch04-checks", {"max": max(ev["ids"])})


untestable("C4.03", "C4.05", "C4.12", "C4.17", "C4.18")
unverified("C4.06")


def _transcript_rate() -> dict:
    rates = data_rates()
    return {"words": _count("transcribed words")[0], "interviews": _count("interviewees")[0],
            "minutes": _count("average interview minutes")[0], "rates": rates}


def data_rates() -> dict[str, float]:
    """Published mean Mandarin speaking rates (syllables per minute) read in the source itself, by series."""
    from infoflow import data

    df = data.load_figures("mandarin_speaking_rates")
    df = df[df["verified"].astype(str).str.lower() == "true"]
    return dict(zip(df["series"], df["value"].astype(float)))


@check("C4.10", gather=_transcript_rate, counterfactual={"words": 200000})
def transcript_rate(ev: Evidence) -> Verdict:
    """Transcribed characters per interview minute against published Mandarin speaking rates."""
    rate = ev["words"] / (ev["interviews"] * ev["minutes"])
    lowest, highest = min(ev["rates"].values()), max(ev["rates"].values())
    observed = (f"{ev['words']:,} characters / ({ev['interviews']} × {ev['minutes']} min) = {rate:.0f} per minute; "
                f"published means {lowest:.0f}-{highest:.0f} syllables per minute (benchmarks from other speakers)")
    return three_way("C4.10", lowest <= rate <= highest, rate < lowest / 2 or rate > highest, observed,
                     "ch04-arithmetic",
                     f"the rate lies between half the lowest published mean ({lowest / 2:.0f}) and the lowest "
                     f"({lowest:.0f}): pauses and hesitations, which rates taken from each speaker's most fluent minute "
                     "leave out, could explain the shortfall, or a condensed transcript",
                     {"rate": rate, "lowest": lowest, "highest": highest})


def _saturation() -> dict:
    from infoflow import saturation

    study = saturation.baseline_study()
    return {"chao_interval": (study["Chao2 2.5%"], study["Chao2 97.5%"]), "chao_median": study["Chao2 unseen (median)"],
            "own_interval": (study["Chao CI low (median)"], study["Chao CI high (median)"]),
            "p_nothing_new": study["P(nothing new in 5)"], "replicates": study["replicates kept"],
            "threshold": 0.10 * _count("concepts")[0]}


@check("C4.16", gather=_saturation, counterfactual={"chao_interval": (0.0, 2.5)})
def saturation_supported(ev: Evidence) -> Verdict:
    """Design power (simulation under assumed prevalences): could a 15 + 5 study tell saturation from a gap?"""
    lo, hi = ev["chao_interval"]
    olo, ohi = ev["own_interval"]
    observed = (f"design power, simulated under assumed (baseline) prevalences, {ev['replicates']:,} studies: Chao2 "
                f"estimate of unseen concepts after 15 interviews, median {ev['chao_median']:.1f}, 95% of studies in "
                f"{lo:.1f}-{hi:.1f} (Chao's own 95% interval, median over studies: {olo:.1f}-{ohi:.1f}); 5 more "
                f"interviews reveal nothing new in {100 * ev['p_nothing_new']:.0f}% of studies")
    return three_way("C4.16", hi < ev["threshold"], lo > ev["threshold"], observed, "ch04-saturation",
                     f"the replicate interval straddles {ev['threshold']:g} concepts (10% of 40): a study of this "
                     "design cannot tell a nearly saturated coding from one still missing several concepts",
                     {"interval": (lo, hi), "own_interval": (olo, ohi)})
