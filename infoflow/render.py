"""Render tables, verdicts and figure lists as MyST Markdown for the book's pages."""

from __future__ import annotations

import pandas as pd

from infoflow.claims import NOT_YET, rule_status, status

#: sphinx-design badge colour per verdict
BADGE = {
    "reproduced": "success",
    "consistent": "info",
    "contradicted": "danger",
    "corrected": "warning",
    "unverified": "primary",
    "not testable": "muted",
    NOT_YET: "light",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def verdict_badge(verdict: str) -> str:
    """Return a coloured MyST badge for a verdict (or for a check not yet written)."""
    if verdict not in BADGE:
        raise ValueError(f"no badge for verdict {verdict!r}. Fix: use one of {', '.join(BADGE)}")
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


def _rule_and_result(rule: str, observed: str, reason: str) -> str:
    """One cell: the rule stated before the result, then what was observed (or why nothing could be)."""
    if rule_status(rule) != "computed":
        return f"*No verdict can be computed:* {reason}" + (f" *Context:* {observed}" if observed else "")
    parts = [f"*Rule:* {rule}"]
    if observed:
        parts.append(f"*Observed:* {observed}")
    if reason == NOT_YET:
        parts.append("*Not yet checked.*")
    elif reason:
        parts.append(f"*Undecided:* {reason}")
    return " ".join(parts)


def verdict_table(results: pd.DataFrame, ledger: pd.DataFrame | None = None) -> str:
    """Render check results: the verdict beside its rule (stated before the result) and the evidence.

    Each row shows the claim (with its quote when ``ledger`` is given), the verdict, the rule followed
    by what was observed (or the reason no verdict is computed), and the evidence kind with a link to
    where the evidence is shown.
    """
    df = results.copy()
    if ledger is not None:
        df = df.merge(ledger[["claim_id", "quote"]], on="claim_id", how="left")
    df["verdict"] = status(df).map(verdict_badge)
    df["rule, then result"] = [_rule_and_result(r, o, why)
                               for r, o, why in zip(df["rule"], df["observed"], df["reason"])]
    df["evidence"] = [kind + (f"; {evidence_link(where)}" if where else "")
                      for kind, where in zip(df["evidence"], df["shown_in"])]
    cols = ["claim_id"] + (["quote"] if "quote" in df else []) + ["stated", "verdict", "rule, then result",
                                                                  "evidence"]
    return markdown_table(df[cols].rename(columns={"claim_id": "claim"}))


def ledger_table(results: pd.DataFrame, ledger: pd.DataFrame) -> str:
    """The full ledger as a filterable table: :func:`verdict_table` inside a ``claims-ledger`` container.

    The book's ``ledger-filter.js`` adds chapter, verdict, evidence-kind and text filters, sorting, and
    an anchor ``#claim-C1-03`` per row.
    """
    return "```{container} claims-ledger\n" + verdict_table(results, ledger) + "```\n"


def ledger_link(claim_id: str) -> str:
    """An HTML link from a chapter page to the claim's row of the ledger appendix."""
    return f'<a href="a1_claims_ledger.html#claim-{claim_id.replace(".", "-")}">{claim_id}</a>'


