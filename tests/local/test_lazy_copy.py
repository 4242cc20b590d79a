"""The partitioned datasets copy behind ``One(lazy=True)``: built once, rebuilt when stale,
shared safely between processes, never a whole-table read; and the ``lazy=`` argument."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import onesdk
import onesdk._cache._io as cache_io
import onesdk._cache._lazy as lazy_io
import onesdk._repo._lazy_repository as lazy_repo
from bench import synth
from onesdk._cache import read_tables, write_tables
from onesdk._facade._one import One
from onesdk.errors import ArgumentError, CacheError

ROOT = Path(__file__).resolve().parents[2]
SPEC = synth.CacheSpec(n_sessions=200, n_datasets=30, seed=11)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth.generate(SPEC, tmp_path_factory.mktemp("synth")).path


@pytest.fixture
def cache(source: Path, tmp_path: Path) -> Path:
    """A private tables dir (copies: tests below rewrite the tables)."""
    out = tmp_path / "cache"
    out.mkdir()
    for name in ("sessions.pqt", "datasets.pqt"):
        (out / name).write_bytes((source / name).read_bytes())
    return out


def _builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    built: list[Path] = []
    real = lazy_io._build

    def counting(source: Path, root: Path) -> None:
        built.append(root)
        real(source, root)

    monkeypatch.setattr(lazy_io, "_build", counting)
    return built


def test_copy_is_built_once_then_reused(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _builds(monkeypatch)
    first = One(cache_dir=cache, lazy=True)
    second = One(cache_dir=cache, lazy=True)
    assert built == [cache / lazy_io.PARTS_DIR]
    assert second.list_datasets() == first.list_datasets()
    assert not [p for p in cache.iterdir() if p.name.startswith(".datasets.parts")]


def test_a_changed_table_is_rebuilt(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _builds(monkeypatch)
    before = One(cache_dir=cache, lazy=True)
    eid = str(before.search()[0])
    assert before.list_datasets(eid)
    tables = read_tables(cache)
    keep = pc.not_equal(tables.datasets.column("eid").cast(pa.string()), pa.scalar(eid))
    write_tables(tables.with_datasets(tables.datasets.filter(keep)), cache)
    after = One(cache_dir=cache, lazy=True)
    assert len(built) == 2
    assert after.list_datasets(eid) == []
    assert after.list_datasets() == One(cache_dir=cache, lazy=False).list_datasets()


def test_an_older_format_is_rebuilt(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _builds(monkeypatch)
    One(cache_dir=cache, lazy=True)
    monkeypatch.setattr(lazy_io, "FORMAT_VERSION", lazy_io.FORMAT_VERSION + 1)
    One(cache_dir=cache, lazy=True)
    assert len(built) == 2


_WORKER = """
import json, sys, time
from pathlib import Path
import onesdk._cache._lazy as lazy_io
from onesdk import One

cache, go = Path(sys.argv[1]), Path(sys.argv[2])
built = []
real = lazy_io._build
def counting(source, root):
    built.append(str(root))
    real(source, root)
lazy_io._build = counting
lazy_io.SCAN_BATCH_ROWS = 500  # a slower build, so the two processes overlap
while not go.exists():
    time.sleep(0.005)
one = One(cache_dir=cache, lazy=True)
print(json.dumps({"built": len(built), "paths": one.list_datasets()}))
"""


def test_two_processes_build_the_copy_once(cache: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(cache), str(go)],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(2)
    ]
    go.touch()
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(o["built"] for o in outputs) == 1
    expected = One(cache_dir=cache, lazy=False).list_datasets()
    assert outputs[0]["paths"] == outputs[1]["paths"] == expected


@pytest.mark.parametrize("damage", ["garbage", "not a cache table", "bad qc"])
def test_a_damaged_table_raises_cache_error_naming_it(cache: Path, damage: str) -> None:
    path = cache / "datasets.pqt"
    if damage == "garbage":
        path.write_bytes(b"PAR1 this is not parquet")
    elif damage == "not a cache table":
        pq.write_table(pa.table({"x": [1, 2]}), path)
    else:
        table = pq.read_table(path)
        qc = pa.array(["BAD"] * len(table))
        pq.write_table(table.set_column(table.column_names.index("qc"), "qc", qc), path)
    with pytest.raises(CacheError, match=str(path).replace(".", r"\.")):
        One(cache_dir=cache, lazy=True)
    assert not (cache / lazy_io.PARTS_DIR).exists()
    assert not [p for p in cache.iterdir() if p.name.startswith(".datasets.parts")]


def test_a_removed_copy_raises_cache_error_saying_reload(cache: Path) -> None:
    import shutil

    one = One(cache_dir=cache, lazy=True)
    shutil.rmtree(cache / lazy_io.PARTS_DIR)
    with pytest.raises(CacheError, match="load_cache"):
        one.list_datasets()
    one.load_cache()
    assert one.list_datasets()


def test_a_read_only_cache_builds_the_copy_in_the_user_cache(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(lazy_io, "_writable", lambda directory: False)
    one = One(cache_dir=cache, lazy=True)
    assert one.list_datasets() == One(cache_dir=cache, lazy=False).list_datasets()
    assert not (cache / lazy_io.PARTS_DIR).exists()
    assert list((tmp_path / "user-cache").rglob(lazy_io.PARTS_DIR))


def test_an_empty_datasets_table(cache: Path) -> None:
    tables = read_tables(cache)
    write_tables(tables.with_datasets(tables.datasets.slice(0, 0)), cache)
    one = One(cache_dir=cache, lazy=True)
    assert one.list_datasets() == []
    assert one.search(datasets="spikes.times.npy") == []
    assert one.list_datasets(str(one.search()[0]), details=True).empty


def test_lazy_never_reads_the_whole_datasets_table(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening reads only the sessions file; a session lookup reads a row group or two of one
    part; a scan holds at most about one batch."""
    real_read = cache_io._read_parquet

    def sessions_only(path: Path, *, dictionary: tuple[str, ...]) -> object:
        assert path.name != "datasets.pqt", "the whole datasets table was read"
        return real_read(path, dictionary=dictionary)

    def never(path: Path) -> None:
        raise AssertionError(f"the datasets table {path} was loaded")

    monkeypatch.setattr(cache_io, "_read_parquet", sessions_only)
    monkeypatch.setattr(cache_io, "_read_datasets", never)
    monkeypatch.setattr(lazy_io, "ROW_GROUP_ROWS", 64)
    monkeypatch.setattr(lazy_io, "SCAN_BATCH_ROWS", 400)
    one = One(cache_dir=cache, lazy=True)
    assert len(one.tables.core_datasets) == 0
    rows_read: list[int] = []
    files: list[str] = []
    real_sessions = lazy_io.PartitionedDatasets._read_sessions
    real_combine = lazy_io.PartitionedDatasets._combine

    def reading(self: lazy_io.PartitionedDatasets, part: Path, *args: object) -> pa.Table:
        files.append(part.name)
        return real_sessions(self, part, *args)  # type: ignore[arg-type]

    def combining(self: lazy_io.PartitionedDatasets, pieces: list[pa.Table], names: list[str]):  # type: ignore[no-untyped-def]
        rows_read.append(sum(len(p) for p in pieces))
        return real_combine(self, pieces, names)

    monkeypatch.setattr(lazy_io.PartitionedDatasets, "_read_sessions", reading)
    monkeypatch.setattr(lazy_io.PartitionedDatasets, "_combine", combining)
    eid = str(one.search()[3])
    assert one.list_datasets(eid)
    assert len(files) == 1
    rows_read.clear()
    assert one.list_datasets(filename="*spikes*")
    assert len(rows_read) > 5
    assert max(rows_read) < 2 * 400  # batches are joined until they reach 400 rows


def test_lazy_argument_is_checked() -> None:
    with pytest.raises(ArgumentError, match="lazy"):
        One(cache_dir=".", lazy="yes")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="lazy"):
        onesdk.ONE(cache_dir=".", mode="local", lazy=1)  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="lazy"):
        onesdk.ONE(base_url="http://127.0.0.1:9", mode="local", lazy="no")  # type: ignore[call-overload]


def test_one_factory_passes_lazy(cache: Path) -> None:
    one = onesdk.ONE(cache_dir=cache, mode="local", lazy=True)
    assert isinstance(one, One)
    assert one.lazy
    assert not onesdk.ONE(cache_dir=cache, mode="local", lazy=False).lazy
    assert onesdk.ONE(cache_dir=cache, mode="auto", lazy=True).lazy


def test_lazy_tables_keep_the_metadata_and_columns(cache: Path) -> None:
    eager = One(cache_dir=cache, lazy=False)
    lazy = One(cache_dir=cache, lazy=True)
    assert lazy.tables.metadata == eager.tables.metadata
    assert lazy.tables.datasets.schema.equals(eager.tables.datasets.schema)
    assert lazy.tables.sessions.equals(eager.tables.sessions)


@pytest.mark.parametrize(
    ("memory", "expected"),
    [(None, False), (1 << 40, False), (1 << 20, True)],
)
def test_automatic_choice_follows_the_memory_size(
    cache: Path, monkeypatch: pytest.MonkeyPatch, memory: int | None, expected: bool
) -> None:
    monkeypatch.setattr(lazy_repo, "physical_memory", lambda: memory)
    assert One(cache_dir=cache).lazy is expected
    size = (cache / "datasets.pqt").stat().st_size
    monkeypatch.setattr(lazy_repo, "physical_memory", lambda: size * 8 + 8)
    assert One(cache_dir=cache).lazy is False  # exactly at the limit: still eager


def test_physical_memory_is_known_here() -> None:
    memory = lazy_repo.physical_memory()
    assert memory is None or memory > 1 << 26


def test_text_of_the_stamp(cache: Path) -> None:
    One(cache_dir=cache, lazy=True)
    stamp = json.loads((cache / lazy_io.PARTS_DIR / "_stamp.json").read_text())
    stat = (cache / "datasets.pqt").stat()
    assert stamp["source"] == {
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "version": lazy_io.FORMAT_VERSION,
    }


def test_saving_over_its_own_tables_keeps_the_answers(cache: Path) -> None:
    lazy = One(cache_dir=cache, lazy=True)
    before = lazy.list_datasets(details=True)
    lazy.save_cache(clobber=True)  # streamed from the copy into datasets.pqt itself
    assert lazy.list_datasets(details=True).equals(before)
    reopened = One(cache_dir=cache, lazy=True)  # the table changed on disk: rebuilt
    assert reopened.list_datasets(details=True).equals(before)
    assert One(cache_dir=cache, lazy=False).list_datasets(details=True).equals(before)


def test_load_cache_from_another_tables_dir(cache: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    tables = read_tables(cache)
    write_tables(tables.with_datasets(tables.datasets.slice(0, 10)), other)
    one = One(cache_dir=cache, lazy=True)
    one.load_cache(tables_dir=other)
    assert one.lazy
    assert len(one.list_datasets(details=True)) == 10
    assert (other / lazy_io.PARTS_DIR).is_dir()
