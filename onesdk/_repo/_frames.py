"""one-api's pandas cache frames from the Arrow tables and back (``One._cache``, ``alf.cache``).

one-api keeps its tables as pandas frames: ``sessions`` indexed by ``id`` and ``datasets``
indexed by ``(eid, id)``, the labels :class:`uuid.UUID` objects (a label that is no UUID stays
as it is). A frame turned back into a table goes through the same normalisation as a
one-api-written parquet table.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onesdk.errors import CacheError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "INDEX_NAMES",
    "datasets_table",
    "one_api_datasets_frame",
    "one_api_sessions_frame",
    "sessions_table",
    "with_uuid_index",
]

#: the index names of one-api's frames
INDEX_NAMES: dict[str, tuple[str, ...]] = {"sessions": ("id",), "datasets": ("eid", "id")}


def _uuids(index: pd.Index) -> pd.Index:
    """The labels of ``index`` as :class:`uuid.UUID` objects, those that are UUIDs."""
    import pandas as pd

    def one(value: object) -> object:
        try:
            return uuid.UUID(str(value))
        except ValueError:
            return value

    labels: pd.Index = pd.Index([one(v) for v in index], name=index.name, dtype=object)
    return labels


def with_uuid_index(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the labels of its index (each level's) as UUID objects (in place)."""
    import pandas as pd

    index = frame.index
    if isinstance(index, pd.MultiIndex):
        levels: list[Any] = [_uuids(level) for level in index.levels]
        frame.index = index.set_levels(levels)
    else:
        frame.index = _uuids(index)
    return frame


def one_api_sessions_frame(table: pa.Table) -> pd.DataFrame:
    """The sessions table as one-api's frame (``number`` int64, UUID labels)."""
    from onesdk._repo._results import sessions_frame

    frame = sessions_frame(table)
    if "number" in frame.columns:
        frame["number"] = frame["number"].astype("int64")
    return with_uuid_index(frame)


def one_api_datasets_frame(table: pa.Table) -> pd.DataFrame:
    """The datasets table as one-api's frame (index ``(eid, id)``, UUID labels)."""
    from onesdk._repo._results import datasets_frame

    return with_uuid_index(datasets_frame(table, eid_index=True))


def _text(value: object) -> object:
    """An id as text (UUID objects included); missing values stay missing."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value) if isinstance(value, uuid.UUID | str) else value


def _flat(frame: object, key: str, where: str) -> pa.Table:
    """``frame`` (indexed as in one-api) as an Arrow table with its index as columns."""
    import pandas as pd
    import pyarrow as pa

    if not isinstance(frame, pd.DataFrame):
        raise CacheError(f"{where}: expected a pandas DataFrame, got {type(frame).__name__}")
    names = INDEX_NAMES[key]
    if frame.index.nlevels == len(names) and list(frame.index.names) != list(names):
        frame = frame.rename_axis(list(names) if len(names) > 1 else names[0])
    flat = frame.reset_index() if any(frame.index.names) else frame.copy(deep=False)
    for name in names:
        if name in flat.columns and flat[name].dtype == object:
            flat[name] = flat[name].map(_text)
    flat = flat.infer_objects()
    try:
        return pa.Table.from_pandas(flat, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise CacheError(f"{where}: cannot be read as a cache table ({exc})") from exc


def sessions_table(frame: object, where: str) -> pa.Table:
    """A one-api sessions frame as the in-memory sessions table (``where`` names it in errors)."""
    import pandas as pd

    from onesdk._cache import empty_tables
    from onesdk._cache._io import _normalise_sessions

    if isinstance(frame, pd.DataFrame) and len(frame) == 0:
        return empty_tables().sessions
    return _normalise_sessions(_flat(frame, "sessions", where), Path(where))


def datasets_table(frame: object, where: str) -> pa.Table:
    """A one-api datasets frame as the in-memory datasets table (``where`` names it in errors)."""
    import pandas as pd

    from onesdk._cache import empty_tables
    from onesdk._cache._io import _normalise_datasets

    if isinstance(frame, pd.DataFrame) and len(frame) == 0:
        return empty_tables().datasets
    return _normalise_datasets(_flat(frame, "datasets", where), Path(where))
