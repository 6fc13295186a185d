"""The data layer: every registered file passes its hash, loaders return what they promise, and bad
inputs (missing, wrong hash, truncated, malformed) raise a DataError naming the file, the row and the fix."""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from infoflow import data

RHYTHM = "weibo_cov_cascades/weekly_rhythm_bucket_counts.csv"
REAL_SHARED = Path(data.SHARED_DIR)


def _entry(name: str) -> dict:
    reg = data.registry()
    return reg[reg["name"] == name].iloc[0].to_dict()


@pytest.fixture
def nowhere(tmp_path, monkeypatch):
    """No local copy anywhere and an empty pooch cache (all inside tmp_path)."""
    monkeypatch.setenv("INFOFLOW_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(data, "SHARED_DIR", tmp_path / "shared")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("INFOFLOW_OFFLINE", raising=False)
    return tmp_path


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


# ------------------------------------------------------------------ registry and hashes

def test_registry_is_valid_and_lists_every_shared_file():
    reg = data.registry()
    assert tuple(reg.columns) == data.REGISTRY_COLUMNS
    assert len(reg) == 19 and reg["name"].is_unique
    assert all(url.startswith("https://") and commit in url for url, commit in zip(reg["url"], reg["commit"]))
    listed = {}
    for prefix, sums in (("", REAL_SHARED / "SHA256SUMS"), ("rhp_seirs/", REAL_SHARED / "rhp_seirs" / "SHA256SUMS")):
        assert sums.is_file(), f"{sums} is missing: the tests need ../shared/data beside the repository"
        listed |= {prefix + k: v for v, k in (line.split() for line in sums.read_text().splitlines() if line.strip())}
    assert {k.removeprefix("./"): v for k, v in listed.items()} == dict(zip(reg["name"], reg["sha256"]))


@pytest.mark.parametrize("name", data.registry()["name"].tolist())
def test_every_registered_file_passes_its_hash(name):
    path = data.resolve(name)
    entry = _entry(name)
    assert data.sha256_file(path) == entry["sha256"]
    assert path.stat().st_size == entry["bytes"]


def test_unknown_name_is_refused():
    with pytest.raises(data.DataError, match="not in .*registry.csv.*Fix"):
        data.resolve("no_such_file.csv")


# ------------------------------------------------------------------ loaders on the real files

def test_seismic_tweet():
    df = data.load_seismic_tweet()
    assert list(df.columns) == ["relative_time_second", "number_of_followers"] and len(df) == 15_563
    assert df["relative_time_second"].dtype == float and df["number_of_followers"].dtype == np.int64
    assert df["relative_time_second"].is_monotonic_increasing and df.min().min() >= 0
    df.loc[0, "number_of_followers"] = -1  # callers get a copy: the cache is untouched
    assert data.load_seismic_tweet().loc[0, "number_of_followers"] >= 0


def test_auspol():
    cascades = data.load_auspol()
    assert len(cascades) == 3_333
    for df in cascades:
        assert list(df.columns) == ["time", "magnitude", "user"]
    big = pd.concat(cascades)
    assert big["time"].dtype == float and big["magnitude"].dtype == np.int64
    assert all(df["time"].is_monotonic_increasing for df in cascades) and big["time"].min() >= 0


@pytest.mark.parametrize("dataset, n", [("twitter15", 1_490), ("twitter16", 818)])
def test_twitter_trees(dataset, n):
    labels, trees = data.load_twitter_trees(dataset)
    assert len(labels) == n == len(trees) and labels["tweet_id"].is_unique
    assert set(labels["label"]) == set(data.TWITTER_LABELS)
    assert set(trees) == set(labels["tweet_id"])
    assert all(tuple(t.columns) == data.TREE_COLUMNS for t in trees.values())
    assert {str(t[c].dtype) for t in trees.values() for c in ("parent_delay", "child_delay")} == {"float64"}
    assert all((t["parent_uid"] == "ROOT").sum() == 1 for t in trees.values())


@pytest.mark.parametrize("city, n", [("Chengdu", 135_789), ("Kashgar", 15_648), ("Qingdao", 48_516)])
def test_weibo_cov(city, n):
    df = data.load_weibo_cov(city)
    assert list(df.columns) == ["created_at"] and len(df) == n
    assert pd.api.types.is_datetime64_any_dtype(df["created_at"]) and df["created_at"].is_monotonic_increasing


def test_weekly_rhythm():
    df = data.load_weekly_rhythm()
    assert list(df.columns) == ["bucket_of_week", "count"] and len(df) == 84
    assert df["bucket_of_week"].tolist() == list(range(84)) and (df["count"] >= 0).all()


def test_deephawkes():
    df = data.load_deephawkes()
    assert list(df.columns) == ["id", "root_user", "unix_time", "size", "paths"] and len(df) == 30
    assert (df["size"] == df["paths"].map(len)).all()
    for root, paths in zip(df["root_user"], df["paths"]):
        assert all(users[0] == root and isinstance(t, int) and t >= 0 for users, t in paths)


def test_facebook_graph():
    g = data.load_facebook_graph()
    assert (g.number_of_nodes(), g.number_of_edges()) == (4_039, 88_234)


@pytest.mark.parametrize("name", data.FIGURE_TABLES)
def test_figure_tables(name):
    df = data.load_figures(name)
    assert tuple(df.columns) == data.FIGURE_COLUMNS and len(df) > 0
    assert df["value"].dtype == float and df["verified"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(df["date"]) and (df["source"].str.len() > 0).all()


def test_figure_details_follow_sources():
    mau = data.load_figures("tencent_mau").set_index("period")
    assert mau.loc["3Q20", "value"] == 1210 and mau.loc["3Q20", "note"] == "about"
    assert "4Q13" in mau.loc["4Q13", "note"] and "accounts" in mau.loc["4Q13", "note"]
    moments = data.load_figures("cnnic_moments_qzone")
    assert "Dec 2017" not in set(moments["period"]) and moments["note"].str.contains("Dec 2017").any()
    users = data.load_figures("cnnic_internet_users")
    assert users.query("period == 'Jun 2017'")["note"].str.contains("40th").all()


# ------------------------------------------------------------------ missing, offline, download

@pytest.mark.parametrize("how", ["env", "argument"])
def test_missing_file_offline_names_url_and_place(nowhere, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("INFOFLOW_OFFLINE", "1")
    with pytest.raises(data.DataError, match="downloads are off") as err:
        data.resolve(RHYTHM, download=False if how == "argument" else None)
    msg = str(err.value)
    assert RHYTHM in msg and _entry(RHYTHM)["url"] in msg
    assert str(nowhere / "env" / RHYTHM) in msg and "INFOFLOW_DATA_DIR" in msg and "Fix" in msg


def test_failed_download_names_url_and_leaves_nothing(nowhere, monkeypatch):
    import pooch

    def offline(*args, **kwargs):
        raise ConnectionError("network is unreachable")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(data.DataError, match="download from https://.* failed.*Fix"):
        data.resolve(RHYTHM)
    assert not (nowhere / "cache").exists() or _files(nowhere / "cache") == []


def _fake_retrieve(payload: bytes):
    def retrieve(url, known_hash=None, fname=None, path=None, progressbar=False):
        Path(path).mkdir(parents=True, exist_ok=True)
        (Path(path) / fname).write_bytes(payload)
        return str(Path(path) / fname)
    return retrieve


def test_download_lands_in_cache_and_is_checked(nowhere, monkeypatch):
    import pooch

    assert (REAL_SHARED / RHYTHM).is_file(), f"the tests need {REAL_SHARED / RHYTHM} (../shared/data)"
    payload = (REAL_SHARED / RHYTHM).read_bytes()
    monkeypatch.setattr(pooch, "retrieve", _fake_retrieve(payload))
    path = data.resolve(RHYTHM)
    assert path == data.cache_dir() / RHYTHM and data.load_weekly_rhythm().shape == (84, 2)
    # a download with the wrong bytes is refused and removed
    path.unlink()
    monkeypatch.setattr(pooch, "retrieve", _fake_retrieve(payload + b"0,1\n"))
    with pytest.raises(data.DataError, match="hash mismatch"):
        data.resolve(RHYTHM)
    assert _files(data.cache_dir()) == []


# ------------------------------------------------------------------ wrong hash

def test_wrong_hash_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    source = data.resolve(RHYTHM)
    target = tmp_path / RHYTHM
    target.parent.mkdir(parents=True)
    altered = bytearray(source.read_bytes())
    altered[-3] = ord("9") if altered[-3] != ord("9") else ord("8")
    target.write_bytes(bytes(altered))
    monkeypatch.setenv("INFOFLOW_DATA_DIR", str(tmp_path))
    with pytest.raises(data.DataError, match="hash mismatch") as err:
        data.load_weekly_rhythm()  # the good copy in ../shared/data is NOT silently used instead
    msg = str(err.value)
    assert str(target) in msg and "hash mismatch" in msg and "re-download" in msg
    assert _entry(RHYTHM)["sha256"] in msg and data.sha256_file(target) in msg
    assert _files(tmp_path) == [RHYTHM] and target.read_bytes() == bytes(altered)


# ------------------------------------------------------------------ Twitter archives (small fixtures)

TREE_A = ("['ROOT', 'ROOT', '0.0']->['1', '10', '0.0']\n"
          "['1', '10', '0.0']->['2', '11', '1.5']\n"
          "['1', '10', '0.0']->['3', '12', '-2.25']\n")
TREE_B = "['ROOT', 'ROOT', '0.0']->['5', '20', '0.0']\n"


def _tar_gz(path: Path, files: dict[str, str], level: int = 9) -> Path:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, text in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(text.encode()), 0
            tf.addfile(info, io.BytesIO(text.encode()))
    path.write_bytes(gzip.compress(buf.getvalue(), compresslevel=level, mtime=0))
    return path


def _twitter_files(tree_b: str = TREE_B) -> dict[str, str]:
    return {"repo-abc/twitter15/label.txt": "true:10\nnon-rumor:20\n",
            "repo-abc/twitter15/tree/10.txt": TREE_A, "repo-abc/twitter15/tree/20.txt": tree_b}


def test_tree_parser_on_a_small_archive(tmp_path):
    labels, trees = data.parse_twitter_trees(_tar_gz(tmp_path / "t.tar.gz", _twitter_files()), "twitter15")
    assert labels.to_dict("list") == {"tweet_id": ["10", "20"], "label": ["true", "non-rumor"]}
    a = trees["10"]
    assert a.iloc[0].tolist() == ["ROOT", "ROOT", 0.0, "1", "10", 0.0]  # the ROOT row is kept
    assert a["child_delay"].tolist() == [0.0, 1.5, -2.25] and len(trees["20"]) == 1


def test_truncated_archive_raises_data_error(tmp_path):
    rng = np.random.default_rng(0)
    noise = "".join(f"['{u}', '{t}', '1.0']->['{u + 1}', '{t + 1}', '2.0']\n"
                    for u, t in zip(rng.integers(1, 10**9, 2000), rng.integers(1, 10**17, 2000)))
    path = _tar_gz(tmp_path / "t.tar.gz", _twitter_files(TREE_B + noise))
    raw = path.read_bytes()
    for cut in (len(raw) // 2, len(raw) - 4):  # mid-stream, and only the gzip trailer missing
        path.write_bytes(raw[:cut])
        with pytest.raises(data.DataError, match=r"t\.tar\.gz.*not a complete tar\.gz.*Fix: re-download"):
            data.parse_twitter_trees(path, "twitter15")


def test_malformed_tree_line_names_member_and_line(tmp_path):
    bad = TREE_B + "['5', '20', '0.0']->['6', '21']\n"
    path = _tar_gz(tmp_path / "t.tar.gz", _twitter_files(bad))
    with pytest.raises(data.DataError, match=r"t\.tar\.gz member repo-abc/twitter15/tree/20\.txt line 2:.*Fix"):
        data.parse_twitter_trees(path, "twitter15")


def test_bad_label_names_the_line(tmp_path):
    files = _twitter_files()
    files["repo-abc/twitter15/label.txt"] = "true:10\nmaybe:20\n"
    with pytest.raises(data.DataError, match=r"label\.txt line 2:.*Fix"):
        data.parse_twitter_trees(_tar_gz(tmp_path / "t.tar.gz", files), "twitter15")


def _fake_registry(tmp_path, monkeypatch, archive: Path, members: dict[str, str]) -> None:
    row = _entry("twitter15_16.tar.gz")
    row.update(sha256=data.sha256_file(archive), bytes=archive.stat().st_size,
               member_sha256=";".join(f"{k}={v}" for k, v in members.items()))
    reg = tmp_path / "registry.csv"
    with reg.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, data.REGISTRY_COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    monkeypatch.setattr(data, "REGISTRY_PATH", reg)


def test_recompressed_download_passes_on_members_but_local_copy_must_match(nowhere, monkeypatch):
    files = _twitter_files()
    original = _tar_gz(nowhere / "original.tar.gz", files, level=9)
    members = data.archive_member_hashes(original, ["repo-abc/twitter15/label.txt"])
    _fake_registry(nowhere, monkeypatch, original, members)
    other = _tar_gz(nowhere / "other.tar.gz", files, level=1)
    assert other.read_bytes() != original.read_bytes()
    cached = data.cache_dir() / "twitter15_16.tar.gz"
    cached.parent.mkdir(parents=True)
    shutil.copy(other, cached)
    assert data.resolve("twitter15_16.tar.gz") == cached  # a (re-)downloaded archive: members match
    (nowhere / "env").mkdir()
    shutil.copy(other, nowhere / "env" / "twitter15_16.tar.gz")
    with pytest.raises(data.DataError, match="hash mismatch"):
        data.resolve("twitter15_16.tar.gz")  # a local copy must match the archive hash itself


# ------------------------------------------------------------------ malformed text files

@pytest.mark.parametrize("line, change, expect", [
    (5, lambda f: f.__setitem__(3, "abc"), "value 'abc' is not a number"),
    (3, lambda f: f.__setitem__(2, "2013-02-30"), "date '2013-02-30' is not a valid"),
    (7, lambda f: f.__setitem__(2, "2014-03-30"), "not the ISO end of period"),
    (4, lambda f: f.__setitem__(5, ""), "source is empty"),
    (6, lambda f: f.__setitem__(7, "yes"), "verified 'yes'"),
])
def test_malformed_figure_row_names_the_line(tmp_path, line, change, expect):
    rows = list(csv.reader(io.StringIO((data.FIGURES_DIR / "tencent_mau.csv").read_text(), newline="")))
    change(rows[line - 1])
    path = tmp_path / "tencent_mau.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(data.DataError, match=re.escape(expect)) as err:
        data.parse_figures(path)
    msg = str(err.value)
    assert f"tencent_mau.csv line {line}:" in msg and expect in msg and "Fix: correct that line" in msg


@pytest.mark.parametrize("header", ["series,period,date,value,unit,source,note,verified,extra",
                                    "series,period,date,amount,unit,source,note,verified"])
def test_wrong_figure_header(tmp_path, header):
    path = tmp_path / "f.csv"
    path.write_text(header + "\n")
    with pytest.raises(data.DataError, match=r"f\.csv line 1: header.*(unknown column).*Fix"):
        data.parse_figures(path)


def test_malformed_deephawkes_line(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("1\t7\t100\t2\t7:0 7/8:5\r\n2\t9\t100\t3\t9:0 9/4:5\r\n")
    with pytest.raises(data.DataError, match=r"d\.txt line 2: size 3 differs .* \(2\)"):
        data.parse_deephawkes(path)


def test_malformed_weibo_and_edge_lines(tmp_path):
    weibo = tmp_path / "w.csv"
    weibo.write_text("created_at\n2020-01-01 00:00:00\n2020-01-01 00:05:00\n2020-01-01 00:01:00\n")
    with pytest.raises(data.DataError, match=r"w\.csv line 4: .*not sorted.*Fix"):
        data.parse_weibo_cov(weibo)
    edges = tmp_path / "e.txt"
    edges.write_text("# comment\n0 1\n1 x\n")
    with pytest.raises(data.DataError, match=r"e\.txt line 3: expected two node ids.*Fix"):
        data.parse_facebook_graph(edges)


def test_every_typed_figure_file_is_a_registered_table():
    on_disk = {p.stem for p in Path(data.FIGURES_DIR).glob("*.csv")}
    assert on_disk == set(data.FIGURE_TABLES), "every data/figures/*.csv must be listed in data.FIGURE_TABLES"
