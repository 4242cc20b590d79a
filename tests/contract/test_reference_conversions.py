"""Differential: REST records become the same cache rows as one-api 3.6.1 makes of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from onesdk import _models as models
from tests.contract._corpus import exchanges, records, template_of
from tests.reference import run_reference

pytestmark = [pytest.mark.reference, pytest.mark.shared]

# Runs in the reference venv: one-api's own converters on the recorded records.
SCRIPT = """
import json, sys
from one.converters import ses2records, datasets2records
payload = json.load(sys.stdin)
out = {"sessions": [], "datasets": []}
def rows(frame):
    frame = frame.reset_index()
    result = []
    for rec in frame.to_dict("records"):
        result.append({k: (None if v is None or v != v else str(v) if k in ("eid", "id") else v)
                       for k, v in rec.items()})
    return result
for ses in payload["details"]:
    session, datasets = ses2records(ses)
    row = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in session.items()}
    row["id"] = str(session.name)
    out["sessions"].append(row)
    out["datasets"] += rows(datasets)
out["listed"] = rows(datasets2records(payload["datasets"]))
print(json.dumps(out, default=lambda v: v.item() if hasattr(v, "item") else str(v)))
"""

COLUMNS = ("eid", "id", "rel_path", "file_size", "hash", "exists", "qc", "default_revision")


def _recorded(shared_alyx: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    details: list[dict[str, object]] = []
    datasets: list[dict[str, object]] = []
    for exchange in exchanges(shared_alyx):
        if exchange.status != 200 or exchange.method != "GET":
            continue
        if template_of(exchange.path, ["/sessions/{id}"]):
            details += records(exchange.body)
        elif template_of(exchange.path, ["/datasets"]):
            datasets += records(exchange.body)
    return details, datasets


def _ours(row: dict[str, object]) -> dict[str, object]:
    return {k: row[k] for k in COLUMNS}


def _theirs(row: dict[str, Any]) -> dict[str, object]:
    return {k: row[k] for k in COLUMNS}


def test_session_details_give_one_apis_cache_rows(
    shared_alyx: Path, reference_python: Path
) -> None:
    details, datasets = _recorded(shared_alyx)
    assert details
    assert datasets
    result = cast(
        dict[str, list[dict[str, Any]]],
        run_reference(reference_python, SCRIPT, {"details": details, "datasets": datasets}),
    )
    converted = [models.session_details_from_rest(d, strict=True) for d in details]
    ours_sessions = [models.session_to_cache(s) for s in converted]
    for mine, theirs in zip(ours_sessions, result["sessions"], strict=True):
        for key in ("id", "lab", "subject", "number", "task_protocol", "projects"):
            assert mine[key] == theirs[key], key
        assert str(mine["date"]) == theirs["date"]
    ours_datasets = sorted(
        (
            _ours(models.dataset_to_cache(d))
            for s in converted
            for d in s.data_dataset_session_related
        ),
        key=lambda r: (str(r["eid"]), str(r["id"])),
    )
    theirs_datasets = sorted(
        (_theirs(r) for r in result["datasets"]), key=lambda r: (str(r["eid"]), str(r["id"]))
    )
    assert len(theirs_datasets) > 50
    assert ours_datasets == theirs_datasets


def test_dataset_records_give_one_apis_cache_rows(
    shared_alyx: Path, reference_python: Path
) -> None:
    _, datasets = _recorded(shared_alyx)
    result = cast(
        dict[str, list[dict[str, Any]]],
        run_reference(reference_python, SCRIPT, {"details": [], "datasets": datasets}),
    )
    # one-api keeps only datasets with a file on an HTTP repository: exists=True here
    mine = {}
    for record in datasets:
        dataset = models.dataset_from_rest(record, strict=True)
        if dataset.exists:
            mine[str(dataset.id)] = _ours(models.dataset_to_cache(dataset))
    theirs = {str(r["id"]): _theirs(r) for r in result["listed"]}
    assert len(theirs) > 50
    assert mine == theirs
