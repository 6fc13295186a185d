"""Notebook hygiene: chapters are stored executed top to bottom, with no stray metadata.

Run ``python -m infoflow.notebooks clean chapters/*.ipynb`` after executing them, and
``python -m infoflow.notebooks check chapters/*.ipynb`` to list problems.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from infoflow.files import atomic_write_text

#: notebook-level metadata keys a chapter may keep
KEEP_NB_METADATA = ("kernelspec", "language_info")
#: cell-level metadata keys a chapter may keep
KEEP_CELL_METADATA = ("tags",)


def problems(path: str | Path) -> list[str]:
    """List hygiene problems of one notebook (empty when it is clean)."""
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"{path}: not a readable notebook ({exc})"]
    out = []
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    counts = [c.get("execution_count") for c in code]
    if code and counts != list(range(1, len(code) + 1)):
        out.append(f"{path}: execution counts are {counts}, not 1..{len(code)}: run `make execute`")
    for i, cell in enumerate(nb.get("cells", [])):
        extra = set(cell.get("metadata", {})) - set(KEEP_CELL_METADATA)
        if extra:
            out.append(f"{path}: cell {i} has stray metadata {sorted(extra)}: run `make execute`")
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                out.append(f"{path}: cell {i} stores an error output")
            if o.get("output_type") == "stream" and o.get("name") == "stderr":
                out.append(f"{path}: cell {i} stores stderr output (a warning?)")
    extra = set(nb.get("metadata", {})) - set(KEEP_NB_METADATA)
    if extra:
        out.append(f"{path}: stray notebook metadata {sorted(extra)}: run `make execute`")
    return out


def clean(path: str | Path) -> None:
    """Strip stray notebook and cell metadata in place (atomically)."""
    path = Path(path)
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k in KEEP_NB_METADATA}
    for cell in nb.get("cells", []):
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA}
        cell.pop("id", None) if nb.get("nbformat_minor", 0) < 5 else None
    atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    """Command line: ``clean`` or ``check`` followed by notebook paths."""
    if len(argv) < 2 or argv[0] not in ("clean", "check"):
        print("usage: python -m infoflow.notebooks clean|check NOTEBOOK...", file=sys.stderr)
        return 2
    found = []
    for p in argv[1:]:
        if argv[0] == "clean":
            clean(p)
        found += problems(p)
    print("\n".join(found) if found else f"{len(argv) - 1} notebooks clean")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
