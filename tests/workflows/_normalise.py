"""Turn a workflow result into plain JSON, the same way in both interpreters.

This module imports nothing from onesdk or one-api: the reference harness executes its source
in the one-api venv, and the onesdk side imports it, so both results go through one function.
Records become mappings (onesdk models are read through their mapping access, pandas Series
through their index), paths are made relative to the cache dir, loopback URLs are given back
their recorded host names and arrays are summarised by dtype, shape and a digest of their bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

#: arrays up to this many elements are compared value by value, larger ones by digest
SMALL = 64


def _text(value: str, root: str, hosts: Mapping[str, str]) -> str:
    for url, host in hosts.items():
        value = value.replace(url, host)
    if root and value.startswith(root):
        value = value[len(root) :].lstrip("/")
    return value


def _array(value: Any, root: str, hosts: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"ndarray": str(value.dtype), "shape": list(value.shape)}
    if value.size <= SMALL or value.dtype.kind == "O":
        out["data"] = norm(value.tolist(), root, hosts)
    else:
        out["md5"] = hashlib.md5(np.ascontiguousarray(value).tobytes()).hexdigest()
    return out


def _frame(value: Any, root: str, hosts: Mapping[str, str]) -> dict[str, Any]:
    index = [list(i) if isinstance(i, tuple) else i for i in value.index.tolist()]
    columns = sorted(str(c) for c in value.columns)
    data = {str(c): norm(value[c].tolist(), root, hosts) for c in value.columns}
    return {"frame": columns, "index": norm(index, root, hosts), "data": data}


def _record(value: Any) -> dict[str, Any] | None:
    """A record read as a mapping: dicts, pandas Series, and typed records with mapping access."""
    if isinstance(value, Mapping):
        return {str(k): value[k] for k in value}
    if isinstance(value, pd.Series):
        return {str(k): v for k, v in value.items()}
    keys = getattr(value, "keys", None)
    if callable(keys) and hasattr(value, "__getitem__"):
        return {str(k): value[k] for k in keys()}
    return None


def norm(value: Any, root: str = "", hosts: Mapping[str, str] | None = None) -> Any:
    """``value`` as JSON-compatible data (see the module docstring)."""
    hosts = hosts or {}
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, str):
        return _text(value, root, hosts)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, PurePath):
        return _text(value.as_posix(), root, hosts)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return _array(value, root, hosts)
    if isinstance(value, np.generic):
        return norm(value.item(), root, hosts)
    if isinstance(value, pd.DataFrame):
        return _frame(value, root, hosts)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [norm(v, root, hosts) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(norm(v, root, hosts) for v in value)
    record = _record(value)
    if record is not None:
        return {k: norm(v, root, hosts) for k, v in record.items()}
    if hasattr(value, "__iter__"):
        return [norm(v, root, hosts) for v in value]
    return repr(value)


def same(ours: Any, theirs: Any) -> bool:
    """Equal after normalising; a record of ours may carry more keys than the reference's."""
    if isinstance(ours, float) or isinstance(theirs, float):
        if ours is None or theirs is None or isinstance(ours, str) or isinstance(theirs, str):
            return bool(ours == theirs)
        return math.isclose(float(ours), float(theirs), rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(map(same, ours, theirs))
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return all(k in ours and same(ours[k], v) for k, v in theirs.items())
    return bool(ours == theirs)
