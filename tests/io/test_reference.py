"""Differential tests: onesdk.alf.io and one-api 3.6.1's one.alf.io read the same files alike.

Both sides turn what they load into the same JSON description (kind, shape, dtype, values), so
keys, shapes and values are compared exactly. Known, deliberate differences (docs/differences.md)
are normalised away by the description: a one-column csv the reference squeezes into a Series is
described as a table, an npz archive as a mapping, an ALFPath as a path.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from onesdk.alf import io as alfio
from onesdk.errors import ALFWarning
from tests.reference import run_reference

pytestmark = pytest.mark.reference

# Shared by both interpreters: exec'ed here and sent to the reference venv.
DESCRIBE = r"""
import math
from pathlib import Path

import numpy as np
import pandas as pd


def _plain(value):
    if isinstance(value, float):
        return repr(value) if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (bytes, np.generic)):
        return repr(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return f"{type(value).__name__}:{value}"


def describe(value):
    if isinstance(value, pd.Series):
        value = value.to_frame()
    if isinstance(value, np.ndarray):
        return {"kind": "array", "shape": list(value.shape), "dtype": value.dtype.str,
                "values": _plain(value.tolist())}
    if isinstance(value, pd.DataFrame):
        return {"kind": "table", "columns": [str(c) for c in value.columns],
                "values": [_plain(value[c].tolist()) for c in value.columns]}
    if hasattr(value, "files") and hasattr(value, "close"):  # npz archive
        return {"kind": "mapping", "items": {k: describe(value[k]) for k in value.files}}
    if isinstance(value, Path):
        return {"kind": "path", "value": str(value)}
    if isinstance(value, dict) and all(isinstance(v, np.ndarray) for v in value.values()) and value:
        return {"kind": "mapping", "items": {k: describe(v) for k, v in value.items()}}
    return {"kind": "document", "value": _plain(value)}
"""

REFERENCE_SCRIPT = (
    DESCRIBE
    + r"""
import json
import logging
import sys
import warnings

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
from one.alf import io as alfio

payload = json.load(sys.stdin)
files = {}
for name in payload["files"]:
    try:
        files[name] = describe(alfio.load_file_content(name))
    except Exception as exc:
        files[name] = {"error": type(exc).__name__}
objects = []
for folder, obj, kwargs in payload["objects"]:
    try:
        bunch = alfio.load_object(folder, obj, **kwargs)
        objects.append({"keys": {k: describe(v) for k, v in bunch.items()},
                        "consistent": bunch.check_dimensions == 0})
    except Exception as exc:
        objects.append({"error": type(exc).__name__})
listed = {}
for folder in payload.get("folders", []):
    names, parts = alfio.filter_by(folder)
    listed[folder] = [[str(n) for n in names], [list(p) for p in parts]]
walk = {"listed": listed}
if payload.get("root"):
    sessions = [str(p) for p in alfio.iter_sessions(payload["root"])]
    walk.update(sessions=sessions,
                datasets={s: [str(d) for d in alfio.iter_datasets(s)] for s in sessions})
json.dump({"files": files, "objects": objects, "walk": walk}, sys.stdout)
"""
)

_namespace: dict[str, Any] = {}
exec(DESCRIBE, _namespace)
describe = _namespace["describe"]


def _ours(payload: dict[str, Any]) -> dict[str, Any]:
    """What onesdk makes of ``payload``, described like the reference script does."""
    files: dict[str, Any] = {}
    for name in payload["files"]:
        try:
            files[name] = describe(alfio.load_file_content(name))
        except Exception as exc:
            files[name] = {"error": type(exc).__name__}
    objects: list[dict[str, Any]] = []
    for folder, obj, kwargs in payload["objects"]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ALFWarning)
            try:
                bunch = alfio.load_object(folder, obj, **kwargs)
            except Exception as exc:
                objects.append({"error": type(exc).__name__})
                continue
        warned = any(issubclass(w.category, ALFWarning) for w in caught)
        assert warned == bool(bunch.check_dimensions), (folder, obj)
        objects.append(
            {
                "keys": {k: describe(v) for k, v in bunch.items()},
                "consistent": bunch.check_dimensions == 0,
            }
        )
    listed: dict[str, Any] = {}
    for folder in payload.get("folders", []):
        names, parts = alfio.filter_by(folder)
        listed[folder] = [[str(n) for n in names], [list(p) for p in parts]]
    walk: dict[str, Any] = {"listed": listed}
    if payload.get("root"):
        sessions = [str(p) for p in alfio.iter_sessions(payload["root"])]
        walk["sessions"] = sessions
        walk["datasets"] = {s: [str(d) for d in alfio.iter_datasets(s)] for s in sessions}
    return {"files": files, "objects": objects, "walk": walk}


def _compare(reference_python: Path, payload: dict[str, Any]) -> dict[str, Any]:
    expected = run_reference(reference_python, REFERENCE_SCRIPT, payload)
    actual: dict[str, Any] = json.loads(json.dumps(_ours(payload)))
    for name in payload["files"]:
        assert actual["files"][name] == expected["files"][name], name
    for call, mine, theirs in zip(
        payload["objects"], actual["objects"], expected["objects"], strict=True
    ):
        if _has_table(call) and "keys" in mine and "keys" in theirs:
            _forgive_table_dtypes(mine["keys"], theirs["keys"])
        assert mine == theirs, call
    assert actual["walk"] == expected["walk"]
    return actual


def _has_table(call: list[Any]) -> bool:
    folder, obj = Path(call[0]), call[1]
    if obj is None:
        folder, obj = folder.parent, folder.name.split(".")[0].split("_")[-1]
    return bool(alfio.filter_by(folder, object=obj, attribute="table")[0])


def _forgive_table_dtypes(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    """The reference turns a table into arrays through ``DataFrame.values``, which casts every
    column to one common dtype; onesdk keeps each column's dtype (docs/differences.md). The
    values must still be equal."""
    for key, value in mine.items():
        other = theirs.get(key)
        if (
            isinstance(other, dict)
            and value.get("kind") == other.get("kind") == "array"
            and value["dtype"] != other["dtype"]
            and value["shape"] == other["shape"]
            and value["values"] == other["values"]
        ):
            value["dtype"] = other["dtype"]


def _save(folder: Path, name: str, value: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    np.save(folder / name, np.asarray(value))


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """A session folder with the ALF features the loaders must agree on."""
    rng = np.random.default_rng(7)
    alf = tmp_path / "alf"
    _save(alf, "_ibl_trials.choice.npy", rng.integers(-1, 2, 20))
    _save(alf, "_ibl_trials.intervals_bpod.npy", rng.random((20, 2)))
    _save(alf, "_ibl_trials.stimOn_times.extra.npy", rng.random(20))
    _save(alf, "_ibl_trials.goCue_times_bpod.raw.npy", rng.random((20, 1)))
    table = pd.DataFrame(
        {
            "feedbackType": rng.choice([-1.0, 1.0], 20),
            "intervals_0": rng.random(20),
            "intervals_1": rng.random(20),
            "contrastLeft": np.where(rng.random(20) > 0.5, np.nan, 0.25),
        }
    )
    table.to_parquet(alf / "_ibl_trials.table.pqt")
    table.iloc[:5].to_parquet(alf / "_ibl_subjectTrials.table_bpod.raw.pqt")
    _save(alf, "_ibl_wheel.position.npy", rng.random(50))
    _save(alf, "_ibl_wheel.timestamps.npy", [[0, 10.0], [49, 59.0]])
    _save(alf, "spikes.times.npy", np.sort(rng.random(100)))
    _save(alf, "spikes.clusters.npy", rng.integers(0, 5, 100).astype(np.uint32))
    _save(alf, "spikes.amps.npy", rng.random(99))  # one short: inconsistent
    _save(alf, "clusters.ccf.npy", rng.integers(0, 100, (5, 3)))
    (alf / "clusters.ccf.metadata.json").write_text(json.dumps({"columns": ["x", "y", "z"]}))
    _save(alf, "clusters.depths.npy", rng.random(5))
    (alf / "clusters.brainLocation.json").write_text(json.dumps({"acronym": ["CA1", "VISp"]}))
    pd.DataFrame({"a": [1, 2, 3], "c": [0.5, 1.5, 2.5]}).to_csv(
        alf / "licks.table.csv", index=False
    )
    pd.DataFrame({"a": [1, 2, 3]}).to_csv(alf / "licks.single.csv", index=False)
    pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}).to_csv(
        alf / "licks.extra.tsv", sep="\t", index=False
    )
    with open(alf / "_ibl_passive.stims.npz", "wb") as stream:
        np.savez(stream, a=np.arange(3), b=np.ones((2, 2)))
    with open(alf / "_ibl_passive.single.npz", "wb") as stream:
        np.savez(stream, np.arange(4))
    raw = tmp_path / "raw_behavior_data"
    raw.mkdir()
    (raw / "_iblrig_taskData.raw.jsonable").write_text('{"trial": 1}\n{"trial": 2, "x": null}\n')
    (raw / "_iblrig_taskSettings.raw.json").write_text(json.dumps({"PYBPOD_BOARD": "x"}))
    (raw / "_iblrig_codeFiles.raw.yaml").write_text("a: 1\nb: [1, 2]\n")
    (raw / "_spikeglx_ephysData_g0_t0.imec0.ap.meta").write_text("nSavedChans=385\n")
    return tmp_path


def test_synthetic_folders_agree(reference_python: Path, synthetic: Path) -> None:
    alf, raw = str(synthetic / "alf"), str(synthetic / "raw_behavior_data")
    files = sorted(str(p) for p in synthetic.rglob("*.*.*"))
    calls: list[list[Any]] = [
        [alf, "trials", {}],
        [alf, "trials", {"short_keys": True, "extra": None}],
        [alf, "trials", {"timescale": "bpod"}],
        [alf, "trials", {"attribute": ["choice", "stim*"]}],
        [alf, "trials", {"namespace": "ibl", "attribute": "^int", "wildcards": False}],
        [alf, "subjectTrials", {}],
        [alf, "wheel", {}],
        [alf, "spikes", {}],
        [alf, "spikes", {"attribute": ["times", "clusters"]}],
        [alf, "clusters", {}],
        [alf, "licks", {}],
        [alf, "passive", {}],
        [alf, "nothing", {}],
        [str(synthetic / "alf" / "_ibl_wheel.position.npy"), None, {}],
        [raw, "taskData", {}],
        [raw, "taskSettings", {}],
        [raw, "codeFiles", {}],
        [raw, "ephysData_g0_t0", {}],
    ]
    result = _compare(reference_python, {"files": files, "objects": calls})
    spikes = result["objects"][7]
    assert not spikes["consistent"]
    assert set(result["objects"][0]["keys"]) >= {"feedbackType", "intervals", "intervals_bpod"}


def _real_files(shared_alyx: Path) -> list[Path]:
    root = shared_alyx / "files"
    return sorted(p for p in root.rglob("*") if p.is_file() and "caches" not in p.parts)


def test_real_files_agree(reference_python: Path, shared_alyx: Path) -> None:
    files = _real_files(shared_alyx)
    assert len(files) > 500
    folders = sorted({f.parent for f in files})
    calls: list[list[Any]] = []
    for folder in folders:
        _, parts = alfio.filter_by(folder)
        for obj in sorted({str(p[1]) for p in parts}):
            calls.append([str(folder), obj, {}])
    assert len(calls) > 100
    payload = {
        "files": [str(f) for f in files],
        "objects": calls,
        "root": str(shared_alyx / "files"),
        "folders": [str(f) for f in folders],
    }
    result = _compare(reference_python, payload)
    assert len(result["walk"]["sessions"]) > 10
    assert len(result["walk"]["listed"]) == len(folders)
    errors = {k: v for k, v in result["files"].items() if "error" in v}
    assert not errors
    failed = [call for call, out in zip(calls, result["objects"], strict=True) if "error" in out]
    assert not failed
    kinds = {v["kind"] for v in result["files"].values()}
    assert kinds >= {"array", "table", "document", "path"}
