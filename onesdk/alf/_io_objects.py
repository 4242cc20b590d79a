"""Finding the files of ALF objects in a folder, and loading them into an AlfBunch."""

from __future__ import annotations

import builtins
import fnmatch
import glob
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk._hashing import path_argument as _path_argument
from onesdk._validate import instance
from onesdk.alf import FilenameParts, filename_parts
from onesdk.alf._alfpath import ALFPath
from onesdk.alf._io_bunch import (
    _SPLIT_COLUMN,
    AlfBunch,
    _first_dim,
    _warn_inconsistent,
)
from onesdk.alf._io_files import load_file_content, load_json, load_npy
from onesdk.alf._io_types import (
    UNSET,
    PartFilter,
    Pattern,
    StrPath,
)
from onesdk.errors import (
    ALFDuplicateAttributes,
    ALFInvalid,
    ALFObjectNotFound,
    ArgumentError,
    LoadError,
)

# --------------------------------------------------------------------------------------------
# Listing and filtering ALF files
# --------------------------------------------------------------------------------------------


def _parse_name(name: str) -> FilenameParts | None:
    try:
        return filename_parts(name)
    except ValueError:  # ALFInvalid: not an ALF dataset name
        return None


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


def _list_datasets(folder: Path) -> list[tuple[Path, FilenameParts]]:
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
    items: Iterable[tuple[Path, FilenameParts]],
    wildcards: bool,
    filters: Mapping[str, PartFilter],
) -> list[tuple[Path, FilenameParts]]:
    tests = [
        (FilenameParts._fields.index(name), _part_test(name, pattern, wildcards))
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
) -> tuple[list[ALFPath], list[tuple[str | None, ...]]]:
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
    return [ALFPath(f.name) for f, _ in items], [tuple(p) for _, p in items]


def _find_object_files(
    alfpath: Path,
    object: Pattern | None,
    wildcards: bool,
    filters: Mapping[str, PartFilter],
) -> tuple[Path, list[tuple[Path, FilenameParts]]]:
    """(folder, matching files): ``alfpath`` is a folder, or any file of the wanted object."""
    try:
        is_file = alfpath.is_file()
        items = _list_datasets(alfpath.parent if is_file else alfpath) if alfpath.exists() else []
    except OSError as exc:  # a name too long for the file system, an unreadable folder
        raise ALFObjectNotFound(f"cannot look in {alfpath}: {exc.strerror}") from None
    if is_file:
        parts = _parse_name(alfpath.name)
        if parts is None:
            raise ALFInvalid(alfpath.name, "dataset file name")
        object, folder = parts.object, alfpath.parent
    else:
        folder = alfpath
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


def _attribute_key(parts: FilenameParts, short_keys: bool) -> str:
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
    that names them. Raises :class:`~onesdk.errors.ALFObjectNotFound` when nothing matches,
    :class:`~onesdk.errors.ALFDuplicateAttributes` when two files give one attribute key.
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
            raise ArgumentError(
                "object",
                None,
                "a str: alfpath is a folder, so the object name should be provided too",
            )
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
        raise ALFDuplicateAttributes(
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


def find_variants(
    file_list: Iterable[StrPath],
    namespace: bool = True,
    timescale: bool = True,
    extra: bool = True,
    extension: bool = True,
) -> dict[ALFPath, list[ALFPath]]:
    """The other files on disk that are variants of each dataset in ``file_list``.

    A variant has the same session, collection, object and attribute, in any revision folder
    (the one without a revision included). Each flag set to False also lets that part differ.
    Returns ``{file: [variants, sorted]}``; raises ``ALFInvalid`` for a path that is not an ALF
    dataset inside a session.
    """
    flags = {"namespace": namespace, "timescale": timescale, "extra": extra, "extension": extension}
    for flag, value in flags.items():
        instance(value, bool, flag, "True or False")
    if isinstance(file_list, str | bytes | os.PathLike) or not isinstance(file_list, Iterable):
        raise ArgumentError("file_list", file_list, "a list of dataset paths")
    files = [ALFPath(_path_argument(item, "file_list")) for item in file_list]
    keys = ["lab", "subject", "date", "number", "collection", "object", "attribute"]
    keys += [name for name, on in flags.items() if on]
    found: dict[ALFPath, list[ALFPath]] = {}
    for file in files:
        parts = file.parse_alf_path()
        if parts["object"] is None or parts["subject"] is None:
            raise ALFInvalid(str(file), "dataset path: expected a dataset inside a session")
        pattern = f"*{parts['object']}.{parts['attribute']}*"
        folder = file.without_revision().parent
        candidates = sorted({*folder.glob(pattern), *folder.glob(f"#*#/{pattern}")})
        found[file] = [
            other
            for other in candidates
            if other != file and all(other.parse_alf_path()[k] == parts[k] for k in keys)  # type: ignore[literal-required]
        ]
    return found
