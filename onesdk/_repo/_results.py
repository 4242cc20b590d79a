"""Shape Arrow query results into what users get back: pandas frames and typed records.

Frames keep the reference's columns and dtypes where they matter (``qc`` is an ordered
categorical of QC names, ``rel_path``/``hash`` are strings, ``file_size`` nullable UInt64);
ids are strings (not UUID objects), which keeps the frames Arrow-backed and cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from onesdk._cache._schema import QC_NAMES, QC_VALUES

if TYPE_CHECKING:
    from onesdk._models import Dataset, Session

__all__ = [
    "QC_DTYPE",
    "datasets_frame",
    "session_model",
    "session_rel_path",
    "sessions_frame",
]

QC_DTYPE = pd.CategoricalDtype(categories=list(QC_NAMES), ordered=True)


def _plain(column: Any) -> Any:
    if pa.types.is_dictionary(column.type):
        return pc.cast(column, column.type.value_type)
    return column


def _index_values(column: Any, name: str) -> pd.Index:
    values: pd.Series = _plain(column).to_pandas()
    index: pd.Index = pd.Index(values, name=name)
    return index


#: below this many rows a frame is built from Python lists: less per-column overhead
_SMALL = 20_000


def _small_datasets_frame(table: pa.Table, *, eid_index: bool) -> pd.DataFrame:
    fast = _arrow_small_datasets_frame(table, eid_index=eid_index)
    if fast is not None:
        return fast
    columns = [c for c in table.column_names if c not in ("eid", "id")]
    data: dict[str, Any] = {}
    for name in columns:
        column = table.column(name)
        if name == "qc":
            codes = np.asarray(column.to_numpy(), dtype=np.int8)
            data[name] = pd.Categorical.from_codes(codes, dtype=QC_DTYPE)
        elif name == "file_size":
            data[name] = pd.array(column.to_pylist(), dtype="UInt64")
        elif pa.types.is_boolean(column.type) and column.null_count == 0:
            data[name] = column.to_numpy()
        else:
            data[name] = np.array(column.to_pylist(), dtype=object)
    return pd.DataFrame(data, index=_small_index(table, eid_index=eid_index))


def _small_index(table: pa.Table, *, eid_index: bool) -> pd.Index:
    ids = table.column("id").to_pylist()
    if eid_index:
        eids = table.column("eid").to_pylist()
        index: pd.Index = pd.MultiIndex.from_arrays([eids, ids], names=["eid", "id"])
        return index
    flat: pd.Index = pd.Index(np.array(ids, dtype=object), name="id", dtype=object)
    return flat


def _inferred_string_dtype() -> Any:
    """The dtype a frame gives an object array of ``str`` (``str``, Arrow-backed, in pandas 3)."""
    return pd.DataFrame({"x": np.array(["a"], dtype=object)})["x"].dtype


_STRING_DTYPE: list[Any] = []
#: the pandas array over Arrow strings (its stubs lack the ``dtype`` keyword it takes)
_ARROW_STRINGS: Any = pd.arrays.ArrowStringArray


def _arrow_string_dtype() -> pd.StringDtype | None:
    """The Arrow-backed string dtype frames infer for strings, or None if they keep objects."""
    if not _STRING_DTYPE:
        _STRING_DTYPE.append(_inferred_string_dtype())
    dtype = _STRING_DTYPE[0]
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _arrow_small_datasets_frame(table: pa.Table, *, eid_index: bool) -> pd.DataFrame | None:
    """The small frame built straight from the Arrow columns, with the dtypes the frame
    constructor would infer from Python values; None when a column needs that inference
    (nulls in a string column, an unexpected type, or pandas without Arrow strings).

    The dict constructor re-infers and re-validates every column (most of a small frame's
    cost); ``DataFrame._from_arrays`` takes the finished arrays as they are.
    """
    build = getattr(pd.DataFrame, "_from_arrays", None)
    string_dtype = _arrow_string_dtype()
    if build is None or string_dtype is None or len(table) == 0:
        return None  # (an empty object array stays object: no strings to infer from)
    columns = [c for c in table.column_names if c not in ("eid", "id")]
    arrays: list[Any] = []
    for name in columns:
        column = table.column(name)
        if name == "qc":
            codes = np.asarray(column.to_numpy(), dtype=np.int8)
            arrays.append(pd.Categorical.from_codes(codes, dtype=QC_DTYPE))
        elif column.null_count:
            return None
        elif name == "file_size" and column.type == pa.uint64():
            values = np.asarray(column.to_numpy(), dtype=np.uint64)
            arrays.append(pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool)))
        elif pa.types.is_boolean(column.type):
            arrays.append(np.asarray(column.to_numpy(), dtype=bool))
        elif pa.types.is_string(column.type) or (
            pa.types.is_dictionary(column.type) and column.type.value_type == pa.string()
        ):
            arrays.append(_ARROW_STRINGS(_plain(column), dtype=string_dtype))
        else:
            return None
    index = _small_index(table, eid_index=eid_index)
    frame: pd.DataFrame = build(
        arrays, columns=_column_labels(tuple(columns)), index=index, verify_integrity=False
    )
    return frame


_LABELS: dict[tuple[str, ...], pd.Index] = {}


def _column_labels(columns: tuple[str, ...]) -> pd.Index:
    """``pd.Index(columns)``, built once per column list; each frame gets its own copy."""
    labels = _LABELS.get(columns)
    if labels is None:
        if len(_LABELS) > 16:
            _LABELS.clear()
        labels = _LABELS[columns] = pd.Index(list(columns))
    return labels.copy()


def _eid_id_index(eid: Any, ids: pd.Index) -> pd.MultiIndex:
    """The (eid, id) index built from codes: no hashing of millions of id strings.

    eids are dictionary-encoded already; ids are unique, so each is its own level entry.
    """
    if isinstance(eid, pa.ChunkedArray):
        eid = eid.combine_chunks() if eid.num_chunks != 1 else eid.chunk(0)
    if not pa.types.is_dictionary(eid.type):
        eid = pc.dictionary_encode(eid)
    levels = [pd.Index(eid.dictionary.to_pandas(), name="eid"), ids]
    codes = [eid.indices.to_numpy(zero_copy_only=False), np.arange(len(ids))]
    return pd.MultiIndex(levels=levels, codes=codes, names=["eid", "id"], verify_integrity=False)


def _nullable_uint64(type_: pa.DataType) -> pd.api.extensions.ExtensionDtype | None:
    return pd.UInt64Dtype() if type_ == pa.uint64() else None


def datasets_frame(table: pa.Table, *, eid_index: bool) -> pd.DataFrame:
    """A datasets frame indexed by ``id`` (or ``(eid, id)``), columns in file order.

    Built column by column from Arrow (no per-row Python objects): strings stay Arrow-backed,
    ``file_size`` is nullable UInt64 and ``qc`` an ordered categorical of QC names.
    """
    if len(table) <= _SMALL:
        return _small_datasets_frame(table, eid_index=eid_index)
    columns = [c for c in table.column_names if c not in ("eid", "id")]
    data: dict[str, Any] = {}
    for name in columns:
        column = table.column(name)
        if name == "qc":
            codes = np.asarray(column.to_numpy(), dtype=np.int8)
            data[name] = pd.Categorical.from_codes(codes, dtype=QC_DTYPE)
        elif name == "file_size":
            data[name] = column.to_pandas(types_mapper=_nullable_uint64)
        else:
            data[name] = _plain(column).to_pandas()
    ids = _index_values(table.column("id"), "id")
    index: pd.Index = _eid_id_index(table.column("eid"), ids) if eid_index else ids
    frame = pd.DataFrame(
        {
            k: (v.to_numpy() if isinstance(v, pd.Series) and v.dtype == bool else v)
            for k, v in data.items()
        },
        columns=columns,
    )
    frame.index = index
    return frame


def sessions_frame(table: pa.Table) -> pd.DataFrame:
    """A sessions frame indexed by ``id``."""
    frame = table.drop_columns(["id"]).to_pandas()
    frame.index = pd.Index(table.column("id").to_pylist(), name="id", dtype=object)
    return frame


def session_rel_path(record: dict[str, object]) -> PurePosixPath:
    """``lab/Subjects/subject/yyyy-mm-dd/NNN`` (``subject/yyyy-mm-dd/NNN`` without a lab)."""
    from onesdk._validate import path_part

    lab = path_part(record.get("lab"), "lab", optional=True)  # never a path out of the cache
    date = record["date"]
    date_text = date.isoformat() if isinstance(date, dt.date) else path_part(date, "date")
    number = int(str(record["number"]))
    parts = [lab, "Subjects"] if lab else []
    return PurePosixPath(
        *parts, path_part(record["subject"], "subject"), date_text, f"{number:03d}"
    )


def session_model(record: dict[str, object]) -> Session:
    """The :class:`Session` model of a sessions-table row (with its ``id``)."""
    from onesdk._models import session_from_cache

    return session_from_cache(record["id"], record)


def dataset_model(record: dict[str, object]) -> Dataset:
    """The :class:`Dataset` model of a datasets-table row (``qc`` as a name or code)."""
    from onesdk._models import dataset_from_cache

    row = dict(record)
    qc = row.get("qc")
    if isinstance(qc, str):
        row["qc"] = QC_VALUES[QC_NAMES.index(qc)]
    elif isinstance(qc, int):
        row["qc"] = QC_VALUES[qc]
    return dataset_from_cache(row.get("eid"), row["id"], row)


def table_records(table: pa.Table) -> list[dict[str, object]]:
    """Rows as dicts, dictionary columns decoded and ``qc`` as its name."""
    rows: list[dict[str, object]] = table.to_pylist()
    if "qc" in table.column_names:
        for row in rows:
            code = row["qc"]
            row["qc"] = QC_NAMES[int(str(code))] if code is not None else "NOT_SET"
    return rows


def rel_paths(table: pa.Table) -> list[str]:
    return [str(v) for v in _plain(table.column("rel_path")).to_pylist()]


def unique_in_order(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(values))
