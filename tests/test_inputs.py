"""Bad input everywhere: every loader and public parser names the file, the row where there is one, and the fix."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from infoflow import claims, data, experiments, files, render

# ------------------------------------------------------------------ R data files


@pytest.mark.filterwarnings("ignore:Unknown file type", "ignore:Wrong extension")
def test_unreadable_rda_names_the_file(tmp_path):
    bad = tmp_path / "tweet.rda"
    bad.write_bytes(b"this is not an R data file")
    with pytest.raises(data.DataError, match=r"tweet\.rda.*is not a readable R data file.*Fix"):
        data.parse_seismic_tweet(bad)
    with pytest.raises(data.DataError, match=r"tweet\.rda.*is not a readable R data file.*Fix"):
        data.parse_auspol(bad)


def test_truncated_rda_is_refused(tmp_path):
    real = data.resolve("seismic_tweet.rda").read_bytes()
    cut = tmp_path / "cut.rda"
    cut.write_bytes(real[: len(real) // 2])
    with pytest.raises(data.DataError, match=r"cut\.rda.*is not a readable R data file.*Fix"):
        data.parse_seismic_tweet(cut)


def test_the_wrong_r_object_is_refused():
    tweet = data.resolve("seismic_tweet.rda")
    with pytest.raises(data.DataError, match=r"seismic_tweet\.rda.*expected an R object 'auspol'.*Fix"):
        data.parse_auspol(tweet)
    auspol = data.resolve("evently_auspol.rda")
    with pytest.raises(data.DataError, match=r"evently_auspol\.rda.*expected a data frame 'tweet'.*Fix"):
        data.parse_seismic_tweet(auspol)


@pytest.mark.parametrize(("frame", "where", "problem"), [
    (pd.DataFrame({"relative_time_second": [0.0, 5.0, 3.0], "number_of_followers": [1, 2, 3]}),
     "row 3", "not sorted"),
    (pd.DataFrame({"relative_time_second": [0.0, np.nan], "number_of_followers": [1, 2]}),
     "row 2", "missing value"),
    (pd.DataFrame({"relative_time_second": [0.0, 1.0], "number_of_followers": [1, -2]}),
     "row 2", "number_of_followers is negative"),
    (pd.DataFrame({"time": [0.0], "followers": [1]}), "", "expected a data frame 'tweet'"),
])
def test_malformed_seismic_rows_name_the_row(tmp_path, monkeypatch, frame, where, problem):
    import rdata

    monkeypatch.setattr(data, "_parse_rda", lambda path: None)
    monkeypatch.setattr(rdata.conversion, "convert", lambda parsed: {"tweet": frame})
    with pytest.raises(data.DataError, match=problem) as err:
        data.parse_seismic_tweet(tmp_path / "tweet.rda")
    msg = str(err.value)
    assert "tweet.rda" in msg and where in msg and problem in msg and "Fix" in msg


# ------------------------------------------------------------------ weekly rhythm


def _rhythm(tmp_path, rows: list[tuple], header=("bucket_of_week", "count")):
    path = tmp_path / "rhythm.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_weekly_rhythm_parses_a_good_file(tmp_path):
    df = data.parse_weekly_rhythm(_rhythm(tmp_path, [(i, 10 + i) for i in range(84)]))
    assert df.shape == (84, 2) and df["count"].sum() == sum(10 + i for i in range(84))


@pytest.mark.parametrize(("rows", "header", "expect"), [
    ([(i, 1) for i in range(84)], ("bucket", "count"), r"line 1: header is"),
    ([(i, 1) for i in range(83)] + [(83, -4)], ("bucket_of_week", "count"), r"line 85: count '-4' is not a whole"),
    ([(i, 1) for i in range(83)] + [(83, "x")], ("bucket_of_week", "count"), r"line 85: count 'x'"),
    ([(i, 1) for i in range(83)], ("bucket_of_week", "count"), "must run 0, 1, ..., 83"),
    ([(i, 1) for i in range(84)] + [(5, 1)], ("bucket_of_week", "count"), "once each"),
])
def test_malformed_weekly_rhythm_names_the_line(tmp_path, rows, header, expect):
    path = _rhythm(tmp_path, rows, header)
    with pytest.raises(data.DataError, match=rf"rhythm\.csv.*{expect}.*Fix"):
        data.parse_weekly_rhythm(path)


# ------------------------------------------------------------------ the registry


def _registry_copy(tmp_path, edit) -> str:
    rows = list(csv.reader(io.StringIO(data.REGISTRY_PATH.read_text(encoding="utf-8"), newline="")))
    edit(rows)
    path = tmp_path / "registry.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return str(path)


COL = {c: i for i, c in enumerate(data.REGISTRY_COLUMNS)}


@pytest.mark.parametrize(("edit", "expect"), [
    (lambda r: r[0].__setitem__(COL["sha256"], "hash"), r"header is .*Fix: restore the header"),
    (lambda r: r[2].__setitem__(COL["sha256"], "abc"), r"line 3 .*sha256 'abc' is not 64 hex digits.*Fix"),
    (lambda r: r[1].__setitem__(COL["commit"], "main"), r"line 2 .*commit 'main' is not a 40-digit hash.*Fix"),
    (lambda r: r[1].__setitem__(COL["url"], "http://example.org/x"), r"line 2 .*not an https URL pinned.*Fix"),
    (lambda r: r[3].__setitem__(COL["bytes"], "12kB"), r"line 4 .*bytes '12kB' is not a whole number.*Fix"),
    (lambda r: r[3].__setitem__(COL["licence"], ""), r"line 4 .*column 'licence' is empty.*Fix"),
    (lambda r: r[2].__setitem__(COL["member_sha256"], "a=b"), r"line 3 .*member_sha256 must read.*Fix"),
    (lambda r: r.append(list(r[1])), r"is registered twice.*Fix"),
])
def test_malformed_registry_names_the_line_and_fix(tmp_path, edit, expect):
    path = _registry_copy(tmp_path, edit)
    with pytest.raises(data.DataError, match=expect):
        data._read_registry(path, 0)


def test_missing_registry_says_how_to_restore(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "REGISTRY_PATH", tmp_path / "registry.csv")
    with pytest.raises(data.DataError, match=r"registry\.csv is missing\. Fix: restore"):
        data.registry()


def test_unknown_figure_table_and_missing_figure_file(tmp_path, monkeypatch):
    with pytest.raises(data.DataError, match=r"unknown figure table 'nope'\. Fix"):
        data.load_figures("nope")
    monkeypatch.setattr(data, "FIGURES_DIR", tmp_path)
    with pytest.raises(data.DataError, match=r"tencent_mau\.csv is missing\. Fix: restore"):
        data.load_figures("tencent_mau")


def test_figure_table_with_a_repeated_row(tmp_path):
    text = (data.FIGURES_DIR / "un_states.csv").read_text(encoding="utf-8")
    path = tmp_path / "un_states.csv"
    path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(data.DataError, match=r"un_states\.csv line 4: un_member_states 2024 appears twice.*Fix"):
        data.parse_figures(path)


# ------------------------------------------------------------------ rendering


def test_markdown_table_escapes_pipes_and_newlines():
    text = render.markdown_table(pd.DataFrame({"a": ["x|y"], "b": ["line\nbreak"]}))
    assert text.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | line break |"]


def test_verdict_badge_refuses_an_unknown_verdict():
    assert render.verdict_badge("unverified") == "{bdg-primary}`unverified`"
    with pytest.raises(ValueError, match=r"no badge for verdict 'confirmed'\. Fix"):
        render.verdict_badge("confirmed")


def test_verdict_table_puts_the_rule_before_the_result():
    table = render.verdict_table(claims.run_checks(["C1.03", "C1.01"]))
    row103 = next(line for line in table.splitlines() if line.startswith("| C1.03"))
    assert row103.index("*Rule:*") < row103.index("*Observed:*")
    row101 = next(line for line in table.splitlines() if line.startswith("| C1.01"))
    assert "*No verdict can be computed:*" in row101 and "*Rule:*" not in row101


# ------------------------------------------------------------------ experiments and files


def test_friends_vs_mixed_refuses_too_few_runs():
    with pytest.raises(ValueError, match="runs must be at least 2, got 1"):
        experiments.friends_vs_mixed(runs=1)


def test_summarise_reach_on_known_numbers():
    sims = pd.DataFrame({"network": ["a"] * 4 + ["b"] * 4, "reach": [1, 3, 5, 7, 10, 10, 10, 10],
                         "took_off": [False, False, True, True, True, True, True, True]})
    out = experiments.summarise_reach(sims).set_index("network")
    assert out.loc["a", "mean"] == 4 and out.loc["a", "median"] == 4 and out.loc["a", "take_off_share"] == 0.5
    assert out.loc["a", "ci95"] == pytest.approx(1.96 * np.std([1, 3, 5, 7], ddof=1) / 2)
    assert out.loc["b", "ci95"] == 0 and out.loc["b", "runs"] == 4


def test_atomic_write_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "x.txt"
    files.atomic_write_text(path, "old")
    with pytest.raises(TypeError, match="a bytes-like object is required"):
        files.atomic_write_bytes(path, "not bytes")  # type: ignore[arg-type]
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_repo_root_holds_the_book_config():
    assert (files.repo_root() / "_config.yml").is_file()
