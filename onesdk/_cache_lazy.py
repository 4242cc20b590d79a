"""Query a datasets table too large to load: a partitioned copy read with pruning and streaming.

The eager engine holds the whole datasets table in memory, which is the fastest path while
the table fits (a 5 million-row table is a few hundred MB in Arrow). Past that, this module
is the path that keeps working:

* :func:`partition_datasets` rewrites ``datasets.pqt`` once, batch by batch (never whole), into
  a hive-partitioned directory ``prefix=XX/`` keyed by the first two hex digits of the session
  id (256 partitions of eid-sorted rows, row groups of ``ROW_GROUP_ROWS``);
* :class:`LazyDatasets` answers the three shapes of query the facade needs:
  one session's rows (partition pruning plus row-group statistics: one small read),
  distinct ``rel_path`` values whose file name matches a glob (a streaming scan of one
  dictionary-encoded column), and the sessions holding every one of several datasets within
  a QC bound (a streaming scan of four columns, keeping only sets of matching session ids).

Memory is bounded by the scan batch, not the table: the cost of a scan grows linearly with the
rows on disk, and a session lookup stays constant.
"""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from onesdk.errors import ArgumentError

__all__ = ["LazyDatasets", "partition_datasets"]

PREFIX_CHARS: Final = 2
ROW_GROUP_ROWS: Final = 65_536
SCAN_BATCH_ROWS: Final = 131_072
QC_ORDER: Final = ("NOT_SET", "PASS", "WARNING", "FAIL", "CRITICAL")
_PARTITION = "prefix"


def partition_datasets(source: Path, target: Path) -> Path:
    """Write ``source`` (a datasets.pqt) as an eid-prefix partitioned directory at ``target``.

    Reads and writes one record batch at a time; the directory appears atomically (written
    beside ``target`` and renamed). Returns ``target``.
    """
    if not Path(source).is_file():
        raise ArgumentError("source", source, "an existing datasets parquet file")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        _write_partitions(pq.ParquetFile(source), tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _write_partitions(reader: pq.ParquetFile, root: Path) -> None:
    """Stream batches into ``prefix=XX/part-0.parquet``, one writer per prefix.

    Alyx writes the table sorted by eid, so each prefix arrives as one contiguous run and each
    partition file is eid-sorted (row-group statistics then prune within the file too).
    Unsorted input is still partitioned correctly, only in smaller row groups.
    """
    schema = reader.schema_arrow.remove_metadata()
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for batch in reader.iter_batches(batch_size=SCAN_BATCH_ROWS):
            table = pa.Table.from_batches([batch], schema=schema)
            prefix = pc.utf8_slice_codeunits(table.column("eid"), 0, PREFIX_CHARS)
            order = pc.sort_indices(prefix)
            table, prefix = table.take(order), prefix.take(order)
            values = prefix.to_numpy(zero_copy_only=False)
            starts = np.flatnonzero(values[1:] != values[:-1]) + 1
            for lo, hi in itertools.pairwise([0, *starts.tolist(), len(values)]):
                key = str(values[lo])
                writer = writers.get(key)
                if writer is None:
                    folder = root / f"{_PARTITION}={key}"
                    folder.mkdir()
                    writer = writers[key] = pq.ParquetWriter(folder / "part-0.parquet", schema)
                writer.write_table(table.slice(lo, hi - lo), row_group_size=ROW_GROUP_ROWS)
    finally:
        for writer in writers.values():
            writer.close()


def _basename(rel_path: str) -> str:
    return rel_path.rsplit("/", 1)[-1]


class LazyDatasets:
    """Queries over a partitioned datasets directory; nothing is read until a query runs."""

    def __init__(self, root: Path) -> None:
        if not Path(root).is_dir():
            raise ArgumentError("root", root, "a directory written by partition_datasets")
        fmt = ds.ParquetFileFormat(
            read_options=ds.ParquetReadOptions(dictionary_columns=["rel_path"])
        )
        self._dataset = ds.dataset(root, format=fmt, partitioning="hive")

    @staticmethod
    def _session_filter(eid: str) -> ds.Expression:
        return (pc.field(_PARTITION) == eid[:PREFIX_CHARS]) & (pc.field("eid") == eid)

    def session(self, eid: str, columns: Sequence[str] | None = None) -> pa.Table:
        """The rows of one session (reads one partition, and only its matching row groups)."""
        names = list(columns) if columns is not None else self._file_columns()
        return self._dataset.to_table(columns=names, filter=self._session_filter(eid))

    def files_read_for(self, eid: str) -> int:
        """How many files a session lookup opens (after partition pruning)."""
        return sum(1 for _ in self._dataset.get_fragments(filter=self._session_filter(eid)))

    def _file_columns(self) -> list[str]:
        return [n for n in self._dataset.schema.names if n != _PARTITION]

    def _batches(self, columns: Sequence[str]) -> Iterator[pa.RecordBatch]:
        yield from self._dataset.to_batches(
            columns=list(columns),
            batch_size=SCAN_BATCH_ROWS,
            batch_readahead=2,
            fragment_readahead=1,
        )

    def rel_paths(self, filename: str) -> list[str]:
        """Sorted distinct rel_paths whose file name matches the glob ``filename``."""
        regex = re.compile(fnmatch.translate(filename))
        verdicts: dict[str, bool] = {}
        for batch in self._batches(["rel_path"]):
            for value in _distinct(batch.column(0)):
                if value not in verdicts:
                    verdicts[value] = regex.fullmatch(_basename(value)) is not None
        return sorted(v for v, ok in verdicts.items() if ok)

    def sessions_with(self, names: Sequence[str], qc_lte: str = "FAIL") -> set[str]:
        """Session ids having, for every regex in ``names``, an existing dataset whose file
        name matches it in full and whose QC is at most ``qc_lte``."""
        if qc_lte not in QC_ORDER:
            raise ArgumentError("qc_lte", qc_lte, f"one of {', '.join(QC_ORDER)}")
        if not names:
            raise ArgumentError("names", names, "at least one dataset name")
        limit = QC_ORDER.index(qc_lte)
        regexes = [re.compile(n) for n in names]
        found: list[set[str]] = [set() for _ in regexes]
        verdicts: dict[str, list[bool]] = {}
        for batch in self._batches(["eid", "rel_path", "exists", "qc"]):
            eid, rel, exists, qc = batch.columns
            rel_dict = _as_dictionary(rel)
            values = [str(v) for v in rel_dict.dictionary.to_pylist()]
            for v in values:
                if v not in verdicts:
                    verdicts[v] = [r.fullmatch(_basename(v)) is not None for r in regexes]
            per_value = np.array([verdicts[v] for v in values], dtype=bool).reshape(
                len(values), len(regexes)
            )
            codes = rel_dict.indices.to_numpy(zero_copy_only=False)
            usable = np.asarray(exists.to_numpy(zero_copy_only=False), dtype=bool)
            usable &= np.asarray(exists.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            usable &= _qc_rank(qc) <= limit
            for j in range(len(regexes)):
                rows = per_value[codes, j] & usable
                if rows.any():
                    matched = pc.unique(eid.filter(pa.array(rows)))
                    found[j].update(str(e) for e in matched.to_pylist())
        result = found[0]
        for other in found[1:]:
            result &= other
        return result


def _as_dictionary(column: pa.Array[Any]) -> pa.DictionaryArray[Any, Any]:
    if isinstance(column, pa.DictionaryArray):
        return column
    encoded = pc.dictionary_encode(column)
    assert isinstance(encoded, pa.DictionaryArray)
    return encoded


def _distinct(column: pa.Array[Any]) -> list[str]:
    encoded = _as_dictionary(column)
    present = np.unique(encoded.indices.to_numpy(zero_copy_only=False))
    return [str(v) for v in encoded.dictionary.take(present).to_pylist()]


def _qc_rank(column: pa.Array[Any]) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
    """QC of each row as its position in QC_ORDER (NOT_SET lowest); nulls count as NOT_SET."""
    encoded = _as_dictionary(column)
    rank = np.array([QC_ORDER.index(v) for v in encoded.dictionary.to_pylist()], dtype=np.int64)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.nan_to_num(codes, nan=0).astype(np.int64) if codes.dtype.kind == "f" else codes
    out: np.ndarray[tuple[int], np.dtype[np.int64]] = rank[codes] if len(rank) else codes
    return out
