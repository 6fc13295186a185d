"""The cross-paper claim graph: its tables load, every named result exists, and edges follow verdicts."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from infoflow import claims, links

HEADER = list(links.LINK_COLUMNS)


def _write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _links(tmp_path, rows):
    return links.load_links(_write(tmp_path / "claim_links.csv", HEADER, rows))


# ------------------------------------------------------------------ the book's own tables


def test_every_link_of_the_book_names_an_existing_result():
    """Each claim, concept and named result (check, figure, glued value) of data/claim_links.csv exists."""
    concepts = links.load_concepts()
    table = links.load_links(concepts=concepts)
    assert len(table) >= 40 and table["concept"].nunique() == len(concepts), "every concept needs a claim"
    checks = claims.registry()
    for result in table["result"]:
        for part in result.split(";"):
            assert links.result_problem(part.strip(), checks) is None, part


#: concepts that only one paper's claims assert once stretched links are left out (named, so the list cannot drift)
ONE_PAPER_CONCEPTS = {"brief attention"}


def test_book_concepts_join_several_papers():
    table = links.load_links()
    papers = table.assign(paper=table["claim_id"].str[1]).groupby("concept")["paper"].nunique()
    assert set(papers[papers < 2].index) == ONE_PAPER_CONCEPTS, papers[papers < 2]


# ------------------------------------------------------------------ broken references are caught


@pytest.mark.parametrize(("row", "expect"), [
    (["C9.99", "fatigue", "asserts", "C1.10", ""], r"line 2: unknown claim id 'C9\.99'.*Fix"),
    (["C1.10", "boredom", "asserts", "C1.10", ""], r"line 2: unknown concept 'boredom'.*Fix"),
    (["C1.10", "fatigue", "maybe", "C1.10", ""], r"line 2: stance 'maybe' unknown.*Fix"),
    (["C1.10", "fatigue", "asserts", "fig-01-no-such-figure", ""],
     r"line 2: figure fig-01-no-such-figure has no saved files.*Fix"),
    (["C1.10", "fatigue", "asserts", "01_information_crisis.ipynb::no_such_key", ""],
     r"line 2: chapters/01_information_crisis\.ipynb glues no value named 'no_such_key'.*Fix"),
    (["C1.10", "fatigue", "asserts", "07_missing.ipynb::x", ""], r"line 2: .*neither a claim id.*Fix"),
    (["C1.10", "fatigue", "asserts", "05_no_chapter.ipynb::x", ""], r"line 2: no chapter notebook.*Fix"),
    (["C1.10", "fatigue", "asserts", "", ""], r"line 2: the result is empty.*Fix"),
    (["C1.10", "fatigue", "asserts", "C1.10", "users tire; a consistent finding"],
     r"line 2: the note types a verdict word \(consistent\).*Fix"),
    (["C1.10", "fatigue", "asserts"], r"line 2: 3 fields instead of 5.*Fix"),
])
def test_broken_links_name_file_line_and_fix(tmp_path, row, expect):
    with pytest.raises(links.LinkError, match=rf"claim_links\.csv, {expect}"):
        _links(tmp_path, [row])


def test_a_repeated_link_is_refused(tmp_path):
    row = ["C1.10", "fatigue", "asserts", "C1.10", ""]
    with pytest.raises(links.LinkError, match=r"line 3: C1\.10 is linked to 'fatigue' again \(line 2\).*Fix"):
        _links(tmp_path, [row, row])


def test_a_glued_value_that_exists_is_accepted(tmp_path):
    table = _links(tmp_path, [["C1.13", "passive consumption", "asserts",
                               "01_information_crisis.ipynb::ch01_post_share; fig-01-weibo-fatigue", ""]])
    assert table["claim_id"].tolist() == ["C1.13"]


def test_glue_names_read_the_stored_outputs(tmp_path):
    nb = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "display_data", "metadata": {"scrapbook": {"name": "x_key"}}, "data": {}}]}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert links.glue_names(path) == frozenset({"x_key"})


def _notebook(path, cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "source": src, "outputs": []} if kind == "code"
                                          else {"cell_type": kind, "source": src} for kind, src in cells]}),
                    encoding="utf-8")
    return path


def test_a_stale_figure_is_caught(tmp_path):
    """A figure whose files survive but that no notebook of its chapter draws any more is refused."""
    (tmp_path / "figures").mkdir()
    for label in ("fig-01-drawn", "fig-01-ghost", "fig-02-elsewhere"):
        (tmp_path / "figures" / f"{label}.json").write_text("{}", encoding="utf-8")
    _notebook(tmp_path / "chapters" / "01_x.ipynb", [
        ("code", 'rec = figures.save_figure(\n    fig, "fig-01-drawn",\n    title="t", caption="c", alt="a")'),
        ("markdown", "As {numref}`fig-01-ghost` showed (a mention is not a drawing)."),
        ("code", 'old = "fig-01-ghost"  # a string that is not a save_figure call'),
    ])
    _notebook(tmp_path / "chapters" / "02_y.ipynb", [("code", "figures.save_figure(fig, 'fig-01-ghost', title='t')")])
    assert links.drawn_figures(tmp_path / "chapters" / "01_x.ipynb") == frozenset({"fig-01-drawn"})
    assert links.result_problem("fig-01-drawn", {}, root=tmp_path) is None
    assert "no save_figure call in chapters/01_*.ipynb draws it" in links.result_problem("fig-01-ghost", {}, root=tmp_path)
    assert "stale" in links.result_problem("fig-02-elsewhere", {}, root=tmp_path)
    assert "no saved files" in links.result_problem("fig-01-missing", {}, root=tmp_path)


def test_concepts_with_a_wrong_header_or_a_repeat(tmp_path):
    bad = _write(tmp_path / "concepts.csv", ["concept", "text"], [["fatigue", "users tire"]])
    with pytest.raises(links.LinkError, match=r"concepts\.csv, line 1: header is .*Fix"):
        links.load_concepts(bad)
    rep = _write(tmp_path / "concepts.csv", list(links.CONCEPT_COLUMNS), [["a", "x"], ["a", "y"]])
    with pytest.raises(links.LinkError, match=r"concepts\.csv, line 3: concept 'a' repeats line 2.*Fix"):
        links.load_concepts(rep)
    with pytest.raises(links.LinkError, match=r"missing\.csv: the file is missing.*Fix"):
        links.load_concepts(tmp_path / "missing.csv")


# ------------------------------------------------------------------ relations follow verdicts


@pytest.mark.parametrize(("verdict", "evidence", "observed", "stance", "expect"), [
    ("reproduced", "primary source", "x", "asserts", "supports"),
    ("consistent", "proxy data", "x", "asserts", "supports"),
    ("consistent", "proxy data", "x", "denies", "contradicts"),
    ("contradicted", "proxy data", "x", "asserts", "contradicts"),
    ("contradicted", "simulation", "x", "denies", "supports"),
    ("corrected", "primary source", "x", "asserts", "qualifies"),
    ("not testable", "proxy data", "an interval straddles", "asserts", "qualifies"),
    ("not testable", "seed text", "", "asserts", "untested"),
    ("unverified", "primary source", "", "asserts", "untested"),
    ("consistent", "seed text", "the citation matches", "asserts", "untested"),
    ("contradicted", "seed text", "swapped rows", "asserts", "untested"),
])
def test_relation_is_derived_from_the_verdict(verdict, evidence, observed, stance, expect):
    assert links.relation(verdict, evidence, observed, stance) == expect


def test_relation_refuses_unknown_words():
    with pytest.raises(links.LinkError, match=r"stance 'perhaps' unknown.*Fix"):
        links.relation("consistent", "proxy data", "", "perhaps")
    with pytest.raises(links.LinkError, match=r"verdict 'fine' unknown.*Fix"):
        links.relation("fine", "proxy data", "", "asserts")


def _results(verdicts: dict[str, tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"claim_id": cid, "verdict": v, "evidence": e, "observed": o}
                         for cid, (v, e, o) in verdicts.items()])


def _toy():
    concepts = pd.DataFrame({"concept": ["ties", "spread"], "proposition": ["strong ties rule", "items spread"]})
    table = pd.DataFrame([
        {"claim_id": "C1.15", "concept": "ties", "stance": "denies", "result": "C1.15", "note": ""},
        {"claim_id": "C2.15", "concept": "ties", "stance": "asserts", "result": "C2.15", "note": ""},
        {"claim_id": "C1.06", "concept": "spread", "stance": "asserts", "result": "C1.06", "note": ""},
        {"claim_id": "C3.04", "concept": "spread", "stance": "asserts", "result": "C3.04", "note": ""},
    ])
    return concepts, table


def test_a_changed_verdict_changes_the_graph():
    """The graph is rebuilt from verdicts: the same link flips when its claim's verdict flips."""
    concepts, table = _toy()
    base = {"C1.15": ("not testable", "seed text", ""), "C2.15": ("not testable", "proxy data", ""),
            "C1.06": ("contradicted", "proxy data", "x"), "C3.04": ("contradicted", "proxy data", "x")}
    g = links.claim_graph(table, _results(base), concepts)
    assert g["C1.06"]["spread"]["relation"] == "contradicts"
    flipped = links.claim_graph(table, _results({**base, "C1.06": ("consistent", "proxy data", "x")}), concepts)
    assert flipped["C1.06"]["spread"]["relation"] == "supports"
    splits = links.disagreements(flipped)
    row = splits[(splits["concept"] == "spread") & (splits["split"] == "result")]
    assert row["supports"].tolist() == ["C1.06 (000)"] and row["contradicts"].tolist() == ["C3.04 (002)"]
    assert links.disagreements(g).query("concept == 'spread'").empty
    stance = links.disagreements(g).query("concept == 'ties'")
    assert stance["asserts"].tolist() == ["C2.15 (001)"] and stance["denies"].tolist() == ["C1.15 (000)"]


def test_split_sides_names_papers_on_both_sides():
    """A paper with claims on both sides of a split is named; the pairs across and within papers are counted."""
    concepts, _ = _toy()
    table = pd.DataFrame([
        {"claim_id": "C1.04", "concept": "ties", "stance": "asserts", "result": "C1.04", "note": ""},
        {"claim_id": "C1.15", "concept": "ties", "stance": "denies", "result": "C1.15", "note": ""},
        {"claim_id": "C2.15", "concept": "ties", "stance": "asserts", "result": "C2.15", "note": ""},
        {"claim_id": "C5.08", "concept": "ties", "stance": "asserts", "result": "C5.08", "note": ""},
        {"claim_id": "C1.06", "concept": "spread", "stance": "asserts", "result": "C1.06", "note": ""},
        {"claim_id": "C3.04", "concept": "spread", "stance": "denies", "result": "C3.04", "note": ""},
    ])
    untested = ("not testable", "seed text", "")
    res = _results({c: untested for c in table["claim_id"]})
    g = links.claim_graph(table, res, concepts)
    out = links.split_sides(g).set_index("concept")
    assert list(out.columns) == ["split", "both sides", "only one side", "across papers", "within a paper"]
    assert out.loc["ties", "both sides"] == "000 (C1.04 asserts, C1.15 denies)"
    assert out.loc["ties", "only one side"] == "001, 004"
    assert out.loc["ties", "across papers"] == 2 and out.loc["ties", "within a paper"] == 1
    assert out.loc["spread", "both sides"] == "" and out.loc["spread", "across papers"] == 1
    assert out.loc["spread", "within a paper"] == 0
    assert len(links.split_sides(g)) == len(links.disagreements(g))
    held, failed = ("consistent", "proxy data", "x"), ("contradicted", "proxy data", "x")
    result = _results({**{c: untested for c in table["claim_id"]}, "C1.06": held, "C3.04": held,
                       "C1.04": failed, "C1.15": failed, "C2.15": held})
    sides = links.split_sides(links.claim_graph(table, result, concepts)).set_index(["concept", "split"])
    assert sides.loc[("ties", "result"), "both sides"] == "000 (C1.15 supports, C1.04 contradicts)"
    assert sides.loc[("ties", "result"), "only one side"] == "001"
    assert sides.loc[("ties", "result"), ["across papers", "within a paper"]].tolist() == [1, 1]
    assert sides.loc[("spread", "result"), "both sides"] == ""
    assert sides.loc[("spread", "result"), "across papers"] == 1
    none = links.split_sides(links.claim_graph(table[table["stance"] == "asserts"], res, concepts))
    assert none.empty and list(none.columns)[:2] == ["concept", "split"]


def test_concept_table_counts_papers():
    concepts, table = _toy()
    res = _results({"C1.15": ("not testable", "seed text", ""), "C2.15": ("not testable", "proxy data", ""),
                    "C1.06": ("contradicted", "proxy data", "x"), "C3.04": ("consistent", "proxy data", "x")})
    out = links.concept_table(links.claim_graph(table, res, concepts)).set_index("concept")
    assert out.loc["spread", "papers"] == 2 and out.loc["spread", "supports"] == 1
    assert out.loc["spread", "contradicts"] == 1 and out.loc["ties", "untested"] == 2


def test_a_graph_without_verdicts_is_refused():
    concepts, table = _toy()
    with pytest.raises(links.LinkError, match=r"no verdict for C1\.06.*Fix"):
        links.claim_graph(table, _results({"C1.15": ("not testable", "seed text", "")}), concepts)


def _rule_breaches(table: pd.DataFrame, results: pd.DataFrame) -> list[str]:
    """Links whose claim's ledger rule is 'not testable'/'unverified' yet whose edge supports or contradicts."""
    ledger = claims.load_ledger().set_index("claim_id")
    concepts = pd.DataFrame({"concept": sorted(set(table["concept"])), "proposition": "p"})
    rows = links.edges(links.claim_graph(table, results, concepts))
    return [f"{r.claim} -> {r.concept}: {r.relation}" for r in rows.itertuples(index=False)
            if claims.rule_status(ledger.loc[r.claim, "rule"]) != "computed"
            and r.relation in ("supports", "contradicts")]


def test_book_links_of_untestable_claims_are_untested_or_qualified():
    """Claims whose ledger rule is 'not testable'/'unverified' never support or contradict a concept.

    The verdicts come from running each such claim's registered check, so a check that computed a
    verdict its ledger rule forbids would show up here as a supporting or contradicting edge.
    """
    ledger = claims.load_ledger().set_index("claim_id")
    table = links.load_links()
    table = table[[claims.rule_status(ledger.loc[c, "rule"]) != "computed" for c in table["claim_id"]]]
    assert len(table) >= 10, "the book links many claims it cannot test"
    results = claims.run_checks(sorted(set(table["claim_id"])))
    assert _rule_breaches(table, results) == []


def test_a_verdict_its_rule_forbids_would_be_caught():
    """The check above can fail: a 'not testable' claim given a computed verdict breaches its rule."""
    ledger = claims.load_ledger().set_index("claim_id")
    assert claims.rule_status(ledger.loc["C1.15", "rule"]) == "not testable"
    table = pd.DataFrame([{"claim_id": "C1.15", "concept": "ties", "stance": "denies", "result": "C1.15",
                           "note": ""}])
    ok = _results({"C1.15": ("not testable", "proxy data", "")})
    assert _rule_breaches(table, ok) == []
    broken = _results({"C1.15": ("consistent", "proxy data", "a share")})
    assert _rule_breaches(table, broken) == ["C1.15 -> ties: contradicts"]


# ------------------------------------------------------------------ held-up shares


def test_jeffreys_interval_matches_known_values():
    lo, hi = links.jeffreys_interval(5, 10)
    assert lo == pytest.approx(0.2235, abs=1e-3) and hi == pytest.approx(0.7765, abs=1e-3)
    assert links.jeffreys_interval(0, 4)[0] == 0.0 and links.jeffreys_interval(4, 4)[1] == 1.0
    with pytest.raises(ValueError, match="a share needs 0 <= k <= n"):
        links.jeffreys_interval(3, 2)


def test_held_up_counts_only_checkable_claims():
    res = _results({"C1.01": ("consistent", "proxy data", ""), "C1.02": ("corrected", "primary source", ""),
                    "C1.03": ("contradicted", "proxy data", ""), "C1.04": ("not testable", "seed text", ""),
                    "C2.01": ("unverified", "primary source", "")})
    out = links.held_up(res).set_index("paper")
    assert list(out.index) == ["000"]
    assert out.loc["000", "checkable"] == 3 and out.loc["000", "held up"] == 2
    assert out.loc["000", "without corrected"] == pytest.approx(1 / 3)


def test_homogeneity_test_detects_a_real_difference():
    same = _results({f"C{ch}.{i:02d}": ("consistent" if i % 2 else "contradicted", "proxy data", "")
                     for ch in (1, 2) for i in range(1, 21)})
    apart = _results({f"C{ch}.{i:02d}": ("consistent" if ch == 1 else "contradicted", "proxy data", "")
                      for ch in (1, 2) for i in range(1, 21)})
    assert links.homogeneity_pvalue(same, reps=500) > 0.5
    assert links.homogeneity_pvalue(apart, reps=500) < 0.01


# ------------------------------------------------------------------ the synthesis quotes values that exist


def test_values_the_synthesis_glues_from_other_chapters_exist():
    """Every `{glue:text}` reference of the synthesis to another chapter names a value that chapter glues."""
    root = links.repo_root()
    nb = json.loads((root / "chapters" / "06_synthesis.ipynb").read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    refs = links.glue_references(text)
    assert len(refs) >= 10, "the synthesis should quote the chapters' glued values"
    for notebook, key in refs:
        assert key in links.glue_names(root / "chapters" / notebook), f"{notebook} glues no {key!r}"


def test_glue_references_are_found_with_and_without_a_format():
    text = ("a {glue:text}`01_information_crisis.ipynb::c1b_pairs` b {glue:text}`02_knowledge_diffusion.ipynb::"
            "ch02_deeper_max:.0f` c {glue:text}`ch06_local:d` d {glue}`04_privacy_paradox.ipynb::ch04_weak_share`")
    assert links.glue_references(text) == [("01_information_crisis.ipynb", "c1b_pairs"),
                                           ("02_knowledge_diffusion.ipynb", "ch02_deeper_max"),
                                           ("04_privacy_paradox.ipynb", "ch04_weak_share")]
