"""ONE_REVISION_LAST_BEFORE pins loads to the last revision at or before it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onesdk import One
from onesdk.errors import ArgumentError

SESSION = "lab1/Subjects/SUB1/2024-01-02/001"
#: revision folder -> the value stored in each revision's files
REVISIONS = {"": 0.0, "#2024-03-01#": 1.0, "#2024-06-01#": 2.0}


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("pinned")
    for folder, value in REVISIONS.items():
        alf = root / SESSION / "alf" / folder
        alf.mkdir(parents=True, exist_ok=True)
        np.save(alf / "_ibl_trials.choice.npy", np.full(3, value))
        np.save(alf / "_ibl_trials.intervals.npy", np.full((3, 2), value))
    return One.setup(root, silent=True)


def _first(one: One, eid: str, dataset: str, revision: str | None = None) -> float:
    value = one.load_dataset(eid, dataset, revision=revision)
    assert isinstance(value, np.ndarray)
    return float(value.flat[0])


def _eid(one: One) -> str:
    (eid,) = one.search()
    return str(eid)


def test_without_the_pin_the_default_revision_loads(
    one: One, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONE_REVISION_LAST_BEFORE", raising=False)
    assert _first(one, _eid(one), "_ibl_trials.choice.npy") == 2.0


@pytest.mark.parametrize(
    ("pin", "expected"), [("2024-04-01", 1.0), ("2024-03-01", 1.0), ("2024-01-01", 0.0)]
)
def test_pinned_load_dataset_reads_the_last_revision_before(
    one: One, monkeypatch: pytest.MonkeyPatch, pin: str, expected: float
) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", pin)
    assert _first(one, _eid(one), "_ibl_trials.choice.npy") == expected


def test_pinned_load_object_and_collection_read_the_last_revision_before(
    one: One, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", "2024-04-01")
    eid = _eid(one)
    trials = one.load_object(eid, "trials")
    assert trials.array("choice")[0] == 1.0
    assert trials.array("intervals")[0, 0] == 1.0
    paths = one.load_object(eid, "trials", download_only=True)
    assert all("#2024-03-01#" in p.as_posix() for p in paths)
    collection = one.load_collection(eid, "alf")
    assert collection["trials"].array("choice")[0] == 1.0


def test_pinned_load_datasets_reads_the_last_revision_before(
    one: One, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", "2024-04-01")
    data, records = one.load_datasets(_eid(one), ["_ibl_trials.choice.npy"])
    assert isinstance(data[0], np.ndarray)
    assert data[0][0] == 1.0
    assert records[0] is not None
    assert records[0].revision == "2024-03-01"


def test_an_explicit_revision_wins_over_the_pin(one: One, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", "2024-01-01")
    assert _first(one, _eid(one), "_ibl_trials.choice.npy", revision="2024-06-01") == 2.0


def test_relative_paths_are_refused_while_pinned(one: One, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", "2024-04-01")
    eid = _eid(one)
    with pytest.raises(ArgumentError, match="ONE_REVISION_LAST_BEFORE"):
        one.load_dataset(eid, "alf/#2024-06-01#/_ibl_trials.choice.npy")
    with pytest.raises(ArgumentError, match="ONE_REVISION_LAST_BEFORE"):
        one.load_datasets(eid, ["alf/#2024-06-01#/_ibl_trials.choice.npy"])


def test_an_empty_pin_is_no_pin(one: One, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", "")
    assert _first(one, _eid(one), "_ibl_trials.choice.npy") == 2.0


def test_load_collection_honours_an_explicit_revision(
    one: One, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ONE_REVISION_LAST_BEFORE", raising=False)
    collection = one.load_collection(_eid(one), "alf", revision="2024-04-01")
    assert collection["trials"].array("choice")[0] == 1.0


REFERENCE_SCRIPT = """
import json, os, sys
job = json.load(sys.stdin)
os.environ["HOME"] = job["home"]
os.environ["ONE_REVISION_LAST_BEFORE"] = job["pin"]  # one-api reads it at import
from one.api import ONE
one = ONE(cache_dir=job["cache"], mode="local")
(eid,) = one.search()
root = os.path.join(job["cache"], job["session"])
def rel(paths):
    return sorted(os.path.relpath(str(p), root) for p in paths)
out = {
    "object": rel(one.load_object(eid, "trials", download_only=True)),
    "dataset": rel([one.load_dataset(eid, "_ibl_trials.choice.npy", download_only=True)]),
}
print(json.dumps(out))
"""


@pytest.mark.reference
@pytest.mark.parametrize("pin", ["2024-01-01", "2024-03-01", "2024-04-01", "2025-01-01"])
def test_pinned_loads_read_what_one_api_reads(
    one: One,
    monkeypatch: pytest.MonkeyPatch,
    reference_python: Path,
    tmp_path: Path,
    pin: str,
) -> None:
    from tests.reference import run_reference

    job = {"home": str(tmp_path), "pin": pin, "cache": str(one.cache_dir), "session": SESSION}
    theirs = run_reference(reference_python, REFERENCE_SCRIPT, job)
    monkeypatch.setenv("ONE_REVISION_LAST_BEFORE", pin)
    eid = _eid(one)
    root = one.cache_dir / SESSION
    ours = {
        "object": sorted(
            p.relative_to(root).as_posix()
            for p in one.load_object(eid, "trials", download_only=True)
        ),
        "dataset": [
            one.load_dataset(eid, "_ibl_trials.choice.npy", download_only=True)
            .relative_to(root)
            .as_posix()
        ],
    }
    assert ours == theirs
