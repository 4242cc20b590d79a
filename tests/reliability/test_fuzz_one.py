"""Bad input to every public method of ``One``: success, or a documented error naming the argument.

Each test draws a mix of valid and bad values for the method's parameters (some left out, now
and then an unknown keyword) and lets :func:`judge` decide. Valid values that depend on the
cache (eids, exp refs, dataset ids) are drawn as :class:`Valid` placeholders and filled in from
the fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk import One
from tests import strategies as bad
from tests.reliability._harness import judge
from tests.reliability.conftest import Cache


@dataclass(frozen=True)
class Valid:
    """A placeholder for a value taken from the cache: ``kind`` says which."""

    kind: str
    index: int = 0


def _valid(kind: str) -> st.SearchStrategy[object]:
    return st.integers(0, 50).map(lambda i: Valid(kind, i))


def _resolve(value: object, cache: Cache) -> object:
    if isinstance(value, Valid):
        eid = cache.eids[value.index % len(cache.eids)]
        if value.kind == "eid":
            return eid
        if value.kind == "uuid":
            return uuid.UUID(eid)
        if value.kind == "url":
            return f"https://alyx.example.org/sessions/{eid}"
        if value.kind == "dataset_id":
            return cache.dataset_ids[value.index % len(cache.dataset_ids)]
        if value.kind == "ref":
            return ["2020-01-01_1_KS001", "2020-01-02_002_KS001", "2021-06-30_1_ZM_1"][
                value.index % 3
            ]
        if value.kind == "path":
            return cache.root / "mainlab/Subjects/KS001/2020-01-01/001"
        if value.kind == "file":
            return cache.root / "mainlab/Subjects/KS001/2020-01-01/001/alf/spikes.times.npy"
        raise AssertionError(value.kind)
    if isinstance(value, list):
        return [_resolve(v, cache) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, cache) for k, v in value.items()}
    return value


_ANY_BAD = bad.bad_values()
EIDS = st.one_of(
    _valid("eid"),
    _valid("uuid"),
    _valid("url"),
    _valid("ref"),
    _valid("path"),
    st.fixed_dictionaries(
        {"subject": st.just("KS001"), "date": bad.dates, "sequence": st.integers(0, 3)}
    ),
    st.fixed_dictionaries({"subject": bad.odd_text, "number": _ANY_BAD, "date": bad.invalid_dates}),
    st.uuids(),
    bad.malformed_uuids,
    st.just(PurePath("a/Subjects/b/2020-01-01/001")),
    _ANY_BAD,
)
EID_LISTS = st.one_of(EIDS, st.lists(EIDS, max_size=4), bad.huge_lists)
TEXT = st.one_of(
    st.sampled_from(
        ["KS001", "KS", "ZM_1", "mainlab", "spikes.times.npy", "*.npy", "alf", "^K.*1$"]
    ),
    bad.odd_text,
    bad.bad_regexes,
    st.lists(bad.odd_text | bad.bad_regexes, max_size=4),
    bad.huge_lists,
    _ANY_BAD,
)
NAMES = st.one_of(
    st.sampled_from(
        ["spikes.times", "spikes.times.npy", "*.npy", "alf/spikes.amps.npy", "clusters.depths"]
    ),
    st.sampled_from(["alf/#2021-01-01#/spikes.times.npy", "_ibl_trials.table.pqt", "spikes"]),
    st.fixed_dictionaries(
        {},
        optional={
            "object": TEXT,
            "attribute": TEXT,
            "extension": TEXT,
            "namespace": TEXT,
            "timescale": TEXT,
            "extra": TEXT,
        },
    ),
    st.dictionaries(bad.unknown_keywords, TEXT, min_size=1, max_size=2),
    TEXT,
)
COLLECTIONS = st.one_of(st.sampled_from(["alf", "alf/probe00", "raw", "", "alf*"]), TEXT)
REVISIONS = st.one_of(st.sampled_from(["2021-01-01", "2022-01-01", "2020", "", "#x#"]), TEXT)
QCS = st.one_of(st.sampled_from(["PASS", "fail", 30, "50", "critical"]), bad.invalid_qcs, _ANY_BAD)
DATES = st.one_of(
    bad.dates,
    st.lists(st.none() | bad.dates, min_size=1, max_size=2),
    bad.invalid_date_ranges,
    _ANY_BAD,
)
FLAGS = st.one_of(st.booleans(), _ANY_BAD)


def _kwargs(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Keyword arguments: the required ones, some optional ones, maybe an unknown keyword."""
    return st.tuples(
        st.fixed_dictionaries(required, optional=optional),
        bad.maybe_unknown_keyword(_ANY_BAD),
    ).map(lambda t: {**t[0], **({t[1][0]: t[1][1]} if t[1] else {})})


_SEARCH = {
    "details": FLAGS,
    "subject": TEXT,
    "lab": TEXT,
    "laboratory": TEXT,
    "date_range": DATES,
    "date": DATES,
    "number": st.one_of(st.integers(-2, 1000), st.sampled_from(["1", "001", "x"]), _ANY_BAD),
    "datasets": TEXT,
    "dataset": TEXT,
    "dataset_qc_lte": QCS,
    "task_protocol": TEXT,
    "projects": TEXT,
    "query_type": st.sampled_from(["local", "remote", "x"]) | _ANY_BAD,
}
_LIST = {
    "filename": NAMES,
    "collection": COLLECTIONS,
    "revision": REVISIONS,
    "details": FLAGS,
    "query_type": st.none() | _ANY_BAD,
}

#: method name -> (required keyword strategies, optional keyword strategies)
METHODS: dict[str, tuple[dict[str, st.SearchStrategy[Any]], dict[str, st.SearchStrategy[Any]]]] = {
    "search": ({}, _SEARCH),
    "search_terms": ({}, {"query_type": st.none() | _ANY_BAD}),
    "list_subjects": ({}, {}),
    "to_eid": ({"id": EIDS}, {"cache_dir": st.none() | _ANY_BAD}),
    "get_details": ({"eid": EIDS}, {"full": FLAGS}),
    "list_datasets": (
        {},
        {
            "eid": EID_LISTS,
            **_LIST,
            "qc": QCS,
            "ignore_qc_not_set": FLAGS,
            "default_revisions_only": FLAGS,
            "keep_eid_index": FLAGS,
        },
    ),
    "list_collections": ({}, {"eid": EID_LISTS, **_LIST}),
    "list_revisions": ({}, {"eid": EID_LISTS, **_LIST}),
    "load_dataset": (
        {"eid": EIDS, "dataset": NAMES},
        {
            "collection": COLLECTIONS,
            "revision": REVISIONS,
            "download_only": FLAGS,
            "check_hash": FLAGS,
        },
    ),
    "load_datasets": (
        {"eid": EIDS, "datasets": st.lists(NAMES, max_size=4) | NAMES},
        {
            "collections": COLLECTIONS | st.lists(st.none() | COLLECTIONS, max_size=4),
            "revisions": REVISIONS | st.lists(st.none() | REVISIONS, max_size=4),
            "assert_present": FLAGS,
            "download_only": FLAGS,
        },
    ),
    "load_object": (
        {"eid": EIDS, "obj": st.sampled_from(["spikes", "clusters", "trials", "wheel"]) | TEXT},
        {
            "collection": COLLECTIONS,
            "revision": REVISIONS,
            "download_only": FLAGS,
            "attribute": TEXT,
            "namespace": TEXT,
            "extension": TEXT,
        },
    ),
    "load_collection": (
        {"eid": EIDS, "collection": COLLECTIONS},
        {"object": st.none() | TEXT, "revision": REVISIONS, "download_only": FLAGS},
    ),
    "load_dataset_from_id": (
        {"dset_id": _valid("dataset_id") | st.uuids() | bad.malformed_uuids | _ANY_BAD},
        {"download_only": FLAGS, "details": FLAGS},
    ),
    "eid2path": ({"eid": EIDS}, {}),
    "eid2ref": ({"eid": EIDS}, {"as_dict": FLAGS, "parse": FLAGS}),
    "path2eid": ({"path_obj": _valid("path") | _valid("file") | TEXT}, {}),
    "path2record": ({"path": _valid("path") | _valid("file") | TEXT}, {}),
    "path2url": ({"filepath": _valid("path") | _valid("file") | TEXT}, {}),
    "record2path": ({"dataset": _ANY_BAD}, {}),
    "record2url": ({"record": _ANY_BAD}, {}),
    "ref2eid": ({"ref": _valid("ref") | EIDS}, {}),
    "ref2path": ({"ref": _valid("ref") | EIDS}, {}),
    "path2ref": ({"path": _valid("path") | TEXT}, {"as_dict": FLAGS, "parse": FLAGS}),
    "ref2dict": ({"ref": _valid("ref") | EIDS}, {"parse": FLAGS}),
    "dict2ref": ({"ref": EIDS}, {}),
    "is_exp_ref": ({"ref": _valid("ref") | EIDS}, {}),
    "refresh_cache": ({}, {"mode": st.sampled_from(["auto", "local", "refresh"]) | _ANY_BAD}),
}


@pytest.fixture(scope="module")
def ones(cache: Cache) -> dict[bool, One]:
    """A One with wildcards on and one with them off, on the shared cache."""
    return {
        w: One(cache.root, wildcards=w, http_data_server="https://files.example.org")
        for w in (True, False)
    }


@pytest.mark.parametrize("method", sorted(METHODS))
@settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ]
)
@given(data=st.data(), wildcards=st.booleans())
def test_one_method_answers_or_raises_a_documented_error(
    method: str,
    data: st.DataObject,
    wildcards: bool,
    ones: dict[bool, One],
    cache: Cache,
    scratch_cwd: Path,
) -> None:
    required, optional = METHODS[method]
    kwargs = _resolve(data.draw(_kwargs(required, optional), label="kwargs"), cache)
    assert isinstance(kwargs, dict)
    one = ones[wildcards]
    func: Callable[..., object] = getattr(one, method)
    judge(f"One.{method}", func, **kwargs)
