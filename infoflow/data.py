"""The data layer: a registry of external files, hash-checked resolution, validating loaders.

External research files are never committed. :func:`resolve` finds a registered file in
``$INFOFLOW_DATA_DIR``, then ``../shared/data`` beside the repository, then the pooch cache, and
otherwise downloads it from its pinned upstream URL; the SHA-256 is always checked first.
Each ``load_*`` function parses one file with a ``parse_*`` function that takes a path (so tests
and readers can point it at any copy) and validates what it reads: a problem raises
:class:`DataError` naming the file, the row or line, and the fix.

Parsed results are cached per (path, size, mtime); loaders return copies (pandas copy-on-write
makes them cheap), so callers may modify what they get.

Typed public figures live in ``data/figures/<name>.csv`` with the columns of
:data:`FIGURE_COLUMNS`; ``date`` is the ISO date of the end of the period as labelled
(``4Q13`` -> 2013-12-31, ``Jun 2017`` -> 2017-06-30, ``2021`` -> 2021-12-31).
"""

from __future__ import annotations

import calendar
import csv
import functools
import gzip
import hashlib
import io
import itertools
import os
import re
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import networkx as nx
import numpy as np
import pandas as pd

from infoflow.files import repo_root

REGISTRY_PATH = repo_root() / "data" / "registry.csv"
FIGURES_DIR = repo_root() / "data" / "figures"
SHARED_DIR = repo_root().parent / "shared" / "data"
REGISTRY_COLUMNS = ("name", "description", "upstream_repo", "commit", "upstream_path", "url", "doi",
                    "sha256", "bytes", "licence", "citation", "member_sha256")
FIGURE_COLUMNS = ("series", "period", "date", "value", "unit", "source", "note", "verified")
FIGURE_TABLES = ("tencent_mau", "cnnic_internet_users", "cnnic_weibo_users", "cnnic_moments_qzone",
                 "wechat_open_class", "wechat_data_report", "pew_tiktok_news", "pew_social_news_age",
                 "phone_checks", "wallet_phone_survey", "wechat_government_accounts", "ding_zhen",
                 "short_video_users", "tencent_revenue", "un_states", "netease_cloud_music", "questmobile_mau",
                 "app_time_spent", "mandarin_speaking_rates", "pew_facebook_friends", "cnnic_social_shares")
TWITTER_DATASETS = ("twitter15", "twitter16")
TWITTER_LABELS = ("true", "false", "unverified", "non-rumor")
TREE_COLUMNS = ("parent_uid", "parent_tweet", "parent_delay", "child_uid", "child_tweet", "child_delay")
WEIBO_CITIES = ("Chengdu", "Kashgar", "Qingdao")
_CHUNK = 1 << 20


class DataError(Exception):
    """A data file is missing, corrupt or malformed; the message names the file and the fix."""


class TwitterTrees(NamedTuple):
    """One Twitter15/16 dataset: labels (tweet_id, label) and one edge table per source tweet."""

    labels: pd.DataFrame
    trees: dict[str, pd.DataFrame]


# ---------------------------------------------------------------- hashing

_HASHES: dict[tuple, Any] = {}  # (path, size, mtime[, members]) -> sha256 or {member: sha256}


def _stat_key(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns)


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 of a file, read in chunks and cached per (path, size, mtime)."""
    path = Path(path)
    key = _stat_key(path)
    if key not in _HASHES:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                h.update(chunk)
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


def archive_member_hashes(path: str | os.PathLike, members: list[str]) -> dict[str, str]:
    """SHA-256 of the named members of a tar archive (read in place; missing members are absent)."""
    path = Path(path)
    key = (*_stat_key(path), tuple(members))
    if key not in _HASHES:
        found = _tar_members(path, lambda name: name in members)
        _HASHES[key] = {k: hashlib.sha256(v).hexdigest() for k, v in found.items()}
    return dict(_HASHES[key])


def _parse_members(spec: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in spec.split(";")) if spec else {}


# ---------------------------------------------------------------- registry

@functools.lru_cache(maxsize=4)
def _read_registry(path: str, _mtime: int) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(df.columns) != REGISTRY_COLUMNS:
        raise DataError(f"{path}: header is {list(df.columns)}, expected {list(REGISTRY_COLUMNS)}. "
                        "Fix: restore the header of data/registry.csv")
    for i, row in df.iterrows():
        where = f"{path} line {i + 2} ({row['name'] or 'no name'})"
        for col in REGISTRY_COLUMNS:
            if col not in ("doi", "member_sha256") and not row[col].strip():
                raise DataError(f"{where}: column {col!r} is empty. Fix: fill it in")
        if not re.fullmatch(r"[0-9a-f]{64}", row["sha256"]):
            raise DataError(f"{where}: sha256 {row['sha256']!r} is not 64 hex digits. Fix: use sha256sum")
        if not re.fullmatch(r"[0-9a-f]{40}", row["commit"]):
            raise DataError(f"{where}: commit {row['commit']!r} is not a 40-digit hash. Fix: pin a commit")
        if not row["url"].startswith("https://") or row["commit"] not in row["url"]:
            raise DataError(f"{where}: url {row['url']!r} is not an https URL pinned to the commit. "
                            "Fix: use https://raw.githubusercontent.com/<repo>/<commit>/<path>")
        if not row["bytes"].isdigit():
            raise DataError(f"{where}: bytes {row['bytes']!r} is not a whole number. Fix: use stat -c %s")
        members = row["member_sha256"]
        if members and not re.fullmatch(r"[^=;]+=[0-9a-f]{64}(;[^=;]+=[0-9a-f]{64})*", members):
            raise DataError(f"{where}: member_sha256 must read path=sha;path=sha. Fix: correct it")
    if df["name"].duplicated().any():
        dup = df.loc[df["name"].duplicated(), "name"].iloc[0]
        raise DataError(f"{path}: name {dup!r} is registered twice. Fix: keep one row")
    return df.astype({"bytes": "int64"})


def registry() -> pd.DataFrame:
    """The validated registry of external data files (``data/registry.csv``), one row per file."""
    path = Path(REGISTRY_PATH)
    if not path.is_file():
        raise DataError(f"{path} is missing. Fix: restore data/registry.csv from the repository")
    return _read_registry(str(path), path.stat().st_mtime_ns).copy(deep=False)


def _entry(name: str) -> dict[str, Any]:
    reg = registry()
    rows = reg[reg["name"] == name]
    if rows.empty:
        raise DataError(f"{name!r} is not in {REGISTRY_PATH}. Fix: use one of {sorted(reg['name'])} "
                        "or register the file (name, url, sha256, ...)")
    return rows.iloc[0].to_dict()


# ---------------------------------------------------------------- resolution

def cache_dir() -> Path:
    """The pooch cache directory where downloaded files are kept (``pooch.os_cache("infoflow")``)."""
    import platformdirs  # what pooch.os_cache uses; importing pooch itself pulls in tqdm's notebook hooks

    return Path(platformdirs.user_cache_dir("infoflow"))


def search_dirs() -> list[tuple[str, Path]]:
    """The local directories :func:`resolve` searches, in order, each with a label."""
    dirs = []
    if os.environ.get("INFOFLOW_DATA_DIR"):
        dirs.append(("INFOFLOW_DATA_DIR", Path(os.environ["INFOFLOW_DATA_DIR"]).expanduser()))
    dirs.append(("shared data directory", Path(SHARED_DIR)))
    dirs.append(("pooch cache", cache_dir()))
    return dirs


def _offline() -> bool:
    return os.environ.get("INFOFLOW_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def _members_ok(path: Path, entry: dict) -> bool:
    expected = _parse_members(entry["member_sha256"])
    if not expected:
        return False
    try:
        return archive_member_hashes(path, list(expected)) == expected
    except DataError:
        return False


def _check_hash(path: Path, entry: dict, *, downloaded: bool) -> None:
    actual = sha256_file(path)
    if actual == entry["sha256"]:
        return
    # GitHub may re-compress an archive: a downloaded copy passes if its pinned members match.
    if downloaded and _members_ok(path, entry):
        return
    fix = (f"delete {path} and re-download it from {entry['url']}, or copy the original file there"
           if downloaded else f"re-download: replace {path} with the original from {entry['url']}")
    raise DataError(f"{entry['name']}: hash mismatch for {path}: expected sha256 {entry['sha256']}, "
                    f"found {actual}. Fix: {fix}")


def _download(entry: dict) -> Path:
    import pooch

    target = cache_dir() / entry["name"]
    known = None if entry["member_sha256"] else f"sha256:{entry['sha256']}"
    try:
        got = Path(pooch.retrieve(entry["url"], known_hash=known, fname=target.name,
                                  path=target.parent, progressbar=False))
    except Exception as exc:  # network errors, HTTP errors, pooch's own hash check
        raise DataError(_missing_message(entry, f"download from {entry['url']} failed ({exc})")) from exc
    try:
        _check_hash(got, entry, downloaded=True)
    except DataError:
        got.unlink(missing_ok=True)  # never keep a download that failed its check
        raise
    return got


def _missing_message(entry: dict, why: str) -> str:
    places = " or ".join(f"{d / entry['name']}" for _, d in search_dirs())
    return (f"{entry['name']} was not found and {why}. URL: {entry['url']}. Fix: download it from that URL "
            f"and place it at {places} (or set INFOFLOW_DATA_DIR to a directory holding {entry['name']})")


def resolve(name: str, *, download: bool | None = None) -> Path:
    """Path to a registered file, hash-checked: env dir, ../shared/data, pooch cache, then download."""
    entry = _entry(name)
    for label, directory in search_dirs():
        path = directory / name
        if path.is_file():
            _check_hash(path, entry, downloaded=label == "pooch cache")
            return path
    if download is False or _offline():
        raise DataError(_missing_message(entry, "downloads are off (INFOFLOW_OFFLINE=1 or download=False)"))
    return _download(entry)


# ---------------------------------------------------------------- parse caching

@functools.lru_cache(maxsize=32)
def _cached(parser: Callable, key: tuple, *args: Any) -> Any:
    return parser(Path(key[0]), *args)


def _load(parser: Callable, name: str, *args: Any) -> Any:
    return _cached(parser, _stat_key(resolve(name)), *args)


def _fail(path: Path | str, where: str, problem: str, fix: str = "re-download the file (see data/registry.csv)"
          ) -> DataError:
    return DataError(f"{path}{(' ' + where) if where else ''}: {problem}. Fix: {fix}")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, "", f"cannot be read as UTF-8 text ({exc})") from exc


def _parse_rda(path: Path) -> Any:
    import rdata

    try:
        return rdata.parser.parse_file(path)
    except Exception as exc:  # rdata raises many types on a damaged file
        raise _fail(path, "", f"is not a readable R data file ({exc})") from exc


# ---------------------------------------------------------------- R data files

def parse_seismic_tweet(path: str | os.PathLike) -> pd.DataFrame:
    """Parse the SEISMIC example tweet (.rda): reshare times in seconds and follower counts."""
    import rdata

    path = Path(path)
    obj = rdata.conversion.convert(_parse_rda(path))
    df = obj.get("tweet") if isinstance(obj, dict) else None
    cols = ["relative_time_second", "number_of_followers"]
    if not isinstance(df, pd.DataFrame) or list(df.columns) != cols:
        raise _fail(path, "", f"expected a data frame 'tweet' with columns {cols}")
    if df.isna().any().any():
        row = int(np.flatnonzero(df.isna().any(axis=1).to_numpy())[0]) + 1
        raise _fail(path, f"row {row}", "has a missing value")
    out = pd.DataFrame({"relative_time_second": df[cols[0]].to_numpy(dtype=float),
                        "number_of_followers": df[cols[1]].to_numpy(dtype=np.int64)})
    _check_sorted_nonneg(path, out["relative_time_second"].to_numpy(), "relative_time_second")
    if (out["number_of_followers"] < 0).any():
        row = int(np.flatnonzero(out["number_of_followers"] < 0)[0]) + 1
        raise _fail(path, f"row {row}", "number_of_followers is negative")
    return out


def _check_sorted_nonneg(path: Path, t: np.ndarray, col: str, where: str = "") -> None:
    bad = np.flatnonzero(~np.isfinite(t) | (t < 0))
    if bad.size:
        raise _fail(path, f"{where}row {bad[0] + 1}", f"{col} = {t[bad[0]]} is not a finite value >= 0")
    bad = np.flatnonzero(np.diff(t) < 0)
    if bad.size:
        raise _fail(path, f"{where}row {bad[0] + 2}", f"{col} is not sorted ({t[bad[0]]} then {t[bad[0] + 1]})")


def _r_attr(obj: Any, name: str) -> Any:
    node = obj.attributes
    while node is not None and node.info.type.name == "LIST":
        tag = node.tag.referenced_object if node.tag.info.type.name == "REF" else node.tag
        if tag.value.value.decode() == name:
            return node.value[0]
        node = node.value[1]
    return None


def _r_strings(obj: Any) -> list:
    return [None if c.value is None else c.value.decode("utf-8") for c in obj.value]


def parse_auspol(path: str | os.PathLike) -> list[pd.DataFrame]:
    """Parse the evently ``#auspol`` cascades (.rda): a list of frames (time, magnitude, user)."""
    path = Path(path)
    top = _parse_rda(path).object
    try:  # read the parsed R objects directly: rdata's generic conversion is ~10x slower here
        assert top.tag.value.value == b"auspol" and top.value[0].info.type.name == "VEC"
        frames = top.value[0].value
    except (AttributeError, AssertionError, IndexError, TypeError) as exc:
        raise _fail(path, "", "expected an R object 'auspol' holding a list of data frames") from exc
    times, mags, users_all = [], [], []
    for i, frame in enumerate(frames, start=1):
        try:
            names = _r_attr(frame, "names")
            cols = dict(zip(_r_strings(names), frame.value)) if names is not None else {}
        except (AttributeError, TypeError) as exc:
            raise _fail(path, f"cascade {i}", "is not a data frame") from exc
        if sorted(cols) != ["magnitude", "time", "user"]:
            raise _fail(path, f"cascade {i}", f"columns {sorted(cols)}, expected magnitude, time, user")
        t = np.asarray(cols["time"].value, dtype=float)
        mag = np.ma.getdata(cols["magnitude"].value)
        users = _r_strings(cols["user"])
        if not len(t) == len(mag) == len(users) or len(t) == 0:
            raise _fail(path, f"cascade {i}", "columns differ in length or are empty")
        if np.ma.is_masked(cols["magnitude"].value) or (mag < 0).any() or None in users:
            raise _fail(path, f"cascade {i}", "magnitude or user is missing or negative")
        _check_sorted_nonneg(path, t, "time", f"cascade {i} ")
        times.append(t)
        mags.append(mag.astype(np.int64))
        users_all.extend(users)
    if not times:
        raise _fail(path, "", "holds no cascades")
    # one frame split into views is much faster than 3,333 separate constructions
    big = pd.DataFrame({"time": np.concatenate(times), "magnitude": np.concatenate(mags), "user": users_all})
    bounds = np.concatenate([[0], np.cumsum([len(t) for t in times])])
    return [big.iloc[a:b].set_axis(pd.RangeIndex(b - a)) for a, b in itertools.pairwise(bounds)]


def load_seismic_tweet() -> pd.DataFrame:
    """The SEISMIC example tweet: 15,563 reshares (relative_time_second, number_of_followers)."""
    return _load(parse_seismic_tweet, "seismic_tweet.rda").copy(deep=False)


def load_auspol() -> list[pd.DataFrame]:
    """The 3,333 ``#auspol`` retweet cascades, each a frame (time, magnitude, user)."""
    return [df.copy(deep=False) for df in _load(parse_auspol, "evently_auspol.rda")]


# ---------------------------------------------------------------- Twitter15/16 trees

_NODE = rb"\['(?:ROOT|\d+)', '(?:ROOT|\d+)', '-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?'\]"
_LINE = re.compile(_NODE + rb"->" + _NODE)
_LINES = re.compile(rb"(?:" + _NODE + rb"->" + _NODE + rb"\n)*")


_TAR_ERRORS = (tarfile.TarError, EOFError, OSError, zlib.error)


def _tar_members(path: Path, wanted: Callable[[str], bool]) -> dict[str, bytes]:
    """Read the wanted regular members of a tar.gz in one streaming pass, without extracting."""
    fix = "re-download: the archive is truncated or corrupt"
    out = {}
    try:
        with gzip.open(path, "rb") as gz:
            with tarfile.open(fileobj=gz, mode="r|") as tf:
                for m in tf:
                    if m.isfile() and wanted(m.name):
                        out[m.name] = tf.extractfile(m).read()
            while gz.read(_CHUNK):  # read to the end so gzip checks its length and CRC trailer
                pass
    except FileNotFoundError as exc:
        raise _fail(path, "", "does not exist", "place the file there or use resolve()") from exc
    except _TAR_ERRORS as exc:
        raise _fail(path, "", f"is not a complete tar.gz archive ({type(exc).__name__}: {exc})", fix) from exc
    return out


def _check_tree_text(path: Path, member: str, text: bytes) -> bytes:
    if text and not text.endswith(b"\n"):
        text += b"\n"
    if not _LINES.fullmatch(text):
        for n, line in enumerate(text.split(b"\n"), start=1):
            if not _LINE.fullmatch(line):
                raise _fail(path, f"member {member} line {n}", "expected "
                            f"['uid', 'tweetID', 'delay']->['uid', 'tweetID', 'delay'], got {line[:120]!r}")
    return text


def parse_twitter_trees(path: str | os.PathLike, dataset: str) -> TwitterTrees:
    """Parse one dataset of the Twitter15/16 archive in place (no extraction): labels and edge tables."""
    path = Path(path)
    if dataset not in TWITTER_DATASETS:
        raise DataError(f"unknown dataset {dataset!r}. Fix: use one of {TWITTER_DATASETS}")
    pattern = re.compile(rf"(?:[^/]+/)?{dataset}/(label\.txt|tree/\d+\.txt)")  # git archive adds a prefix
    found = _tar_members(path, lambda name: pattern.fullmatch(name) is not None)
    label_member = next((k for k in found if k.endswith("label.txt")), None)
    if label_member is None:
        raise _fail(path, "", f"has no {dataset}/label.txt member")
    ids, labels = [], []
    for n, line in enumerate(found.pop(label_member).decode("utf-8").splitlines(), start=1):
        m = re.fullmatch(r"([a-z-]+):(\d+)", line.strip())
        if not m or m.group(1) not in TWITTER_LABELS:
            raise _fail(path, f"member {label_member} line {n}",
                        f"expected '<label>:<tweet id>' with a label in {TWITTER_LABELS}, got {line!r}")
        labels.append(m.group(1))
        ids.append(m.group(2))
    members = {k.rsplit("/", 1)[1][:-4]: k for k in found}
    if len(set(ids)) != len(ids) or set(ids) != set(members):
        raise _fail(path, f"member {label_member}", f"labels ({len(ids)}, {len(set(ids))} distinct) and "
                    f"tree files ({len(members)}) do not match")
    texts = [_check_tree_text(path, members[t], found[members[t]]) for t in ids]
    counts = np.array([t.count(b"\n") for t in texts])
    # one fast C parse of all trees: ['u', 't', 'd']->['u', 't', 'd'] becomes u,t,d,u,t,d
    flat = b"".join(texts).translate(None, b"[]' ").replace(b"->", b",")
    dtypes = {c: (float if c.endswith("delay") else str) for c in TREE_COLUMNS}
    edges = pd.read_csv(io.BytesIO(flat), header=None, names=list(TREE_COLUMNS), dtype=dtypes)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    if (counts == 0).any():
        raise _fail(path, f"member {members[ids[int(np.flatnonzero(counts == 0)[0])]]}", "tree file is empty")
    if len(edges) != bounds[-1]:
        raise _fail(path, f"{dataset} trees", f"parsed {len(edges)} edges, expected {bounds[-1]}")
    n_root = np.add.reduceat((edges["parent_uid"] == "ROOT").to_numpy(), bounds[:-1]) if ids else []
    for tid, k in zip(ids, n_root):
        if k != 1:
            raise _fail(path, f"member {members[tid]}", f"a tree needs exactly one 'ROOT' parent row, has {k}")
    trees = {tid: edges.iloc[a:b].set_axis(pd.RangeIndex(b - a))
             for tid, (a, b) in zip(ids, itertools.pairwise(bounds))}
    return TwitterTrees(pd.DataFrame({"tweet_id": ids, "label": labels}).astype(str), trees)


def load_twitter_trees(dataset: str) -> TwitterTrees:
    """Twitter15 or Twitter16: labels (tweet_id, label) and tweet_id -> edges (delays in minutes)."""
    res = _load(parse_twitter_trees, "twitter15_16.tar.gz", dataset)
    return TwitterTrees(res.labels.copy(deep=False), {k: v.copy(deep=False) for k, v in res.trees.items()})


# ---------------------------------------------------------------- Weibo-COV

def parse_weibo_cov(path: str | os.PathLike) -> pd.DataFrame:
    """Parse a Weibo-COV cascade CSV: one sorted ``created_at`` timestamp per post."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(df.columns) != ["created_at"]:
        raise _fail(path, "line 1", f"header is {list(df.columns)}, expected ['created_at']")
    t = pd.to_datetime(df["created_at"], format="%Y-%m-%d %H:%M:%S", errors="coerce")
    if t.isna().any():
        i = int(np.flatnonzero(t.isna().to_numpy())[0])
        raise _fail(path, f"line {i + 2}", f"{df['created_at'].iloc[i]!r} is not YYYY-MM-DD HH:MM:SS")
    bad = np.flatnonzero(np.diff(t.to_numpy().astype("int64")) < 0)
    if bad.size:
        raise _fail(path, f"line {bad[0] + 3}", "created_at is earlier than on the line before (not sorted)")
    if t.empty:
        raise _fail(path, "", "has no rows")
    return pd.DataFrame({"created_at": t})


def parse_weekly_rhythm(path: str | os.PathLike) -> pd.DataFrame:
    """Parse the weekly rhythm: 84 two-hour buckets (bucket_of_week 0..83, count of posts)."""
    path = Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(df.columns) != ["bucket_of_week", "count"]:
        raise _fail(path, "line 1", f"header is {list(df.columns)}, expected ['bucket_of_week', 'count']")
    for col in df.columns:
        bad = ~df[col].str.fullmatch(r"\d+")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise _fail(path, f"line {i + 2}", f"{col} {df[col].iloc[i]!r} is not a whole number >= 0")
    df = df.astype("int64")
    if df["bucket_of_week"].tolist() != list(range(84)):
        raise _fail(path, "", "bucket_of_week must run 0, 1, ..., 83 (84 two-hour buckets), once each")
    return df


def load_weibo_cov(city: str) -> pd.DataFrame:
    """A Weibo-COV cascade (Chengdu, Kashgar or Qingdao): sorted ``created_at`` timestamps."""
    if city not in WEIBO_CITIES:
        raise DataError(f"unknown city {city!r}. Fix: use one of {WEIBO_CITIES}")
    return _load(parse_weibo_cov, f"weibo_cov_cascades/{city}_out.csv").copy(deep=False)


def load_weekly_rhythm() -> pd.DataFrame:
    """Weibo posting counts in the 84 two-hour buckets of the week (bucket_of_week, count)."""
    return _load(parse_weekly_rhythm, "weibo_cov_cascades/weekly_rhythm_bucket_counts.csv").copy(deep=False)


# ---------------------------------------------------------------- RhP-SEIRS fitted parameters and rhythm spline

RHP_THETA_SIZES = {"Chengdu": 18, "Kashgar": 17, "Qingdao": 20}


def _loadmat(path: Path) -> dict:
    import scipy.io

    try:
        return scipy.io.loadmat(path)
    except Exception as exc:  # scipy raises several types on a damaged file
        raise _fail(path, "", f"is not a readable MATLAB .mat file ({exc})") from exc


def parse_rhp_params(path: str | os.PathLike, n_theta: int | None = None) -> dict[str, Any]:
    """Parse an RhP-SEIRS parameter file (.mat): ``theta`` (the transformed parameter vector) and ``mape``."""
    path = Path(path)
    mat = _loadmat(path)
    if "theta_refined" not in mat:
        raise _fail(path, "", f"has no variable 'theta_refined' (variables: {sorted(k for k in mat if k[:2] != '__')})")
    theta = np.asarray(mat["theta_refined"], dtype=float).ravel()
    if not np.all(np.isfinite(theta)):
        raise _fail(path, f"theta_refined entry {int(np.flatnonzero(~np.isfinite(theta))[0]) + 1}", "is not finite")
    if n_theta is not None and theta.size != n_theta:
        raise _fail(path, "", f"theta_refined has {theta.size} entries, expected {n_theta}")
    mape = float(np.asarray(mat["mape"]).ravel()[0]) if "mape" in mat else float("nan")
    return {"theta": theta, "mape": mape}


def parse_rhp_spline(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Parse the RhP-SEIRS weekly-rhythm spline (.mat piecewise polynomial): ``breaks``, ``coefs``, ``order``."""
    path = Path(path)
    mat = _loadmat(path)
    missing = [k for k in ("breaks", "coefs", "order") if k not in mat]
    if missing:
        raise _fail(path, "", f"lacks the piecewise-polynomial variable(s) {missing}")
    breaks = np.asarray(mat["breaks"], dtype=float).ravel()
    coefs = np.asarray(mat["coefs"], dtype=float)
    order = int(np.asarray(mat["order"]).ravel()[0])
    if coefs.shape != (breaks.size - 1, order) or np.any(np.diff(breaks) <= 0):
        raise _fail(path, "", f"coefs {coefs.shape} do not match {breaks.size} increasing breaks of order {order}")
    return {"breaks": breaks, "coefs": coefs, "order": order}


def load_rhp_params(city: str) -> dict[str, Any]:
    """The RhP-SEIRS authors' fitted parameters for a Weibo-COV city: ``theta`` and ``mape`` (NaN if not saved)."""
    if city not in WEIBO_CITIES:
        raise DataError(f"unknown city {city!r}. Fix: use one of {WEIBO_CITIES}")
    out = _load(parse_rhp_params, f"rhp_seirs/{city}.mat", RHP_THETA_SIZES[city])
    return {"theta": out["theta"].copy(), "mape": out["mape"]}


def load_rhp_spline() -> dict[str, np.ndarray]:
    """The RhP-SEIRS weekly-rhythm spline (breaks 0..84 in two-hour buckets, cubic coefficients)."""
    return {k: (v.copy() if isinstance(v, np.ndarray) else v)
            for k, v in _load(parse_rhp_spline, "rhp_seirs/weibo_spline_pp_100.mat").items()}


# ---------------------------------------------------------------- DeepHawkes, Facebook

def parse_deephawkes(path: str | os.PathLike) -> pd.DataFrame:
    """Parse DeepHawkes cascades: id, root_user, unix_time, size, paths [(user ids, seconds)]."""
    path = Path(path)
    rows = []
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 5 or not all(f.isdigit() for f in fields[:4]):
            raise _fail(path, f"line {n}", "expected id<TAB>root_user<TAB>unix_time<TAB>size<TAB>paths")
        cid, root, unix_time, size = fields[0], fields[1], int(fields[2]), int(fields[3])
        paths = []
        for p in fields[4].split():
            m = re.fullmatch(r"(\d+(?:/\d+)*):(\d+)", p)
            if not m:
                raise _fail(path, f"line {n}", f"path {p!r} is not u1/u2/...:seconds (seconds >= 0)")
            users = tuple(m.group(1).split("/"))
            if users[0] != root:
                raise _fail(path, f"line {n}", f"path {p!r} does not start at the root user {root}")
            paths.append((users, int(m.group(2))))
        if size != len(paths):
            raise _fail(path, f"line {n}", f"size {size} differs from the number of paths ({len(paths)})")
        rows.append((cid, root, unix_time, size, paths))
    if not rows:
        raise _fail(path, "", "holds no cascades")
    df = pd.DataFrame(rows, columns=["id", "root_user", "unix_time", "size", "paths"])
    return df.astype({"id": str, "root_user": str, "unix_time": "int64", "size": "int64"})


def parse_facebook_graph(path: str | os.PathLike) -> nx.Graph:
    """Parse an edge list (``#`` comment lines allowed) into an undirected networkx Graph."""
    path = Path(path)
    edges = []
    for n, line in enumerate(_read_text(path).splitlines(), start=1):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()):
            raise _fail(path, f"line {n}", f"expected two node ids, got {line[:80]!r}")
        edges.append((int(parts[0]), int(parts[1])))
    if not edges:
        raise _fail(path, "", "holds no edges")
    graph = nx.Graph()
    graph.add_edges_from(edges)
    return graph


def load_deephawkes() -> pd.DataFrame:
    """The 30 DeepHawkes Weibo cascades; ``paths`` holds (tuple of user ids, seconds after root)."""
    df = _load(parse_deephawkes, "deephawkes_weibo_sample.txt").copy(deep=False)
    df["paths"] = [list(p) for p in df["paths"]]
    return df


def load_facebook_graph() -> nx.Graph:
    """The SNAP ego-Facebook friendship graph (4,039 nodes, 88,234 edges)."""
    return _load(parse_facebook_graph, "snap_ego_facebook.txt").copy()


# ---------------------------------------------------------------- typed public figures

_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}


def period_end(period: str) -> pd.Timestamp:
    """End date of a period label: ``4Q13``, ``Dec 2012`` or ``2021``."""
    if m := re.fullmatch(r"([1-4])Q(\d\d)", period):
        year, month = 2000 + int(m.group(2)), 3 * int(m.group(1))
    elif (m := re.fullmatch(r"([A-Z][a-z]{2}) (\d{4})", period)) and m.group(1) in _MONTHS:
        year, month = int(m.group(2)), _MONTHS[m.group(1)]
    elif m := re.fullmatch(r"(\d{4})", period):
        year, month = int(m.group(1)), 12
    else:
        raise ValueError(f"period {period!r} is not like 4Q13, Dec 2012 or 2021")
    return pd.Timestamp(year, month, calendar.monthrange(year, month)[1])


def parse_figures(path: str | os.PathLike) -> pd.DataFrame:
    """Parse and validate a typed-figures CSV (columns :data:`FIGURE_COLUMNS`)."""
    path = Path(path)
    fix = f"correct that line of {path.name}"
    with io.StringIO(_read_text(path), newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or tuple(header) != FIGURE_COLUMNS:
            unknown = sorted(set(header or []) - set(FIGURE_COLUMNS))
            raise _fail(path, "line 1", f"header is {header}, expected {list(FIGURE_COLUMNS)}"
                        + (f" (unknown column {unknown})" if unknown else ""), "write exactly that header")
        rows, seen = [], set()
        for fields in reader:
            line = reader.line_num
            if len(fields) != len(FIGURE_COLUMNS):
                raise _fail(path, f"line {line}", f"{len(fields)} fields, expected {len(FIGURE_COLUMNS)}", fix)
            row = dict(zip(FIGURE_COLUMNS, (f.strip() for f in fields)))
            for col in ("series", "period", "unit", "source"):
                if not row[col]:
                    raise _fail(path, f"line {line}", f"{col} is empty", fix + f" (every row needs a {col})")
            if not re.fullmatch(r"[a-z][a-z0-9_]*", row["series"]):
                raise _fail(path, f"line {line}", f"series {row['series']!r} is not a lower_case name", fix)
            try:
                value = float(row["value"])
                if not np.isfinite(value):
                    raise ValueError
            except ValueError:
                raise _fail(path, f"line {line}", f"value {row['value']!r} is not a number", fix) from None
            try:
                end = period_end(row["period"])
            except ValueError as exc:
                raise _fail(path, f"line {line}", str(exc), fix) from None
            try:
                if not re.fullmatch(r"\d{4}-\d\d-\d\d", row["date"]):
                    raise ValueError
                date = pd.Timestamp(row["date"])
            except ValueError:
                raise _fail(path, f"line {line}", f"date {row['date']!r} is not a valid yyyy-mm-dd date", fix
                            ) from None
            if date != end:
                raise _fail(path, f"line {line}", f"date {row['date']!r} is not the ISO end of period "
                            f"{row['period']!r} ({end.date()})", fix)
            if row["verified"] not in ("true", "false"):
                raise _fail(path, f"line {line}", f"verified {row['verified']!r} is not true/false", fix)
            if (row["series"], row["period"]) in seen:
                raise _fail(path, f"line {line}", f"{row['series']} {row['period']} appears twice", fix)
            seen.add((row["series"], row["period"]))
            rows.append({**row, "date": date, "value": value, "verified": row["verified"] == "true"})
    if not rows:
        raise _fail(path, "", "has no rows", "add the figures, one per row")
    df = pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
    return df.astype({c: str for c in ("series", "period", "unit", "source", "note")})


def load_figures(name: str) -> pd.DataFrame:
    """A typed public-figures table from ``data/figures/<name>.csv`` (see :data:`FIGURE_TABLES`)."""
    if name not in FIGURE_TABLES:
        raise DataError(f"unknown figure table {name!r}. Fix: use one of {FIGURE_TABLES}")
    path = Path(FIGURES_DIR) / f"{name}.csv"
    if not path.is_file():
        raise DataError(f"{path} is missing. Fix: restore data/figures/{name}.csv from the repository")
    return _cached(parse_figures, _stat_key(path)).copy(deep=False)
