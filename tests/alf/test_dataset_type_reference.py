"""Differential test: onesdk.alf.get_dataset_type against one-api's on the recorded dataset types.

The 127 dataset types of the recorded ``GET /dataset-types`` and file names built from each of
them (from its pattern or its object.attribute, in other cases, below folders) plus every file
name of the recorded cache go to the reference venv in one subprocess call. Both sides must
pick the same type, or fail alike: no type, or the same several types (which several, the
reference tells by matching each type alone).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from onesdk import alf
from onesdk.errors import DatasetTypeMismatch
from tests.reference import run_reference

pytestmark = pytest.mark.reference

REFERENCE_SCRIPT = r"""
import json, sys
from one.registration import get_dataset_type

def outcome(name, dtypes):
    try:
        return {"type": get_dataset_type(name, dtypes)["name"]}
    except ValueError:
        pass
    several = []
    for dtype in dtypes:
        try:
            several.append(get_dataset_type(name, [dtype])["name"])
        except ValueError:
            pass
    return {"matches": several}

payload = json.load(sys.stdin)
print(json.dumps([outcome(name, payload["dtypes"]) for name in payload["names"]]))
"""


def recorded_dataset_types(corpus: Path) -> list[dict[str, str | None]]:
    for exchange in sorted((corpus / "exchanges").glob("x*.json")):
        record = json.loads(exchange.read_text(encoding="utf-8"))
        request = record["request"]
        if request["path"] == "/dataset-types" and not request["query"]:
            results: list[dict[str, str | None]] = record["response"]["body"]["results"]
            return results
    pytest.fail("no recorded GET /dataset-types in the corpus")


def names_for(dtypes: list[dict[str, str | None]], corpus: Path) -> list[str]:
    rel_paths = pq.read_table(corpus / "cache" / "datasets.pqt", columns=["rel_path"])
    names = {posixpath.basename(str(p)) for p in rel_paths.column("rel_path").to_pylist()}
    for dtype in dtypes:
        pattern, type_name = dtype["filename_pattern"], dtype["name"]
        assert type_name is not None
        if pattern and pattern.strip():
            made = pattern.replace("*", "x").replace("?", "y")
            names |= {made, made.upper(), f"raw/{made}", made + ".npy"}
        else:
            names |= {f"{type_name}.npy", f"_ns_{type_name}_clock.extra.npy", type_name}
            names |= {f"{type_name}.npy".swapcase(), f"alf/{type_name}.npy", f"{type_name}.ext.pqt"}
    names |= {"", "no_match", "README.md", "obj.attr", ".npy", "a.b.c.d.e"}
    return sorted(names)


def onesdk_outcome(name: str, dtypes: list[dict[str, str | None]]) -> dict[str, object]:
    try:
        return {"type": alf.get_dataset_type(name, dtypes)["name"]}
    except DatasetTypeMismatch as error:
        return {"matches": list(error.matches)}


@pytest.mark.shared
def test_same_type_or_same_failure_as_one_api(shared_alyx: Path, reference_python: Path) -> None:
    dtypes = recorded_dataset_types(shared_alyx)
    assert len(dtypes) > 100
    names = names_for(dtypes, shared_alyx)
    theirs = run_reference(reference_python, REFERENCE_SCRIPT, {"dtypes": dtypes, "names": names})
    ours = [onesdk_outcome(name, dtypes) for name in names]
    compared = zip(names, ours, theirs, strict=True)
    differing = [(name, mine, ref) for name, mine, ref in compared if mine != ref]
    assert differing == []
    # the comparison covers each outcome: a match, none, and several
    failures = [o["matches"] for o in ours if "matches" in o]
    assert len(ours) - len(failures) > 100
    assert [] in failures
    assert any(isinstance(m, list) and len(m) >= 2 for m in failures)


DIFFERENCES_SCRIPT = r"""
import json, sys
from one.registration import get_dataset_type

record = {"name": "obj.attr", "filename_pattern": ""}
found = get_dataset_type("obj.attr.npy", [record])
try:
    get_dataset_type("obj.attr.npy", [{"name": "obj.attr", "filename_pattern": None}])
    null_pattern = "matched"
except Exception as exc:
    null_pattern = type(exc).__name__
print(json.dumps({"same_record": found is record, "null_pattern": null_pattern}))
"""


def test_the_documented_differences_are_exactly_these(reference_python: Path) -> None:
    # docs/differences.md, row `one.registration`: one-api copies a dict record and fails on a
    # null pattern; onesdk returns the record itself and reads a null pattern as none
    theirs = run_reference(reference_python, DIFFERENCES_SCRIPT, {})
    assert theirs == {"same_record": False, "null_pattern": "AttributeError"}
    record = {"name": "obj.attr", "filename_pattern": ""}
    assert alf.get_dataset_type("obj.attr.npy", [record]) is record
    null: dict[str, str | None] = {"name": "obj.attr", "filename_pattern": None}
    assert alf.get_dataset_type("obj.attr.npy", [null]) is null
