"""The claims ledger and its checks: coverage, validation, verdicts and chapter citations."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from infoflow import claims, data
from infoflow.checks import common

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def test_ledger_loads_and_covers_every_document():
    ledger = claims.load_ledger()
    per_seed = ledger.groupby(ledger["seed"].str[:3]).size()
    assert set(per_seed.index) == {"000", "001", "002", "003", "004"}
    assert 40 <= len(ledger) <= 100
    assert (per_seed >= 8).all(), per_seed


def test_every_claim_has_exactly_one_check_and_every_check_a_claim():
    assert claims.coverage_problems() == []


def test_registering_a_second_check_for_a_claim_fails():
    cid = claims.load_ledger()["claim_id"].iloc[0]
    claims.registry()
    with pytest.raises(claims.ClaimError, match="already has a check"):
        claims.check(cid)(lambda: None)


def test_every_check_returns_a_valid_verdict():
    results = claims.run_all()
    assert set(results["verdict"]) <= set(claims.VERDICTS)
    untestable = results[results["verdict"] == "not testable"]
    assert (untestable["reason"].str.len() > 0).all()
    tested = results[results["verdict"] != "not testable"]
    assert (tested["evidence"].str.len() > 0).all(), "a computed verdict must name its evidence"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source documents are not beside the repository")
def test_quotes_are_verbatim():
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for row in claims.load_ledger().itertuples():
        quote = row.quote.strip("…").strip()
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
    ],
)
def test_malformed_ledger_row_names_file_line_and_fix(tmp_path, column, value, message):
    rows = _good_rows()
    rows[2][claims.COLUMNS.index(column)] = value
    path = _write(tmp_path / "claims.csv", rows)
    with pytest.raises(claims.ClaimError) as err:
        claims.load_ledger(path)
    text = str(err.value)
    assert str(path) in text and "line 3" in text and message in text and "Fix:" in text


def test_ledger_with_wrong_field_count_or_duplicate_id(tmp_path):
    rows = _good_rows()
    rows[3] = rows[3][:-1]
    with pytest.raises(claims.ClaimError, match="line 4: 8 fields"):
        claims.load_ledger(_write(tmp_path / "a.csv", rows))
    rows = _good_rows()
    rows[3][0] = rows[2][0]
    with pytest.raises(claims.ClaimError, match="repeats line 3"):
        claims.load_ledger(_write(tmp_path / "b.csv", rows))


def test_missing_ledger_says_how_to_restore(tmp_path):
    with pytest.raises(claims.ClaimError, match="missing.*restore"):
        claims.load_ledger(tmp_path / "nope.csv")


def test_verdict_type_refuses_typos_and_reasonless_untestables():
    with pytest.raises(claims.ClaimError):
        claims.Verdict("C1.01", "confirmed")
    with pytest.raises(claims.ClaimError):
        claims.Verdict("C1.01", "not testable")


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


# ------------------------------------------------------------ checks can fail: verdicts follow the data



def _fake_table(monkeypatch, table: str, edit) -> None:
    real = data.load_figures

    def fake(name: str):
        df = real(name)
        return edit(df) if name == table else df

    monkeypatch.setattr(data, "load_figures", fake)


def test_match_figure_gives_each_verdict():
    pub = {"a": common.Published("cnnic_internet_users", "internet_users", "Jun 2017"),
           "b": common.Published("cnnic_internet_users", "mobile_internet_users", "Jun 2017")}
    assert common.match_figure("C1.03", "724", pub, "b", "x").verdict == "reproduced"
    assert common.match_figure("C1.03", "724", pub, "other", "x").verdict == "corrected"
    assert common.match_figure("C1.03", "700", pub, "b", "x").verdict == "contradicted"
    assert common.match_figure("C1.03", "723.6", pub, "b", "x").verdict == "reproduced"
    assert common.match_figure("C1.03", "723.7", pub, "b", "x").verdict == "contradicted"


def test_stated_precision_follows_the_digits_given():
    assert common.stated_precision("724") == 0.5
    assert common.stated_precision("1,343") == 0.5
    assert common.stated_precision("723.61") == pytest.approx(0.005)
    with pytest.raises(ValueError, match="not a plain number"):
        common.stated_precision("about 700")


def test_weibo_check_flips_when_the_share_rises(monkeypatch):
    assert claims.run_check("C3.14").verdict == "consistent"

    def rising(df):
        df = df.copy()
        mask = df["series"] == "weibo_user_share"
        df.loc[mask, "value"] = sorted(df.loc[mask, "value"])
        return df

    _fake_table(monkeypatch, "cnnic_weibo_users", rising)
    assert claims.run_check("C3.14").verdict == "contradicted"


def test_tiktok_check_flips_when_a_survey_falls(monkeypatch):
    def falling(df):
        df = df.copy()
        df.loc[(df["series"] == "tiktok_news_all_adults") & (df["period"] == "2024"), "value"] = 1.0
        return df

    _fake_table(monkeypatch, "pew_tiktok_news", falling)
    assert claims.run_check("C5.12").verdict == "contradicted"


def test_mau_checks_follow_the_tencent_figures(monkeypatch):
    def shifted(df):
        df = df.copy()
        df.loc[df["period"] == "4Q23", "value"] = 1300.0
        df.loc[df["period"] == "2Q16", "value"] = 950.0
        return df

    _fake_table(monkeypatch, "tencent_mau", shifted)
    assert claims.run_check("C4.04").verdict == "contradicted"
    assert claims.run_check("C2.03").verdict == "contradicted"


def test_open_class_checks_follow_the_figures(monkeypatch):
    def many_posters(df):
        df = df.copy()
        df.loc[df["series"] == "moments_visible_3_days_users", "value"] = 10.0
        df.loc[df["series"] == "official_account_readers_per_day", "value"] = 900.0
        return df

    _fake_table(monkeypatch, "wechat_open_class", many_posters)
    for cid in ("C4.17", "C5.05"):
        assert claims.run_check(cid).verdict == "contradicted", cid


def test_moments_share_checks_follow_cnnic(monkeypatch):
    def low_share(df):
        df = df.copy()
        df.loc[df["series"] == "moments_use_share", "value"] = 40.0
        return df

    _fake_table(monkeypatch, "cnnic_moments_qzone", low_share)
    for cid in ("C1.05", "C2.04", "C2.02"):
        assert claims.run_check(cid).verdict == "contradicted", cid
