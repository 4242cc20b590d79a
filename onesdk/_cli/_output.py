"""How the command line shows results: aligned text tables for people, JSON for scripts."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import uuid
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TextIO

import numpy as np

__all__ = ["Cell", "print_json", "print_table", "to_jsonable"]

Cell = str | int | float | bool | None
_MAX_CELL = 60

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def to_jsonable(value: object) -> JsonValue:
    """Convert what the API returns (DataFrames, models, UUIDs, arrays...) into JSON values."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, uuid.UUID | PurePath):
        return value.as_posix() if isinstance(value, PurePath) else str(value)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(dataclasses.asdict(value))
    dump = getattr(value, "model_dump", None)  # pydantic models
    if callable(dump):
        return to_jsonable(dump(mode="json"))
    frame = _frame_records(value)
    if frame is not None:
        return frame
    if isinstance(value, Sequence | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


def _frame_records(value: object) -> JsonValue:
    """A pandas DataFrame/Series as a list of records (index levels become columns), else None."""
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    if isinstance(value, pandas.Series):
        return to_jsonable(value.to_dict())
    if isinstance(value, pandas.DataFrame):
        frame = value.reset_index() if any(value.index.names) else value
        return [
            to_jsonable(dict(zip(frame.columns, row, strict=True)))
            for row in frame.itertuples(index=False)
        ]
    return None


def print_json(value: object, out: TextIO) -> None:
    json.dump(to_jsonable(value), out, indent=2, sort_keys=False)
    out.write("\n")


def _cell_text(value: Cell) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 3] + "..."


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], out: TextIO) -> None:
    """Left-aligned columns separated by two spaces, with a header rule."""
    cells = [[_cell_text(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    out.write("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in cells:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
