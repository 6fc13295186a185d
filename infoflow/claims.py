"""The claims ledger: every claim of the five source documents, and the check that judges it.

The ledger (``data/claims.csv``) is data; verdicts are never typed into it. Each claim id is
bound to exactly one check function in :mod:`infoflow.checks`; a check computes a
:class:`Verdict` from data and returns the observed value and the evidence it rests on.
"""

from __future__ import annotations

import csv
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from infoflow.files import repo_root

LEDGER_PATH = repo_root() / "data" / "claims.csv"
COLUMNS = ("claim_id", "seed", "section", "quote", "kind", "stated", "unit", "cited_source", "test")
KINDS = ("figure", "arithmetic", "qualitative", "model")
VERDICTS = ("reproduced", "consistent", "contradicted", "corrected", "not testable")
MAX_QUOTE_WORDS = 40
ID_PATTERN = re.compile(r"^C([1-5])\.(\d{2})$")
SEED_PATTERN = re.compile(r"^00([0-4])_[0-9a-f]{16}\.txt$")
NOT_YET = "not yet checked"

#: chapter number -> source document prefix, e.g. 1 -> "000"
CHAPTER_SEED = {1: "000", 2: "001", 3: "002", 4: "003", 5: "004"}


class ClaimError(ValueError):
    """A problem with the claims ledger or with a claim id."""


@dataclass(frozen=True)
class Verdict:
    """The computed judgement of one claim."""

    claim_id: str
    verdict: str
    observed: str = ""
    evidence: str = ""
    reason: str = ""
    details: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ClaimError(
                f"verdict {self.verdict!r} for {self.claim_id} is not one of {', '.join(VERDICTS)}"
            )
        if self.verdict == "not testable" and not self.reason:
            raise ClaimError(f"{self.claim_id}: a 'not testable' verdict needs a reason")

    def row(self) -> dict:
        """Return the verdict as a flat dict (for tables)."""
        out = asdict(self)
        out.pop("details")
        return out


def _fail(path: Path, line: int, msg: str, fix: str) -> ClaimError:
    return ClaimError(f"{path}, line {line}: {msg}. Fix: {fix}")


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
                raise _fail(
                    path, line_no, f"{len(row)} fields instead of {len(COLUMNS)}",
                    "quote fields that contain commas with double quotes",
                )
            rec = dict(zip(COLUMNS, (v.strip() for v in row)))
            cid = rec["claim_id"]
            m = ID_PATTERN.match(cid)
            if not m:
                raise _fail(path, line_no, f"claim id {cid!r} is malformed", "write ids as C<chapter>.<nn>, e.g. C1.03")
            if cid in seen:
                raise _fail(path, line_no, f"claim id {cid} repeats line {seen[cid]}", "give each claim its own id")
            seen[cid] = line_no
            sm = SEED_PATTERN.match(rec["seed"])
            if not sm or CHAPTER_SEED[int(m.group(1))] != f"00{sm.group(1)}":
                raise _fail(
                    path, line_no, f"seed {rec['seed']!r} does not belong to chapter {m.group(1)}",
                    "name the source document file of ../shared/seeds that matches the id's chapter",
                )
            if rec["kind"] not in KINDS:
                raise _fail(path, line_no, f"kind {rec['kind']!r} unknown", f"use one of {', '.join(KINDS)}")
            if not rec["quote"]:
                raise _fail(path, line_no, "the quote is empty", "quote the document verbatim")
            n_words = len(rec["quote"].split())
            if n_words > MAX_QUOTE_WORDS:
                raise _fail(
                    path, line_no, f"the quote has {n_words} words",
                    f"shorten it to at most {MAX_QUOTE_WORDS} words (cut only at its start or end, with …)",
                )
            if not rec["test"]:
                raise _fail(path, line_no, "the test column is empty", "say how the book checks the claim")
            rows.append(rec)
    if not rows:
        raise ClaimError(f"{path}: no claims. Fix: restore data/claims.csv from git")
    return pd.DataFrame(rows, columns=list(COLUMNS))


# ---------------------------------------------------------------- check registry

_REGISTRY: dict[str, Callable[[], Verdict]] = {}
_CHECK_MODULES = ("infoflow.checks.ch01", "infoflow.checks.ch02", "infoflow.checks.ch03",
                  "infoflow.checks.ch04", "infoflow.checks.ch05")
_loaded = False


def check(claim_id: str) -> Callable[[Callable[[], Verdict]], Callable[[], Verdict]]:
    """Register the decorated function as the one check of ``claim_id``."""
    if not ID_PATTERN.match(claim_id):
        raise ClaimError(f"cannot register a check for malformed claim id {claim_id!r}")

    def deco(fn: Callable[[], Verdict]) -> Callable[[], Verdict]:
        if claim_id in _REGISTRY:
            raise ClaimError(f"claim {claim_id} already has a check ({_REGISTRY[claim_id].__name__})")
        _REGISTRY[claim_id] = fn
        return fn

    return deco


def pending(*claim_ids: str) -> None:
    """Register checks that are not implemented yet: each returns 'not testable: not yet checked'."""
    for cid in claim_ids:
        def fn(cid: str = cid) -> Verdict:
            return Verdict(cid, "not testable", reason=NOT_YET)
        fn.__name__ = f"pending_{cid.replace('.', '_')}"
        check(cid)(fn)


def untestable(*claim_ids: str) -> None:
    """Register checks for claims the ledger marks 'not testable: <reason>'; the reason is read from it."""
    for cid in claim_ids:
        def fn(cid: str = cid) -> Verdict:
            test = _ledger_row(cid)["test"]
            if not test.lower().startswith("not testable"):
                raise ClaimError(
                    f"{cid} is registered as untestable but its ledger test says {test!r}. "
                    "Fix: write a real check, or start its test column with 'not testable: <reason>'"
                )
            reason = test.split(":", 1)[1].strip() if ":" in test else test
            return Verdict(cid, "not testable", reason=reason)
        fn.__name__ = f"untestable_{cid.replace('.', '_')}"
        check(cid)(fn)


def _load_checks() -> None:
    global _loaded
    if not _loaded:
        for mod in _CHECK_MODULES:
            importlib.import_module(mod)
        _loaded = True


def registry() -> dict[str, Callable[[], Verdict]]:
    """Return the mapping claim id -> check function (importing every check module)."""
    _load_checks()
    return dict(_REGISTRY)


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
    verdict = checks[claim_id]()
    if not isinstance(verdict, Verdict) or verdict.claim_id != claim_id:
        raise ClaimError(f"the check of {claim_id} returned {verdict!r}, not a Verdict for {claim_id}")
    return verdict


def run_checks(claim_ids: Iterable[str]) -> pd.DataFrame:
    """Run the checks of ``claim_ids``; return one row per claim with the ledger and the verdict."""
    rows = []
    for cid in claim_ids:
        v = run_check(cid)
        rec = claim(cid)
        rows.append({"claim_id": cid, "kind": rec["kind"], "stated": rec["stated"], **{
            k: val for k, val in v.row().items() if k != "claim_id"}})
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
    """List ledger rows without a check and checks without a ledger row (empty when all is well)."""
    ids = set(load_ledger()["claim_id"])
    checks = set(registry())
    problems = [f"{cid}: in data/claims.csv but no check is registered" for cid in sorted(ids - checks)]
    problems += [f"{cid}: a check is registered but data/claims.csv has no such row"
                 for cid in sorted(checks - ids)]
    return problems


def status(results: pd.DataFrame) -> pd.Series:
    """Each claim's status: its verdict, with 'not testable' split from checks 'not yet checked'."""
    return results["verdict"].where(results["reason"] != NOT_YET, NOT_YET)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Count claims per chapter (rows) by verdict (columns), checks not yet written in their own column."""
    chap = results["claim_id"].str.slice(1, 2).map(lambda c: f"Chapter {c}")
    table = pd.crosstab(chap, status(results)).reindex(columns=[*VERDICTS, NOT_YET], fill_value=0)
    table.index.name = None
    table.columns.name = None
    return table
