"""Facts typed from the source documents themselves (counts, coding tables), for internal-consistency checks.

Each row carries the section it comes from and a short verbatim ``evidence`` phrase of the document,
so that a reader can find it; the tests confirm every phrase against the document when it is at hand.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from infoflow.files import repo_root

TABLES_DIR = repo_root() / "data" / "seed_tables"
#: table name -> (source document, columns, integer columns)
TABLES = {
    "privacy_counts": ("003_1ad3dfb3659b7e68.txt", ("quantity", "section", "value", "evidence"), ("value",)),
    "privacy_coding": ("003_1ad3dfb3659b7e68.txt",
                       ("level", "main_category", "name", "section", "evidence", "implication"), ()),
    "privacy_references": ("003_1ad3dfb3659b7e68.txt", ("number", "authors", "year", "title", "evidence"),
                           ("number", "year")),
    "dingzhen_counts": ("002_6606f283b9ec9a6b.txt", ("quantity", "section", "value", "evidence"), ("value",)),
}
LEVELS = ("central", "main", "sub")


class SeedTableError(ValueError):
    """A typed seed table that is missing or malformed."""


def load_seed_table(name: str, directory: str | Path | None = None) -> pd.DataFrame:
    """Read and validate ``data/seed_tables/<name>.csv``; errors name the file, the line and the fix."""
    if name not in TABLES:
        raise SeedTableError(f"unknown seed table {name!r}; known: {', '.join(TABLES)}")
    _, columns, integers = TABLES[name]
    path = Path(directory or TABLES_DIR) / f"{name}.csv"
    if not path.is_file():
        raise SeedTableError(f"{path} is missing. Fix: restore it from git")
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            raise SeedTableError(f"{path}, line 1: header is {header}. Fix: use the columns {', '.join(columns)}")
        for line_no, row in enumerate(reader, start=2):
            if len(row) != len(columns):
                raise SeedTableError(f"{path}, line {line_no}: {len(row)} fields instead of {len(columns)}. "
                                     "Fix: quote fields that contain commas")
            rec = dict(zip(columns, (v.strip() for v in row)))
            if not rec["evidence"]:
                raise SeedTableError(f"{path}, line {line_no}: empty evidence. Fix: quote the phrase of the "
                                     "document the row comes from")
            for col in integers:
                try:
                    rec[col] = int(rec[col])
                except ValueError:
                    raise SeedTableError(f"{path}, line {line_no}: {col} {rec[col]!r} is not a whole number. "
                                         "Fix: type the count as digits") from None
            if "level" in rec and rec["level"] not in LEVELS:
                raise SeedTableError(f"{path}, line {line_no}: level {rec['level']!r} unknown. "
                                     f"Fix: use one of {', '.join(LEVELS)}")
            rows.append(rec)
    return pd.DataFrame(rows, columns=list(columns))


def stated(name: str, quantity: str) -> pd.DataFrame:
    """Every place a document states ``quantity`` in table ``name`` (section, value, evidence)."""
    df = load_seed_table(name)
    out = df[df["quantity"] == quantity]
    if out.empty:
        raise SeedTableError(f"data/seed_tables/{name}.csv states no {quantity!r}. Fix: correct the quantity")
    return out.reset_index(drop=True)
