"""Differential test: onesdk and one-api 3.6.1 answer the same calls on random caches alike."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk._cache import CacheTables
from onesdk._facade._one import One
from tests.local._synthetic import REFERENCE_SCRIPT, caches, planned_calls, write_cache
from tests.reference import run_reference

#: caches per reference run: one subprocess per example keeps the test fast
BATCH = 4


def _norm(value: object) -> object:
    if isinstance(value, pd.DataFrame):
        return sorted(value["rel_path"].tolist())
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, int | float | bool) or value is None:
        return value
    return str(value)


def _ours(
    cache_dir: Path, calls: list[tuple[str, list[object], dict[str, object]]]
) -> list[object]:
    one = One(cache_dir=cache_dir, mode="local")
    results: list[object] = []
    for method, args, kwargs in calls:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results.append(["ok", _norm(getattr(one, method)(*args, **kwargs))])
        except Exception as exc:  # compared with one-api's outcome
            results.append(["error", type(exc).__name__])
    return results


@pytest.mark.reference
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(caches(), min_size=BATCH, max_size=BATCH))
def test_same_answers_as_one_api(
    batch: list[CacheTables], reference_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("diff")
    jobs = []
    for i, tables in enumerate(batch):
        folder = write_cache(tables, root / str(i))
        jobs.append({"cache_dir": str(folder), "calls": planned_calls(tables)})
    theirs = run_reference(reference_python, REFERENCE_SCRIPT, jobs)
    for job, expected in zip(jobs, theirs, strict=True):
        ours = _ours(Path(str(job["cache_dir"])), job["calls"])  # type: ignore[arg-type]
        for call, want, got in zip(job["calls"], expected, ours, strict=True):
            assert got == want, f"{call}: one-api {want}, onesdk {got}"


@pytest.mark.shared
@pytest.mark.reference
@pytest.mark.parametrize("sub", ["cache", "cache/tag_2024_Q1_release"])
def test_same_answers_on_the_alyx_cache(
    sub: str, shared_alyx: Path, reference_python: Path
) -> None:
    from onesdk._cache import read_tables

    cache_dir = shared_alyx / sub
    calls = planned_calls(read_tables(cache_dir))
    (theirs,) = run_reference(
        reference_python, REFERENCE_SCRIPT, [{"cache_dir": str(cache_dir), "calls": calls}]
    )
    ours = _ours(cache_dir, calls)
    for call, want, got in zip(calls, theirs, ours, strict=True):
        assert got == want, f"{call}: one-api {want}, onesdk {got}"
