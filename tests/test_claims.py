"""The claims ledger and its checks: coverage, validation, verdicts and chapter citations."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from infoflow import claims, data
from infoflow.checks import common

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def test_ledger_loads_and_covers_every_document():
    ledger = claims.load_ledger()
    per_seed = ledger.groupby(ledger["seed"].str[:3]).size()
    assert set(per_seed.index) == {"000", "001", "002", "003", "004"}
    assert 60 <= len(ledger) <= 200
    assert (per_seed >= 8).all(), per_seed


def test_every_claim_has_exactly_one_check_and_every_check_a_claim():
    assert claims.coverage_problems() == []


def test_registering_a_second_check_for_a_claim_fails():
    cid = claims.load_ledger()["claim_id"].iloc[0]
    claims.registry()
    with pytest.raises(claims.ClaimError, match="already has a check"):
        claims.check(cid, gather=dict, counterfactual={"x": 1})(lambda ev: None)


def test_a_computed_check_needs_a_counterfactual():
    with pytest.raises(claims.ClaimError, match="needs a counterfactual"):
        claims.check("C1.99", gather=dict, counterfactual={})


def test_every_check_returns_a_valid_verdict():
    results = claims.run_all()
    tested = results[~results["verdict"].isin(["not testable", "unverified"])]
    assert (tested["shown_in"].str.len() > 0).all(), "a computed verdict must say where its evidence is shown"
    assert set(results["evidence"]) <= set(claims.EVIDENCE_KINDS)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_quotes_are_verbatim():
    assert SEEDS.is_dir(), f"the source documents must be at {SEEDS} (../shared/seeds beside the repository)"
    texts = {p.name: _normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    for row in claims.load_ledger().itertuples():
        quote = _normalise(row.quote.strip("…").strip())
        assert quote in texts[row.seed], f"{row.claim_id}: quote not found verbatim in {row.seed}"


def test_unknown_claim_id_names_the_ledger_and_the_fix():
    with pytest.raises(claims.ClaimError, match=r"unknown claim id 'C9\.99'.*claims\.csv.*Fix"):
        claims.run_check("C9.99")


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _good_rows() -> list[list[str]]:
    with claims.LEDGER_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[:4]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("claim_id", "C1-03", "malformed"),
        ("kind", "opinion", "kind 'opinion' unknown"),
        ("quote", " ".join(["word"] * 41), "41 words"),
        ("seed", "004_d1a859a176877777.txt", "does not belong to chapter"),
        ("test", "", "test column is empty"),
        ("rule", "", "rule column is empty"),
        ("rule", "Compare the two numbers and see.", "does not say which outcome gives which verdict"),
        ("rule", "not testable: no", "gives no reason"),
        ("evidence", "vibes", "evidence kind 'vibes' unknown"),
    ],
)
def test_malformed_ledger_row_names_file_line_and_fix(tmp_path, column, value, message):
    rows = _good_rows()
    rows[2][claims.COLUMNS.index(column)] = value
    path = _write(tmp_path / "claims.csv", rows)
    with pytest.raises(claims.ClaimError, match=re.escape(message)) as err:
        claims.load_ledger(path)
    text = str(err.value)
    assert str(path) in text and "line 3" in text and message in text and "Fix:" in text


def test_ledger_with_wrong_field_count_or_duplicate_id(tmp_path):
    rows = _good_rows()
    rows[3] = rows[3][:-1]
    with pytest.raises(claims.ClaimError, match="line 4: 10 fields"):
        claims.load_ledger(_write(tmp_path / "a.csv", rows))
    rows = _good_rows()
    rows[3][0] = rows[2][0]
    with pytest.raises(claims.ClaimError, match="repeats line 3"):
        claims.load_ledger(_write(tmp_path / "b.csv", rows))


def test_missing_ledger_says_how_to_restore(tmp_path):
    with pytest.raises(claims.ClaimError, match="missing.*restore"):
        claims.load_ledger(tmp_path / "nope.csv")


def test_verdict_type_refuses_typos_and_reasonless_untestables():
    with pytest.raises(claims.ClaimError, match="'confirmed' for C1.01 is not one of"):
        claims.Verdict("C1.01", "confirmed")
    for verdict in ("not testable", "unverified"):
        with pytest.raises(claims.ClaimError, match=f"a '{verdict}' verdict needs a reason"):
            claims.Verdict("C1.01", verdict)


CLAIM_REF = re.compile(r"\bC[1-9]\.\d{2}\b")


def test_every_claim_id_cited_in_a_chapter_exists():
    ids = set(claims.load_ledger()["claim_id"])
    pages = list((ROOT / "chapters").glob("*.ipynb")) + list((ROOT / "chapters").glob("*.md"))
    pages.append(ROOT / "intro.md")
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if page.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        unknown = set(CLAIM_REF.findall(text)) - ids
        assert not unknown, f"{page.name} cites claim ids that are not in data/claims.csv: {sorted(unknown)}"


def test_each_chapter_lists_its_own_claims():
    for chapter in range(1, 6):
        assert len(claims.chapter_claims(chapter)) >= 8
    with pytest.raises(claims.ClaimError, match="chapter 7"):
        claims.chapter_claims(7)


def test_ledger_file_is_untouched_by_checks(tmp_path):
    before = claims.LEDGER_PATH.read_bytes()
    claims.run_all()
    assert claims.LEDGER_PATH.read_bytes() == before
    shutil.copy(claims.LEDGER_PATH, tmp_path / "copy.csv")
    assert claims.load_ledger(tmp_path / "copy.csv").equals(claims.load_ledger())


# ------------------------------------------------------------ checks can fail: verdicts follow the evidence

COMPUTED = claims.computed_checks()


@pytest.mark.parametrize("chk", COMPUTED, ids=lambda c: c.claim_id)
def test_every_computed_rule_gives_another_verdict_on_counterfactual_evidence(chk):
    real, counterfactual = chk.run_counterfactual()
    assert real.verdict != counterfactual.verdict, (
        f"{chk.claim_id}: the rule gives {real.verdict!r} on the real evidence and on the counterfactual "
        f"{dict(chk.counterfactual)}; a rule that cannot change its verdict must be rewritten")


@pytest.mark.parametrize("chk", COMPUTED, ids=lambda c: c.claim_id)
def test_every_rule_is_a_pure_function_of_its_evidence(chk):
    evidence = chk.evidence()
    assert chk.judge(evidence) == chk.judge(dict(evidence)) == chk.run()


def test_the_ledger_rule_and_the_registered_check_agree_in_kind():
    ledger = claims.load_ledger().set_index("claim_id")
    for cid, chk in claims.registry().items():
        status = claims.rule_status(ledger.loc[cid, "rule"])
        assert (status == "computed") == (chk.status in ("computed", "pending")), cid


def test_counterfactual_must_change_known_evidence():
    chk = claims.registry()["C2.02"]
    broken = claims.Check("C2.02", "computed", chk.rule, chk.gather, {"no_such_entry": 1})
    with pytest.raises(claims.ClaimError, match=r"counterfactual of C2\.02 changes \['no_such_entry'\]"):
        broken.run_counterfactual()


@pytest.mark.parametrize("status", ["pending", "untestable", "unverified"])
def test_non_computed_checks_have_no_evidence_to_judge(status):
    chk = claims.Check("C1.01", status)
    with pytest.raises(claims.ClaimError, match="has no evidence to gather"):
        chk.evidence()
    with pytest.raises(claims.ClaimError, match="has no rule to apply"):
        chk.judge({})


def test_no_claim_is_left_pending():
    assert [c.claim_id for c in claims.registry().values() if c.status == "pending"] == []


def test_a_registration_that_disagrees_with_the_ledger_is_an_error(monkeypatch):
    wrong = claims.Check("C1.01", "unverified")
    with pytest.raises(claims.ClaimError, match="registered as 'unverified' but its ledger rule says"):
        wrong.run()


def test_evidence_kinds_are_counted_for_every_claim():
    results = claims.run_all()
    table = claims.evidence_summary(results)
    assert table.loc["total", "total"] == len(results)
    assert (table.drop(index="total")["total"] > 0).sum() >= 4


def _fake_table(monkeypatch, table: str, edit) -> None:
    real = data.load_figures

    def fake(name: str):
        df = real(name)
        return edit(df) if name == table else df

    monkeypatch.setattr(data, "load_figures", fake)


def test_match_figure_gives_each_verdict():
    values = {"a": 751.16, "b": 723.61}
    assert common.match_figure("C1.03", "724", values, "b", "x").verdict == "reproduced"
    assert common.match_figure("C1.03", "724", values, "other", "x").verdict == "corrected"
    assert common.match_figure("C1.03", "700", values, "b", "x").verdict == "contradicted"
    assert common.match_figure("C1.03", "723.6", values, "b", "x").verdict == "reproduced"
    assert common.match_figure("C1.03", "723.7", values, "b", "x").verdict == "contradicted"


def test_three_way_refuses_a_rule_that_is_both():
    with pytest.raises(ValueError, match="cannot be both consistent and contradicted"):
        common.three_way("C1.05", True, True, "", "", "")
    assert common.three_way("C1.05", False, False, "o", "x", "straddles").verdict == "not testable"


def test_stated_precision_follows_the_digits_given():
    assert common.stated_precision("724") == 0.5
    assert common.stated_precision("1,343") == 0.5
    assert common.stated_precision("723.61") == pytest.approx(0.005)
    with pytest.raises(ValueError, match="not a plain number"):
        common.stated_precision("about 700")


def test_edited_primary_source_flows_through_gather_to_the_verdict(monkeypatch):
    """End to end: a typed CNNIC share changed on disk changes the computed verdicts that rest on it."""
    def low_share(df):
        df = df.copy()
        df.loc[df["series"] == "moments_use_share", "value"] = 40.0
        return df

    _fake_table(monkeypatch, "cnnic_moments_qzone", low_share)
    for cid in ("C2.02", "C3.01"):
        assert claims.run_check(cid).verdict == "contradicted", cid
    # C1.05's Moments share is only a lower bound on WeChat use: a low share leaves the claim undecided
    assert claims.run_check("C1.05").verdict == "not testable"


def test_edited_tencent_figures_flow_through(monkeypatch):
    def shifted(df):
        df = df.copy()
        df.loc[df["period"] == "4Q23", "value"] = 1300.0
        df.loc[df["period"] == "2Q16", "value"] = 1100.0
        return df

    _fake_table(monkeypatch, "tencent_mau", shifted)
    for cid in ("C4.04", "C4.19", "C2.03"):
        assert claims.run_check(cid).verdict == "contradicted", cid


def test_table2_key_terms_ignore_stop_words_and_plurals():
    from infoflow.checks.ch04 import key_terms

    assert key_terms("Users' roles on social media") == {"role", "social", "media"}


def test_summary_shows_the_pending_column_only_while_a_check_is_missing():
    results = pd.DataFrame({"claim_id": ["C1.01", "C1.02"], "verdict": ["consistent", "not testable"],
                            "reason": ["", claims.NOT_YET], "evidence": ["proxy data", "seed text"]})
    assert claims.NOT_YET in claims.summary(results).columns
    results.loc[1, "reason"] = "an opinion"
    assert claims.NOT_YET not in claims.summary(results).columns
    assert claims.NOT_YET not in claims.evidence_summary(results).columns
