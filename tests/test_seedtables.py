"""Facts typed from the source documents: verbatim evidence, validation, and checks that follow them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from infoflow import claims, seedtables

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


@pytest.mark.parametrize("name", list(seedtables.TABLES))
def test_every_row_quotes_its_document(name):
    assert SEEDS.is_dir(), f"the source documents must be at {SEEDS} (../shared/seeds beside the repository)"
    seed, *_ = seedtables.TABLES[name]
    text = (SEEDS / seed).read_text(encoding="utf-8")
    for row in seedtables.load_seed_table(name).itertuples():
        assert row.evidence in text, f"{name}: {row.evidence!r} is not verbatim in {seed}"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "seed_tables"
    shutil.copytree(seedtables.TABLES_DIR, target)
    return target


def test_malformed_count_names_file_line_and_fix(tmp_path):
    d = _copy(tmp_path)
    path = d / "privacy_counts.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",20,", ",twenty,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(seedtables.SeedTableError, match=r"privacy_counts.csv, line 3: value 'twenty'.*Fix"):
        seedtables.load_seed_table("privacy_counts", d)


def test_unknown_table_and_missing_file(tmp_path):
    with pytest.raises(seedtables.SeedTableError, match="unknown seed table"):
        seedtables.load_seed_table("nope")
    with pytest.raises(seedtables.SeedTableError, match="missing. Fix"):
        seedtables.load_seed_table("privacy_counts", tmp_path)


def test_internal_checks_follow_the_typed_facts(tmp_path, monkeypatch):
    d = _copy(tmp_path)
    counts = d / "privacy_counts.csv"
    counts.write_text(counts.read_text(encoding="utf-8").replace("5. Conclusion,20", "5. Conclusion,21"),
                      encoding="utf-8")
    coding = d / "privacy_coding.csv"
    coding.write_text("\n".join(line for line in coding.read_text(encoding="utf-8").splitlines()
                                if not line.startswith("sub,Platform Factors,Privacy Paradox")) + "\n",
                      encoding="utf-8")
    monkeypatch.setattr(seedtables, "TABLES_DIR", d)
    assert claims.run_check("C4.02").verdict == "contradicted"
    assert claims.run_check("C4.15").verdict == "consistent"
    assert claims.run_check("C4.13").verdict == "contradicted"  # 19 subcategories against 20 stated


def test_table2_implications_are_verbatim():
    assert SEEDS.is_dir(), f"the source documents must be at {SEEDS} (../shared/seeds beside the repository)"
    seed, *_ = seedtables.TABLES["privacy_coding"]
    text = (SEEDS / seed).read_text(encoding="utf-8")
    coding = seedtables.load_seed_table("privacy_coding")
    subs = coding[coding["level"] == "sub"]
    assert len(subs) == 20 and (subs["implication"].str.len() > 0).all()
    for row in subs.itertuples():
        assert f"{row.name}\t{row.implication}" in text, f"Table 2 row {row.name!r} is not typed verbatim"


def test_reference_numbers_are_unique_whole_numbers():
    refs = seedtables.load_seed_table("privacy_references")
    assert refs["number"].is_unique and refs["year"].between(1900, 2030).all()


def test_citation_checks_follow_the_typed_reference_list(tmp_path, monkeypatch):
    d = _copy(tmp_path)
    refs = d / "privacy_references.csv"
    refs.write_text(refs.read_text(encoding="utf-8").replace('13,"Glaser, B. G.",1992', '13,"Strauss, A. L.",1992'),
                    encoding="utf-8")
    monkeypatch.setattr(seedtables, "TABLES_DIR", d)
    assert claims.run_check("C4.09").verdict == "reproduced"
    assert claims.run_check("C4.08").verdict == "corrected"
