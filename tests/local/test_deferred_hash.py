"""The ``hash`` column of a datasets file is decoded per result, and always agrees with the file.

Every expected value here comes from reading the file with pyarrow directly, never from onesdk.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import onesdk
from bench import synth
from onesdk._cache import CacheTables, _io, read_tables

SPEC = synth.CacheSpec(n_sessions=120, n_datasets=40, seed=5)
#: small row groups, so that results span several of them
GROUP_ROWS = 700


def _rewrite(path: Path, table: pa.Table) -> None:
    """Write ``table`` over ``path`` as a save does: a temporary file, then a rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, row_group_size=GROUP_ROWS)
    os.replace(tmp, path)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = synth.generate(SPEC, tmp_path_factory.mktemp("deferred")).path
    _rewrite(root / "datasets.pqt", pq.read_table(root / "datasets.pqt"))
    assert pq.ParquetFile(root / "datasets.pqt").num_row_groups > 3
    return root


def _file_hashes(path: Path) -> dict[str, str | None]:
    table = pq.read_table(path, columns=["id", "hash"])
    ids, hashes = table.column("id").to_pylist(), table.column("hash").to_pylist()
    return dict(zip(map(str, ids), hashes, strict=True))


def _complete(tables: CacheTables) -> bool:
    return tables.complete


def test_a_loaded_cache_holds_hash_back_until_a_result_needs_it(cache: Path) -> None:
    tables = read_tables(cache)
    assert not tables.complete
    assert "hash" not in tables.core_datasets.column_names
    full = tables.datasets
    assert _complete(tables)  # (a function: the property changed since it was narrowed)
    assert full.column_names.index("hash") == 3  # eid, id, file_size, hash: the file's order
    expected = _file_hashes(cache / "datasets.pqt")
    got = dict(zip(full.column("id").to_pylist(), full.column("hash").to_pylist(), strict=True))
    assert got == expected


def test_detail_frames_carry_the_file_hashes(cache: Path) -> None:
    one = onesdk.One(cache_dir=cache, mode="local")
    expected = _file_hashes(cache / "datasets.pqt")
    for eid in one.search()[::17]:
        frame = one.list_datasets(eid, details=True)
        assert len(frame) > 0
        assert dict(zip(frame.index, frame["hash"], strict=True)) == {
            i: expected[i] for i in frame.index
        }
    everything = one.list_datasets(details=True)
    ids = everything.index.get_level_values("id")
    assert list(everything["hash"]) == [expected[i] for i in ids]
    assert not one.tables.complete  # answered without decoding the whole column


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_rows_at_any_positions_match_the_file(cache: Path, data: st.DataObject) -> None:
    tables = read_tables(cache)
    n = len(tables.core_datasets)
    positions = np.array(
        data.draw(st.lists(st.integers(0, n - 1), max_size=40), label="positions"), dtype=np.intp
    )
    rows = tables.datasets_at(positions)
    expected = _file_hashes(cache / "datasets.pqt")
    ids = [str(i) for i in tables.core_datasets.column("id").take(positions).to_pylist()]
    assert rows.column("id").to_pylist() == ids
    assert rows.column("hash").to_pylist() == [expected[i] for i in ids]


def test_a_save_after_load_does_not_change_what_the_loaded_cache_reads(
    cache: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "cache"
    copy.mkdir()
    for name in ("sessions.pqt", "datasets.pqt"):
        (copy / name).write_bytes((cache / name).read_bytes())
    before = _file_hashes(copy / "datasets.pqt")
    one = onesdk.One(cache_dir=copy, mode="local")
    # another process replaces the file with different hashes
    table = pq.read_table(copy / "datasets.pqt")
    index = table.schema.get_field_index("hash")
    other = pa.array(["0" * 32] * len(table), pa.string())
    _rewrite(copy / "datasets.pqt", table.set_column(index, "hash", other))
    frame = one.list_datasets(details=True)
    ids = frame.index.get_level_values("id")
    assert list(frame["hash"]) == [before[i] for i in ids]
    fresh = onesdk.One(cache_dir=copy, mode="local").list_datasets(details=True)
    assert set(fresh["hash"]) == {"0" * 32}


def test_save_cache_writes_the_whole_hash_column(cache: Path, tmp_path: Path) -> None:
    one = onesdk.One(cache_dir=cache, mode="local")
    one.save_cache(save_dir=tmp_path, clobber=True)
    assert _file_hashes(tmp_path / "datasets.pqt") == _file_hashes(cache / "datasets.pqt")


def test_an_unsorted_file_is_read_whole_and_answers_the_same(cache: Path, tmp_path: Path) -> None:
    table = pq.read_table(cache / "datasets.pqt")
    order = np.random.default_rng(0).permutation(len(table))
    for name in ("sessions.pqt",):
        (tmp_path / name).write_bytes((cache / name).read_bytes())
    _rewrite(tmp_path / "datasets.pqt", table.take(order))
    tables = read_tables(tmp_path)
    assert tables.complete
    sorted_one = onesdk.One(cache_dir=cache, mode="local")
    shuffled_one = onesdk.One(cache_dir=tmp_path, mode="local")
    eid = sorted_one.search()[3]
    left = sorted_one.list_datasets(eid, details=True)
    right = shuffled_one.list_datasets(eid, details=True)
    assert left.equals(right)


def test_where_open_files_cannot_be_replaced_hash_is_read_at_load(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_io, "DEFER_WHILE_OPEN", False)
    tables = read_tables(cache)
    assert tables.complete
    expected = _file_hashes(cache / "datasets.pqt")
    got = tables.datasets
    assert dict(zip(got.column("id").to_pylist(), got.column("hash").to_pylist(), strict=True)) == (
        expected
    )
