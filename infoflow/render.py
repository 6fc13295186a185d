"""Render tables, verdicts and figure lists as MyST Markdown for the book's pages."""

from __future__ import annotations

import pandas as pd

from infoflow.claims import NOT_YET, status
from infoflow.figures import FigureRecord

#: sphinx-design badge colour per verdict
BADGE = {
    "reproduced": "success",
    "consistent": "info",
    "contradicted": "danger",
    "corrected": "warning",
    "unverified": "secondary",
    "not testable": "muted",
    NOT_YET: "light",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def verdict_badge(verdict: str) -> str:
    """Return a coloured MyST badge for a verdict (or for a check not yet written)."""
    return f"{{bdg-{BADGE[verdict]}}}`{verdict}`"


def evidence_link(label: str) -> str:
    """Link an evidence label (a figure or section target) with the label as its text."""
    if not label:
        return ""
    return ", ".join(f"{{ref}}`{part.strip()} <{part.strip()}>`" for part in label.split(";"))


def markdown_table(df: pd.DataFrame) -> str:
    """Render a DataFrame as a pipe table (cells escaped, index dropped)."""
    head = "| " + " | ".join(_cell(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *body]) + "\n"


def verdict_table(results: pd.DataFrame, ledger: pd.DataFrame | None = None, rules: bool = True) -> str:
    """Render check results as a table: the rule stated before the result, the verdict, the evidence kind.

    With ``ledger`` the claim's quote is shown too; ``rules=False`` leaves out the rule column.
    """
    df = results.copy()
    if ledger is not None:
        df = df.merge(ledger[["claim_id", "quote"]], on="claim_id", how="left")
    df["verdict"] = status(df).map(verdict_badge)
    df["shown in"] = df["shown_in"].map(evidence_link)
    df["observed / reason"] = [
        o if o and not r else (f"{o} ({r})" if o else r) for o, r in zip(df["observed"], df["reason"])]
    cols = ["claim_id"] + (["quote"] if "quote" in df else []) + ["stated"] + (["rule"] if rules else []) + [
        "verdict", "observed / reason", "evidence", "shown in"]
    return markdown_table(df[cols].rename(columns={"claim_id": "claim", "evidence": "evidence kind"}))


def figure_entry(record: FigureRecord) -> str:
    """Render one figure-index entry: title, caption, downloads and a 'cite as' line."""
    return (
        f"### {record.label}\n\n"
        f"**{record.title}.** {record.caption} (Shown as {{numref}}`{record.label}`.)\n\n"
        f"Files: {{download}}`SVG <../figures/{record.svg}>`, {{download}}`PNG <../figures/{record.png}>`, "
        f"{{download}}`metadata <../figures/{record.label}.json>`.\n\n"
        f"Cite as: *{record.cite_as()}*\n"
    )
