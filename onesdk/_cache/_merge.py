"""Merge the tables of an instance into the tables already saved in a folder (``save_cache``).

The rows of the instance win; rows only in the folder are kept; each table's ``date_created``
is the older of the two, as one-api's ``save_cache`` without ``clobber``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache._io import _dictionary, sort_datasets
from onesdk._cache._tables import CacheTables, JsonDict
from onesdk.errors import CacheError

__all__ = ["merge_tables"]


def _plain(column: Any) -> Any:
    if pa.types.is_dictionary(column.type):
        return pc.cast(column, column.type.value_type)
    return column


def _union(ours: pa.Table, theirs: pa.Table, what: str) -> pa.Table:
    """``ours`` plus the rows of ``theirs`` whose ``id`` is not in ``ours`` (plain columns; a
    row ``theirs`` holds twice is added once)."""
    ours = pa.Table.from_arrays([_plain(c) for c in ours.columns], names=ours.column_names)
    theirs = pa.Table.from_arrays([_plain(c) for c in theirs.columns], names=theirs.column_names)
    kept = theirs.filter(pc.invert(pc.is_in(theirs.column("id"), ours.column("id"))))
    ids = kept.column("id").to_numpy(zero_copy_only=False)
    first = np.unique(ids, return_index=True)[1]
    if len(first) < len(kept):  # a saved row repeated: kept once
        kept = kept.take(np.sort(first))
    if len(kept) == 0:
        return ours
    shared = [n for n in kept.column_names if n in ours.column_names]
    try:
        kept = kept.select(shared).cast(ours.select(shared).schema)
        return pa.concat_tables([ours, kept], promote_options="default")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        raise CacheError(f"cannot merge the saved {what} table with this one ({exc})") from exc


def _older(first: object, second: object) -> object:
    dates = []
    for value in (first, second):
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                dates.append((dt.datetime.fromisoformat(value), value))
    return min(dates)[1] if dates else first


def merge_tables(ours: CacheTables, saved: CacheTables) -> CacheTables:
    """``ours`` with the rows only ``saved`` holds added (both in the in-memory layout)."""
    sessions = _union(ours.sessions, saved.sessions, "sessions")
    sessions = sessions.take(pc.sort_indices(sessions, [("id", "ascending")]))
    datasets = _union(ours.datasets, saved.datasets, "datasets")
    columns: list[Any] = [
        _dictionary(column) if name in ("eid", "rel_path") else column
        for name, column in zip(datasets.column_names, datasets.columns, strict=True)
    ]
    datasets = sort_datasets(pa.Table.from_arrays(columns, names=datasets.column_names))
    metadata: dict[str, JsonDict] = {}
    for name in ("sessions", "datasets"):
        meta = dict(ours.metadata.get(name, {}))
        created = _older(meta.get("date_created"), saved.metadata.get(name, {}).get("date_created"))
        if created is not None:
            meta["date_created"] = created
        metadata[name] = meta
    return CacheTables(sessions.combine_chunks(), datasets, metadata, ours.info, ours.loaded_time)
