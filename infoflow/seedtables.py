"""Facts typed from the source documents themselves (counts, coding tables), for internal-consistency checks.

Each row carries the section it comes from and a short verbatim ``evidence`` phrase of the document,
so that a reader can find it; the tests confirm every phrase against the document when it is at hand.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx
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
    # Table 1, the interview outline: the evidence column is the question, verbatim
    "privacy_outline": ("003_1ad3dfb3659b7e68.txt", ("part", "number", "evidence"), ("number",)),
    # where Section 4.5's prose discusses each Table 2 subcategory, and under which main category's paragraph
    "privacy_prose": ("003_1ad3dfb3659b7e68.txt", ("subcategory", "paragraph", "evidence"), ()),
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


_STOP = {"the", "of", "and", "or", "to", "on", "a", "an", "in", "as", "by", "such", "their", "its", "for", "with",
         "through", "like", "users", "user", "s", "etc", "between", "during", "different"}


def key_terms(text: str) -> set[str]:
    """Content words of a label or implication, lower-cased and singular (a trailing 's' dropped)."""
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP}


def coding_tree() -> nx.DiGraph:
    """The coding hierarchy of the privacy paper: central category -> four main categories -> subcategories.

    Nodes carry ``level`` (central, main, sub) and, for subcategories, the printed ``implication``.
    """
    coding = load_seed_table("privacy_coding")
    central = coding.loc[coding["level"] == "central", "name"].tolist()
    if len(central) != 1:
        raise SeedTableError(f"data/seed_tables/privacy_coding.csv has {len(central)} central categories. "
                             "Fix: type exactly one row with level 'central'")
    tree = nx.DiGraph()
    root = central[0]
    tree.add_node(root, level="central")
    for row in coding[coding["level"] == "sub"].itertuples():
        if row.main_category not in tree:
            tree.add_node(row.main_category, level="main")
            tree.add_edge(root, row.main_category)
        if row.name in tree:
            raise SeedTableError(f"data/seed_tables/privacy_coding.csv: subcategory {row.name!r} appears twice. "
                                 "Fix: type each Table 2 row once")
        tree.add_node(row.name, level="sub", implication=row.implication)
        tree.add_edge(row.main_category, row.name)
    return tree


def implication_review() -> pd.DataFrame:
    """Each Table 2 subcategory set against its own implication, the other rows and Section 4.5's prose.

    Columns: ``main`` (Table 2's main category), ``implication``, ``own_terms`` (key terms the implication
    shares with its own name), ``swapped_with`` (a row whose implication fits this row's name better while
    this row's implication fits that row's name better: the two carry each other's meanings),
    ``by_users`` (the implication describes what users do or feel, named as such), ``prose`` (the
    main-category paragraphs of Section 4.5 that discuss the subcategory) and ``prose_agrees`` (whether
    one of them is Table 2's main category; missing when the prose is silent).
    """
    tree = coding_tree()
    subs = [n for n, d in tree.nodes(data=True) if d["level"] == "sub"]
    prose = load_seed_table("privacy_prose")
    unknown = sorted(set(prose["subcategory"]) - set(subs))
    if unknown:
        raise SeedTableError(f"data/seed_tables/privacy_prose.csv names {unknown}, not subcategories of Table 2. "
                             "Fix: use Table 2's names")
    imp = {n: tree.nodes[n]["implication"] for n in subs}

    def fit(i: str, n: str) -> int:
        return len(key_terms(imp[i]) & key_terms(n))

    rows = []
    for name in subs:
        main = next(iter(tree.predecessors(name)))
        swapped = [o for o in subs if o != name and fit(name, o) > fit(name, name) and fit(o, name) > fit(o, o)]
        paragraphs = sorted(set(prose.loc[prose["subcategory"] == name, "paragraph"]))
        rows.append({"subcategory": name, "main": main, "implication": imp[name], "own_terms": fit(name, name),
                     "swapped_with": ", ".join(swapped),
                     "by_users": bool(re.search(r"\busers?\b|\busers[’']", imp[name], flags=re.IGNORECASE)),
                     "prose": ", ".join(paragraphs),
                     "prose_agrees": (main in paragraphs) if paragraphs else None})
    return pd.DataFrame(rows)
