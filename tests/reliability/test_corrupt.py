"""Corrupt and hostile cache data: each gives a clear error naming the file or the record, nothing
is written outside the cache dir, and no good file is overwritten by a bad one.

Every case starts from a good cache (tables built by ``make_cache`` over a small ALF tree), breaks
one thing by writing the tables directly with pyarrow (as a foreign or buggy writer would), then
runs the same workload: load the cache, search, list, load every dataset and object, save.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onesdk import One
from onesdk.errors import CacheError, LoadError, OneSdkError
from tests.reliability._harness import judge
from tests.reliability._report import RECORD
from tests.reliability.conftest import Cache, build_cache

Mutation = Callable[[pa.Table], pa.Table]


def _snapshot(root: Path, *, skip: Path | None = None) -> dict[str, str]:
    """{relative path: md5} of every file below ``root`` (outside ``skip``)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and path.is_relative_to(skip):
            continue
        if path.is_file():
            out[path.relative_to(root).as_posix()] = hashlib.md5(path.read_bytes()).hexdigest()
    return out


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:  # type: ignore[type-arg]
    return table.set_column(table.column_names.index(name), name, values)


def _first_rel_path(value: str) -> Mutation:
    def mutate(table: pa.Table) -> pa.Table:
        rel = [str(v) for v in table.column("rel_path").to_pylist()]
        rel[0] = value
        return _set(table, "rel_path", pa.array(rel, pa.string()))

    return mutate


def _strings(name: str, value: str) -> Mutation:
    return lambda t: _set(t, name, pa.array([value] * len(t), pa.string()))


#: table-level faults: (which table, mutation); the cache must not load (CacheError naming it)
TABLE_FAULTS: dict[str, tuple[str, Mutation]] = {
    "missing rel_path column": ("datasets", lambda t: t.drop_columns(["rel_path"])),
    "missing subject column": ("sessions", lambda t: t.drop_columns(["subject"])),
    "missing id column": ("sessions", lambda t: t.drop_columns(["id"])),
    "number not a number": ("sessions", _strings("number", "x")),
    "date not a date": ("sessions", _strings("date", "2020-13-45")),
    "negative file_size": (
        "datasets",
        lambda t: _set(t, "file_size", pa.array([-1] * len(t), pa.int64())),
    ),
    "unknown qc value": ("datasets", _strings("qc", "GREAT")),
    "qc of a float type": ("datasets", lambda t: _set(t, "qc", pa.array([0.5] * len(t)))),
    "id not a uuid": ("sessions", _strings("id", "not-a-uuid")),
    "duplicate session ids": ("sessions", lambda t: pa.concat_tables([t, t.slice(0, 1)])),
    "null eids": ("datasets", lambda t: _set(t, "eid", pa.nulls(len(t), pa.string()))),
    "null rel_paths": ("datasets", lambda t: _set(t, "rel_path", pa.nulls(len(t), pa.string()))),
    "id column of ints": (
        "sessions",
        lambda t: _set(t, "id", pa.array(range(len(t)), pa.int64())),
    ),
}

#: record-level faults in datasets.pqt: the cache loads; the bad record fails alone, by name
RECORD_FAULTS: dict[str, Mutation] = {
    "rel_path with ..": _first_rel_path("../../../../outside/secret.npy"),
    "absolute rel_path": _first_rel_path("/etc/hostname"),
    "rel_path with NUL": _first_rel_path("alf/spi\0kes.times.npy"),
    "rel_path with backslashes": _first_rel_path("alf\\spikes.times.npy"),
    "rel_path of a drive": _first_rel_path("C:/Windows/win.ini"),
    "empty rel_path": _first_rel_path(""),
    "dataset of a missing session": lambda t: _set(
        t,
        "eid",
        pa.array(
            ["00000000-0000-4000-8000-000000000000", *t.column("eid").to_pylist()[1:]],
            pa.string(),
        ),
    ),
    "duplicate dataset ids": lambda t: pa.concat_tables(
        [t, t.slice(0, 1)], promote_options="permissive"
    ),
    "extra columns": lambda t: t.append_column("foo", pa.array([1] * len(t))),
}

#: damaged files: name -> (file to damage, how)
FILE_FAULTS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "truncated sessions.pqt": (
        "sessions.pqt",
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    ),
    "truncated datasets.pqt": (
        "datasets.pqt",
        lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    ),
    "datasets.pqt of random bytes": (
        "datasets.pqt",
        lambda p: p.write_bytes(np.random.default_rng(0).bytes(4096)),
    ),
    "empty sessions.pqt": ("sessions.pqt", lambda p: p.write_bytes(b"")),
    "parquet footer corrupt": (
        "sessions.pqt",
        lambda p: p.write_bytes(p.read_bytes()[:-12] + b"\xff" * 8 + b"PAR1"),
    ),
    "cache_info.json not JSON": ("cache_info.json", lambda p: p.write_text("{not json")),
    "cache_info.json binary": ("cache_info.json", lambda p: p.write_bytes(b"\xff\xfe\x00")),
    "sessions.pqt is a directory": ("sessions.pqt", lambda p: _into_directory(p)),
}

#: damaged ALF files: rel path below the first session -> new content
ALF_FAULTS: dict[str, tuple[str, bytes]] = {
    "npy with a bad header": ("alf/spikes.times.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': <f8'"),
    "truncated npy": ("alf/spikes.amps.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fo"),
    "npy of random bytes": ("alf/probe00/clusters.depths.npy", b"\x00" * 64),
    "parquet table not parquet": ("raw/_ibl_trials.table.pqt", b"PAR1 not really"),
    "npy of the wrong length": ("alf/spikes.amps.npy", b""),  # filled below
}


def _into_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    return build_cache(tmp_path_factory.mktemp("good"))


def _copy(good: Cache, tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    shutil.copytree(good.root, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    np.save(outside / "secret.npy", np.array([42.0]))
    return root


def _rewrite(root: Path, table: str, mutate: Mutation) -> None:
    path = root / f"{table}.pqt"
    pq.write_table(mutate(pq.read_table(path)), path)


def _workload(root: Path, fault: str) -> One | None:
    """Load and use the cache: every call succeeds or raises a documented error."""
    one = judge(fault, One, root, section="corrupt")
    if not isinstance(one, One):
        return None
    judge(fault, one.search, section="corrupt")
    judge(fault, one.list_datasets, section="corrupt")
    for eid in one.search():
        judge(fault, one.get_details, eid, section="corrupt")
        judge(fault, one.list_datasets, eid, details=True, section="corrupt")
        judge(fault, one.load_object, eid, "spikes", collection="alf", section="corrupt")
    for did in one.tables.datasets.column("id").to_pylist():
        judge(fault, one.load_dataset_from_id, did, section="corrupt")
    judge(fault, one.save_cache, force=True, section="corrupt")
    return one


@pytest.mark.parametrize("fault", sorted(TABLE_FAULTS))
def test_a_corrupt_table_is_refused_naming_the_file(
    fault: str, good: Cache, tmp_path: Path
) -> None:
    root = _copy(good, tmp_path)
    table, mutate = TABLE_FAULTS[fault]
    _rewrite(root, table, mutate)
    before = _snapshot(tmp_path)
    with pytest.raises(CacheError) as caught:
        One(root)
    RECORD.case("corrupt", fault, "CacheError")
    assert f"{table}.pqt" in str(caught.value)
    _workload(root, fault)
    assert _snapshot(tmp_path) == before, "a refused cache must be left exactly as it was"


@pytest.mark.parametrize("fault", sorted(FILE_FAULTS))
def test_a_damaged_cache_file_is_refused_naming_the_file(
    fault: str, good: Cache, tmp_path: Path
) -> None:
    root = _copy(good, tmp_path)
    name, damage = FILE_FAULTS[fault]
    damage(root / name)
    before = _snapshot(tmp_path)
    with pytest.raises(CacheError) as caught:
        One(root)
    RECORD.case("corrupt", fault, "CacheError")
    assert name in str(caught.value)
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("fault", sorted(RECORD_FAULTS))
def test_a_bad_record_fails_alone_naming_the_record(
    fault: str, good: Cache, tmp_path: Path
) -> None:
    root = _copy(good, tmp_path)
    _rewrite(root, "datasets", RECORD_FAULTS[fault])
    bad_id = str(pq.read_table(root / "datasets.pqt").column("id")[0])
    data_before = _snapshot(root, skip=None)
    outside_before = _snapshot(tmp_path, skip=root)
    one = _workload(root, fault)
    assert one is not None, "a bad record must not make the whole cache unusable"
    if fault in ("duplicate dataset ids", "extra columns"):
        judge(fault, one.load_dataset_from_id, bad_id, section="corrupt")
    else:
        with pytest.raises(OneSdkError, match=bad_id):
            one.load_dataset_from_id(bad_id)
    good_ids = [i for i in one.tables.datasets.column("id").to_pylist() if i != bad_id]
    assert good_ids
    for did in good_ids[:3]:
        one.load_dataset_from_id(str(did), download_only=True)
    assert _snapshot(tmp_path, skip=root) == outside_before, "written outside the cache dir"
    changed = {k for k, v in _snapshot(root).items() if data_before.get(k, v) != v} - {
        "sessions.pqt",
        "datasets.pqt",
        "cache_info.json",
    }
    assert not changed, f"data files modified: {changed}"


@pytest.mark.parametrize("fault", sorted(ALF_FAULTS))
def test_an_alf_file_that_does_not_parse_raises_load_error_naming_it(
    fault: str, good: Cache, tmp_path: Path
) -> None:
    root = _copy(good, tmp_path)
    rel, content = ALF_FAULTS[fault]
    session = root / "mainlab/Subjects/KS001/2020-01-01/001"
    target = session / rel
    if fault == "npy of the wrong length":
        np.save(target, np.arange(7.0))
    else:
        target.write_bytes(content)
    one = One(root)
    eid = one.path2eid(session)
    assert eid is not None
    RECORD.case("corrupt", fault, "checked")
    if fault == "npy of the wrong length":
        from onesdk.errors import ALFWarning

        with pytest.warns(ALFWarning, match="amps"):
            one.load_object(eid, "spikes", collection="alf")
        return
    with pytest.raises(LoadError) as caught:
        one.load_dataset(eid, rel)
    assert target.name in str(caught.value)
    judge(fault, one.load_collection, eid, rel.rsplit("/", 1)[0], section="corrupt")


def test_a_failed_save_leaves_the_previous_tables_in_place(
    good: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(good, tmp_path)
    before = _snapshot(root)
    one = One(root)
    real = pq.write_table
    calls: list[object] = []

    def failing(table: pa.Table, where: object, **kwargs: object) -> None:
        calls.append(where)
        if len(calls) == 2:  # the second table: the first one is already written
            Path(str(where)).write_bytes(b"PAR1 half a table")
            raise OSError(28, "No space left on device")
        real(table, where, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pq, "write_table", failing)
    with pytest.raises(CacheError, match=r"datasets\.pqt"):
        one.save_cache(force=True)
    RECORD.case("corrupt", "disk full during save_cache", "CacheError")
    assert _snapshot(root) == before, "a failed save must leave every file as it was"
    monkeypatch.undo()
    assert One(root).search() == one.search()
