"""One loader per ALF file format, and load_file_content choosing one by extension."""

from __future__ import annotations

import json
import logging
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk._hashing import path_argument as _path_argument
from onesdk.alf import LOADER_FORMATS
from onesdk.alf._alfpath import ALFPath
from onesdk.alf._io_types import (
    Document,
    FileContent,
    SparseArray,
    StrPath,
)
from onesdk.errors import (
    ArgumentError,
    LoadError,
)

_logger = logging.getLogger("onesdk.alf.io")

# --------------------------------------------------------------------------------------------
# Single files
# --------------------------------------------------------------------------------------------


def _stat_file(path: StrPath, *, may_be_empty: bool = False) -> Path:
    """``path`` as a Path; FileNotFoundError if missing; LoadError if empty and it must not be."""
    file = _path_argument(path, "path")
    try:
        size = file.stat().st_size
    except FileNotFoundError:
        raise FileNotFoundError(2, "cannot load: no such file", str(file)) from None
    if file.is_dir():
        raise LoadError(f"cannot load {file}: it is a directory, not a file")
    if size == 0 and not may_be_empty:
        raise LoadError(f"cannot load {file}: the file is empty (0 bytes)")
    return file


def _flatten_column(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A single-column (n, 1) array as a vector (n,); other shapes unchanged (views, no copy)."""
    if array.ndim == 2 and array.shape[1] == 1:
        return array.reshape(array.shape[0])
    return array


def load_npy(path: StrPath, *, mmap: bool = False, allow_pickle: bool = False) -> npt.NDArray[Any]:
    """Read a ``.npy`` file; with ``mmap=True`` the array is memory-mapped read-only.

    A single-column (n, 1) array comes back as a vector (n,). Object arrays are stored as
    pickles, which can run code when read: they load only with ``allow_pickle=True``.
    """
    file = _stat_file(path)
    try:
        if mmap:
            array = np.load(file, mmap_mode="r", allow_pickle=allow_pickle)
        else:  # our own handle: numpy leaks its own when the data are not an archive it knows
            with open(file, "rb") as stream:
                array = np.load(stream, allow_pickle=allow_pickle)
    except ValueError as exc:
        hint = " (pass allow_pickle=True if you trust it)" if "allow_pickle" in str(exc) else ""
        raise LoadError(f"cannot load {file} as npy: {exc}{hint}") from exc
    except (OSError, EOFError) as exc:
        raise LoadError(f"cannot load {file} as npy: {exc}") from exc
    except Exception as exc:  # unpickling garbage raises arbitrary errors
        raise LoadError(f"cannot load {file} as npy: {type(exc).__name__}: {exc}") from exc
    if not isinstance(array, np.ndarray):
        if hasattr(array, "close"):
            array.close()
        raise LoadError(f"cannot load {file} as npy: it is an npz archive, not a single array")
    return _flatten_column(array)


def load_npz(path: StrPath) -> npt.NDArray[Any] | dict[str, npt.NDArray[Any]]:
    """Read every array of a ``.npz`` archive: one array if it holds only ``arr_0``."""
    file = _stat_file(path)
    try:
        with open(file, "rb") as stream:
            archive = np.load(stream, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise LoadError(f"cannot load {file} as npz: it is a single npy array")
            with archive:
                arrays = {name: archive[name] for name in archive.files}
    except LoadError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, zlib.error) as exc:
        raise LoadError(f"cannot load {file} as npz: {exc}") from exc
    if set(arrays) == {"arr_0"}:
        return arrays["arr_0"]
    return arrays


_DELIMITERS = {"csv": ",", "ssv": " ", "tsv": "\t"}
"""Delimited text formats of the ALF spec's LOADER_FORMATS -> their column separator."""


def _format(file: Path) -> str | None:
    """The format the ALF spec assigns to ``file``'s extension (None: no loader)."""
    return LOADER_FORMATS.get(file.suffix[1:]) if file.suffix else None


def load_table(path: StrPath, *, mmap: bool = False) -> pd.DataFrame:
    """Read a parquet (``.pqt``/``.parquet``) or delimited text (csv/tsv/ssv/htsv) table.

    ``mmap=True`` memory-maps parquet files while reading them.
    """
    file = _stat_file(path)
    fmt = _format(file)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        try:
            # ParquetFile reads one file directly; read_table goes through the dataset layer
            with pq.ParquetFile(file, memory_map=mmap) as parquet:
                return parquet.read().to_pandas()
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise LoadError(f"cannot load {file} as parquet: {exc}") from exc
    delimiter = _DELIMITERS.get(fmt or "")
    if delimiter is None:
        raise ArgumentError("path", str(file), "a .pqt, .parquet, .csv, .ssv, .tsv or .htsv file")
    try:
        return pd.read_csv(file, sep=delimiter)
    except (ValueError, OSError) as exc:  # ParserError, EmptyDataError, UnicodeDecodeError
        raise LoadError(f"cannot load {file} as {fmt}: {exc}") from exc


def load_json(path: StrPath) -> Document:
    """Read a JSON document."""
    file = _stat_file(path)
    try:
        with open(file, encoding="utf-8") as stream:
            return cast(Document, json.load(stream))
    except (ValueError, OSError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise LoadError(f"cannot load {file} as JSON: {exc}") from exc


def load_jsonable(path: StrPath) -> list[Document]:
    """Read a JSON-lines file: one record per non-blank line."""
    file = _stat_file(path, may_be_empty=True)
    records: list[Document] = []
    try:
        with open(file, encoding="utf-8") as stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    records.append(json.loads(line))
                except ValueError as exc:
                    message = f"cannot load {file} as jsonable: line {number}: {exc}"
                    raise LoadError(message) from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise LoadError(f"cannot load {file} as jsonable: {exc}") from exc
    return records


def load_yaml(path: StrPath) -> Document:
    """Read a YAML document with the safe loader (no arbitrary Python objects)."""
    import yaml

    file = _stat_file(path, may_be_empty=True)
    try:
        with open(file, encoding="utf-8") as stream:
            return cast(Document, yaml.safe_load(stream))
    except (yaml.YAMLError, ValueError, OSError) as exc:
        raise LoadError(f"cannot load {file} as YAML: {exc}") from exc


def load_sparse(path: StrPath) -> SparseArray:
    """Read a pydata ``sparse`` array (``.sparse_npz``); needs the optional ``sparse`` package."""
    file = _stat_file(path)
    try:
        import sparse  # type: ignore[import-not-found, unused-ignore]
    except ModuleNotFoundError as exc:
        raise LoadError(
            f"cannot load {file}: sparse arrays need the 'sparse' package "
            "(pip install 'onesdk[sparse]' or pip install sparse)"
        ) from exc
    try:
        return cast(SparseArray, sparse.load_npz(file))
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise LoadError(f"cannot load {file} as a sparse array: {exc}") from exc


def _load_unknown(file: Path) -> Path:
    _logger.info("no loader for %r files: returning the path of %s", file.suffix, file)
    return ALFPath(file)


_DOCUMENT_LOADERS: dict[str, Callable[[Path], FileContent]] = {
    "numpy_archive": load_npz,
    "json": load_json,
    "jsonable": load_jsonable,
    "yaml": load_yaml,
    "sparse_archive": load_sparse,
}


def load_file_content(
    path: StrPath, *, mmap: bool = False, allow_pickle: bool = False
) -> FileContent:
    """Read one data file according to its extension.

    ===================================  ==================================================
    extension                            result
    ===================================  ==================================================
    ``.npy``                             ndarray (memory-mapped with ``mmap=True``)
    ``.npz``                             ndarray if it holds only ``arr_0``, else name -> array
    ``.pqt``, ``.parquet``               DataFrame
    ``.csv``, ``.tsv``, ``.htsv``,       DataFrame
    ``.ssv``
    ``.json``, ``.yaml``, ``.yml``       the document (dict, list, str, number, ...)
    ``.jsonable``                        list of records, one per line
    ``.sparse_npz``                      pydata ``sparse`` array (optional dependency)
    anything else                        the file's ``Path``, logged at INFO
    ===================================  ==================================================

    Raises ``FileNotFoundError`` for a missing file and :class:`~onesdk.errors.LoadError`, naming
    the file and what is wrong, for one that does not parse.
    """
    file = _path_argument(path, "path")
    fmt = _format(file)
    if fmt == "numpy":
        return load_npy(file, mmap=mmap, allow_pickle=allow_pickle)
    if fmt == "parquet" or fmt in _DELIMITERS:
        return load_table(file, mmap=mmap)
    loader = _DOCUMENT_LOADERS.get(fmt or "")
    if loader is not None:
        return loader(file)
    _stat_file(file, may_be_empty=True)
    return _load_unknown(file)
