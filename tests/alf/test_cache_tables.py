"""``onesdk.alf.cache``: one-api's table helpers over a local ALF folder, checked on their own
and against one-api 3.6.1 where the check is cheap."""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from onesdk.alf import cache
from onesdk.errors import ArgumentError, CacheError, TableColumnsError, UnknownTableError
from tests.reference import run_reference

SESSION = "mylab/Subjects/sub/2021-02-28/001"
FILES = {
    f"{SESSION}/alf/spikes.times.npy": b"mock",
    f"{SESSION}/alf/spikes.clusters.npy": b"mock2",
    f"{SESSION}/trials.intervals.npy": b"",
    "sub2/2021-03-01/002/trials.intervals.npy": b"123",
    "sub2/2021-03-01/002/.invalid": b"",
    "sub2/2021-03-01/002/notes.txt": b"",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    for rel, content in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    return root


def test_make_parquet_db_lists_every_alf_file_and_load_tables_reads_them(tree: Path) -> None:
    sessions_path, datasets_path = cache.make_parquet_db(tree)
    assert (sessions_path, datasets_path) == (tree / "sessions.pqt", tree / "datasets.pqt")
    tables = cache.load_tables(tree)
    assert tables.sessions.index.name == "id"
    assert tuple(tables.datasets.index.names) == ("eid", "id")
    assert all(isinstance(label, uuid.UUID) for label in tables.sessions.index)
    rel = {
        (tables.sessions.loc[eid, "subject"], path)
        for (eid, _), path in tables.datasets["rel_path"].items()
    }
    assert rel == {
        ("sub", "alf/spikes.times.npy"),
        ("sub", "alf/spikes.clusters.npy"),
        ("sub", "trials.intervals.npy"),
        ("sub2", "trials.intervals.npy"),
    }
    sizes = dict(zip(tables.datasets["rel_path"], tables.datasets["file_size"], strict=True))
    assert sizes["alf/spikes.clusters.npy"] == len(b"mock2")
    assert tables._meta["raw"]["sessions"]["origin"] == {str(tree.resolve())}
    assert tables._meta["created_time"] is not None


def test_make_parquet_db_gives_the_same_ids_for_the_same_tree(tree: Path) -> None:
    cache.make_parquet_db(tree)
    first = cache.load_tables(tree).datasets.index
    cache.make_parquet_db(tree)
    assert cache.load_tables(tree).datasets.index.equals(first)


def test_make_parquet_db_without_hash_ids_uses_the_paths_as_ids(tree: Path) -> None:
    sessions_path, datasets_path = cache.make_parquet_db(tree, hash_ids=False, hash_files=True)
    sessions = pd.read_parquet(sessions_path)
    datasets = pd.read_parquet(datasets_path)
    assert set(sessions.reset_index()["id"]) == {"mylab/sub/2021-02-28/001", "sub2/2021-03-01/002"}
    flat = datasets.reset_index()
    assert set(flat["id"]) == set(flat["rel_path"])
    assert flat["hash"].notna().all()


def test_make_parquet_db_fills_the_lab_of_sessions_without_one(tree: Path) -> None:
    lab_less = tree.parent / "lab_less"
    lab_less.mkdir()
    (tree / "sub2").rename(lab_less / "sub2")
    cache.make_parquet_db(lab_less, lab="another")
    sessions = cache.load_tables(lab_less).sessions
    assert list(sessions["lab"]) == ["another"]
    with pytest.raises(CacheError, match="conflicts with lab"):
        cache.make_parquet_db(tree, lab="another")


def test_make_parquet_db_warns_when_nothing_is_found(tmp_path: Path) -> None:
    with pytest.warns(RuntimeWarning, match="No sessions found"):
        sessions_path, _ = cache.make_parquet_db(tmp_path)
    assert sessions_path.is_file()
    assert cache.load_tables(tmp_path).sessions.empty


def test_make_parquet_db_names_a_bad_argument(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="root_dir"):
        cache.make_parquet_db(tmp_path / "absent")
    with pytest.raises(ArgumentError, match="hash_ids"):
        cache.make_parquet_db(tmp_path, hash_ids="yes")  # type: ignore[arg-type]


def test_load_tables_of_a_folder_without_tables_gives_the_empty_frames(tmp_path: Path) -> None:
    tables = cache.load_tables(tmp_path / "absent")
    assert tables.sessions.dtypes.equals(cache.EMPTY_SESSIONS_FRAME.dtypes)
    assert tables.datasets.dtypes.equals(cache.EMPTY_DATASETS_FRAME.dtypes)
    assert set(tables._meta) == {
        "created_time",
        "loaded_time",
        "modified_time",
        "saved_time",
        "raw",
    }


def test_load_tables_reads_only_the_tables_the_pattern_matches(tree: Path) -> None:
    cache.make_parquet_db(tree)
    tables = cache.load_tables(tree, glob_pattern="sessions.*")
    assert len(tables.sessions) == 2
    assert tables.datasets.empty


def _frames() -> cache.CacheBunch:
    tables = cache.load_tables(Path("/nonexistent-onesdk-folder"))
    eid = uuid.UUID(int=1)
    sessions = pd.DataFrame(
        {"lab": ["l"], "subject": ["s"], "date": [pd.Timestamp("2020-01-01").date()]},
        index=pd.Index([eid], name="id"),
    )
    for column in ("number", "task_protocol", "projects"):
        sessions[column] = 1 if column == "number" else ""
    cache.merge_tables(tables, sessions=sessions)
    return tables


def test_merge_tables_adds_new_rows_and_replaces_rows_it_holds() -> None:
    tables = _frames()
    first = tables.sessions.index[0]
    row = tables.sessions.iloc[0].copy()
    row["subject"] = "renamed"
    new = row.copy()
    new.name = uuid.UUID(int=2)
    when = cache.merge_tables(tables, origin="here", sessions=row)
    cache.merge_tables(tables, sessions=new)
    assert when is not None
    assert tables.sessions.loc[first, "subject"] == "renamed"
    assert list(tables.sessions.index) == [first, uuid.UUID(int=2)]
    assert tables.sessions["number"].dtype == cache.EMPTY_SESSIONS_FRAME["number"].dtype
    assert "here" in tables._meta["raw"]["sessions"]["origin"]
    assert tables._meta["modified_time"] is not None


def test_merge_tables_fills_missing_columns_unless_strict() -> None:
    tables = _frames()
    tables.sessions["exists_aws"] = False
    tables.sessions["extra"] = 12
    records = tables.sessions.drop(columns=["exists_aws", "extra"]).copy()
    records.index = pd.Index([uuid.UUID(int=3)], name="id")
    records["exists"] = True
    records["ignored"] = 1
    with pytest.raises(TableColumnsError):
        cache.merge_tables(tables, strict=True, sessions=records)
    with pytest.raises(AssertionError):  # as one-api
        cache.merge_tables(tables, strict=True, sessions=records)
    cache.merge_tables(tables, sessions=records)
    added = tables.sessions.loc[uuid.UUID(int=3)]
    assert bool(added["exists_aws"]) is True
    assert pd.isna(added["extra"])
    assert tables.sessions["extra"].dtype == pd.Int64Dtype()
    assert "ignored" not in tables.sessions.columns


def test_merge_tables_refuses_a_table_the_cache_lacks_and_skips_nothing_given() -> None:
    tables = _frames()
    with pytest.raises(UnknownTableError, match="unknown"):
        cache.merge_tables(tables, unknown=tables.sessions)
    with pytest.raises(KeyError):  # as one-api
        cache.merge_tables(tables, unknown=tables.sessions)
    assert cache.merge_tables(tables, sessions=None) is None
    assert cache.merge_tables(tables, sessions=tables.sessions.iloc[:0]) is None


def test_merge_tables_keeps_the_first_of_repeated_records() -> None:
    tables = _frames()
    row = tables.sessions.iloc[[0, 0]].copy()
    row["subject"] = ["first", "second"]
    cache.merge_tables(tables, sessions=row)
    assert list(tables.sessions["subject"]) == ["first"]


def test_remove_missing_datasets_removes_only_unlisted_alf_files(tree: Path) -> None:
    cache.make_parquet_db(tree)
    tables = cache.load_tables(tree)
    session = tree / SESSION
    stray = session / "foo.bar.npy"
    stray.write_bytes(b"")
    unlisted_session = tree / "sub2/2021-03-01/003"
    unlisted_session.mkdir()
    listed_empty = tree / "sub2/2021-03-01/002"
    (listed_empty / "trials.intervals.npy").unlink()

    planned = cache.remove_missing_datasets(tree, tables, dry=True)
    assert stray.exists()
    assert unlisted_session.exists()
    assert set(map(Path, planned)) == {stray, unlisted_session}

    removed = cache.remove_missing_datasets(tree, dry=False)
    assert set(map(Path, removed)) == {stray, unlisted_session}
    assert not stray.exists()
    assert not unlisted_session.exists()
    assert listed_empty.is_dir()
    assert (listed_empty / "notes.txt").exists()
    assert (session / "alf/spikes.times.npy").exists()
    assert cache.remove_missing_datasets(tree, dry=False) == []


def test_remove_missing_datasets_keeps_unlisted_sessions_when_asked(tree: Path) -> None:
    cache.make_parquet_db(tree)
    (tree / "sub2/2021-03-01/003").mkdir()
    assert cache.remove_missing_datasets(tree, remove_empty_sessions=False, dry=False) == []
    assert (tree / "sub2/2021-03-01/003").is_dir()
    with pytest.raises(ArgumentError, match="tables"):
        cache.remove_missing_datasets(tree, {"sessions": cache.EMPTY_SESSIONS_FRAME})


def test_default_cache_is_empty_frames_of_the_column_dtypes_with_the_origin() -> None:
    blank = cache.default_cache("lab-server")
    assert blank.sessions.empty
    assert blank.datasets.empty
    sessions = blank.sessions.reset_index()
    assert list(sessions.columns) == list(cache.SESSIONS_COLUMNS)
    assert str(sessions["number"].dtype) == "uint16"
    datasets = blank.datasets.reset_index()
    assert list(datasets.columns) == list(cache.DATASETS_COLUMNS)
    assert datasets["qc"].dtype == cache.QC_TYPE
    for name in ("sessions", "datasets"):
        assert blank["_meta"]["raw"][name]["origin"] == {"lab-server"}
    assert blank["_meta"]["loaded_time"] is None
    # each call is a new cache: filling one leaves the next empty
    blank.sessions.loc[uuid.uuid4(), "subject"] = "KS005"
    assert cache.default_cache().sessions.empty


def test_default_cache_names_an_origin_that_is_not_text() -> None:
    with pytest.raises(ArgumentError, match="origin"):
        cache.default_cache(42)  # type: ignore[arg-type]


def test_column_dtype_maps_are_read_only() -> None:
    with pytest.raises(TypeError):
        cache.DATASETS_COLUMNS["extra"] = object  # type: ignore[index]
    assert "extra" not in cache.DATASETS_COLUMNS


def test_remove_table_files_deletes_the_tables_and_cache_info_only(
    tree: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache.make_parquet_db(tree)
    assert (tree / "cache_info.json").exists()
    (tree / "datasets.sorted.parquet").write_bytes(b"copy")
    before = {p for p in tree.rglob("*") if p.is_file()}
    removed = cache.remove_table_files(tree)
    assert sorted(removed) == sorted(
        tree / n
        for n in ("cache_info.json", "sessions.pqt", "datasets.pqt", "datasets.sorted.parquet")
    )
    assert not any(p.exists() for p in removed)
    assert {p for p in tree.rglob("*") if p.is_file()} == before - set(removed)
    with caplog.at_level("WARNING", logger="onesdk.cache"):
        assert cache.remove_table_files(tree) == []
    assert {r.getMessage() for r in caplog.records} == {
        f"{tree / n} not found" for n in ("cache_info.json", "sessions.pqt", "datasets.pqt")
    }


def test_remove_table_files_of_one_named_table_keeps_the_other(tree: Path) -> None:
    cache.make_parquet_db(tree)
    removed = cache.remove_table_files(tree, "sessions")
    assert removed == [tree / "cache_info.json", tree / "sessions.pqt"]
    assert (tree / "datasets.pqt").exists()


@pytest.mark.parametrize("tables", [["../sessions"], [""], [3], 3, ["a/b"]])
def test_remove_table_files_refuses_what_is_not_a_table_name(tree: Path, tables: Any) -> None:
    cache.make_parquet_db(tree)
    with pytest.raises(ArgumentError, match="tables"):
        cache.remove_table_files(tree, tables)
    assert (tree / "sessions.pqt").exists()
    assert (tree / "datasets.pqt").exists()


# ------------------------------------------------------------------ against one-api 3.6.1

REFERENCE_SCRIPT = r"""
import json, sys, warnings
import pandas as pd
import one.alf.cache as C
from iblutil.io import parquet
payload = json.load(sys.stdin)
root = payload["root"]
out = {}
for name in ("EMPTY_SESSIONS_FRAME", "EMPTY_DATASETS_FRAME"):
    frame = getattr(C, name)
    out[name] = {"index": list(frame.index.names),
                 "dtypes": {k: str(v) for k, v in frame.dtypes.items()}}
out["QC_TYPE"] = [list(C.QC_TYPE.categories), bool(C.QC_TYPE.ordered)]
for name in ("SESSIONS_COLUMNS", "DATASETS_COLUMNS"):
    out[name] = {k: str(pd.Series([], dtype=v).dtype) for k, v in getattr(C, name).items()}
blank = C.default_cache("lab-server")
out["default_cache"] = {
    "keys": sorted(blank.keys()),
    "meta": sorted(blank["_meta"]),
    "origin": sorted(blank["_meta"]["raw"]["datasets"]["origin"]),
    "lengths": [len(blank["sessions"]), len(blank["datasets"])],
}
fs, fd = C.make_parquet_db(root, hash_ids=False)
ses, _ = parquet.load(fs)
ds, _ = parquet.load(fd)
ses = ses.reset_index()
out["sessions"] = sorted(
    [r["id"], r["lab"], r["subject"], str(r["date"]), int(r["number"])] for _, r in ses.iterrows())
out["datasets"] = sorted(
    [r["eid"], r["id"], r["rel_path"], int(r["file_size"])] for _, r in ds.reset_index().iterrows())
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    C.make_parquet_db(payload["empty"])
out["empty_warning"] = [type(w.message).__name__ for w in caught]
print(json.dumps(out))
"""


@pytest.mark.reference
def test_tables_and_frames_agree_with_the_reference(
    tree: Path, tmp_path: Path, reference_python: Path
) -> None:
    ours_root = tmp_path / "ours"
    ours_root.mkdir()
    for rel, content in FILES.items():
        (ours_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (ours_root / rel).write_bytes(content)
    empty = tmp_path / "empty"
    empty.mkdir()
    theirs = run_reference(
        reference_python, REFERENCE_SCRIPT, {"root": str(tree), "empty": str(empty)}
    )
    for name in ("EMPTY_SESSIONS_FRAME", "EMPTY_DATASETS_FRAME"):
        frame = getattr(cache, name)
        assert list(frame.index.names) == theirs[name]["index"]
        assert {k: str(v) for k, v in frame.dtypes.items()} == theirs[name]["dtypes"]
    assert [list(cache.QC_TYPE.categories), cache.QC_TYPE.ordered] == theirs["QC_TYPE"]
    for name in ("SESSIONS_COLUMNS", "DATASETS_COLUMNS"):
        columns = getattr(cache, name)
        assert {k: str(pd.Series([], dtype=v).dtype) for k, v in columns.items()} == theirs[name]
    blank = cache.default_cache("lab-server")
    assert {
        "keys": sorted(blank.keys()),
        "meta": sorted(blank["_meta"]),
        "origin": sorted(blank["_meta"]["raw"]["datasets"]["origin"]),
        "lengths": [len(blank["sessions"]), len(blank["datasets"])],
    } == theirs["default_cache"]

    sessions_path, datasets_path = cache.make_parquet_db(ours_root, hash_ids=False)
    ses = pd.read_parquet(sessions_path).reset_index()
    ours_sessions = sorted(
        [r["id"], r["lab"], r["subject"], str(r["date"]), int(r["number"])]
        for _, r in ses.iterrows()
    )
    ds = pd.read_parquet(datasets_path).reset_index()
    ours_datasets = sorted(
        [r["eid"], r["id"], r["rel_path"], int(r["file_size"])] for _, r in ds.iterrows()
    )
    assert ours_sessions == theirs["sessions"]
    assert ours_datasets == theirs["datasets"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache.make_parquet_db(empty)
    assert [type(w.message).__name__ for w in caught] == theirs["empty_warning"]


# Runs on both sides with ``C`` the module under test: load tables onesdk built, merge a
# record Series (one new session, one changed dataset), then a frame with a new row, an extra
# column and table columns the records lack; every frame's dtypes and rows after each step.
MERGE_SCENARIO = r"""
import json, uuid
import pandas as pd

def scenario(C, root):
    out = {}
    caches = C.load_tables(root)

    def snap(tag):
        for name in ("sessions", "datasets"):
            frame = caches[name].reset_index()
            out[tag + "." + name + ".dtypes"] = {k: str(v) for k, v in frame.dtypes.items()}
            out[tag + "." + name + ".rows"] = sorted(
                json.dumps([None if pd.isna(v) else str(v) for v in row])
                for row in frame.itertuples(index=False)
            )

    snap("loaded")
    session = caches["sessions"].iloc[0].copy()
    session.name = uuid.UUID(int=7)
    dataset = caches["datasets"].iloc[0].copy()
    dataset["exists"] = not dataset["exists"]
    out["merged"] = C.merge_tables(caches, sessions=session, datasets=dataset) is not None
    snap("series")
    records = caches["datasets"].iloc[:2].copy()
    records["exists"] = ~records["exists"]
    index = list(records.index.values)
    index[-1] = (index[-1][0], uuid.UUID(int=9))
    records.index = pd.MultiIndex.from_tuples(index, names=("eid", "id"))
    records["extra_column"] = True
    caches["datasets"]["foo_bar"] = 12
    caches["datasets"]["exists_aws"] = False
    C.merge_tables(caches, datasets=records, origin="there")
    snap("frame")
    out["origin"] = sorted(caches["_meta"]["raw"]["datasets"]["origin"])
    out["nothing"] = C.merge_tables(caches, datasets=None)
    return out
"""

REFERENCE_MERGE = (
    MERGE_SCENARIO
    + r"""
import sys
import one.alf.cache
print(json.dumps(scenario(one.alf.cache, json.load(sys.stdin)["root"])))
"""
)


@pytest.mark.reference
def test_load_and_merge_tables_agree_with_the_reference(tree: Path, reference_python: Path) -> None:
    cache.make_parquet_db(tree)
    theirs = run_reference(reference_python, REFERENCE_MERGE, {"root": str(tree)})
    namespace: dict[str, Any] = {}
    exec(MERGE_SCENARIO, namespace)  # the same steps as the reference runs
    ours = namespace["scenario"](cache, str(tree))
    assert ours["frame.datasets.rows"] != ours["loaded.datasets.rows"]  # the merges did something
    assert ours == theirs
