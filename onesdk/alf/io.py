"""Reading and writing ALF files: one loader per file format, and ALF objects as typed bunches.

This module imports numpy and pandas, so neither ``import onesdk`` nor ``import onesdk.alf``
imports it; import it explicitly (``from onesdk.alf import io as alfio``).

* :func:`load_file_content` reads one file according to its extension; the typed loaders
  (:func:`load_npy`, :func:`load_table`, :func:`load_json`, ...) do the same for one format.
  A file that does not parse as its extension says raises :class:`~onesdk.errors.LoadError`
  naming the file; a file with an extension no loader knows comes back as its ``Path``.
* :func:`load_object` reads every file of one ALF object into an :class:`AlfBunch`
  (attribute -> array or table), expands ``table`` datasets into one array per column and warns
  with :class:`~onesdk.errors.ALFWarning`, naming the attribute, when lengths disagree.
"""

from __future__ import annotations

import builtins
import datetime
import enum
import fnmatch
import glob
import json
import logging
import os
import re
import secrets
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple, Protocol, TypeAlias, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk._hashing import path_argument as _path_argument
from onesdk._validate import instance
from onesdk.alf import LOADER_FORMATS, filename_parts, is_session_path, to_alf
from onesdk.errors import (
    AlfError,
    ALFInvalid,
    ALFMultipleObjectsFound,
    ALFObjectNotFound,
    ALFWarning,
    ArgumentError,
    LoadError,
)

__all__ = [
    "UNSET",
    "AlfBunch",
    "Document",
    "FileContent",
    "SparseArray",
    "check_dimensions",
    "dataframe",
    "exists",
    "filter_by",
    "iter_datasets",
    "iter_sessions",
    "load_file_content",
    "load_json",
    "load_jsonable",
    "load_npy",
    "load_npz",
    "load_object",
    "load_sparse",
    "load_table",
    "load_yaml",
    "next_num_folder",
    "read_ts",
    "remove_empty_folders",
    "save_metadata",
    "save_object_npy",
    "ts2vec",
]

_logger = logging.getLogger("onesdk.alf.io")

StrPath: TypeAlias = str | os.PathLike[str]

Document: TypeAlias = (
    str | int | float | bool | datetime.date | list["Document"] | dict[str, "Document"] | None
)
"""What a JSON, JSON-lines or YAML document holds (YAML may also hold dates)."""


class SparseArray(Protocol):
    """The part of a pydata ``sparse`` array that onesdk relies on."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    def todense(self) -> npt.NDArray[Any]: ...


FileContent: TypeAlias = (
    npt.NDArray[Any] | pd.DataFrame | dict[str, npt.NDArray[Any]] | Document | SparseArray | Path
)
"""What :func:`load_file_content` returns; narrow it with ``isinstance``."""


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Literal[_Unset.UNSET] = _Unset.UNSET
"""Default of the ALF part filters: no filtering (``None`` means "files without this part")."""

Pattern: TypeAlias = str | Sequence[str]
PartFilter: TypeAlias = Pattern | Literal[_Unset.UNSET] | None


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
    return file


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


# --------------------------------------------------------------------------------------------
# Bunches
# --------------------------------------------------------------------------------------------

_SPLIT_COLUMN = re.compile(r"^(.+?)_([01])$")


def _first_dim(value: object) -> int | None:
    shape = getattr(value, "shape", None) if isinstance(value, np.ndarray | pd.DataFrame) else None
    if not shape:  # not an array/table, or a 0-d array
        return None
    return int(shape[0])


def _dimension_report(data: Mapping[str, object]) -> tuple[int | None, dict[str, int]]:
    """(expected length, {attribute: length} of the attributes that do not fit it).

    ALF broadcasting: an attribute's first dimension fits if it equals the object's length or is
    1. Timestamps may also be a (2, 2) array of (sample, time) pairs. The object's length is the
    most common first dimension other than 1 (the largest on a tie), so a single short or long
    attribute is the one reported.
    """
    instance(data, Mapping, "data", "a mapping of attribute names to arrays")
    lengths: dict[str, int] = {}
    odd: dict[str, int] = {}
    for key, value in data.items():
        n = _first_dim(value)
        if n is None:
            continue
        if key.startswith("timestamps"):
            assert isinstance(value, np.ndarray | pd.DataFrame)
            shape = value.shape
            is_vector = len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)
            if not is_vector:
                if tuple(shape) != (2, 2):
                    odd[key] = n
                continue
        lengths[key] = n
    counts = Counter(n for n in lengths.values() if n != 1)
    if not counts:
        return (1 if lengths else None), odd
    expected = max(counts, key=lambda n: (counts[n], n))
    odd.update({k: n for k, n in lengths.items() if n not in (expected, 1)})
    return expected, odd


def check_dimensions(data: Mapping[str, object]) -> int:
    """0 when the arrays of ``data`` have consistent first dimensions (ALF rules), else 1."""
    return int(bool(_dimension_report(data)[1]))


def _describe_sizes(data: Mapping[str, object]) -> str:
    return ", ".join(
        f"{k}{tuple(v.shape)}" for k, v in data.items() if isinstance(v, np.ndarray | pd.DataFrame)
    )


def dataframe(data: Mapping[str, npt.NDArray[Any]]) -> pd.DataFrame:
    """Arrays of equal length as a DataFrame; a 2-D array gives columns ``key_0`` .. ``key_9``."""
    expected, odd = _dimension_report(data)
    if odd:
        raise ArgumentError(
            "data", sorted(odd), f"arrays of one length ({expected}); these differ: {odd}"
        )
    columns: dict[str, npt.NDArray[Any]] = {}
    for key, value in data.items():
        array = np.asarray(value)
        if array.ndim == 1:
            columns[key] = array
        elif array.ndim == 2 and array.shape[1] == 1:
            columns[key] = array[:, 0]
        elif array.ndim == 2:
            for i in range(min(array.shape[1], 10)):
                columns[f"{key}_{i}"] = array[:, i]
        else:
            _logger.warning("attribute %r has %d dimensions: not in the table", key, array.ndim)
    return pd.DataFrame(columns)


class AlfBunch(dict[str, FileContent]):
    """The attributes of one ALF object: attribute name -> array, table or other file content.

    Keys are also readable as attributes (``spikes.times``). The values' type is a union; for
    precise static types use :meth:`array` and :meth:`table`, which check the type at run time.
    """

    def __getattr__(self, name: str) -> FileContent:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: FileContent) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no attribute {name!r}") from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | {k for k in self if k.isidentifier()})

    def _get(self, key: str) -> FileContent:
        try:
            return self[key]
        except KeyError:
            raise ALFObjectNotFound(
                f"no attribute {key!r}; this object has: {', '.join(sorted(self)) or 'nothing'}"
            ) from None

    def array(self, key: str) -> npt.NDArray[Any]:
        """The attribute ``key`` as an ndarray (a TypeError-free way to get a precise type)."""
        value = self._get(key)
        if not isinstance(value, np.ndarray):
            raise ArgumentError("key", key, f"an array attribute ({key} is {type(value).__name__})")
        return value

    def table(self, key: str) -> pd.DataFrame:
        """The attribute ``key`` as a DataFrame."""
        value = self._get(key)
        if not isinstance(value, pd.DataFrame):
            raise ArgumentError("key", key, f"a table attribute ({key} is {type(value).__name__})")
        return value

    @property
    def check_dimensions(self) -> int:
        """0 when all attributes have consistent lengths, 1 when they do not."""
        return check_dimensions(self)

    def inconsistent_attributes(self) -> dict[str, int]:
        """The attributes whose first dimension does not fit the object's length -> that dim."""
        return _dimension_report(self)[1]

    def to_df(self) -> pd.DataFrame:
        """The array attributes as DataFrame columns (2-D arrays split into ``key_i`` columns)."""
        arrays = {k: v for k, v in self.items() if isinstance(v, np.ndarray)}
        return dataframe(arrays)

    @classmethod
    def from_df(cls, df: pd.DataFrame) -> AlfBunch:
        """One array per column; the column pairs ``x_0``/``x_1`` become one (n, 2) array ``x``."""
        data: dict[str, FileContent] = {str(c): df[c].to_numpy() for c in df.columns}
        for key in list(data):
            match = _SPLIT_COLUMN.match(key)
            if match is None or match.group(2) != "0":
                continue
            second = f"{match.group(1)}_1"
            if second in data:
                first_col, second_col = data.pop(key), data.pop(second)
                assert isinstance(first_col, np.ndarray)
                assert isinstance(second_col, np.ndarray)
                data[match.group(1)] = np.column_stack((first_col, second_col))
        return cls(data)

    def append(self, other: Mapping[str, FileContent], inplace: bool = False) -> AlfBunch:
        """Concatenate ``other``'s arrays (and lists) after this bunch's, key by key."""
        target = self if inplace else AlfBunch(self)
        if not other:
            return target
        if not target:
            target.update(other)
            return target
        if set(target) != set(other):
            raise ArgumentError(
                "other", sorted(other), f"a bunch with the same keys ({sorted(target)})"
            )
        for key, value in target.items():
            extra = other[key]
            if isinstance(value, np.ndarray) and isinstance(extra, np.ndarray):
                target[key] = np.concatenate((value, extra), axis=0)
            elif isinstance(value, list) and isinstance(extra, list):
                target[key] = [*value, *extra]
            else:
                _logger.warning("cannot append attribute %r of type %s", key, type(value).__name__)
        _warn_inconsistent(target, "appended bunch")
        return target


# --------------------------------------------------------------------------------------------
# Listing and filtering ALF files
# --------------------------------------------------------------------------------------------


class _Parts(NamedTuple):
    namespace: str | None
    object: str
    attribute: str
    timescale: str | None
    extra: str | None
    extension: str


def _parse_name(name: str) -> _Parts | None:
    try:
        parts = filename_parts(name)
    except ValueError:  # ALFInvalid
        return None
    namespace, obj, attribute, timescale, extra, extension = parts
    if not obj or not attribute or not extension:
        return None
    return _Parts(namespace, obj, attribute, timescale, extra, extension)


def _pattern_list(argument: str, pattern: object) -> list[str]:
    if isinstance(pattern, str):
        return [pattern]
    if isinstance(pattern, Iterable) and not isinstance(pattern, bytes | Mapping):
        patterns = list(pattern)
        if all(isinstance(p, str) for p in patterns):
            return patterns
    raise ArgumentError(argument, pattern, "a str, a list of str, or None")


def _matcher(argument: str, pattern: Pattern, wildcards: bool) -> Callable[[str], bool]:
    patterns = _pattern_list(argument, pattern)
    if wildcards:
        return lambda part: any(fnmatch.fnmatchcase(part, p) for p in patterns)
    try:
        compiled = re.compile("|".join(patterns))
    except re.error as exc:
        raise ArgumentError(argument, pattern, f"a valid regular expression ({exc})") from exc
    return lambda part: compiled.match(part) is not None


def _part_test(argument: str, pattern: PartFilter, wildcards: bool) -> Callable[[str | None], bool]:
    if pattern is UNSET:
        return lambda part: True
    if pattern is None:
        return lambda part: part is None
    if argument == "extra":
        # every given extra must be among the file's extras (exact, no wildcards)
        wanted = (
            pattern.split(".") if isinstance(pattern, str) else _pattern_list(argument, pattern)
        )
        return lambda part: part is not None and set(filter(None, wanted)) <= set(part.split("."))
    match = _matcher(argument, pattern, wildcards)
    return lambda part: part is not None and match(part)


def _list_datasets(folder: Path) -> list[tuple[Path, _Parts]]:
    """Valid ALF dataset files directly in ``folder``, sorted by name."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.count(".") < 2 or entry.is_dir():
                continue
            parts = _parse_name(entry.name)
            if parts is not None:
                found.append((Path(entry.path), parts))
    found.sort(key=lambda item: item[0].name)
    return found


def _filter(
    items: Iterable[tuple[Path, _Parts]],
    wildcards: bool,
    filters: Mapping[str, PartFilter],
) -> list[tuple[Path, _Parts]]:
    tests = [
        (_Parts._fields.index(name), _part_test(name, pattern, wildcards))
        for name, pattern in filters.items()
        if pattern is not UNSET
    ]
    return [item for item in items if all(test(item[1][i]) for i, test in tests)]


def filter_by(
    alf_path: StrPath,
    wildcards: bool = True,
    *,
    namespace: PartFilter = UNSET,
    object: PartFilter = UNSET,
    attribute: PartFilter = UNSET,
    timescale: PartFilter = UNSET,
    extra: PartFilter = UNSET,
    extension: PartFilter = UNSET,
) -> tuple[list[Path], list[tuple[str | None, ...]]]:
    """The ALF files directly in ``alf_path`` whose parts match every given filter.

    A filter is a shell pattern (``wildcards=True``) or regular expression, or a list of them
    (any may match), or ``None`` for files without that part. ``extra`` lists extras that must all
    be present (exact). Returns the file names (relative paths) and their parts tuples
    ``(namespace, object, attribute, timescale, extra, extension)``.
    """
    folder = _path_argument(alf_path, "alf_path")
    filters = {
        "namespace": namespace,
        "object": object,
        "attribute": attribute,
        "timescale": timescale,
        "extra": extra,
        "extension": extension,
    }
    items = _filter(_list_datasets(folder), wildcards, filters) if folder.is_dir() else []
    return [Path(f.name) for f, _ in items], [tuple(p) for _, p in items]


def _find_object_files(
    alfpath: Path,
    object: Pattern | None,
    wildcards: bool,
    filters: Mapping[str, PartFilter],
) -> tuple[Path, list[tuple[Path, _Parts]]]:
    """(folder, matching files): ``alfpath`` is a folder, or any file of the wanted object."""
    if alfpath.is_file():
        parts = _parse_name(alfpath.name)
        if parts is None:
            raise ALFInvalid(alfpath.name, "dataset file name")
        object, folder = parts.object, alfpath.parent
    else:
        folder = alfpath
    items = _list_datasets(folder) if folder.is_dir() else []
    selected = _filter(items, wildcards, {"object": UNSET if object is None else object, **filters})
    if not selected:
        what = f"object {object!r}" if object else "ALF files"
        asked = {k: v for k, v in filters.items() if v is not UNSET}
        where = f" matching {asked}" if asked else ""
        objects = sorted({p.object for _, p in items})
        listing = f"; objects there: {', '.join(objects)}" if objects else ""
        raise ALFObjectNotFound(f"no {what}{where} found in {folder}{listing}")
    return folder, selected


def exists(
    alfpath: StrPath,
    object: Pattern,
    attributes: str | Sequence[str] | None = None,
    *,
    wildcards: bool = True,
    namespace: PartFilter = UNSET,
    timescale: PartFilter = UNSET,
    extra: PartFilter = UNSET,
    extension: PartFilter = UNSET,
) -> bool:
    """Whether ``object`` exists in ``alfpath`` with every one of ``attributes`` (if given)."""
    filters = {"namespace": namespace, "timescale": timescale, "extra": extra}
    filters["extension"] = extension
    try:
        _, found = _find_object_files(
            _path_argument(alfpath, "alfpath"), object, wildcards, filters
        )
    except ALFObjectNotFound:
        return False
    if not attributes:
        return True
    wanted = set(_pattern_list("attributes", attributes))
    return wanted <= {parts.attribute for _, parts in found}


# --------------------------------------------------------------------------------------------
# Objects
# --------------------------------------------------------------------------------------------

_TABLE_KEY = re.compile(r"^table([_.]|$)")


def _attribute_key(parts: _Parts, short_keys: bool) -> str:
    key = parts.attribute if not parts.timescale else f"{parts.attribute}_{parts.timescale}"
    if not short_keys and parts.extra:
        key = f"{key}.{parts.extra}"
    return key


def _metadata_file(file: Path, siblings: Sequence[str]) -> Path | None:
    """The metadata JSON that describes ``file`` (``ns_obj.attr*.metadata*.json``), if any."""
    prefix = ".".join(file.name.split(".")[:2])
    pattern = glob.escape(prefix) + "*.metadata*.json"
    name = next((s for s in siblings if fnmatch.fnmatchcase(s, pattern)), None)
    return None if name is None else file.parent / name


def _expand_table(out: AlfBunch) -> None:
    """Replace the ``table`` attribute (a DataFrame) by one array per column, renamed so that
    the table's timescale and extras carry over: with key ``table_bpod``, ``x`` -> ``x_bpod``."""
    key = next((k for k in out if _TABLE_KEY.match(k)), None)
    if key is None or not isinstance(out[key], pd.DataFrame):
        return
    table = out.pop(key)
    assert isinstance(table, pd.DataFrame)
    suffix = key[len("table") :]

    def rename(column: object) -> str:
        name = str(column)
        if _SPLIT_COLUMN.match(name):
            return f"{name[:-2]}{suffix}{name[-2:]}"
        return f"{name}{suffix}"

    out.update(AlfBunch.from_df(table.rename(columns=rename)))


def _expand_timestamps(out: AlfBunch) -> None:
    """Interpolate (2, 2) timestamps to one time per sample of the object."""
    stamps = [k for k in out if "timestamps" in k]
    if not stamps or len(out) <= len(stamps):
        return
    others = (
        v for k, v in out.items() if "timestamps" not in k and "meta" not in k and _first_dim(v)
    )
    n_samples = _first_dim(next(others, None))
    if n_samples is None:
        return
    for key in stamps:
        value = out[key]
        if isinstance(value, np.ndarray):
            out[key] = ts2vec(value, n_samples)


def _warn_inconsistent(out: Mapping[str, object], name: str) -> None:
    expected, odd = _dimension_report(out)
    if not odd:
        return
    which = ", ".join(f"{k!r} has {n}" for k, n in odd.items())
    message = (
        f"ALF object {name!r}: attributes of inconsistent length: {which}; "
        f"expected {expected} (or 1). Sizes: {_describe_sizes(out)}"
    )
    _logger.warning(message)
    warnings.warn(message, ALFWarning, stacklevel=3)


def load_object(
    alfpath: StrPath | Iterable[StrPath],
    object: Pattern | None = None,
    short_keys: bool = False,
    *,
    namespace: PartFilter = UNSET,
    attribute: PartFilter = UNSET,
    timescale: PartFilter = UNSET,
    extra: PartFilter = UNSET,
    extension: PartFilter = UNSET,
    wildcards: bool = True,
    mmap: bool = False,
    allow_pickle: bool = False,
) -> AlfBunch:
    """Read every file of one ALF object into an :class:`AlfBunch` (attribute -> content).

    ``alfpath`` is the folder holding the object (then ``object`` is required), any file of the
    object, or an explicit list of files of one object (e.g. from different revisions). The
    keys are the attributes, with ``_timescale`` (``intervals_bpod``) and, unless
    ``short_keys``, ``.extra`` parts. The other filters work as in :func:`filter_by`.

    A ``table`` attribute that is a DataFrame is replaced by one array per column; metadata
    files (``obj.attr.metadata.json``) split arrays into named columns; (2, 2) timestamps are
    interpolated. Attributes of inconsistent length raise an :class:`~onesdk.errors.ALFWarning`
    that names them. Raises :class:`~onesdk.errors.ALFObjectNotFound` when nothing matches.
    """
    filters: dict[str, PartFilter] = {
        "namespace": namespace,
        "attribute": attribute,
        "timescale": timescale,
        "extra": extra,
        "extension": extension,
    }
    if isinstance(alfpath, str | os.PathLike):
        path = _path_argument(alfpath, "alfpath")
        if object is None and path.is_dir():
            raise ArgumentError("object", None, "an ALF object name when alfpath is a folder")
        _, files = _find_object_files(path, object, wildcards, filters)
        name = object if isinstance(object, str) else files[0][1].object
    else:
        given = cast(builtins.object, alfpath)  # the static type may not hold at run time
        if isinstance(given, bytes) or not isinstance(given, Iterable):
            raise ArgumentError("alfpath", given, "a folder, a file, or a list of files")
        files = []
        for item in alfpath:
            file = _path_argument(item, "alfpath")
            parts = _parse_name(file.name)
            if parts is None:
                raise ALFInvalid(file.name, "dataset file name")
            files.append((file, parts))
        objects = sorted({p.object for _, p in files})
        if len(objects) != 1:
            raise ArgumentError("alfpath", [str(f) for f, _ in files], "files of one ALF object")
        name = objects[0]
    keys = [_attribute_key(parts, short_keys) for _, parts in files]
    duplicates = sorted(k for k, n in Counter(keys).items() if n > 1)
    if duplicates:
        clash = [str(f) for (f, _), k in zip(files, keys, strict=True) if k in duplicates]
        raise ALFMultipleObjectsFound(
            f"several files of object {name!r} give the attribute(s) {duplicates}: {clash}; "
            "restrict namespace, extra or revision (or do not use short_keys)"
        )
    out = AlfBunch()
    siblings: dict[Path, list[str]] = {}
    for (file, _), key in zip(files, keys, strict=True):
        if file.parent not in siblings:
            siblings[file.parent] = sorted(os.listdir(file.parent)) if file.parent.is_dir() else []
        meta_file = _metadata_file(file, siblings[file.parent])
        if meta_file == file:
            continue  # a metadata file: read with the file it describes
        out[key] = load_file_content(file, mmap=mmap, allow_pickle=allow_pickle)
        if meta_file is not None:
            _apply_metadata(out, key, meta_file)
    _expand_table(out)
    _warn_inconsistent(out, name)
    if not out.check_dimensions:
        _expand_timestamps(out)
    return out


def _apply_metadata(out: AlfBunch, key: str, meta_file: Path) -> None:
    """Split ``out[key]`` into the named ``columns`` of its metadata; keep the rest of it."""
    document = load_json(meta_file)
    if not isinstance(document, dict):
        out[f"{key}metadata"] = document
        return
    meta = dict(document)
    columns = meta.pop("columns", None)
    value = out[key]
    if isinstance(columns, list) and isinstance(value, np.ndarray) and value.ndim >= 2:
        if len(columns) > value.shape[-1]:
            raise LoadError(
                f"{meta_file} names {len(columns)} columns but {key} has {value.shape[-1]}"
            )
        del out[key]
        out.update({str(c): value[..., i] for i, c in enumerate(columns)})
    elif columns is not None:
        meta["columns"] = columns
    if meta:
        out[f"{key}metadata"] = meta


def ts2vec(ts: npt.NDArray[Any], n_samples: int) -> npt.NDArray[Any]:
    """Timestamps for ``n_samples`` samples: a vector as is, (2, 2) (sample, time) interpolated."""
    instance(ts, np.ndarray, "ts", "a numpy array of timestamps")
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer) or n_samples < 0:
        raise ArgumentError("n_samples", n_samples, "a non-negative int")
    if ts.ndim == 0 or (ts.ndim == 2 and ts.shape[0] == 0):
        raise ArgumentError("ts", f"array of shape {ts.shape}", "a vector or an (n, 2) array")
    if ts.ndim == 1:
        return ts
    if ts.ndim == 2 and ts.shape[1] == 1:
        return ts.reshape(ts.shape[0])
    if ts.ndim > 2 or ts.shape[1] != 2:
        raise ArgumentError("ts", f"array of shape {ts.shape}", "a vector or an (n, 2) array")
    times: npt.NDArray[np.float64] = np.interp(np.arange(n_samples), ts[:, 0], ts[:, 1])
    return times


def read_ts(filename: StrPath) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """(timestamps, values) of an ALF time series, from the object's ``times*`` file."""
    file = _path_argument(filename, "filename")
    parts = _parse_name(file.name)
    if parts is None:
        raise ALFInvalid(file.name, "dataset file name")
    candidates = _filter(
        _list_datasets(file.parent) if file.parent.is_dir() else [],
        True,
        {"object": parts.object, "attribute": "times*", "extension": parts.extension},
    )
    if len(candidates) != 1:
        found = [f.name for f, _ in candidates]
        raise FileNotFoundError(
            2,
            f"no single time scale for {file}: expected one {parts.object}.times* file, "
            f"found {found or 'none'}",
            str(file),
        )
    values = load_npy(file)
    return ts2vec(load_npy(candidates[0][0]), values.shape[0]), values


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _write_atomic(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write through ``write(stream)`` to a temporary file beside ``target``, then rename.

    The temporary file is created with mode 0o666 less the umask, as ``open`` would create the
    target itself (``mkstemp`` would leave data files readable by their owner only).
    """
    temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _dataset_name(
    obj: str,
    attribute: str,
    extension: str,
    namespace: str | None,
    timescale: str | None,
    extra: str | Sequence[str] | None,
) -> str:
    required: tuple[tuple[str, object], ...] = (("object", obj), ("attribute", attribute))
    for argument, value in required:
        if not isinstance(value, str) or not value:
            raise ArgumentError(argument, value, "a non-empty str")
    optional: tuple[tuple[str, object], ...] = (("namespace", namespace), ("timescale", timescale))
    for argument, value in optional:
        if value is not None and not isinstance(value, str):
            raise ArgumentError(argument, value, "a str or None")
    extras = None if extra is None else _pattern_list("parts", extra)
    name = to_alf(obj, attribute, extension, namespace, timescale, extras)
    if _parse_name(name) is None:
        raise ALFInvalid(name, "dataset file name (check the object, attribute and parts)")
    return name


def _save_npy(stream: BinaryIO, array: npt.NDArray[Any]) -> None:
    np.save(stream, array, allow_pickle=False)


def save_object_npy(
    alfpath: StrPath,
    dico: Mapping[str, npt.ArrayLike],
    object: str,
    parts: str | Sequence[str] | None = None,
    namespace: str | None = None,
    timescale: str | None = None,
) -> list[Path]:
    """Save each array of ``dico`` as ``[_namespace_]object.key[_timescale][.parts].npy``.

    The arrays must have consistent lengths. Each file is written atomically; object-dtype
    arrays are refused (they would need pickling).
    """
    folder = _path_argument(alfpath, "alfpath")
    if not isinstance(dico, Mapping) or not all(isinstance(k, str) for k in dico):
        raise ArgumentError("dico", dico, "a mapping of attribute name -> array")
    arrays = {k: np.asarray(v) for k, v in dico.items()}
    expected, odd = _dimension_report(arrays)
    if odd:
        raise ArgumentError(
            "dico", _describe_sizes(arrays), f"arrays of one length ({expected}); off: {odd}"
        )
    names = {k: _dataset_name(object, k, "npy", namespace, timescale, parts) for k in arrays}
    written = []
    for key, array in arrays.items():
        if array.dtype.hasobject:
            raise ArgumentError(f"dico[{key!r}]", array.dtype, "an array without Python objects")
        target = folder / names[key]
        _write_atomic(target, partial(_save_npy, array=array))
        written.append(target)
    return written


def save_metadata(file_alf: StrPath, dico: Mapping[str, object]) -> Path:
    """Write ``dico`` as JSON beside an ALF file: ``obj.attr.npy`` -> ``obj.attr.metadata.json``."""
    file = _path_argument(file_alf, "file_alf")
    if _parse_name(file.name) is None:
        raise ALFInvalid(file.name, "dataset file name")
    target = file.parent / f"{file.stem}.metadata.json"
    try:
        text = json.dumps(dico, indent=1)
    except TypeError as exc:
        raise ArgumentError("dico", dico, f"JSON-serialisable metadata ({exc})") from exc
    _write_atomic(target, lambda stream: stream.write(text.encode("utf-8")))
    return target


# --------------------------------------------------------------------------------------------
# Walking session folders
# --------------------------------------------------------------------------------------------


def iter_sessions(root_dir: StrPath, pattern: str = "*") -> Iterator[Path]:
    """Session folders below ``root_dir`` (itself included), in lexicographic order.

    A narrower glob ``pattern`` is faster, e.g. ``'*/Subjects/*/????-??-??/*'``.
    """
    root = _path_argument(root_dir, "root_dir")
    instance(pattern, str, "pattern", "a glob pattern (str)")
    if not pattern or pattern.startswith(("/", "\\")) or "\0" in pattern:
        raise ArgumentError("pattern", pattern, "a non-empty glob pattern relative to root_dir")
    if is_session_path(root):
        yield root
    for path in sorted(root.rglob(pattern)):
        if path.is_dir() and is_session_path(path):
            yield path


def iter_datasets(session_path: StrPath) -> Iterator[Path]:
    """The ALF datasets below ``session_path``, relative to it, in lexicographic order."""
    root = _path_argument(session_path, "session_path")
    for path in sorted(root.rglob("*.*.*")):
        if _parse_name(path.name) is not None and not path.is_dir():
            yield path.relative_to(root)


def next_num_folder(session_date_folder: StrPath) -> str:
    """The next free session number (``'001'``, ``'002'``, ...) in a date folder."""
    folder = _path_argument(session_date_folder, "session_date_folder")
    numbers = [
        int(p.name)
        for p in (folder.iterdir() if folder.is_dir() else [])
        if p.is_dir() and p.name.isdigit()
    ]
    following = max(numbers, default=0) + 1
    if following > 999:
        raise AlfError(f"{folder} has session 999 already: ALF numbers have three digits")
    return f"{following:03d}"


def remove_empty_folders(folder: StrPath) -> None:
    """Remove every empty folder below ``folder``, deepest first (``folder`` itself stays)."""
    root = _path_argument(folder, "folder")
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        try:
            path.rmdir()
        except OSError:
            continue
