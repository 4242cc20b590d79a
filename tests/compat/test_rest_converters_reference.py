"""Differential: ``onesdk.converters`` on the recorded Alyx answers gives what one-api 3.6.1's
``one.converters`` gives: the same frames (index, labels, columns, dtypes, values), the same
session rows and the same paths, of the same kinds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, cast

import pytest

from onesdk.alf import ALFPath, PurePosixALFPath, PureWindowsALFPath
from onesdk.converters import (
    datasets2records,
    one_path_from_dataset,
    path_from_dataset,
    path_from_filerecord,
    ses2records,
)
from onesdk.errors import ArgumentError
from tests.contract._corpus import exchanges, records, template_of
from tests.reference import run_reference

pytestmark = [pytest.mark.reference, pytest.mark.shared]

#: fields kept as extra columns: text, lists, integers, and a field no record has
ADDITIONAL = ["collection", "revision", "name", "tags", "protected", "no_such_field"]

# The same code turns frames, rows and paths into JSON on both sides (exec'd here too).
SERIALIZE = r"""
import pandas as pd

def plain(value):
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or (not isinstance(value, dict) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, str | int | float | bool | dict):
        return value
    return str(value)

def frame_json(frame):
    return {
        "index_names": list(frame.index.names),
        "index": [plain(list(k)) for k in frame.index],
        "label_types": sorted({type(x).__name__ for k in frame.index for x in k if x == x}),
        "columns": list(frame.columns),
        "dtypes": [str(t) for t in frame.dtypes],
        "categories": {c: list(frame[c].cat.categories) for c in frame.columns
                       if str(frame[c].dtype) == "category"},
        "rows": [plain(list(row)) for row in frame.itertuples(index=False)],
    }

def series_json(series):
    return {
        "name": str(series.name),
        "name_type": type(series.name).__name__,
        "dtype": str(series.dtype),
        "data": {k: plain(v) for k, v in series.items()},
        "types": {k: type(v).__name__ for k, v in series.items()},
    }

def path_json(call, kinds):
    # kinds: the side's (ALFPath, PurePosixALFPath, PureWindowsALFPath), checked in this order
    try:
        path = call()
    except Exception:
        return None
    kind = next(k.__name__ for k in kinds if isinstance(path, k))
    return [kind, path.as_posix()]
"""

SCRIPT = (
    SERIALIZE
    + r"""
import json, sys
from pathlib import PurePosixPath, PureWindowsPath
from one.converters import (
    datasets2records, ses2records, one_path_from_dataset, path_from_dataset,
    path_from_filerecord)
from one.alf.path import ALFPath, PurePosixALFPath, PureWindowsALFPath

kinds = (ALFPath, PurePosixALFPath, PureWindowsALFPath)

p = json.load(sys.stdin)
out = {"lists": [], "details": [], "paths": []}
for listed in p["lists"]:
    out["lists"].append(frame_json(datasets2records(listed, additional=p["additional"])))
for detail in p["details"]:
    session, datasets = ses2records(detail)
    out["details"].append([series_json(session), frame_json(datasets)])
for d in p["records"]:
    repository = d["file_records"][0]["data_repository"] if d["file_records"] else None
    out["paths"].append({
        "posix": path_json(lambda: one_path_from_dataset(d, PurePosixPath("/one")), kinds),
        "windows": path_json(lambda: one_path_from_dataset(d, PureWindowsPath("C:/one")), kinds),
        "text": path_json(lambda: one_path_from_dataset(d, "/one"), kinds),
        "uuid": path_json(lambda: path_from_dataset(d, uuid=True), kinds),
        "relative": path_json(lambda: path_from_dataset(d, root_path=None), kinds),
        "repository": path_json(lambda: path_from_dataset(d, repository=repository), kinds),
        "files": [path_json(lambda: path_from_filerecord(fr, PureWindowsPath("D:/")), kinds)
                  for fr in d["file_records"]],
    })
print(json.dumps(out))
"""
)


def _helpers() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(SERIALIZE, namespace)  # the same serialisation as the reference script
    return namespace


HELPERS = _helpers()
frame_json = cast(Callable[[object], dict[str, Any]], HELPERS["frame_json"])
series_json = cast(Callable[[object], dict[str, Any]], HELPERS["series_json"])
path_json = cast(
    Callable[[Callable[[], object], tuple[type, ...]], list[str] | None], HELPERS["path_json"]
)
KINDS = (ALFPath, PurePosixALFPath, PureWindowsALFPath)


def _corpus(shared_alyx: Path) -> dict[str, Any]:
    """The recorded ``/datasets`` pages, dataset details and session details."""
    lists: list[list[dict[str, object]]] = []
    details: list[dict[str, object]] = []
    by_url: dict[str, dict[str, object]] = {}
    for exchange in exchanges(shared_alyx):
        if exchange.status != 200 or exchange.method != "GET":
            continue
        if template_of(exchange.path, ["/datasets"]):
            page = records(exchange.body)
            lists.append(page)
            by_url.update((str(d["url"]), d) for d in page)
        elif template_of(exchange.path, ["/datasets/{id}"]):
            by_url.update((str(d["url"]), d) for d in records(exchange.body))
        elif template_of(exchange.path, ["/sessions/{id}"]):
            details += records(exchange.body)
    return {"lists": lists, "details": details, "records": list(by_url.values())}


@pytest.fixture(scope="module")
def corpus(shared_alyx: Path) -> dict[str, Any]:
    return _corpus(shared_alyx)


@pytest.fixture(scope="module")
def theirs(corpus: dict[str, Any], reference_python: Path) -> dict[str, Any]:
    payload = {**corpus, "additional": ADDITIONAL}
    return cast(dict[str, Any], run_reference(reference_python, SCRIPT, payload))


def test_dataset_pages_give_one_apis_frames(corpus: dict[str, Any], theirs: dict[str, Any]) -> None:
    lists = corpus["lists"]
    assert len(lists) > 10
    compared = 0
    for page, expected in zip(lists, theirs["lists"], strict=True):
        ours = frame_json(datasets2records(page, additional=ADDITIONAL))
        if not expected["rows"]:
            # one-api hands back its bare empty frame: no default_revision nor extra columns
            assert ours["rows"] == ours["index"] == []
            assert set(expected["columns"]) < set(ours["columns"])
            continue
        assert ours == expected
        compared += len(expected["rows"])
    assert compared > 200
    assert any(None in key for page in theirs["lists"] for key in page["index"])  # aggregates


def test_session_details_give_one_apis_session_rows_and_frames(
    corpus: dict[str, Any], theirs: dict[str, Any]
) -> None:
    details = corpus["details"]
    assert details
    for detail, (session, frame) in zip(details, theirs["details"], strict=True):
        ours_session, ours_frame = ses2records(detail)
        assert series_json(ours_session) == session
        assert frame_json(ours_frame) == frame
    assert sum(len(frame["rows"]) for _, frame in theirs["details"]) > 50


def _paths(d: dict[str, object]) -> dict[str, object]:
    """The paths onesdk gives for one dataset record, as the reference script computes them."""
    frs = cast(list[dict[str, object]], d["file_records"])
    repository = str(frs[0]["data_repository"]) if frs else None
    return {
        "posix": path_json(lambda: one_path_from_dataset(d, PurePosixPath("/one")), KINDS),
        "windows": path_json(lambda: one_path_from_dataset(d, PureWindowsPath("C:/one")), KINDS),
        "text": path_json(lambda: one_path_from_dataset(d, "/one"), KINDS),
        "uuid": path_json(lambda: path_from_dataset(d, uuid=True), KINDS),
        "relative": path_json(lambda: path_from_dataset(d, root_path=None), KINDS),
        "repository": path_json(lambda: path_from_dataset(d, repository=repository), KINDS),
        "files": [_file_path(fr) for fr in frs],
    }


def _file_path(fr: dict[str, object]) -> list[str] | None:
    return path_json(lambda: path_from_filerecord(fr, PureWindowsPath("D:/")), KINDS)


def test_dataset_records_give_one_apis_paths_of_the_same_kinds(
    corpus: dict[str, Any], theirs: dict[str, Any]
) -> None:
    records_ = corpus["records"]
    assert len(records_) > 100
    for d, expected in zip(records_, theirs["paths"], strict=True):
        assert _paths(d) == expected, d["url"]
    kinds = {p["windows"][0] for p in theirs["paths"] if p["windows"]}
    assert kinds == {"PureWindowsALFPath"}
    assert {p["text"][0] for p in theirs["paths"] if p["text"]} == {"ALFPath"}
    assert any(p["posix"] is None for p in theirs["paths"])  # no file on a server: no path


def test_a_dataset_without_a_file_on_a_server_has_no_path(corpus: dict[str, Any]) -> None:
    """one-api stops on a bare ``StopIteration``; onesdk says which argument lacks what."""
    offline = [
        d
        for d in corpus["records"]
        if not any(fr["data_url"] for fr in cast(list[dict[str, object]], d["file_records"]))
    ]
    assert offline
    with pytest.raises(ArgumentError, match="data_url"):
        one_path_from_dataset(offline[0], PurePosixPath("/one"))
