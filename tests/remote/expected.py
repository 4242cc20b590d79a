"""Read one-api 3.6.1's recorded calls and results from the reference corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def remote_calls(corpus: Path, method: str, modes: tuple[str, ...] = ("remote",)) -> list[str]:
    """Ids of the calls of ``method`` in ``modes`` that have a stored result."""
    calls = json.loads((corpus / "expected" / "calls.json").read_text())
    results = corpus / "expected" / "results"
    return [
        c["id"]
        for c in calls
        if c["method"] == method and c["mode"] in modes and (results / f"{c['id']}.json").is_file()
    ]


def call(corpus: Path, call_id: str) -> dict[str, Any]:
    calls = json.loads((corpus / "expected" / "calls.json").read_text())
    found: dict[str, Any] = next(c for c in calls if c["id"] == call_id)
    return found


def result(corpus: Path, call_id: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (corpus / "expected" / "results" / f"{call_id}.json").read_text()
    )
    return loaded
