"""The lazy engine answers every One method exactly as the eager engine, on the same caches.

Each cache is opened twice, ``lazy=False`` and ``lazy=True``, and the same calls (every method
family, derived from the cache's contents) are compared as plain values, errors and warnings
included. Each cache is also run with tiny batches, row groups and three-character parts, so
every way the lazy engine joins per-piece answers is exercised.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench import synth
from onesdk._facade._one import One
from onesdk._sample import make_sample
from tests.local._corpus import build_cache_dir
from tests.local._lazy import FAMILIES, LOADS, calls_for, compare, link_tables, small_pieces

__all__ = ["small_pieces"]

PIECES = ["default", "small_pieces"]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = synth.CacheSpec(n_sessions=300, n_datasets=40, seed=5)
    return synth.generate(spec, tmp_path_factory.mktemp("synth")).path


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample(tmp_path_factory.mktemp("sample"), n_trials=30).root


def _pair(cache: Path, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[One, One]:
    if request.param == "small_pieces":
        request.getfixturevalue("small_pieces")
    tables = link_tables(cache, tmp_path / "tables")
    eager = One(cache_dir=cache, tables_dir=tables, mode="local", lazy=False)
    lazy = One(cache_dir=cache, tables_dir=tables, mode="local", lazy=True)
    assert not eager.lazy
    assert lazy.lazy
    return eager, lazy


@pytest.fixture(params=PIECES)
def synthetic_pair(
    synthetic: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> tuple[One, One]:
    return _pair(synthetic, tmp_path, request)


@pytest.fixture(params=PIECES)
def sample_pair(sample: Path, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[One, One]:
    return _pair(sample, tmp_path, request)


def test_synthetic_cache_answers_alike(synthetic_pair: tuple[One, One]) -> None:
    eager, lazy = synthetic_pair
    assert compare(eager, lazy, calls_for(eager)) >= FAMILIES | LOADS


def test_sample_answers_alike_including_loads(sample_pair: tuple[One, One]) -> None:
    eager, lazy = sample_pair
    assert compare(eager, lazy, calls_for(eager)) >= FAMILIES | LOADS | {"load_collection"}


def test_corpus_caches_answer_alike(shared_alyx: Path, tmp_path: Path) -> None:
    for mode in ("local", "local_tag"):
        cache = build_cache_dir(shared_alyx, mode, tmp_path / mode)
        eager = One(cache_dir=cache, mode="local", lazy=False)
        lazy = One(cache_dir=cache, mode="local", lazy=True)
        assert compare(eager, lazy, calls_for(eager)) >= FAMILIES | LOADS


def test_loaded_ids_are_saved_alike(sample_pair: tuple[One, One]) -> None:
    eager, lazy = sample_pair
    saved = []
    for one in (eager, lazy):
        one.record_loaded = True
        for eid in one.search()[:2]:
            for rel in one.list_datasets(eid)[:4]:
                one.load_dataset(eid, rel, download_only=True)
        ids, _ = one.save_loaded_ids(sessions_only=True, clear_list=False)
        datasets, path = one.save_loaded_ids()
        assert path is not None
        assert path.read_text().splitlines()[1:] == [str(d) for d in datasets]
        saved.append((ids, datasets))
    assert saved[0] == saved[1]
    assert len(saved[0][0]) == 2


def test_save_cache_writes_the_same_tables(sample_pair: tuple[One, One], tmp_path: Path) -> None:
    eager, lazy = sample_pair
    eager.save_cache(tmp_path / "eager", clobber=True)
    lazy.save_cache(tmp_path / "lazy", clobber=True)
    assert not lazy.tables.complete  # streamed from the copy, never held whole
    for name in ("sessions.pqt", "datasets.pqt"):
        a = pq.read_table(tmp_path / "eager" / name)
        b = pq.read_table(tmp_path / "lazy" / name)
        assert b.schema.equals(a.schema, check_metadata=False)
        assert b.to_pylist() == a.to_pylist()
        assert len(a) > 0
    reread = One(cache_dir=tmp_path / "lazy", mode="local", lazy=True)
    assert reread.list_datasets() == eager.list_datasets()


def test_the_whole_datasets_table_is_read_from_disk_only_when_asked_for(
    synthetic_pair: tuple[One, One],
) -> None:
    eager, lazy = synthetic_pair
    assert len(lazy.tables.core_datasets) == 0
    assert lazy.tables.core_datasets.column_names == eager.tables.datasets.column_names
    whole = lazy.tables.datasets
    assert whole.to_pylist() == eager.tables.datasets.to_pylist()
    assert len(whole) > 0
