"""The cache table format: Alyx and one-api tables load, ours load in one-api, bad files fail."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onesdk._cache import make_cache, read_tables, write_tables
from onesdk._facade._one import One
from onesdk.errors import AlfError, CacheError
from tests.reference import run_reference

# one-api side of the round trips: load a cache dir and report what it sees
_REFERENCE_DUMP = """
import json, sys, warnings
warnings.simplefilter('ignore')
from one.api import One
args = json.load(sys.stdin)
one = One(cache_dir=args['cache_dir'], mode='local')
ses = one._cache['sessions']
dsets = one._cache['datasets']
out = {
    'eids': [str(e) for e in one.search()],
    'subjects': one.list_subjects(),
    'sessions': sorted(
        [str(i), r['subject'], str(r['date']), int(r['number']), r['lab'] or '']
        for i, r in ses.iterrows()),
    'datasets': sorted(
        [str(i[0]), str(i[1]), r['rel_path'], str(r['qc']), bool(r['exists']),
         None if r['file_size'] is None or r['file_size'] != r['file_size']
         else int(r['file_size']),
         r['hash'] if isinstance(r['hash'], str) else None,
         bool(r['default_revision']) if 'default_revision' in dsets.columns else None]
        for i, r in dsets.iterrows()),
    'trials': sorted(str(e) for e in one.search(datasets='_ibl_trials.table.pqt')),
}
print(json.dumps(out))
"""


def _ours(cache_dir: Path) -> dict[str, object]:
    one = One(cache_dir=cache_dir, mode="local")
    frame = one.list_datasets(details=True, qc="CRITICAL")
    default = "default_revision" in frame.columns
    sessions = one.repository.sessions_table.to_pylist()
    return {
        "eids": [str(e) for e in one.search()],
        "subjects": one.list_subjects(),
        "sessions": sorted(
            [r["id"], r["subject"], str(r["date"]), int(r["number"]), r["lab"] or ""]
            for r in sessions
        ),
        "datasets": sorted(
            [
                eid,
                did,
                row["rel_path"],
                str(row["qc"]),
                bool(row["exists"]),
                None if row["file_size"] is None else int(row["file_size"]),
                row["hash"] if isinstance(row["hash"], str) else None,
                bool(row["default_revision"]) if default else None,
            ]
            for (eid, did), row in _rows(frame)
        ),
        "trials": sorted(str(e) for e in one.search(datasets="_ibl_trials.table.pqt")),
    }


def _rows(frame: pd.DataFrame) -> list[tuple[tuple[str, str], dict[str, Any]]]:
    """(index, row) pairs with missing values as None."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        ((str(i[0]), str(i[1])), dict(zip(clean.columns, row, strict=True)))
        for i, row in zip(clean.index, clean.to_numpy().tolist(), strict=True)
    ]


def _qc_all(one: One) -> int:
    return len(one.list_datasets(details=True, qc="CRITICAL"))


@pytest.mark.shared
@pytest.mark.parametrize(
    ("sub", "sessions", "datasets"),
    [("cache", 66, 872), ("cache/tag_2024_Q1_release", None, 338)],
)
def test_alyx_served_tables_load(
    shared_alyx: Path, sub: str, sessions: int | None, datasets: int
) -> None:
    tables = read_tables(shared_alyx / sub)
    assert len(tables.datasets) == datasets
    if sessions is not None:
        assert len(tables.sessions) == sessions
    assert tables.metadata["datasets"]["origin"] == "alyx"
    assert tables.info["tables"]["datasets"]["nrecs"] == datasets  # type: ignore[index]
    eids = tables.datasets.column("eid").cast(pa.string()).to_pylist()
    ids = tables.datasets.column("id").to_pylist()
    assert list(zip(eids, ids, strict=True)) == sorted(zip(eids, ids, strict=True))


@pytest.mark.shared
@pytest.mark.reference
def test_written_cache_loads_in_one_api(
    shared_alyx: Path, reference_python: Path, tmp_path: Path
) -> None:
    one = One(cache_dir=shared_alyx / "cache", mode="local")
    out = tmp_path / "copy"
    out.mkdir()
    one.save_cache(out, force=True)
    theirs = run_reference(reference_python, _REFERENCE_DUMP, {"cache_dir": str(out)})
    original = run_reference(
        reference_python, _REFERENCE_DUMP, {"cache_dir": str(shared_alyx / "cache")}
    )
    assert theirs == original
    assert theirs == json.loads(json.dumps(_ours(out)))


def _alf_tree(root: Path) -> None:
    """A small ALF tree: two layouts, a revision, nested collections."""
    files = {
        "labA/Subjects/SUB1/2024-01-02/001/alf/_ibl_trials.table.pqt": b"x" * 10,
        "labA/Subjects/SUB1/2024-01-02/001/alf/#2024-03-01#/_ibl_trials.table.pqt": b"y" * 12,
        "labA/Subjects/SUB1/2024-01-02/001/alf/probe00/spikes.times.npy": b"z" * 7,
        "labA/Subjects/SUB1/2024-01-02/002/raw_behavior_data/_iblrig_taskData.raw.jsonable": b"{}",
        "SUB2/2023-05-06/001/_ibl_experiment.description.yaml": b"a: 1\n",
        "SUB2/2023-05-06/001/alf/notes.txt": b"not ALF",
    }
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def test_make_cache_indexes_alf_trees(tmp_path: Path) -> None:
    _alf_tree(tmp_path)
    ses_file, ds_file = make_cache(tmp_path, hash_files=True)
    assert ses_file.is_file()
    assert ds_file.is_file()
    one = One(cache_dir=tmp_path, mode="local")
    assert one.list_subjects() == ["SUB1", "SUB2"]
    assert len(one.search()) == 3
    (eid,) = one.search(subject="SUB1", number=1)
    assert one.list_datasets(eid) == [
        "alf/#2024-03-01#/_ibl_trials.table.pqt",
        "alf/_ibl_trials.table.pqt",
        "alf/probe00/spikes.times.npy",
    ]
    frame = one.list_datasets(eid, details=True)
    by_path = frame.set_index("rel_path")
    assert bool(by_path.loc["alf/#2024-03-01#/_ibl_trials.table.pqt", "default_revision"])
    assert not bool(by_path.loc["alf/_ibl_trials.table.pqt", "default_revision"])
    assert str(by_path.loc["alf/_ibl_trials.table.pqt", "file_size"]) == "10"
    assert by_path.loc["alf/_ibl_trials.table.pqt", "hash"] == hashlib.md5(b"x" * 10).hexdigest()
    assert set(frame["qc"].astype(str)) == {"NOT_SET"}
    (eid2,) = one.search(subject="SUB2")
    assert one.get_details(eid2).lab == ""
    assert one.list_datasets(eid2) == ["_ibl_experiment.description.yaml"]


def test_make_cache_ids_are_reproducible(tmp_path: Path) -> None:
    _alf_tree(tmp_path)
    make_cache(tmp_path)
    first = read_tables(tmp_path)
    make_cache(tmp_path)
    second = read_tables(tmp_path)
    assert first.datasets.column("id").equals(second.datasets.column("id"))
    assert first.sessions.column("id").equals(second.sessions.column("id"))


def test_setup_builds_once_and_keeps_existing_tables(tmp_path: Path) -> None:
    _alf_tree(tmp_path)
    one = One.setup(tmp_path, silent=True)
    assert len(one.search()) == 3
    (tmp_path / "SUB3/2023-05-07/001/alf").mkdir(parents=True)
    (tmp_path / "SUB3/2023-05-07/001/alf/wheel.position.npy").write_bytes(b"0")
    assert len(One.setup(tmp_path, silent=True).search()) == 3
    assert len(One.setup(tmp_path, silent=True, overwrite=True).search()) == 4


@pytest.mark.reference
def test_one_api_cache_loads_in_onesdk(reference_python: Path, tmp_path: Path) -> None:
    _alf_tree(tmp_path)
    script = """
import json, sys, warnings
warnings.simplefilter('ignore')
from one.alf.cache import make_parquet_db
args = json.load(sys.stdin)
make_parquet_db(args['root'], hash_files=True)
print('{}')
"""
    run_reference(reference_python, script, {"root": str(tmp_path)})
    theirs = run_reference(reference_python, _REFERENCE_DUMP, {"cache_dir": str(tmp_path)})
    assert json.loads(json.dumps(_ours(tmp_path))) == theirs


def _split_ids(values: list[str]) -> tuple[pa.Int64Array, pa.Int64Array]:
    """UUIDs as two little-endian int64 columns (the old cache layout)."""
    raw = np.frombuffer(b"".join(uuid.UUID(v).bytes for v in values), dtype="<i8").reshape(-1, 2)
    return pa.array(raw[:, 0].copy(), pa.int64()), pa.array(raw[:, 1].copy(), pa.int64())


def test_integer_pair_ids_are_joined(tmp_path: Path) -> None:
    eids = [str(uuid.uuid4()) for _ in range(3)]
    dids = [str(uuid.uuid4()) for _ in range(3)]
    s0, s1 = _split_ids(eids)
    e0, e1 = _split_ids(eids)
    d0, d1 = _split_ids(dids)
    sessions = pa.table(
        {
            "id_0": s0,
            "id_1": s1,
            "lab": ["l"] * 3,
            "subject": ["a", "b", "c"],
            "date": ["2020-01-01"] * 3,
            "number": [1, 2, 3],
            "task_protocol": [""] * 3,
            "project": ["p1", "", "p2"],
        }
    )
    datasets = pa.table(
        {
            "eid_0": e0,
            "eid_1": e1,
            "id_0": d0,
            "id_1": d1,
            "session_path": ["x"] * 3,
            "rel_path": ["alf/a.b.npy", "alf/c.d.npy", "e.f.npy"],
            "file_size": [1, 2, 3],
            "hash": ["h1", None, "h3"],
            "exists": [True, False, True],
        }
    )
    pq.write_table(sessions, tmp_path / "sessions.pqt")  # numpy columns, as old one-api wrote
    pq.write_table(datasets, tmp_path / "datasets.pqt")
    tables = read_tables(tmp_path)
    assert sorted(str(i) for i in tables.sessions.column("id").to_pylist()) == sorted(eids)
    assert sorted(str(i) for i in tables.datasets.column("id").to_pylist()) == sorted(dids)
    assert "projects" in tables.sessions.column_names
    assert "session_path" not in tables.datasets.column_names
    one = One(cache_dir=tmp_path, mode="local")
    assert one.list_datasets(eids[2]) == ["e.f.npy"]
    assert set(one.list_datasets(details=True)["qc"].astype(str)) == {"NOT_SET"}
    assert one.search(projects="p2") == [uuid.UUID(eids[2])]


def test_truncated_table_raises_cache_error_naming_it(tmp_path: Path) -> None:
    _alf_tree(tmp_path)
    make_cache(tmp_path)
    data = (tmp_path / "datasets.pqt").read_bytes()
    (tmp_path / "datasets.pqt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CacheError, match=r"datasets\.pqt"):
        One(cache_dir=tmp_path, mode="local")


def test_foreign_parquet_raises_cache_error(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "sessions.pqt")
    with pytest.raises(CacheError, match=r"sessions\.pqt.*not a ONE cache table"):
        read_tables(tmp_path)


def test_failed_write_leaves_previous_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _alf_tree(tmp_path)
    make_cache(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.pqt")}
    tables = read_tables(tmp_path)
    calls = {"n": 0}
    real = pq.write_table

    def failing(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq, "write_table", failing)
    with pytest.raises(CacheError, match="disk full"):
        write_tables(tables, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.pqt")} == before
    assert not list(tmp_path.glob(".*.part"))


def test_missing_tables_warn_and_give_empty_results(tmp_path: Path) -> None:
    from onesdk.errors import CacheWarning

    with pytest.warns(CacheWarning, match="No cache tables"):
        one = One(cache_dir=tmp_path, mode="local")
    assert one.search() == []
    assert one.list_datasets() == []
    assert _qc_all(one) == 0


def test_datasets_without_a_session_are_rejected_naming_the_column(tmp_path: Path) -> None:
    eid = str(uuid.uuid4())
    sessions = pa.table(
        {
            "id": [eid],
            "lab": ["lab"],
            "subject": ["SUB"],
            "date": pa.array([dt.date(2020, 1, 1)]),
            "number": [1],
            "task_protocol": [""],
            "projects": [""],
        }
    )
    datasets = pa.table(
        {
            "eid": [eid, None],
            "id": [str(uuid.uuid4()), str(uuid.uuid4())],
            "rel_path": ["alf/a.b.npy", "aggregates/x.y.pqt"],
            "file_size": [1, 2],
            "hash": ["a", "b"],
            "exists": [True, True],
            "qc": ["PASS", "FAIL"],
        }
    )
    pq.write_table(sessions, tmp_path / "sessions.pqt")
    pq.write_table(datasets, tmp_path / "datasets.pqt")
    with pytest.raises(CacheError, match=r"datasets\.pqt.*'eid'"):
        One(cache_dir=tmp_path, mode="local")


def test_tables_without_default_revision_keep_extra_columns(tmp_path: Path) -> None:
    eid = str(uuid.uuid4())
    sessions = pa.table(
        {
            "id": [eid],
            "lab": ["lab"],
            "subject": ["SUB"],
            "date": pa.array([dt.date(2020, 1, 1)]),
            "number": [1],
            "task_protocol": [""],
            "projects": [""],
        }
    )
    rel_paths = ["alf/a.b.npy", "alf/#2021-01-01#/a.b.npy", "alf/#2020-01-01#/a.b.npy"]
    datasets = pa.table(
        {
            "eid": [eid] * 3,
            "id": sorted(str(uuid.uuid4()) for _ in range(3)),
            "rel_path": rel_paths,
            "file_size": [1, 2, 3],
            "hash": [None, None, None],
            "exists": [True, True, True],
            "exists_flatiron": [True, False, True],
        }
    )
    pq.write_table(sessions, tmp_path / "sessions.pqt")
    pq.write_table(datasets, tmp_path / "datasets.pqt")
    one = One(cache_dir=tmp_path, mode="local")
    frame = one.list_datasets(eid, details=True)
    assert frame["exists_flatiron"].tolist() == [True, False, True]
    assert "default_revision" not in frame.columns
    with pytest.raises(AlfError, match="default"):
        one.list_datasets(eid, default_revisions_only=True)
    for rev in ("2021-01-01", "2020-01-01"):
        session = tmp_path / "lab/Subjects/SUB/2020-01-01/001/alf" / f"#{rev}#"
        session.mkdir(parents=True)
        np.save(session / "a.b.npy", np.array([1.0]))
    latest = one.load_dataset(eid, "a.b.npy", download_only=True)
    assert latest.parent.name == "#2021-01-01#"
    older = one.load_dataset(eid, "a.b.npy", revision="2020-06-01", download_only=True)
    assert older.parent.name == "#2020-01-01#"
