"""The partitioned datasets copy holds exactly the rows the eager reader holds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from bench import synth
from onesdk._cache import read_tables
from onesdk._cache._lazy import PartitionedDatasets, open_partitioned
from onesdk._repo._results import table_records

SPEC = synth.CacheSpec(n_sessions=300, n_datasets=60, seed=3)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> synth.Cache:
    return synth.generate(SPEC, tmp_path_factory.mktemp("cache"))


def _rows(table: object) -> list[dict[str, object]]:
    return table_records(table)  # type: ignore[arg-type]


def test_streamed_rows_are_the_eager_rows_in_order(cache: synth.Cache, tmp_path: Path) -> None:
    parts = open_partitioned(cache.path, tmp_path / "parts")
    eager = read_tables(cache.path).datasets
    streamed = [r for batch in parts.batches() for r in _rows(batch)]
    assert streamed == _rows(eager)
    assert parts.schema.equals(eager.schema)


def test_one_session_reads_one_part(cache: synth.Cache, tmp_path: Path) -> None:
    parts = open_partitioned(cache.path, tmp_path / "parts")
    eid = cache.targets.load_eid
    eager = read_tables(cache.path).datasets
    expected = [r for r in _rows(eager) if r["eid"] == eid]
    assert _rows(parts.sessions([eid])) == expected
    assert len(expected) == SPEC.n_datasets
    assert len(parts.sessions(["00000000-0000-4000-8000-000000000000"])) == 0


def test_unsorted_input_is_sorted_per_part(cache: synth.Cache, tmp_path: Path) -> None:
    table = pq.read_table(cache.path / "datasets.pqt")
    order = np.random.default_rng(0).permutation(table.num_rows)
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    pq.write_table(table.take(order), shuffled / "datasets.pqt", row_group_size=1000)
    parts = open_partitioned(shuffled, tmp_path / "parts")
    eager = read_tables(cache.path).datasets
    assert [r for b in parts.batches() for r in _rows(b)] == _rows(eager)
    assert isinstance(parts, PartitionedDatasets)


def test_rows_by_dataset_id(cache: synth.Cache, tmp_path: Path) -> None:
    parts = open_partitioned(cache.path, tmp_path / "parts")
    eager = _rows(read_tables(cache.path).datasets)
    wanted = [str(eager[i]["id"]) for i in (0, 17, len(eager) - 1)]
    assert _rows(parts.rows_with_ids(wanted)) == [r for r in eager if r["id"] in wanted]
