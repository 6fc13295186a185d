"""Chapters are stored executed top to bottom, clean, and follow the book's arc."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from infoflow import notebooks

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
SEED_CHAPTERS = [p for p in CHAPTERS if p.name[:2] in {"01", "02", "03", "04", "05"}]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def test_every_toc_entry_exists_and_every_chapter_is_in_the_toc():
    files = _toc_files()
    for f in files:
        assert any((ROOT / f"{f}{ext}").exists() for ext in (".ipynb", ".md")), f
    for p in CHAPTERS:
        assert f"chapters/{p.stem}" in files, f"{p.name} is not in _toc.yml"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_is_executed_and_clean(path):
    assert notebooks.problems(path) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_notebook_has_outputs(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code"
    assert any(c["outputs"] for c in code), f"{path.name} stores no outputs: run `make execute`"


@pytest.mark.parametrize("path", SEED_CHAPTERS, ids=lambda p: p.name)
def test_seed_chapter_follows_the_arc(path):
    nb = json.loads(path.read_text())
    heads = [line.strip("# ").lower() for c in nb["cells"] if c["cell_type"] == "markdown"
             for line in "".join(c["source"]).splitlines() if line.startswith("## ")]
    for section in ("the question", "the claims", "checks", "models", "links", "what we found"):
        assert any(h.startswith(section) for h in heads), f"{path.name} lacks the section '{section}'"


def test_no_checkpoints_or_untitled_files():
    tracked = subprocess.run(["git", "ls-files"], check=True, cwd=ROOT, capture_output=True, text=True).stdout.split()
    stray = [p for p in tracked if ".ipynb_checkpoints" in p or Path(p).name.startswith("Untitled")]
    assert stray == []
