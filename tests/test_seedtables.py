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


def test_table1_questions_are_verbatim_and_numbered_in_order():
    assert SEEDS.is_dir(), f"the source documents must be at {SEEDS} (../shared/seeds beside the repository)"
    seed, *_ = seedtables.TABLES["privacy_outline"]
    text = (SEEDS / seed).read_text(encoding="utf-8")
    outline = seedtables.load_seed_table("privacy_outline")
    assert list(outline["number"]) == list(range(1, 21))
    for row in outline.itertuples():
        assert f"{row.number}\t{row.evidence}" in text, f"Table 1 question {row.number} is not typed verbatim"


def test_coding_tree_has_one_root_four_branches_and_twenty_leaves():
    tree = seedtables.coding_tree()
    levels = [d["level"] for _, d in tree.nodes(data=True)]
    assert levels.count("central") == 1 and levels.count("main") == 4 and levels.count("sub") == 20
    import networkx as nx
    assert nx.is_arborescence(tree)


def test_implication_review_finds_the_swapped_pair_and_the_silent_row():
    review = seedtables.implication_review().set_index("subcategory")
    assert review.loc["Privacy Awareness", "swapped_with"] == "Emotional Needs"
    assert review.loc["Emotional Needs", "swapped_with"] == "Privacy Awareness"
    assert review.loc["Privacy Boundaries", "prose"] == ""
    assert review.loc["Privacy Protection Measures", "by_users"]


def test_prose_rows_must_name_table2_subcategories(tmp_path, monkeypatch):
    d = _copy(tmp_path)
    prose = d / "privacy_prose.csv"
    prose.write_text(prose.read_text(encoding="utf-8") + "Nonexistent Row,User Factors,Social pressure may come\n",
                     encoding="utf-8")
    monkeypatch.setattr(seedtables, "TABLES_DIR", d)
    with pytest.raises(seedtables.SeedTableError, match="not subcategories of Table 2"):
        seedtables.implication_review()
