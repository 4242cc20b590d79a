"""Datasets frames built from Arrow columns match frames pandas builds from Python values."""

from __future__ import annotations

import uuid
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from onesdk._cache._schema import QC_NAMES
from onesdk._repo._results import datasets_frame


def _table(n: int, *, hashes: list[str | None] | None = None, extra: bool = False) -> pa.Table:
    rng = np.random.default_rng(n)
    eids = [str(uuid.UUID(int=int(i) + 1)) for i in sorted(rng.integers(0, 3, n))]
    ids = [str(uuid.UUID(int=(1 << 64) + i)) for i in range(n)]
    rel = [f"alf/obj{i % 4}.attr.npy" for i in range(n)]
    columns: dict[str, Any] = {
        "eid": pc_dictionary(eids),
        "id": pa.array(ids, pa.string()),
        "file_size": pa.array(rng.integers(0, 2**40, n).tolist(), pa.uint64()),
        "hash": pa.array(
            hashes if hashes is not None else [f"{i:032x}" for i in range(n)], pa.string()
        ),
        "default_revision": pa.array((rng.random(n) > 0.5).tolist(), pa.bool_()),
        "qc": pa.array(rng.integers(0, len(QC_NAMES), n).tolist(), pa.int8()),
        "exists": pa.array([True] * n, pa.bool_()),
        "rel_path": pc_dictionary(rel),
    }
    if extra:
        columns["tag"] = pa.array([f"t{i % 2}" for i in range(n)], pa.string())
    table = pa.table(columns)
    # several chunks, as a table read one row group at a time has
    half = n // 2
    return pa.concat_tables([table.slice(0, half), table.slice(half)])


def pc_dictionary(values: list[str]) -> Any:
    encoded = pa.array(values, pa.string()).dictionary_encode()
    assert isinstance(encoded, pa.DictionaryArray)
    return pa.DictionaryArray.from_arrays(encoded.indices.cast(pa.int32()), encoded.dictionary)


def _expected(table: pa.Table, *, eid_index: bool) -> pd.DataFrame:
    """What pandas makes of the rows as Python values (the reference's own construction)."""
    data: dict[str, Any] = {}
    for name in table.column_names:
        if name in ("eid", "id"):
            continue
        values: list[Any] = table.column(name).to_pylist()
        if name == "qc":
            data[name] = pd.Categorical(
                [QC_NAMES[v] for v in values], categories=list(QC_NAMES), ordered=True
            )
        elif name == "file_size":
            data[name] = pd.array(values, dtype="UInt64")
        elif pa.types.is_boolean(table.column(name).type) and None not in values:
            data[name] = np.array(values, dtype=bool)
        else:
            data[name] = np.array(values, dtype=object)
    ids = table.column("id").to_pylist()
    index: pd.Index
    if eid_index:
        eids = table.column("eid").to_pylist()
        index = pd.MultiIndex.from_arrays([eids, ids], names=["eid", "id"])
    else:
        index = pd.Index(np.array(ids, dtype=object), name="id", dtype=object)
    return pd.DataFrame(data, index=index)


@pytest.mark.parametrize("eid_index", [False, True])
@pytest.mark.parametrize(
    "case", ["plain", "some_null_hashes", "no_hashes", "extra_column", "empty"]
)
def test_small_datasets_frame_matches_pandas_inference(case: str, eid_index: bool) -> None:
    n = 0 if case == "empty" else 40
    hashes: list[str | None] | None = None
    if case == "some_null_hashes":
        hashes = [None if i % 3 == 0 else f"{i:032x}" for i in range(n)]
    elif case == "no_hashes":
        hashes = [None] * n
    table = _table(n, hashes=hashes, extra=case == "extra_column")
    got = datasets_frame(table, eid_index=eid_index)
    want = _expected(table, eid_index=eid_index)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.dtypes) == list(want.dtypes)
    assert got.columns.dtype == want.columns.dtype
    assert got.index.dtype == want.index.dtype


def test_small_frames_do_not_share_column_labels() -> None:
    table = _table(10)
    first = datasets_frame(table, eid_index=False)
    first.columns.name = "renamed"
    second = datasets_frame(table, eid_index=False)
    assert second.columns.name is None
