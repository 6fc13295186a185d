"""Cross-paper links: a graph of the ledger's claims and the concepts they share.

Two small tables hold the links as data. ``data/concepts.csv`` names each shared concept with the
proposition it stands for. ``data/claim_links.csv`` joins a claim to a concept, says whether the claim
*asserts* or *denies* the proposition (a reading of the paper's words, fixed before any result), and
names the computed result a reader can inspect: a check (a claim id), the label of a figure its chapter
still draws, or a value glued in a chapter (``NN_chapter.ipynb::key``).

The kind of an edge (``supports``, ``contradicts``, ``qualifies`` or ``untested``) is never typed:
:func:`relation` derives it from the claim's *computed* verdict and its stance, every time the graph is
built, so a verdict that changes changes the graph with it and no stored word can drift from it.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from infoflow import claims
from infoflow.files import repo_root

CONCEPTS_PATH = repo_root() / "data" / "concepts.csv"
LINKS_PATH = repo_root() / "data" / "claim_links.csv"
CONCEPT_COLUMNS = ("concept", "proposition")
LINK_COLUMNS = ("claim_id", "concept", "stance", "result", "note")
STANCES = ("asserts", "denies")
RELATIONS = ("supports", "contradicts", "qualifies", "untested")
#: verdicts whose claim the book's evidence bears out, and the verdict that goes against it
HOLDS, FAILS = ("reproduced", "consistent"), "contradicted"
#: verdicts that judge a claim (the rest, 'not testable' and 'unverified', judge nothing)
CHECKABLE = ("reproduced", "consistent", "contradicted", "corrected")
#: the rule for "held up", stated before any share is computed: the claim's substance survived
HELD_UP = ("reproduced", "consistent", "corrected")
PAPER_OF_CHAPTER = {f"Chapter {ch}": seed for ch, seed in claims.CHAPTER_SEED.items()}
GLUE_PATTERN = re.compile(r"^(0[1-5]_[a-z_]+\.ipynb)::([A-Za-z0-9_]+)$")
FIGURE_PATTERN = re.compile(r"^fig-0[1-6]-[a-z0-9-]+$")
#: a MyST glue reference to another chapter's value: {glue:text}`NN_x.ipynb::key` or `...::key:fmt`
GLUE_REFERENCE = re.compile(r"\{glue(?::text)?\}`(0[1-5]_[a-z_]+\.ipynb)::([A-Za-z0-9_]+)(?::[^`]*)?`")
#: a figure is drawn where its label is the second argument (or ``label=``) of a ``save_figure`` call
SAVE_FIGURE_CALL = re.compile(r"save_figure\(\s*[^,()]+,\s*(?:label\s*=\s*)?[\"'](fig-[a-z0-9-]+)[\"']")


class LinkError(claims.ClaimError):
    """A problem with the concept or claim-link tables."""


def _fail(path: Path, line: int, msg: str, fix: str) -> LinkError:
    return LinkError(f"{path}, line {line}: {msg}. Fix: {fix}")


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict]]:
    """Rows of a small CSV with their line numbers; the header and field counts are checked."""
    if not path.exists():
        raise LinkError(f"{path}: the file is missing. Fix: restore it from git")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != columns:
            raise _fail(path, 1, f"header is {header}", f"use exactly the columns {', '.join(columns)}")
        rows = []
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(columns):
                raise _fail(path, line_no, f"{len(row)} fields instead of {len(columns)}",
                            "quote fields that contain commas with double quotes")
            rows.append((line_no, dict(zip(columns, (v.strip() for v in row)))))
    return rows


def load_concepts(path: str | Path | None = None) -> pd.DataFrame:
    """Read ``data/concepts.csv``: one row per concept and the proposition it stands for."""
    path = Path(path) if path is not None else CONCEPTS_PATH
    seen: dict[str, int] = {}
    out = []
    for line_no, rec in _read(path, CONCEPT_COLUMNS):
        if not rec["concept"] or not rec["proposition"]:
            raise _fail(path, line_no, "a concept or its proposition is empty", "name the concept and state it")
        if rec["concept"] in seen:
            raise _fail(path, line_no, f"concept {rec['concept']!r} repeats line {seen[rec['concept']]}",
                        "merge the two rows")
        seen[rec["concept"]] = line_no
        out.append(rec)
    return pd.DataFrame(out, columns=list(CONCEPT_COLUMNS))


def glue_names(path: Path) -> frozenset[str]:
    """Names of the values glued in a notebook's stored outputs."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(o.get("metadata", {}).get("scrapbook", {}).get("name", "")
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])) - {""}


def glue_references(text: str) -> list[tuple[str, str]]:
    """``(notebook, key)`` of each ``{glue}``/``{glue:text}`` reference to another chapter, with or without ``:format``."""
    return GLUE_REFERENCE.findall(text)


def drawn_figures(path: Path) -> frozenset[str]:
    """Labels of the figures a notebook draws: the label passed to ``save_figure`` in its code cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(m.group(1) for c in nb["cells"] if c["cell_type"] == "code"
                     for m in SAVE_FIGURE_CALL.finditer("".join(c["source"])))


def result_problem(result: str, checks: dict, root: Path | None = None,
                   glued: dict[str, frozenset[str]] | None = None,
                   drawn: dict[Path, frozenset[str]] | None = None) -> str | None:
    """Why a named result does not exist (``None`` when it does): a check, a drawn figure or a glued value.

    A figure counts only if its saved files exist *and* a notebook of its chapter still draws it
    (passes its label to ``save_figure``); ``glued`` and ``drawn`` cache what the notebooks hold.
    """
    root = root if root is not None else repo_root()
    glued = glued if glued is not None else {}
    drawn = drawn if drawn is not None else {}
    if claims.ID_PATTERN.match(result):
        return None if result in checks else f"no check is registered for {result} in infoflow/checks/"
    if FIGURE_PATTERN.match(result):
        if not (root / "figures" / f"{result}.json").exists():
            return f"figure {result} has no saved files in figures/"
        chapter = result.split("-")[1]
        notebooks = sorted((root / "chapters").glob(f"{chapter}_*.ipynb"))
        for path in notebooks:
            if path not in drawn:
                drawn[path] = drawn_figures(path)
        if not any(result in drawn[path] for path in notebooks):
            return (f"figure {result} has saved files, but no save_figure call in chapters/{chapter}_*.ipynb "
                    "draws it any more (a stale figure)")
        return None
    m = GLUE_PATTERN.match(result)
    if m:
        notebook, key = m.groups()
        path = root / "chapters" / notebook
        if not path.exists():
            return f"no chapter notebook chapters/{notebook}"
        if notebook not in glued:
            glued[notebook] = glue_names(path)
        if key not in glued[notebook]:
            return f"chapters/{notebook} glues no value named {key!r} in its stored outputs"
        return None
    return f"{result!r} is neither a claim id, a figure label (fig-0N-...) nor a glued value (NN_x.ipynb::key)"


def load_links(path: str | Path | None = None, concepts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate ``data/claim_links.csv``; every error names the file, the line and the fix."""
    path = Path(path) if path is not None else LINKS_PATH
    concepts = concepts if concepts is not None else load_concepts()
    known_claims = set(claims.load_ledger()["claim_id"])
    known_concepts = set(concepts["concept"])
    checks = claims.registry()
    glued: dict[str, frozenset[str]] = {}
    drawn: dict[Path, frozenset[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    out = []
    for line_no, rec in _read(path, LINK_COLUMNS):
        cid, concept = rec["claim_id"], rec["concept"]
        if cid not in known_claims:
            raise _fail(path, line_no, f"unknown claim id {cid!r}", "use an id of data/claims.csv")
        if concept not in known_concepts:
            raise _fail(path, line_no, f"unknown concept {concept!r}", "use a concept of data/concepts.csv, or add it there")
        if rec["stance"] not in STANCES:
            raise _fail(path, line_no, f"stance {rec['stance']!r} unknown",
                        f"say whether the claim {' or '.join(STANCES)} the concept's proposition")
        if (cid, concept) in seen:
            raise _fail(path, line_no, f"{cid} is linked to {concept!r} again (line {seen[cid, concept]})",
                        "keep one link per claim and concept")
        seen[cid, concept] = line_no
        for part in (p.strip() for p in rec["result"].split(";")):
            problem = result_problem(part, checks, glued=glued, drawn=drawn) if part else "the result is empty"
            if problem:
                raise _fail(path, line_no, problem, "name an existing check, a figure label a chapter draws, or a glued value")
        words = set(re.findall(r"[a-z]+", rec["note"].lower()))
        typed = words & {v for v in claims.VERDICTS if " " not in v} | ({"testable"} & words)
        if typed:
            raise _fail(path, line_no, f"the note types a verdict word ({', '.join(sorted(typed))})",
                        "describe the paper's words only; verdicts are computed")
        out.append(rec)
    return pd.DataFrame(out, columns=list(LINK_COLUMNS))


def relation(verdict: str, evidence: str, observed: str, stance: str) -> str:
    """The edge a claim's computed verdict gives its concept (the rule the chapter states).

    A claim borne out (reproduced, consistent) supports the proposition it asserts; a contradicted
    claim contradicts it; for a claim that denies the proposition the two swap. A corrected claim,
    or one left undecided with a computed result, qualifies it. A claim checked only against the
    paper's own text (evidence 'seed text'), or with no result (not testable without one,
    unverified), leaves the concept untested.
    """
    if stance not in STANCES:
        raise LinkError(f"stance {stance!r} unknown. Fix: use one of {', '.join(STANCES)}")
    if verdict not in claims.VERDICTS:
        raise LinkError(f"verdict {verdict!r} unknown. Fix: use one of {', '.join(claims.VERDICTS)}")
    if evidence == "seed text":
        return "untested"
    if verdict in HOLDS or verdict == FAILS:
        holds = verdict in HOLDS
        return "supports" if holds == (stance == "asserts") else "contradicts"
    if verdict == "corrected" or (verdict == "not testable" and observed):
        return "qualifies"
    return "untested"


def claim_graph(links: pd.DataFrame, results: pd.DataFrame, concepts: pd.DataFrame) -> nx.Graph:
    """Bipartite graph of claims and concepts; each edge's relation derived from the claim's verdict."""
    res = results.set_index("claim_id")
    missing = sorted(set(links["claim_id"]) - set(res.index))
    if missing:
        raise LinkError(f"no verdict for {', '.join(missing)}. Fix: pass the results of claims.run_all()")
    g = nx.Graph()
    for rec in concepts.itertuples(index=False):
        g.add_node(rec.concept, kind="concept", proposition=rec.proposition)
    for rec in links.itertuples(index=False):
        row = res.loc[rec.claim_id]
        g.add_node(rec.claim_id, kind="claim", paper=claims.CHAPTER_SEED[int(rec.claim_id[1])],
                   verdict=row["verdict"], evidence=row["evidence"])
        g.add_edge(rec.claim_id, rec.concept, stance=rec.stance, result=rec.result,
                   relation=relation(row["verdict"], row["evidence"], row["observed"], rec.stance))
    return g


def edges(g: nx.Graph) -> pd.DataFrame:
    """The graph's claim-concept edges as a table (paper, claim, concept, stance, verdict, relation, result)."""
    rows = []
    for u, v, d in g.edges(data=True):
        cid, concept = (u, v) if g.nodes[u]["kind"] == "claim" else (v, u)
        rows.append({"paper": g.nodes[cid]["paper"], "claim": cid, "concept": concept, "stance": d["stance"],
                     "verdict": g.nodes[cid]["verdict"], "relation": d["relation"], "result": d["result"]})
    return pd.DataFrame(rows).sort_values(["concept", "claim"]).reset_index(drop=True)


def concept_table(g: nx.Graph) -> pd.DataFrame:
    """Per concept: how many papers and claims it joins, and the edges by relation; most papers first."""
    df = edges(g)
    rows = []
    for concept, grp in df.groupby("concept"):
        row = {"concept": concept, "papers": grp["paper"].nunique(), "claims": len(grp),
               "which papers": ", ".join(sorted(grp["paper"].unique()))}
        row.update({rel: int((grp["relation"] == rel).sum()) for rel in RELATIONS})
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["papers", "claims", "concept"], ascending=[False, False, True])
    return out.reset_index(drop=True)


def disagreements(g: nx.Graph) -> pd.DataFrame:
    """Concepts on which different papers split: in stance (one asserts, another denies) or in result.

    A result split is a supports edge from one paper and a contradicts edge from another into the same
    concept: the book's evidence bears one paper out and goes against the other.
    """
    df = edges(g)
    rows = []
    for concept, grp in df.groupby("concept"):
        for kind, col, a, b in (("stance", "stance", "asserts", "denies"),
                                ("result", "relation", "supports", "contradicts")):
            side_a, side_b = grp[grp[col] == a], grp[grp[col] == b]
            if not any(pa != pb for pa in set(side_a["paper"]) for pb in set(side_b["paper"])):
                continue
            rows.append({"concept": concept, "split": kind,
                         a: ", ".join(f"{c} ({p})" for c, p in zip(side_a["claim"], side_a["paper"])),
                         b: ", ".join(f"{c} ({p})" for c, p in zip(side_b["claim"], side_b["paper"]))})
    cols = ["concept", "split", "asserts", "denies", "supports", "contradicts"]
    return pd.DataFrame(rows, columns=cols).astype(object).fillna("")


def split_sides(g: nx.Graph) -> pd.DataFrame:
    """Per split of :func:`disagreements`: which papers are on both sides themselves, and which on one side.

    A paper with claims on both sides of a split (one asserting, another denying; or one supported,
    another contradicted) disagrees with itself there, so the split is not only *between* papers.
    ``both sides`` lists such papers with their claims on each side; ``only one side`` lists the rest;
    ``across papers`` counts the opposite pairs of claims from different papers, ``within a paper``
    the pairs from the same paper.
    """
    df = edges(g)
    rows = []
    for rec in disagreements(g).itertuples(index=False):
        col, a, b = ("stance", "asserts", "denies") if rec.split == "stance" else ("relation", "supports", "contradicts")
        grp = df[df["concept"] == rec.concept]
        side_a, side_b = grp[grp[col] == a], grp[grp[col] == b]
        both = sorted(set(side_a["paper"]) & set(side_b["paper"]))
        one = sorted((set(side_a["paper"]) | set(side_b["paper"])) - set(both))
        pairs = [(pa, pb) for pa in side_a["paper"] for pb in side_b["paper"]]
        rows.append({
            "concept": rec.concept, "split": rec.split,
            "both sides": "; ".join(
                f"{p} ({', '.join(side_a.loc[side_a['paper'] == p, 'claim'])} {a}, "
                f"{', '.join(side_b.loc[side_b['paper'] == p, 'claim'])} {b})" for p in both),
            "only one side": ", ".join(one),
            "across papers": sum(pa != pb for pa, pb in pairs),
            "within a paper": sum(pa == pb for pa, pb in pairs),
        })
    cols = ["concept", "split", "both sides", "only one side", "across papers", "within a paper"]
    return pd.DataFrame(rows, columns=cols)


# ------------------------------------------------------------------ drawing

RELATION_STYLE = {"supports": ("#009E73", 1.6), "contradicts": ("#D55E00", 1.6),
                  "qualifies": ("#E69F00", 1.3), "untested": ("#AAAAAA", 0.7)}


def layered_layout(g: nx.Graph, left: tuple[str, ...] = ("000", "001"), sweeps: int = 4,
                   ) -> dict[str, tuple[float, float]]:
    """Concepts in a middle column, each paper's claims in a block on the left or right side.

    Concepts and claims are ordered by a few barycentre sweeps (each placed at the mean height of its
    neighbours), which keeps most edges short and few of them crossing.
    """
    concept_nodes = [n for n, d in g.nodes(data=True) if d["kind"] == "concept" and g.degree(n)]
    papers = sorted({d["paper"] for _, d in g.nodes(data=True) if d["kind"] == "claim"})
    members = {p: [n for n, d in g.nodes(data=True) if d["kind"] == "claim" and d["paper"] == p] for p in papers}
    concept_y = {c: -i for i, c in enumerate(sorted(concept_nodes, key=lambda c: (-g.degree(c), c)))}
    pos: dict[str, tuple[float, float]] = {}
    for _ in range(sweeps):
        for side in (tuple(p for p in papers if p in left), tuple(p for p in papers if p not in left)):
            y = 0.0
            for p in side:
                ordered = sorted(members[p], key=lambda n: (np.mean([concept_y[c] for c in g[n]]), n), reverse=True)
                for n in ordered:
                    pos[n] = (-1.0 if p in left else 1.0, y)
                    y -= 1.0
                y -= 1.2
        height = min(y for _, y in pos.values())
        bary = {c: np.mean([pos[n][1] for n in g[c]]) for c in concept_nodes}
        ranked = sorted(concept_nodes, key=lambda c: (-bary[c], c))
        concept_y = {c: height * (i + 0.5) / len(ranked) for i, c in enumerate(ranked)}
    for c, y in concept_y.items():
        pos[c] = (0.0, y)
    return pos


def draw(g: nx.Graph, ax: Any, paper_names: dict[str, str]) -> None:
    """Draw the claim graph on ``ax``: coloured edges by relation, dashed for denials, labelled nodes."""
    from matplotlib.lines import Line2D

    pos = layered_layout(g)
    for rel in ("untested", "qualifies", "supports", "contradicts"):
        color, width = RELATION_STYLE[rel]
        for u, v, d in g.edges(data=True):
            if d["relation"] == rel:
                ax.plot([pos[u][0], pos[v][0]], [pos[u][1], pos[v][1]], color=color, lw=width,
                        ls="-" if d["stance"] == "asserts" else (0, (3, 2)), zorder=1 if rel == "untested" else 2)
    claim_nodes = [n for n, d in g.nodes(data=True) if d["kind"] == "claim"]
    xy = np.array([pos[n] for n in claim_nodes])
    ax.scatter(xy[:, 0], xy[:, 1], s=12, color="#444444", zorder=3)
    for n in claim_nodes:
        x, y = pos[n]
        ax.text(x - 0.04 if x < 0 else x + 0.04, y, n, fontsize=6.5, ha="right" if x < 0 else "left",
                va="center")
    for n, d in g.nodes(data=True):
        if d["kind"] == "concept" and g.degree(n):
            ax.text(*pos[n], n, fontsize=7.5, ha="center", va="center", zorder=4,
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#333333", "lw": 0.6})
    for p in sorted({g.nodes[n]["paper"] for n in claim_nodes}):
        ys = [pos[n][1] for n in claim_nodes if g.nodes[n]["paper"] == p]
        x = pos[next(n for n in claim_nodes if g.nodes[n]["paper"] == p)][0]
        ax.text(1.42 * x, float(np.mean(ys)), paper_names.get(p, p), fontsize=8, ha="center", va="center",
                rotation=90, fontweight="bold")
        ax.plot([1.3 * x, 1.3 * x], [max(ys), min(ys)], color="#666666", lw=1.0)
    handles = [Line2D([], [], color=RELATION_STYLE[r][0], lw=RELATION_STYLE[r][1], label=r) for r in RELATIONS]
    handles.append(Line2D([], [], color="#444444", lw=1.0, ls=(0, (3, 2)), label="claim denies the concept"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=7.5)
    ax.set_xlim(-1.55, 1.55)
    ax.axis("off")


# ------------------------------------------------------------------ how the papers fared

def jeffreys_interval(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Jeffreys interval of a binomial share (Beta(k + 1/2, n - k + 1/2) quantiles; 0 or 1 at the ends)."""
    from scipy.stats import beta

    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"a share needs 0 <= k <= n and n > 0, got k={k}, n={n}")
    tail = (1 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(tail, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(beta.ppf(1 - tail, k + 0.5, n - k + 0.5))
    return lo, hi


def held_up(results: pd.DataFrame, by: str = "paper") -> pd.DataFrame:
    """Per paper (or evidence kind): checkable claims, how many held up, the share and its Jeffreys interval."""
    df = results.assign(paper=results["claim_id"].str[1].astype(int).map(claims.CHAPTER_SEED))
    df = df[df["verdict"].isin(CHECKABLE)]
    rows = []
    for key, grp in df.groupby(by):
        n, k = len(grp), int(grp["verdict"].isin(HELD_UP).sum())
        strict = int(grp["verdict"].isin(HOLDS).sum())
        lo, hi = jeffreys_interval(k, n)
        rows.append({by: key, "checkable": n, "held up": k, "share": k / n, "low": lo, "high": hi,
                     "without corrected": strict / n})
    return pd.DataFrame(rows)


def homogeneity_pvalue(results: pd.DataFrame, reps: int = 20000, seed: int = 20261126) -> float:
    """Permutation p-value of the chi-square statistic for equal held-up shares across papers (seeded)."""
    df = results[results["verdict"].isin(CHECKABLE)]
    paper = df["claim_id"].str[1].to_numpy()
    ok = df["verdict"].isin(HELD_UP).to_numpy()

    def chi2(labels: np.ndarray) -> float:
        stat, p_all = 0.0, ok.mean()
        for p in np.unique(paper):
            sel = labels[paper == p]
            exp = sel.size * p_all
            stat += (sel.sum() - exp) ** 2 / exp + ((sel.size - sel.sum()) - (sel.size - exp)) ** 2 / (sel.size - exp)
        return stat

    if ok.all() or not ok.any():
        return 1.0
    observed = chi2(ok)
    rng = np.random.default_rng(seed)
    hits = sum(chi2(rng.permutation(ok)) >= observed - 1e-12 for _ in range(reps))
    return float((hits + 1) / (reps + 1))


def claims_frame(results: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """The verdicts of some claims, in the order given: claim, paper, evidence kind, verdict and result."""
    res = results.set_index("claim_id")
    unknown = [c for c in ids if c not in res.index]
    if unknown:
        raise LinkError(f"no verdict for {', '.join(unknown)}. Fix: pass the results of claims.run_all()")
    out = res.loc[ids, ["evidence", "verdict", "observed"]].reset_index()
    out.insert(1, "paper", out["claim_id"].str[1].astype(int).map(claims.CHAPTER_SEED))
    out["observed"] = [o if o else "(no result: " + r[:90].rstrip() + ("…)" if len(r) > 90 else ")")
                       for o, r in zip(out["observed"], res.loc[ids, "reason"])]
    return out.rename(columns={"claim_id": "claim", "observed": "result"})
