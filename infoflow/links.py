"""Cross-paper links: themes that join claims of different documents into one graph."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pandas as pd

from infoflow import claims
from infoflow.files import repo_root

THEMES_PATH = repo_root() / "data" / "themes.csv"
COLUMNS = ("theme", "description", "claim_ids")


def load_themes(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/themes.csv``: one row per (theme, claim); unknown claim ids name the file and line."""
    path = Path(path) if path is not None else THEMES_PATH
    known = set(claims.load_ledger()["claim_id"])
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise claims.ClaimError(f"{path}, line 1: header is {header}. Fix: use the columns {', '.join(COLUMNS)}")
        for line_no, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise claims.ClaimError(f"{path}, line {line_no}: {len(row)} fields instead of {len(COLUMNS)}. "
                                        "Fix: quote descriptions that contain commas")
            theme, description, ids = (v.strip() for v in row)
            for cid in (i.strip() for i in ids.split(";") if i.strip()):
                if cid not in known:
                    raise claims.ClaimError(
                        f"{path}, line {line_no}: unknown claim id {cid!r} in theme {theme!r}. "
                        "Fix: use an id of data/claims.csv"
                    )
                rows.append({"theme": theme, "description": description, "claim_id": cid})
    return pd.DataFrame(rows, columns=["theme", "description", "claim_id"])


def theme_graph(themes: pd.DataFrame) -> nx.Graph:
    """Bipartite graph of themes and chapters, edges weighted by the number of shared claims."""
    g = nx.Graph()
    for (theme, chapter), n in themes.groupby(["theme", themes["claim_id"].str[1]]).size().items():
        g.add_node(theme, kind="theme")
        g.add_node(f"Chapter {chapter}", kind="chapter")
        g.add_edge(theme, f"Chapter {chapter}", weight=int(n))
    return g


def theme_matrix(themes: pd.DataFrame, results: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims per theme (rows) and chapter (columns); with results, only claims with a computed verdict."""
    df = themes
    if results is not None:
        tested = set(results.loc[results["verdict"] != "not testable", "claim_id"])
        df = themes[themes["claim_id"].isin(tested)]
    table = pd.crosstab(df["theme"], "Chapter " + df["claim_id"].str[1])
    table = table.reindex(index=sorted(themes["theme"].unique()), fill_value=0)
    table.index.name = None
    table.columns.name = None
    return table
