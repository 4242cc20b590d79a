"""The lazily-queried datasets path agrees with an eager read of the same table."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from bench import synth
from onesdk._cache_lazy import LazyDatasets, partition_datasets
from onesdk.errors import ArgumentError

SPEC = synth.CacheSpec(n_sessions=300, n_datasets=60, seed=3)
QC = ("NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> synth.Cache:
    return synth.generate(SPEC, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def lazy(cache: synth.Cache, tmp_path_factory: pytest.TempPathFactory) -> LazyDatasets:
    root = partition_datasets(
        cache.path / "datasets.pqt", tmp_path_factory.mktemp("lazy") / "datasets"
    )
    return LazyDatasets(root)


_ROWS: dict[Path, list[dict[str, object]]] = {}


def _eager(cache: synth.Cache) -> list[dict[str, object]]:
    if cache.path not in _ROWS:
        _ROWS[cache.path] = pq.read_table(cache.path / "datasets.pqt").to_pylist()
    return _ROWS[cache.path]


def test_session_rows_match_and_read_one_file(cache: synth.Cache, lazy: LazyDatasets) -> None:
    eid = cache.targets.load_eid
    got = lazy.session(eid).to_pylist()
    expected = [r for r in _eager(cache) if r["eid"] == eid]
    assert sorted(got, key=lambda r: str(r["id"])) == sorted(expected, key=lambda r: str(r["id"]))
    assert lazy.files_read_for(eid) == 1
    assert lazy.session("00000000-0000-4000-8000-000000000000").num_rows == 0


def test_rel_paths_match_a_glob_on_file_names(cache: synth.Cache, lazy: LazyDatasets) -> None:
    for glob in ("*spikes*", "_ibl_trials.*", "*.pqt", "nothing*"):
        expected = sorted(
            {
                str(r["rel_path"])
                for r in _eager(cache)
                if fnmatch.fnmatchcase(str(r["rel_path"]).rsplit("/", 1)[-1], glob)
            }
        )
        assert lazy.rel_paths(glob) == expected, glob


@pytest.mark.parametrize("qc_lte", ["PASS", "FAIL", "CRITICAL"])
def test_sessions_with_every_dataset(cache: synth.Cache, lazy: LazyDatasets, qc_lte: str) -> None:
    names = ["_ibl_trials.table.pqt", "spikes.times.npy"]
    found: dict[str, set[str]] = {}
    for r in _eager(cache):
        name = str(r["rel_path"]).rsplit("/", 1)[-1]
        usable = r["exists"] and QC.index(str(r["qc"])) <= QC.index(qc_lte)
        for n in names:
            if usable and re.fullmatch(n, name):
                found.setdefault(n, set()).add(str(r["eid"]))
    expected = found.get(names[0], set()) & found.get(names[1], set())
    assert lazy.sessions_with(names, qc_lte=qc_lte) == expected
    if qc_lte == "CRITICAL":
        assert expected  # the cache does hold ephys sessions with both


def test_unsorted_input_is_partitioned_correctly(cache: synth.Cache, tmp_path: Path) -> None:
    table = pq.read_table(cache.path / "datasets.pqt")
    order = np.random.default_rng(0).permutation(table.num_rows)
    shuffled = tmp_path / "datasets.pqt"
    pq.write_table(table.take(order), shuffled, row_group_size=1000)
    lazy = LazyDatasets(partition_datasets(shuffled, tmp_path / "parts"))
    eid = cache.targets.load_eid
    expected = sorted(str(r["id"]) for r in table.to_pylist() if r["eid"] == eid)
    got = sorted(str(i) for i in lazy.session(eid, columns=["id"]).column("id").to_pylist())
    assert got == expected
    assert len(expected) == SPEC.n_datasets
    assert lazy.files_read_for(eid) == 1


def test_bad_arguments_name_themselves(lazy: LazyDatasets, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="qc_lte"):
        lazy.sessions_with(["x"], qc_lte="GOOD")
    with pytest.raises(ArgumentError, match="names"):
        lazy.sessions_with([])
    with pytest.raises(ArgumentError, match="source"):
        partition_datasets(tmp_path / "missing.pqt", tmp_path / "out")
    with pytest.raises(ArgumentError, match="root"):
        LazyDatasets(tmp_path / "missing")
