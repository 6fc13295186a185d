"""The book's status: how long each chapter took to execute top to bottom, and whether it ran cleanly.

``python -m infoflow.status execute chapters/*.ipynb`` (what ``make execute`` runs) executes each
notebook in a fresh kernel, stores its outputs, cleans its metadata, and records its wall-clock time
and result in ``status/execution.csv``; the environment appendix shows that record.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from infoflow.files import atomic_write_text, repo_root

STATUS_FILE = repo_root() / "status" / "execution.csv"
COLUMNS = ("notebook", "seconds", "result", "finished_utc")
TIMEOUT = 900


class StatusError(ValueError):
    """The execution record is unreadable."""


def nbconvert_command(path: str | Path) -> list[str]:
    """The command that executes one notebook in place (fresh kernel, stored outputs)."""
    return [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
            f"--ExecutePreprocessor.timeout={TIMEOUT}", "--ExecutePreprocessor.record_timing=False", str(path)]


def load(path: str | Path | None = None) -> pd.DataFrame:
    """Read the execution record (an empty table when no run is recorded yet)."""
    path = Path(path) if path is not None else STATUS_FILE
    if not path.is_file():
        return pd.DataFrame(columns=list(COLUMNS))
    table = pd.read_csv(path, dtype={"notebook": str, "result": str, "finished_utc": str})
    if tuple(table.columns) != COLUMNS:
        raise StatusError(f"{path}: columns {list(table.columns)}, expected {list(COLUMNS)}. "
                          "Fix: delete the file and run `make execute`")
    return table


def execute(paths: list[str | Path], record: str | Path | None = None) -> pd.DataFrame:
    """Execute each notebook, clean it, and record its time and result; return the updated record."""
    from infoflow import notebooks

    record = Path(record) if record is not None else STATUS_FILE
    rows = {r["notebook"]: r for r in load(record).to_dict("records")}
    root = repo_root()
    for path in map(Path, paths):
        start = time.perf_counter()
        done = subprocess.run(nbconvert_command(path), check=False, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode == 0:
            notebooks.clean(path)
        else:
            print(done.stderr[-3000:], file=sys.stderr)
        name = path.resolve().relative_to(root).as_posix() if path.resolve().is_relative_to(root) else str(path)
        rows[name] = {"notebook": name, "seconds": round(seconds, 1),
                      "result": "ok" if done.returncode == 0 else f"error (exit {done.returncode})",
                      "finished_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M")}
        print(f"{name}: {rows[name]['result']} in {seconds:.1f} s")
        _write(rows, record)  # after each notebook, so that a later one (the status page) sees it
    return _write(rows, record)


def _write(rows: dict, record: Path) -> pd.DataFrame:
    table = pd.DataFrame(sorted(rows.values(), key=lambda r: r["notebook"]), columns=list(COLUMNS))
    buf = io.StringIO()
    table.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    atomic_write_text(record, buf.getvalue())
    return table


def main(argv: list[str]) -> int:
    """Command line: ``execute`` followed by notebook paths; exit 1 when any notebook failed."""
    if argv[:1] != ["execute"] or len(argv) < 2:
        print("usage: python -m infoflow.status execute NOTEBOOK...", file=sys.stderr)
        return 2
    table = execute(argv[1:])
    ran = table[table["notebook"].isin([Path(p).as_posix() for p in argv[1:]])]
    return 0 if (ran["result"] == "ok").all() else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
