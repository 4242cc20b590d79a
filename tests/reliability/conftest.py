"""Fixtures of the reliability suite: a small synthetic cache, and the figures it reports."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.reliability import _report

#: the repository root (children run from here so ``tests`` is importable)
ROOT_DIR = Path(__file__).resolve().parents[2]
if str(ROOT_DIR / "tools") not in sys.path:  # tools/onesdk_tools, for the report tool's test
    sys.path.insert(0, str(ROOT_DIR / "tools"))
_COUNTS = {"passed": 0, "failed": 0}
_START = time.monotonic()

#: dataset paths of the synthetic cache, relative to the cache dir
TREE = (
    "mainlab/Subjects/KS001/2020-01-01/001/alf/spikes.times.npy",
    "mainlab/Subjects/KS001/2020-01-01/001/alf/spikes.amps.npy",
    "mainlab/Subjects/KS001/2020-01-01/001/alf/#2021-01-01#/spikes.times.npy",
    "mainlab/Subjects/KS001/2020-01-01/001/alf/probe00/clusters.depths.npy",
    "mainlab/Subjects/KS001/2020-01-01/001/alf/probe01/clusters.depths.npy",
    "mainlab/Subjects/KS001/2020-01-01/001/raw/_ibl_trials.table.pqt",
    "mainlab/Subjects/KS001/2020-01-01/001/_ibl_wheel.position.npy",
    "mainlab/Subjects/KS001/2020-01-02/002/alf/trials.intervals.npy",
    "otherlab/Subjects/ZM_1/2021-06-30/001/alf/_ibl_trials.choice.npy",
    "otherlab/Subjects/ZM_1/2021-06-30/001/alf/task_settings.json",
)


def write_tree(root: Path) -> None:
    """Write the files of :data:`TREE` below ``root`` (tiny but loadable)."""
    import pandas as pd

    for rel in TREE:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".npy"):
            np.save(path, np.arange(4.0))
        elif rel.endswith(".pqt"):
            pd.DataFrame({"a": [1, 2, 3, 4]}).to_parquet(path)
        else:
            path.write_text('{"a": 1}', encoding="utf-8")


@dataclass(frozen=True)
class Cache:
    """A cache dir with tables built from :data:`TREE`, and identifiers found in it."""

    root: Path
    eids: tuple[str, ...]
    dataset_ids: tuple[str, ...]


def build_cache(root: Path) -> Cache:
    from onesdk._cache import make_cache, read_tables

    write_tree(root)
    make_cache(root, hash_files=True)
    tables = read_tables(root)
    return Cache(
        root,
        tuple(str(i) for i in tables.sessions.column("id").to_pylist()),
        tuple(str(i) for i in tables.datasets.column("id").to_pylist()),
    )


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    """A read-only synthetic cache shared by the fuzz tests (they must not modify it)."""
    return build_cache(tmp_path_factory.mktemp("reliability-cache"))


@pytest.fixture(scope="module")
def scratch_cwd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Run in an empty directory, so relative paths a fuzzer passes stay inside it."""
    path = tmp_path_factory.mktemp("cwd")
    old = os.getcwd()
    os.chdir(path)
    try:
        yield path
    finally:
        os.chdir(old)


_HOSTILE = ("test_hostile_", "test_table_pairs")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability" not in report.nodeid.replace(os.sep, "/"):
        return
    if report.when == "call" and any(h in report.nodeid for h in _HOSTILE):
        scenario = report.nodeid.split("::")[-1].split("[")[0].removeprefix("test_")
        _report.RECORD.case("hostile", scenario.replace("_", " "), report.outcome)
    if (report.when == "call" or report.outcome == "failed") and report.outcome in _COUNTS:
        _COUNTS[report.outcome] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _report.RECORD.cases:
        return
    _report.write(
        _report.RECORD,
        _report.json_path(),
        failed=_COUNTS["failed"],
        passed=_COUNTS["passed"],
        seconds=time.monotonic() - _START,
    )
