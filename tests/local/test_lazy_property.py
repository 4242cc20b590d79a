"""Property: on any drawn cache, split into any batch, row-group and part sizes, random queries
get the same answer from the lazy engine as from the eager one."""

from __future__ import annotations

import tempfile
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import onesdk._cache._lazy as lazy_io
import onesdk._repo._lazy_repository as lazy_repo
from onesdk._cache import CacheTables
from onesdk._facade._one import One
from tests.local._lazy import Call, outcome
from tests.local._synthetic import COLLECTIONS, NAMES, REVISIONS, SUBJECTS, caches, write_cache

QC = ("NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL")
PATTERNS = ("*", "*.npy", "spikes.*", "_ibl_*", "*times*", "nothing")


@st.composite
def session_calls(draw: st.DrawFn) -> Call:
    filters: dict[str, object] = {}
    if draw(st.booleans()):
        filters["subject"] = draw(st.sampled_from([*SUBJECTS, "KS", "0"]))
    if draw(st.booleans()):
        filters["datasets"] = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3))
    if draw(st.booleans()):
        filters["dataset_qc_lte"] = draw(st.sampled_from(QC))
    if draw(st.booleans()):
        filters["number"] = draw(st.integers(1, 3))
    if draw(st.booleans()):
        filters["date_range"] = ["2023-01-05", None]
    return ("search", (), {**filters, "details": draw(st.booleans())})


@st.composite
def dataset_calls(draw: st.DrawFn, eids: list[str]) -> Call:
    method = draw(st.sampled_from(["list_datasets", "list_collections", "list_revisions"]))
    eid: object = draw(
        st.one_of(st.none(), st.sampled_from(eids), st.lists(st.sampled_from(eids), max_size=3))
    )
    kwargs: dict[str, object] = {}
    if draw(st.booleans()):
        kwargs["filename"] = draw(st.sampled_from(PATTERNS))
    if draw(st.booleans()):
        kwargs["collection"] = draw(st.sampled_from([*COLLECTIONS, "alf*"]))
    if draw(st.booleans()):
        kwargs["revision"] = draw(st.sampled_from([r for r in REVISIONS if r] + ["2024*"]))
    kwargs["details"] = draw(st.booleans())
    if method == "list_datasets":
        kwargs["qc"] = draw(st.sampled_from(QC))
        kwargs["ignore_qc_not_set"] = draw(st.booleans())
        kwargs["default_revisions_only"] = draw(st.booleans())
        kwargs["keep_eid_index"] = draw(st.booleans())
    return (method, (eid,), kwargs)


@st.composite
def cases(draw: st.DrawFn) -> tuple[CacheTables, dict[str, int], list[Call]]:
    tables = draw(caches())
    eids = [str(e) for e in tables.sessions.column("id").to_pylist()]
    sizes = {
        "SCAN_BATCH_ROWS": draw(st.integers(1, 40)),
        "ROW_GROUP_ROWS": draw(st.integers(1, 20)),
        "prefix_chars": draw(st.integers(1, 3)),
        "_FEW_SESSIONS": draw(st.sampled_from([0, 512])),
    }
    calls = draw(st.lists(st.one_of(session_calls(), dataset_calls(eids)), min_size=1, max_size=8))
    return tables, sizes, calls


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_lazy_answers_random_queries_as_eager(
    case: tuple[CacheTables, dict[str, int], list[Call]],
) -> None:
    tables, sizes, calls = case
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lazy_io, "SCAN_BATCH_ROWS", sizes["SCAN_BATCH_ROWS"])
        mp.setattr(lazy_io, "ROW_GROUP_ROWS", sizes["ROW_GROUP_ROWS"])
        mp.setattr(lazy_io, "_prefix_chars", lambda n: sizes["prefix_chars"])
        mp.setattr(lazy_repo, "_FEW_SESSIONS", sizes["_FEW_SESSIONS"])
        cache = write_cache(tables, Path(tmp) / "cache")
        eager = One(cache_dir=cache, mode="local", lazy=False)
        lazy = One(cache_dir=cache, mode="local", lazy=True)
        for method, args, kwargs in calls:
            expected = outcome(partial(getattr(eager, method), *args, **kwargs))
            got = outcome(partial(getattr(lazy, method), *args, **kwargs))
            assert got == expected, (method, args, kwargs)
