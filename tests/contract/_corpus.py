"""Reading the recorded Alyx exchanges of the reference corpus (read in place, never copied)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

ALYX_HOST = "http://alyx.test"


@dataclass(frozen=True)
class Exchange:
    """One recorded request/response with the Alyx server."""

    id: str
    method: str
    path: str
    status: int
    body: object


def _read_json(path: Path) -> object:
    with path.open(encoding="utf-8") as stream:
        return json.load(stream)


def exchanges(shared_alyx: Path) -> Iterator[Exchange]:
    """Every exchange with the Alyx host whose response body is JSON."""
    folder = shared_alyx / "exchanges"
    index = cast(list[dict[str, object]], _read_json(folder / "index.json"))
    for entry in index:
        if entry["host"] != ALYX_HOST:
            continue
        record = cast(dict[str, dict[str, object]], _read_json(folder / str(entry["file"])))
        response = record["response"]
        if response["body_encoding"] != "json":
            continue
        yield Exchange(
            id=str(entry["id"]),
            method=str(entry["method"]),
            path=str(entry["path"]),
            status=int(cast(int, entry["status"])),
            body=response["body"],
        )


def template_of(path: str, templates: list[str]) -> str | None:
    """The contract path template (``/sessions/{id}``) that a concrete request path matches."""
    parts = path.split("/")
    for template in templates:
        pattern = template.split("/")
        if len(pattern) != len(parts):
            continue
        pairs = zip(pattern, parts, strict=True)
        if all(t == p or (t.startswith("{") and t.endswith("}") and p) for t, p in pairs):
            return template
    return None


def records(body: object) -> list[dict[str, object]]:
    """The records of a response body: a page's results, or the single record."""
    if isinstance(body, dict) and "results" in body and "count" in body:
        return cast(list[dict[str, object]], body["results"])
    return [cast(dict[str, object], body)]
