"""The book's own ``data/`` CSVs described as a Frictionless data package (``datapackage.json``).

Run ``python -m infoflow.datapackage write`` after adding a CSV under ``data/``; ``check`` lists
problems (a CSV not described, a header that differs from its schema, a value of the wrong type).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from infoflow import __version__
from infoflow.files import atomic_write_text, repo_root

PACKAGE_FILE = "datapackage.json"

#: field name -> (Frictionless type, meaning, unit or None), per kind of table
FIGURE_FIELDS = {
    "series": ("string", "which quantity the row gives (one table may hold several series)", None),
    "period": ("string", "the reporting period as the source names it (e.g. 1Q13, 2017-06)", None),
    "date": ("date", "the date the figure refers to (end of the reporting period), ISO 8601", None),
    "value": ("number", "the figure as published", "given in the row's unit column"),
    "unit": ("string", "the unit of value (e.g. million accounts, percent of US adults)", None),
    "source": ("string", "the primary report the figure was typed from", None),
    "note": ("string", "caveats: definitions, rounding, what the figure does not count", None),
    "verified": ("boolean", "true when the figure was checked in a public copy of the primary source", None),
}
SEED_COUNT_FIELDS = {
    "quantity": ("string", "what the source document counts (dates written yyyymmdd)", None),
    "section": ("string", "the section of the source document the number is read from", None),
    "value": ("number", "the number as the source document states it", "named in quantity"),
    "evidence": ("string", "the verbatim words of the source document that give the number", None),
}
SCHEMAS: dict[str, dict] = {
    "claims": {
        "claim_id": ("string", "claim identifier Cn.mm: chapter n, claim mm", None),
        "seed": ("string", "file name of the source document that makes the claim", None),
        "section": ("string", "section of the source document", None),
        "quote": ("string", "the claim, verbatim (at most 40 words)", None),
        "kind": ("string", "figure, arithmetic, qualitative or model", None),
        "stated": ("string", "the number or direction the document states", None),
        "unit": ("string", "the unit of the stated number", None),
        "cited_source": ("string", "what the document cites for the claim", None),
        "test": ("string", "how the book checks the claim", None),
        "rule": ("string", "the decision rule, written before the result", None),
        "evidence": ("string", "kind of evidence: primary source, seed text, proxy data, model, simulation", None),
    },
    "registry": {
        "name": ("string", "file name of the external data file", None),
        "description": ("string", "what the file holds", None),
        "upstream_repo": ("string", "the upstream repository (owner/name)", None),
        "commit": ("string", "the upstream commit the file is pinned to", None),
        "upstream_path": ("string", "the file's path in the upstream repository", None),
        "url": ("string", "the pinned download address", None),
        "doi": ("string", "DOI of the data set, when it has one", None),
        "sha256": ("string", "SHA-256 of the file, checked before every use", None),
        "bytes": ("integer", "size of the file", "bytes"),
        "licence": ("string", "the data's licence or terms of use", None),
        "citation": ("string", "the work to cite for the data", None),
        "member_sha256": ("string", "SHA-256 of members of an archive (member=hash; ...)", None),
    },
    "concepts": {
        "concept": ("string", "a concept shared by claims of several documents", None),
        "proposition": ("string", "the statement the concept stands for, which a claim asserts or denies", None),
    },
    "claim_links": {
        "claim_id": ("string", "the ledger claim", None),
        "concept": ("string", "the concept of data/concepts.csv it bears on", None),
        "stance": ("string", "asserts or denies: whether the claim's words assert or deny the proposition", None),
        "result": ("string", "the result to inspect: a claim's check, a figure label or NN_chapter.ipynb::key", None),
        "note": ("string", "the paper's words behind the link (never a verdict: relations are computed)", None),
    },
    "privacy_coding": {
        "level": ("string", "central category or sub-category of the paper's coding", None),
        "main_category": ("string", "the main category a sub-category belongs to", None),
        "name": ("string", "the category's name", None),
        "section": ("string", "the section of the paper", None),
        "evidence": ("string", "the paper's verbatim words", None),
        "implication": ("string", "the paper's explanation of the category", None),
    },
    "privacy_references": {
        "number": ("integer", "the reference's number in the paper's list", None),
        "authors": ("string", "authors, separated by semicolons", None),
        "year": ("integer", "year of publication", "year"),
        "title": ("string", "title of the cited work", None),
        "evidence": ("string", "the paper's reference entry, verbatim", None),
    },
    "privacy_outline": {
        "part": ("string", "the part of the paper's Table 1 (interview outline)", None),
        "number": ("integer", "the question's number in Table 1", None),
        "evidence": ("string", "the question, verbatim", None),
    },
    "privacy_prose": {
        "subcategory": ("string", "a Table 2 subcategory discussed in Section 4.5's prose", None),
        "paragraph": ("string", "the main category whose paragraph discusses it", None),
        "evidence": ("string", "the paper's words, verbatim", None),
    },
}
for _name in ("dingzhen_counts", "privacy_counts"):
    SCHEMAS[_name] = SEED_COUNT_FIELDS


class DataPackageError(ValueError):
    """A CSV under data/ that the data package does not (correctly) describe."""


def _schema_for(path: Path) -> dict:
    if path.parent.name == "figures":
        return FIGURE_FIELDS
    if path.stem not in SCHEMAS:
        raise DataPackageError(f"{path}: no table schema for this CSV. Fix: describe its fields in "
                               "infoflow/datapackage.py (SCHEMAS) and run `python -m infoflow.datapackage write`")
    return SCHEMAS[path.stem]


def describe(root: str | Path | None = None) -> dict:
    """Return the data package descriptor of every CSV under ``<root>/data``."""
    root = Path(root) if root is not None else repo_root()
    resources = []
    for path in sorted((root / "data").rglob("*.csv")):
        spec = _schema_for(path)
        with path.open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh), [])
        if header != list(spec):
            raise DataPackageError(f"{path}: header {header} differs from its schema {list(spec)}. "
                                   "Fix: update SCHEMAS in infoflow/datapackage.py")
        fields = []
        for name, (ftype, meaning, unit) in spec.items():
            field = {"name": name, "type": ftype, "description": meaning}
            if unit:
                field["unit"] = unit
            fields.append(field)
        rel = path.relative_to(root).as_posix()
        resources.append({
            "name": rel.removeprefix("data/").removesuffix(".csv").replace("/", "-").replace("_", "-"),
            "path": rel, "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": fields, "missingValues": [""]},
        })
    return {
        "name": "wechat-information-flows-data",
        "title": "WeChat information flows: the book's own data",
        "description": "The claims ledger, the registry of external data files, and typed public figures "
                       "(each row with its primary source) of the book WeChat information flows.",
        "version": __version__,
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }


def problems(root: str | Path | None = None) -> list[str]:
    """List what is wrong with ``datapackage.json``: stale, or a value that breaks its schema."""
    from frictionless import Package

    root = Path(root) if root is not None else repo_root()
    path = root / PACKAGE_FILE
    if not path.is_file():
        return [f"{path} is missing. Fix: run `python -m infoflow.datapackage write`"]
    try:
        expected = describe(root)
    except DataPackageError as exc:
        return [str(exc)]
    if json.loads(path.read_text(encoding="utf-8")) != expected:
        return [f"{path} is out of date with data/. Fix: run `python -m infoflow.datapackage write`"]
    report = Package(str(path), basepath=str(root)).validate()
    out = []
    for task in report.tasks:
        where = next((r["path"] for r in expected["resources"] if r["name"] == task.name), task.name)
        out += [f"{where}: row {e.row_number}, field {e.field_name}: {e.message}"
                if hasattr(e, "row_number") else f"{where}: {e.message}" for e in task.errors]
    out += [e.message for e in report.errors]
    return out


def write(root: str | Path | None = None) -> Path:
    """Write ``datapackage.json`` from the CSVs under ``data/``."""
    root = Path(root) if root is not None else repo_root()
    return atomic_write_text(root / PACKAGE_FILE, json.dumps(describe(root), indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    """Command line: ``write`` or ``check``."""
    if argv[:1] == ["write"]:
        print(write())
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        print("\n".join(found) or "datapackage.json describes data/ and every row passes its schema")
        return 1 if found else 0
    print("usage: python -m infoflow.datapackage write|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
