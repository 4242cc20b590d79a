"""A datasets table not stored in (eid, id) order is sorted once: the sorted copy kept beside it
is read by later loads, made again when the table changes, and never trusted blindly.

Expected rows come from the table file read with pyarrow, never from onesdk.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import filelock
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import onesdk
from bench import synth
from onesdk._cache import _io, _sorted, read_tables
from onesdk._cache._tables import CacheTables

ROOT = Path(__file__).resolve().parents[2]
SPEC = synth.CacheSpec(n_sessions=80, n_datasets=30, seed=7)
COPY = _sorted.SORTED_COPY


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.generate(SPEC, tmp_path_factory.mktemp("sorted-src")).path


def _write_shuffled(src: Path, out: Path, seed: int = 0) -> None:
    table = pq.read_table(src / "datasets.pqt")
    order = np.random.default_rng(seed).permutation(len(table))
    tmp = out / ".datasets.pqt.tmp"
    pq.write_table(table.take(order), tmp)
    os.replace(tmp, out / "datasets.pqt")


@pytest.fixture
def cache(source: Path, tmp_path: Path) -> Path:
    """A private tables dir whose datasets table is shuffled (as appended-to caches are)."""
    out = tmp_path / "cache"
    out.mkdir()
    (out / "sessions.pqt").write_bytes((source / "sessions.pqt").read_bytes())
    _write_shuffled(source, out)
    return out


def _file_rows(path: Path) -> list[tuple[object, ...]]:
    """Every row of a datasets file as plain values, in (eid, id) order."""
    table = pq.read_table(path, columns=["eid", "id", "rel_path", "file_size", "hash", "exists"])
    rows = zip(*(table.column(n).to_pylist() for n in table.column_names), strict=True)
    return sorted(tuple(row) for row in rows)


def _loaded_rows(tables: CacheTables) -> list[tuple[object, ...]]:
    table = tables.datasets
    names = ["eid", "id", "rel_path", "file_size", "hash", "exists"]
    columns = [
        table.column(n).cast(pa.string()) if n in ("eid", "rel_path") else table.column(n)
        for n in names
    ]
    return [tuple(row) for row in zip(*(c.to_pylist() for c in columns), strict=True)]


def _opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the datasets files the reader opens."""
    opened: list[str] = []
    real = _io._open_parquet

    def spying(path: Path, *, dictionary: tuple[str, ...]) -> object:
        opened.append(path.name)
        return real(path, dictionary=dictionary)

    monkeypatch.setattr(_io, "_open_parquet", spying)
    return opened


def test_an_unsorted_table_is_sorted_once_then_read_from_the_copy(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _file_rows(cache / "datasets.pqt")
    first = read_tables(cache)
    assert (cache / COPY).is_file()
    assert _loaded_rows(first) == expected
    sorts: list[int] = []
    real_sort = _io.sort_datasets

    def counting(table: pa.Table) -> pa.Table:
        out = real_sort(table)
        if out is not table:
            sorts.append(len(table))
        return out

    monkeypatch.setattr(_io, "sort_datasets", counting)
    opened = _opened(monkeypatch)
    second = read_tables(cache)
    assert sorts == []
    assert opened == ["sessions.pqt", COPY]
    assert not second.complete  # the copy is stored sorted, so hash is deferred again
    assert _loaded_rows(second) == expected
    assert second.metadata["datasets"] == first.metadata["datasets"]


def test_answers_from_the_copy_equal_those_of_the_sorted_table(cache: Path, source: Path) -> None:
    onesdk.One(cache_dir=cache, mode="local")  # makes the copy
    assert (cache / COPY).is_file()
    from_copy = onesdk.One(cache_dir=cache, mode="local")
    reference = onesdk.One(cache_dir=source, mode="local")
    eids = reference.search()
    assert from_copy.search() == eids
    for eid in eids[:5]:
        assert from_copy.list_datasets(eid, details=True).equals(
            reference.list_datasets(eid, details=True)
        )
    assert from_copy.list_datasets(filename="*spikes*") == reference.list_datasets(
        filename="*spikes*"
    )


def test_a_changed_table_is_sorted_again(
    cache: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_tables(cache)
    table = pq.read_table(cache / "datasets.pqt")
    dropped = table.column("eid")[0].as_py()
    keep = [e != dropped for e in table.column("eid").to_pylist()]
    tmp = cache / ".new.tmp"
    pq.write_table(table.filter(pa.array(keep)), tmp)
    os.replace(tmp, cache / "datasets.pqt")
    expected = _file_rows(cache / "datasets.pqt")
    opened = _opened(monkeypatch)
    after = read_tables(cache)
    assert opened == ["sessions.pqt", "datasets.pqt"]  # the stale copy is not read
    assert _loaded_rows(after) == expected
    assert dropped not in after.datasets.column("eid").cast(pa.string()).to_pylist()
    opened.clear()
    assert _loaded_rows(read_tables(cache)) == expected
    assert opened == ["sessions.pqt", COPY]


def test_a_copy_of_an_older_format_is_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    read_tables(cache)
    monkeypatch.setattr(_sorted, "FORMAT_VERSION", _sorted.FORMAT_VERSION + 1)
    opened = _opened(monkeypatch)
    read_tables(cache)
    assert opened == ["sessions.pqt", "datasets.pqt"]


def test_a_table_saved_sorted_drops_the_stale_copy(cache: Path) -> None:
    one = onesdk.One(cache_dir=cache, mode="local")
    assert (cache / COPY).is_file()
    one.save_cache(clobber=True)  # onesdk writes the table sorted
    expected = _file_rows(cache / "datasets.pqt")
    assert _loaded_rows(read_tables(cache)) == expected
    assert not (cache / COPY).exists()


def test_a_sorted_table_makes_no_copy(source: Path, tmp_path: Path) -> None:
    for name in ("sessions.pqt", "datasets.pqt"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    read_tables(tmp_path)
    assert not (tmp_path / COPY).exists()


def test_a_read_only_cache_keeps_the_copy_in_the_user_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(_sorted, "_writable", lambda directory: False)
    expected = _file_rows(cache / "datasets.pqt")
    assert _loaded_rows(read_tables(cache)) == expected
    assert not (cache / COPY).exists()
    (kept,) = (tmp_path / "user-cache").rglob(COPY)
    opened = _opened(monkeypatch)
    assert _loaded_rows(read_tables(cache)) == expected
    assert opened == ["sessions.pqt", COPY]
    assert kept.is_file()


def test_where_no_copy_can_be_written_loads_still_sort(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the user cache dir would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(_sorted, "_writable", lambda directory: False)
    expected = _file_rows(cache / "datasets.pqt")
    with caplog.at_level(logging.WARNING, logger="onesdk.cache"):
        assert _loaded_rows(read_tables(cache)) == expected
    assert "could not keep a sorted copy" in caplog.text
    assert _loaded_rows(read_tables(cache)) == expected
    assert not (cache / COPY).exists()


def test_a_busy_lock_skips_the_copy_without_waiting(cache: Path) -> None:
    lock = filelock.FileLock(str(cache / (COPY + ".lock")))
    with lock.acquire(timeout=1):
        assert _loaded_rows(read_tables(cache)) == _file_rows(cache / "datasets.pqt")
    assert not (cache / COPY).exists()
    read_tables(cache)
    assert (cache / COPY).is_file()


def test_a_damaged_copy_is_not_trusted(
    cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy whose stamp matches but whose rows are not a datasets table is skipped."""
    stamp = _sorted.stamp_of(cache / "datasets.pqt")
    bogus = pa.table({"x": [1, 2]}).replace_schema_metadata(
        {_sorted.STAMP_KEY: json.dumps(stamp).encode()}
    )
    pq.write_table(bogus, cache / COPY)
    expected = _file_rows(cache / "datasets.pqt")
    with caplog.at_level(logging.WARNING, logger="onesdk.cache"):
        assert _loaded_rows(read_tables(cache)) == expected
    assert "ignoring the sorted copy" in caplog.text
    # the load that sorted the table wrote a good copy over the bad one
    assert pq.read_schema(cache / COPY).names[:2] != ["x"]
    opened = _opened(monkeypatch)
    assert _loaded_rows(read_tables(cache)) == expected
    assert opened == ["sessions.pqt", COPY]


def test_a_table_changed_while_read_makes_no_copy(cache: Path) -> None:
    path = cache / "datasets.pqt"
    stamp = _sorted.stamp_of(path)
    assert stamp is not None
    os.utime(path, ns=(stamp["mtime_ns"] + 10**9, stamp["mtime_ns"] + 10**9))
    assert _sorted.save_copy(path, stamp, pq.read_table(path)) is None
    assert not (cache / COPY).exists()


def test_leftovers_of_a_killed_writer_are_removed(cache: Path) -> None:
    leftover = cache / f".{COPY}.abc123.part"
    leftover.write_bytes(b"half a parquet file")
    read_tables(cache)
    assert not leftover.exists()
    assert (cache / COPY).is_file()


_LOAD = """
import sys
from onesdk._cache import read_tables
tables = read_tables(sys.argv[1])
print(len(tables.datasets))
"""


def test_processes_loading_at_once_agree_and_leave_one_copy(cache: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "generated")])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _LOAD, str(cache)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    rows = len(_file_rows(cache / "datasets.pqt"))
    assert [int(out) for out, _ in outputs] == [rows] * 3
    assert (cache / COPY).is_file()
    assert not list(cache.glob(f".{COPY}.*"))
    assert _loaded_rows(read_tables(cache)) == _file_rows(cache / "datasets.pqt")


def test_the_copy_is_as_readable_as_the_table(cache: Path) -> None:
    (cache / "datasets.pqt").chmod(0o644)
    read_tables(cache)
    assert (cache / COPY).stat().st_mode & 0o777 == 0o644
