"""The status record: each executed notebook's time and result, errors recorded as errors."""

from __future__ import annotations

import nbformat
import pytest

from infoflow import status


def _notebook(path, source: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_execute_records_time_and_result(tmp_path):
    good = _notebook(tmp_path / "good.ipynb", "import time; time.sleep(0.3); print(6 * 7)")
    bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('boom')")
    record = tmp_path / "execution.csv"
    reader = _notebook(tmp_path / "reader.ipynb", f"print(open({str(record)!r}).read())")
    table = status.execute([good, bad, reader], record=record).set_index("notebook")
    assert table.loc[str(good), "result"] == "ok" and table.loc[str(good), "seconds"] >= 0.3
    assert table.loc[str(bad), "result"].startswith("error (exit")
    assert nbformat.read(good, as_version=4).cells[0].outputs[0]["text"] == "42\n"
    # the record is written after each notebook: a later notebook (the status page) reads the earlier ones
    seen = nbformat.read(reader, as_version=4).cells[0].outputs[0]["text"]
    assert str(good) in seen and str(bad) in seen and str(reader) not in seen
    again = status.execute([good], record=record)
    assert len(again) == 3 and status.load(record).equals(again)


def test_unreadable_record_is_refused(tmp_path):
    (tmp_path / "execution.csv").write_text("a,b\n1,2\n")
    with pytest.raises(status.StatusError, match="expected"):
        status.load(tmp_path / "execution.csv")
