"""Several processes sharing one cache dir, and processes killed in the middle of save_cache.

The tables must end consistent and loadable: the same sessions and datasets as before, every
dataset loadable, no temporary file left once a later save has run. A SIGKILL lands at a chosen
point of the write (a hook in the child, not a timing guess), and the test asserts on the files.
"""

from __future__ import annotations

import multiprocessing
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from onesdk import One
from onesdk._cache import read_tables
from tests.reliability._report import RECORD
from tests.reliability._workers import shared_cache_worker
from tests.reliability.conftest import ROOT_DIR, build_cache, write_tree

PROCESSES = 4
ITERATIONS = 6


def _state(root: Path) -> tuple[list[str], list[tuple[str, str, str]]]:
    """(session ids, (eid, id, rel_path) of the datasets) of the tables in ``root``."""
    tables = read_tables(root)
    datasets = tables.datasets
    rows = zip(
        datasets.column("eid").to_pylist(),
        datasets.column("id").to_pylist(),
        datasets.column("rel_path").to_pylist(),
        strict=True,
    )
    sessions = [str(i) for i in tables.sessions.column("id").to_pylist()]
    return sessions, sorted((str(e), str(i), str(r)) for e, i, r in rows)


def _assert_loadable(root: Path) -> None:
    one = One(root)
    for did in one.tables.datasets.column("id").to_pylist():
        one.load_dataset_from_id(str(did), download_only=True)


@pytest.mark.slow
def test_processes_sharing_a_cache_dir_leave_consistent_tables(tmp_path: Path) -> None:
    cache = build_cache(tmp_path / "cache")
    before = _state(cache.root)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(shared_cache_worker, str(cache.root), ITERATIONS, seed)
            for seed in range(PROCESSES)
        ]
        results = [f.result(timeout=300) for f in futures]
    saves = sum(r["saves"] for r in results)
    RECORD.case("concurrency", "processes sharing one cache dir", "consistent", PROCESSES)
    RECORD.note("concurrent saves", str(saves))
    RECORD.note("concurrent loads of datasets", str(sum(r["datasets"] for r in results)))
    assert saves == PROCESSES * ITERATIONS
    assert _state(cache.root) == before
    _assert_loadable(cache.root)
    assert not list(cache.root.glob(".*.part")), "temporary files left behind"


@pytest.fixture(scope="module")
def caches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A cache without one lab's sessions, and the full cache whose tables the killed process
    saves over it (an update that adds sessions, as a remote search does)."""
    from onesdk._cache import make_cache

    full = build_cache(tmp_path_factory.mktemp("full")).root
    partial = tmp_path_factory.mktemp("partial")
    write_tree(partial)
    shutil.rmtree(partial / "otherlab")
    make_cache(partial)
    shutil.copytree(full / "otherlab", partial / "otherlab")  # its files, not yet in the tables
    return partial, full


@pytest.mark.slow
@pytest.mark.parametrize(
    "where", ["sessions-write", "datasets-write", "between-renames", "info-write"]
)
def test_a_process_killed_during_save_cache_leaves_a_loadable_cache(
    where: str, caches: tuple[Path, Path], tmp_path: Path
) -> None:
    partial, full = caches
    root = tmp_path / "cache"
    shutil.copytree(partial, root)
    before = _state(root)
    after = _state(full)
    assert before != after
    files = {n: (root / n).read_bytes() for n in ("sessions.pqt", "datasets.pqt")}
    child = subprocess.run(
        [sys.executable, "-m", "tests.reliability._workers", str(full), str(root), where],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    RECORD.case("concurrency", f"SIGKILL during save_cache ({where})", "loadable")
    state = _state(root)
    if where in ("sessions-write", "datasets-write"):
        assert state == before, "a half-written table replaced a good one"
        assert {n: (root / n).read_bytes() for n in files} == files
        assert list(root.glob(".*.part")), "the hook did not kill the write"
    elif where == "between-renames":
        # the new sessions table is in place, the datasets table still the old one: the next
        # reader sees two stamps, takes the lock and completes the save from its temp file
        assert state == after
        assert not list(root.glob(".datasets.pqt.*.part"))
    else:
        assert state == after
    _assert_loadable(root)
    One(root).save_cache(force=True)
    assert not list(root.glob(".*.part")), "the next save must clear what the killed one left"
    _assert_loadable(root)
