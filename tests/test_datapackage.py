"""The book's data/ CSVs as a Frictionless data package: complete, current, and every row valid."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from infoflow import datapackage

ROOT = Path(__file__).resolve().parent.parent


def test_datapackage_describes_data_and_validates():
    assert datapackage.problems() == []
    package = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    assert paths == {p.relative_to(ROOT).as_posix() for p in (ROOT / "data").rglob("*.csv")}
    for resource in package["resources"]:
        for field in resource["schema"]["fields"]:
            assert field["description"].strip(), f"{resource['path']}: field {field['name']} has no meaning"
    value = next(f for r in package["resources"] if r["path"] == "data/figures/tencent_mau.csv"
                 for f in r["schema"]["fields"] if f["name"] == "value")
    assert value["type"] == "number" and value["unit"]


def _copy_data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    datapackage.write(tmp_path)
    return tmp_path


def test_a_value_of_the_wrong_type_is_reported(tmp_path):
    root = _copy_data(tmp_path)
    path = root / "data" / "figures" / "tencent_mau.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    head, first = lines[0], lines[1].split(",")
    first[3] = "many"
    path.write_text("\n".join([head, ",".join(first), *lines[2:]]) + "\n", encoding="utf-8")
    found = datapackage.problems(root)
    assert any("tencent_mau.csv" in p and "row 2" in p and "value" in p for p in found), found


def test_a_stale_package_is_reported(tmp_path):
    root = _copy_data(tmp_path)
    (root / "data" / "figures" / "new_table.csv").write_text(
        (root / "data" / "figures" / "tencent_mau.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert datapackage.problems(root) == [(f"{root / 'datapackage.json'} is out of date with data/. "
                                          "Fix: run `python -m infoflow.datapackage write`")]


def test_an_undescribed_csv_is_refused(tmp_path):
    root = _copy_data(tmp_path)
    (root / "data" / "mystery.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(datapackage.DataPackageError, match="no table schema for this CSV"):
        datapackage.describe(root)
