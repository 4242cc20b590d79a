"""A local One pickles as its options and reads its tables again on first use."""

from __future__ import annotations

import multiprocessing
import pickle
import shutil
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from onesdk._facade._one import One
from onesdk._sample import make_sample
from tests.pickling import _workers


@pytest.fixture(scope="module")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    make_sample(root, n_trials=20)
    return root


def test_local_one_round_trips_with_equal_options_and_answers(sample_root: Path) -> None:
    one = One(sample_root, mode="local", silent=True, wildcards=False)
    clone = pickle.loads(pickle.dumps(one))
    assert type(clone) is One
    assert clone.options == one.options
    assert clone.wildcards is False
    assert clone.search() == one.search()
    eid = one.search()[0]
    assert clone.list_datasets(eid) == one.list_datasets(eid)


def test_local_pickle_holds_no_table_rows(sample_root: Path) -> None:
    one = One(sample_root, mode="local", silent=True)
    data = pickle.dumps(one)
    assert one.search()
    for eid in one.search():
        assert str(eid).encode() not in data
    assert len(data) < 2_000


def test_unpickling_reads_no_table_until_first_use(sample_root: Path, tmp_path: Path) -> None:
    root = tmp_path / "cache"
    shutil.copytree(sample_root, root)
    one = One(root, mode="local", silent=True)
    expected = one.search()
    data = pickle.dumps(one)
    moved = tmp_path / "moved"
    root.rename(moved)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a table read here would warn: none found
        clone = pickle.loads(data)
    moved.rename(root)
    assert clone.search() == expected


def test_local_one_runs_in_a_spawned_process_pool(sample_root: Path) -> None:
    one = One(sample_root, mode="local", silent=True)
    eids = [str(e) for e in one.search()[:2]]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        listed = list(pool.map(_workers.list_session, [one] * len(eids), eids, timeout=120))
        subjects = pool.submit(_workers.subjects, one).result(timeout=120)
    assert listed == [one.list_datasets(e) for e in eids]
    assert subjects == one.list_subjects()
