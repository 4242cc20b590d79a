"""Replay one-api's recorded local-mode calls (../shared/alyx/expected) against onesdk.

A cache dir is assembled in a temporary folder from symlinks into the corpus (the tables, and
every served file under its name without the dataset UUID, as ONE stores them); nothing of the
corpus is copied. Results are compared after normalising both sides to plain JSON values.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePath

import numpy as np
import pandas as pd
from pydantic import BaseModel

from onesdk._facade._one import One

_UUID_IN_NAME = re.compile(r"\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?=\.)")
TABLES = {"local": "cache", "local_tag": "cache/tag_2024_Q1_release"}


def build_cache_dir(corpus: Path, mode: str, target: Path) -> Path:
    """A cache dir for ``mode``: table symlinks plus UUID-free symlinks to every data file."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("sessions.pqt", "datasets.pqt", "cache_info.json"):
        (target / name).symlink_to(corpus / TABLES[mode] / name)
    files = corpus / "files"
    for lab in ("cortexlab", "hoferlab", "mainenlab"):
        for path in (files / lab).rglob("*"):
            if path.is_file():
                rel = path.relative_to(files)
                link = target / rel.parent / _UUID_IN_NAME.sub("", rel.name)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path)
    return target


def calls(corpus: Path, modes: tuple[str, ...]) -> list[dict[str, object]]:
    loaded = json.loads((corpus / "expected" / "calls.json").read_text())
    out: list[dict[str, object]] = []
    for call in loaded:
        result = corpus / "expected" / "results" / f"{call['id']}.json"
        if call["mode"] in modes and result.is_file():
            call["expected"] = json.loads(result.read_text())
            out.append(call)
    return out


def resolve_arg(one: One, value: object) -> object:
    """The special argument forms of calls.json."""
    if isinstance(value, list):
        return [resolve_arg(one, v) for v in value]
    if isinstance(value, dict):
        if "$path" in value:
            return one.cache_dir / str(value["$path"])
        if "$uuid" in value:
            return uuid.UUID(str(value["$uuid"]))
        if "$dataset_row" in value:
            _, did = value["$dataset_row"]
            return one.load_dataset_from_id(did, download_only=True, details=True)[1]
        if "$session_row" in value:
            return one.get_details(str(value["$session_row"]))
        return {k: resolve_arg(one, v) for k, v in value.items()}
    return value


def run(one: One, call: Mapping[str, object]) -> tuple[str, object]:
    """('ok', result) or ('error', exception)."""
    try:
        method = getattr(one, str(call["method"]).split(".")[0])
        args = [resolve_arg(one, a) for a in call["args"]]  # type: ignore[attr-defined]
        kwargs = {k: resolve_arg(one, v) for k, v in call["kwargs"].items()}  # type: ignore[attr-defined]
        return "ok", method(*args, **kwargs)
    except Exception as exc:  # every exception is a result to compare
        return "error", exc


def plain(value: object, root: Path) -> object:
    """Normalise a onesdk result to the JSON shapes of the corpus."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump(), root)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, PurePath):
        try:
            return Path(value).relative_to(root).as_posix()
        except ValueError:
            return PurePath(value).as_posix()
    if isinstance(value, pd.DataFrame):
        frame = value.astype(object).where(value.notna(), None)
        index = [list(i) if isinstance(i, tuple) else i for i in frame.index.tolist()]
        return {
            "columns": [str(c) for c in frame.columns],
            "index": [plain(i, root) for i in index],
            "data": [[plain(v, root) for v in row] for row in frame.to_numpy().tolist()],
        }
    if isinstance(value, np.ndarray):
        data = plain(value.tolist(), root)
        return {"dtype": str(value.dtype), "shape": list(value.shape), "data": data}
    if isinstance(value, Mapping):
        return {str(k): plain(v, root) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, root) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def expected_plain(value: object) -> object:
    """Normalise a corpus value (drop the serialisation wrappers)."""
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "DataFrame":
            return {"columns": value["columns"], "index": value["index"], "data": value["data"]}
        if kind == "ndarray":
            return {"dtype": value["dtype"], "shape": value["shape"], "data": value["data"]}
        if kind == "Series":
            return dict(zip(value["index"], value["data"], strict=True))
        return {k: expected_plain(v) for k, v in value.items() if k != "type"}
    if isinstance(value, list):
        return [expected_plain(v) for v in value]
    return value
