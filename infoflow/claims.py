"""The claims ledger: every claim of the five source documents, its decision rule, and the check that judges it.

The ledger (``data/claims.csv``) is data; verdicts are never typed into it. Each row states, before any
result, the *rule* that will judge the claim (the statistic, its threshold and which outcome gives which
verdict) and the *kind of evidence* the verdict rests on. Each claim id is bound to exactly one check in
:mod:`infoflow.checks`. A computed check has two parts: a *gather* function that reads the evidence from
data, and a *rule* function, a pure function of that evidence, that returns a :class:`Verdict`. Because
the rule is pure it can be fed other evidence: every computed check carries a counterfactual (a plausible
alternative evidence table) under which its verdict changes, and the tests run it.
"""

from __future__ import annotations

import csv
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from infoflow.files import repo_root

LEDGER_PATH = repo_root() / "data" / "claims.csv"
COLUMNS = ("claim_id", "seed", "section", "quote", "kind", "stated", "unit", "cited_source", "test", "rule",
           "evidence")
KINDS = ("figure", "arithmetic", "qualitative", "model")
#: what a verdict rests on: the report the paper cites or the issuer's own figure; the paper checked
#: against itself; another platform, country or period standing in; a fitted model; a simulation
EVIDENCE_KINDS = ("primary source", "seed text", "proxy data", "model", "simulation")
VERDICTS = ("reproduced", "consistent", "contradicted", "corrected", "unverified", "not testable")
#: rules that are not computed start with one of these prefixes and give the reason after the colon
UNTESTABLE, UNVERIFIED = "not testable:", "unverified:"
MAX_QUOTE_WORDS = 40
ID_PATTERN = re.compile(r"^C([1-5])\.(\d{2})$")
SEED_PATTERN = re.compile(r"^00([0-4])_[0-9a-f]{16}\.txt$")
NOT_YET = "not yet checked"

#: chapter number -> source document prefix, e.g. 1 -> "000"
CHAPTER_SEED = {1: "000", 2: "001", 3: "002", 4: "003", 5: "004"}


class ClaimError(ValueError):
    """A problem with the claims ledger, a claim id or a check."""


@dataclass(frozen=True)
class Verdict:
    """The computed judgement of one claim: the verdict, what was observed, and where it is shown."""

    claim_id: str
    verdict: str
    observed: str = ""
    shown_in: str = ""
    reason: str = ""
    details: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ClaimError(
                f"verdict {self.verdict!r} for {self.claim_id} is not one of {', '.join(VERDICTS)}"
            )
        if self.verdict in ("not testable", "unverified") and not self.reason:
            raise ClaimError(f"{self.claim_id}: a {self.verdict!r} verdict needs a reason")

    def row(self) -> dict:
        """Return the verdict as a flat dict (for tables)."""
        out = asdict(self)
        out.pop("details")
        return out


def _fail(path: Path, line: int, msg: str, fix: str) -> ClaimError:
    return ClaimError(f"{path}, line {line}: {msg}. Fix: {fix}")


def rule_status(rule: str) -> str:
    """Classify a ledger rule: 'not testable', 'unverified' or 'computed'."""
    low = rule.strip().lower()
    if low.startswith(UNTESTABLE):
        return "not testable"
    if low.startswith(UNVERIFIED):
        return "unverified"
    return "computed"


def _validate_row(path: Path, line_no: int, rec: dict) -> None:
    cid = rec["claim_id"]
    m = ID_PATTERN.match(cid)
    if not m:
        raise _fail(path, line_no, f"claim id {cid!r} is malformed", "write ids as C<chapter>.<nn>, e.g. C1.03")
    sm = SEED_PATTERN.match(rec["seed"])
    if not sm or CHAPTER_SEED[int(m.group(1))] != f"00{sm.group(1)}":
        raise _fail(path, line_no, f"seed {rec['seed']!r} does not belong to chapter {m.group(1)}",
                    "name the source document file of ../shared/seeds that matches the id's chapter")
    if rec["kind"] not in KINDS:
        raise _fail(path, line_no, f"kind {rec['kind']!r} unknown", f"use one of {', '.join(KINDS)}")
    if not rec["quote"]:
        raise _fail(path, line_no, "the quote is empty", "quote the document verbatim")
    n_words = len(rec["quote"].split())
    if n_words > MAX_QUOTE_WORDS:
        raise _fail(path, line_no, f"the quote has {n_words} words",
                    f"shorten it to at most {MAX_QUOTE_WORDS} words (cut only at its start or end, with …)")
    if not rec["test"]:
        raise _fail(path, line_no, "the test column is empty", "say how the book checks the claim, or 'none'")
    if rec["evidence"] not in EVIDENCE_KINDS:
        raise _fail(path, line_no, f"evidence kind {rec['evidence']!r} unknown",
                    f"use one of {', '.join(EVIDENCE_KINDS)}")
    rule = rec["rule"]
    if not rule:
        raise _fail(path, line_no, "the rule column is empty",
                    "state the decision rule (statistic, threshold, which outcome gives which verdict), or "
                    "'not testable: <reason>' or 'unverified: <source; what was searched>'")
    status = rule_status(rule)
    if status == "computed":
        named = [v for v in VERDICTS if v in rule]
        if "contradicted" not in named or len(named) < 2:
            raise _fail(path, line_no, "the rule does not say which outcome gives which verdict",
                        "name the verdicts it can give, including what would count as 'contradicted'")
    elif len(rule.split(":", 1)[1].strip()) < 20:
        raise _fail(path, line_no, f"the {status!r} rule gives no reason", "say why after the colon")
    if rec["test"].lower() == "none" and status == "computed":
        raise _fail(path, line_no, "a computed rule with test 'none'", "say how the book checks the claim")


def load_ledger(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the claims ledger; errors name the file, the line and the fix."""
    path = Path(path) if path is not None else LEDGER_PATH
    if not path.exists():
        raise ClaimError(f"{path}: the claims ledger is missing. Fix: restore data/claims.csv from git")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            raise ClaimError(f"{path}: the file is empty. Fix: restore data/claims.csv from git") from None
        if tuple(header) != COLUMNS:
            raise _fail(path, 1, f"header is {header}", f"use exactly the columns {', '.join(COLUMNS)}")
        rows, seen = [], {}
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != len(COLUMNS):
                raise _fail(path, line_no, f"{len(row)} fields instead of {len(COLUMNS)}",
                            "quote fields that contain commas with double quotes")
            rec = dict(zip(COLUMNS, (v.strip() for v in row)))
            if rec["claim_id"] in seen:
                raise _fail(path, line_no, f"claim id {rec['claim_id']} repeats line {seen[rec['claim_id']]}",
                            "give each claim its own id")
            seen[rec["claim_id"]] = line_no
            _validate_row(path, line_no, rec)
            rows.append(rec)
    if not rows:
        raise ClaimError(f"{path}: no claims. Fix: restore data/claims.csv from git")
    return pd.DataFrame(rows, columns=list(COLUMNS))


# ---------------------------------------------------------------- checks

Evidence = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    """One claim's check: how its evidence is gathered, the pure rule that judges it, and a counterfactual.

    ``status`` is ``computed`` (``gather`` and ``rule`` given), ``pending`` (written later),
    ``not testable`` or ``unverified`` (the reason is read from the ledger's rule column).
    """

    claim_id: str
    status: str
    rule: Callable[[Evidence], Verdict] | None = None
    gather: Callable[[], dict] | None = None
    counterfactual: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def name(self) -> str:
        """The rule function's name (or the status for checks without one)."""
        return self.rule.__name__ if self.rule else f"{self.status}_{self.claim_id}"

    def evidence(self) -> dict:
        """Gather the evidence from data (computed checks only)."""
        if self.gather is None:
            raise ClaimError(f"{self.claim_id} has no evidence to gather: its check is {self.status!r}")
        return dict(self.gather())

    def judge(self, evidence: Evidence) -> Verdict:
        """Apply the rule to ``evidence`` (any evidence table of the right shape)."""
        if self.rule is None:
            raise ClaimError(f"{self.claim_id} has no rule to apply: its check is {self.status!r}")
        verdict = self.rule(evidence)
        if not isinstance(verdict, Verdict) or verdict.claim_id != self.claim_id:
            raise ClaimError(f"the rule of {self.claim_id} returned {verdict!r}, not a Verdict for {self.claim_id}")
        return verdict

    def run(self) -> Verdict:
        """Gather the real evidence and judge it; non-computed checks return their reason."""
        if self.status == "pending":
            return Verdict(self.claim_id, "not testable", reason=NOT_YET)
        if self.status in ("not testable", "unverified"):
            rule = _ledger_row(self.claim_id)["rule"]
            if rule_status(rule) != self.status:
                raise ClaimError(
                    f"{self.claim_id} is registered as {self.status!r} but its ledger rule says {rule!r}. Fix: "
                    f"write a computed check, or start its rule with '{self.status}: <reason>'"
                )
            return Verdict(self.claim_id, self.status, reason=rule.split(":", 1)[1].strip())
        return self.judge(self.evidence())

    def run_counterfactual(self) -> tuple[Verdict, Verdict]:
        """Return the verdict on the real evidence and on the counterfactual evidence (computed checks)."""
        evidence = self.evidence()
        unknown = set(self.counterfactual) - set(evidence)
        if unknown:
            raise ClaimError(f"the counterfactual of {self.claim_id} changes {sorted(unknown)}, which its evidence "
                             f"does not have ({sorted(evidence)})")
        return self.judge(evidence), self.judge({**evidence, **self.counterfactual})


_REGISTRY: dict[str, Check] = {}
_CHECK_MODULES = ("infoflow.checks.ch01", "infoflow.checks.ch02", "infoflow.checks.ch03",
                  "infoflow.checks.ch04", "infoflow.checks.ch05")
_loaded = False


def _register(chk: Check) -> None:
    if not ID_PATTERN.match(chk.claim_id):
        raise ClaimError(f"cannot register a check for malformed claim id {chk.claim_id!r}")
    if chk.claim_id in _REGISTRY:
        raise ClaimError(f"claim {chk.claim_id} already has a check ({_REGISTRY[chk.claim_id].name})")
    _REGISTRY[chk.claim_id] = chk


def check(claim_id: str, *, gather: Callable[[], dict], counterfactual: Mapping[str, Any]
          ) -> Callable[[Callable[[Evidence], Verdict]], Callable[[Evidence], Verdict]]:
    """Register the decorated pure rule as the one check of ``claim_id``.

    ``gather`` reads the evidence (a dict); ``counterfactual`` replaces some of its entries with
    plausible other values under which the rule must give a different verdict.
    """
    if not counterfactual:
        raise ClaimError(f"the check of {claim_id} needs a counterfactual: evidence under which its verdict changes")

    def deco(fn: Callable[[Evidence], Verdict]) -> Callable[[Evidence], Verdict]:
        _register(Check(claim_id, "computed", fn, gather, MappingProxyType(dict(counterfactual))))
        return fn

    return deco


def pending(*claim_ids: str) -> None:
    """Register checks still to be written; their rules are in the ledger already."""
    for cid in claim_ids:
        _register(Check(cid, "pending"))


def untestable(*claim_ids: str) -> None:
    """Register claims whose ledger rule reads 'not testable: <reason>'."""
    for cid in claim_ids:
        _register(Check(cid, "not testable"))


def unverified(*claim_ids: str) -> None:
    """Register claims whose named source could not be obtained ('unverified: <source; searched>')."""
    for cid in claim_ids:
        _register(Check(cid, "unverified"))


def _load_checks() -> None:
    global _loaded
    if not _loaded:
        for mod in _CHECK_MODULES:
            importlib.import_module(mod)
        _loaded = True


def registry() -> dict[str, Check]:
    """Return the mapping claim id -> check (importing every check module)."""
    _load_checks()
    return dict(_REGISTRY)


def computed_checks() -> list[Check]:
    """Every check that computes its verdict from evidence."""
    return [c for c in registry().values() if c.status == "computed"]


_LEDGER_CACHE: dict[str, dict] = {}


def _ledger_row(claim_id: str) -> dict:
    if not _LEDGER_CACHE:
        for rec in load_ledger().to_dict("records"):
            _LEDGER_CACHE[rec["claim_id"]] = rec
    if claim_id not in _LEDGER_CACHE:
        raise ClaimError(
            f"unknown claim id {claim_id!r}: it is not in {LEDGER_PATH}. "
            "Fix: correct the id, or add the claim's row to data/claims.csv"
        )
    return _LEDGER_CACHE[claim_id]


def claim(claim_id: str) -> dict:
    """Return the ledger row of ``claim_id`` (ClaimError naming the ledger if unknown)."""
    return dict(_ledger_row(claim_id))


def run_check(claim_id: str) -> Verdict:
    """Run the one check of ``claim_id`` and return its verdict."""
    _ledger_row(claim_id)
    checks = registry()
    if claim_id not in checks:
        raise ClaimError(f"claim {claim_id} has no check. Fix: register one in infoflow/checks/")
    return checks[claim_id].run()


def run_checks(claim_ids: Iterable[str]) -> pd.DataFrame:
    """Run the checks of ``claim_ids``; one row per claim with its rule, evidence kind and verdict."""
    rows = []
    for cid in claim_ids:
        v = run_check(cid)
        rec = claim(cid)
        rows.append({"claim_id": cid, "kind": rec["kind"], "stated": rec["stated"], "rule": rec["rule"],
                     "evidence": rec["evidence"],
                     **{k: val for k, val in v.row().items() if k != "claim_id"}})
    return pd.DataFrame(rows)


def chapter_claims(chapter: int) -> pd.DataFrame:
    """Return the ledger rows of one chapter (1-5)."""
    if chapter not in CHAPTER_SEED:
        raise ClaimError(f"chapter {chapter} has no source document; chapters 1-5 do")
    ledger = load_ledger()
    return ledger[ledger["claim_id"].str.startswith(f"C{chapter}.")].reset_index(drop=True)


def run_chapter(chapter: int) -> pd.DataFrame:
    """Run every check of one chapter."""
    return run_checks(chapter_claims(chapter)["claim_id"])


def run_all() -> pd.DataFrame:
    """Run every check in the ledger."""
    return run_checks(load_ledger()["claim_id"])


def coverage_problems() -> list[str]:
    """List mismatches between the ledger and the checks (empty when all is well).

    Every row needs a check, every check a row, and each check's status must agree with its rule:
    a 'not testable:' or 'unverified:' rule with the matching registration, any other rule with a
    computed or pending check.
    """
    ledger = load_ledger().set_index("claim_id")
    checks = registry()
    problems = [f"{cid}: in data/claims.csv but no check is registered" for cid in sorted(set(ledger.index) - set(checks))]
    problems += [f"{cid}: a check is registered but data/claims.csv has no such row"
                 for cid in sorted(set(checks) - set(ledger.index))]
    for cid in sorted(set(ledger.index) & set(checks)):
        ruled, registered = rule_status(ledger.loc[cid, "rule"]), checks[cid].status
        if registered in ("computed", "pending"):
            registered = "computed"
        if ruled != registered:
            problems.append(f"{cid}: the ledger rule is {ruled!r} but the check is registered as "
                            f"{checks[cid].status!r}")
    return problems


def status(results: pd.DataFrame) -> pd.Series:
    """Each claim's status: its verdict, with checks 'not yet checked' split from 'not testable'."""
    return results["verdict"].where(results["reason"] != NOT_YET, NOT_YET)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Count claims per chapter (rows) by verdict (columns); checks not yet written in their own column, if any."""
    chap = results["claim_id"].str.slice(1, 2).map(lambda c: f"Chapter {c}")
    table = pd.crosstab(chap, status(results)).reindex(columns=[*VERDICTS, NOT_YET], fill_value=0)
    table.index.name = None
    table.columns.name = None
    return _drop_empty_pending(table)


def _drop_empty_pending(table: pd.DataFrame) -> pd.DataFrame:
    """Leave out the 'not yet checked' column once no claim is waiting for its check."""
    return table.drop(columns=NOT_YET) if not table[NOT_YET].any() else table


def evidence_summary(results: pd.DataFrame) -> pd.DataFrame:
    """Count claims by evidence kind (rows) and verdict (columns), with totals."""
    table = pd.crosstab(results["evidence"], status(results), margins=True, margins_name="total")
    table = table.reindex(index=[*EVIDENCE_KINDS, "total"], columns=[*VERDICTS, NOT_YET, "total"], fill_value=0)
    table.index.name = None
    table.columns.name = None
    return _drop_empty_pending(table)
