"""Writing ALF objects and metadata atomically, and walking session folders."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from onesdk._atomic import atomic_write
from onesdk._hashing import path_argument as _path_argument
from onesdk._validate import instance
from onesdk.alf import is_session_path, to_alf
from onesdk.alf._alfpath import ALFPath
from onesdk.alf._io_bunch import _describe_sizes, _dimension_report
from onesdk.alf._io_objects import _parse_name, _pattern_list
from onesdk.alf._io_types import (
    StrPath,
)
from onesdk.errors import (
    ALFInvalid,
    ArgumentError,
    SessionNumbersExhausted,
)


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
) -> list[ALFPath]:
    """Save each array of ``dico`` as ``[_namespace_]object.key[_timescale][.parts].npy``.

    The arrays must have consistent lengths. Each file is written atomically; object-dtype
    arrays are refused (they would need pickling).
    """
    folder = ALFPath(_path_argument(alfpath, "alfpath"))
    if not isinstance(dico, Mapping) or not all(isinstance(k, str) for k in dico):
        raise ArgumentError("dico", dico, "a mapping of attribute name -> array")
    arrays = {k: np.asarray(v) for k, v in dico.items()}
    expected, odd = _dimension_report(arrays)
    if odd:
        raise ArgumentError(
            "dico",
            _describe_sizes(arrays),
            f"arrays of one length ({expected}); off: {odd}",
            problem="Dimensions are not consistent",
        )
    names = {k: _dataset_name(object, k, "npy", namespace, timescale, parts) for k in arrays}
    written = []
    for key, array in arrays.items():
        if array.dtype.hasobject:
            raise ArgumentError(f"dico[{key!r}]", array.dtype, "an array without Python objects")
        target = folder / names[key]
        atomic_write(target, partial(_save_npy, array=array))
        written.append(target)
    return written


def save_metadata(file_alf: StrPath, dico: Mapping[str, object]) -> ALFPath:
    """Write ``dico`` as JSON beside an ALF file: ``obj.attr.npy`` -> ``obj.attr.metadata.json``."""
    file = ALFPath(_path_argument(file_alf, "file_alf"))
    if _parse_name(file.name) is None:
        raise ALFInvalid(file.name, "dataset file name")
    target = file.parent / f"{file.stem}.metadata.json"
    try:
        text = json.dumps(dico, indent=1)
    except TypeError as exc:
        raise ArgumentError("dico", dico, f"JSON-serialisable metadata ({exc})") from exc
    atomic_write(target, lambda stream: stream.write(text.encode("utf-8")))
    return target


# --------------------------------------------------------------------------------------------
# Walking session folders
# --------------------------------------------------------------------------------------------


def iter_sessions(root_dir: StrPath, pattern: str = "*") -> Iterator[ALFPath]:
    """Session folders below ``root_dir`` (itself included), in lexicographic order.

    A narrower glob ``pattern`` is faster, e.g. ``'*/Subjects/*/????-??-??/*'``.
    """
    root = ALFPath(_path_argument(root_dir, "root_dir"))
    instance(pattern, str, "pattern", "a glob pattern (str)")
    if not pattern or pattern.startswith(("/", "\\")) or "\0" in pattern:
        raise ArgumentError("pattern", pattern, "a non-empty glob pattern relative to root_dir")
    if is_session_path(root):
        yield root
    for path in sorted(root.rglob(pattern)):
        if path.is_dir() and is_session_path(path):
            yield path


def iter_datasets(session_path: StrPath) -> Iterator[ALFPath]:
    """The ALF datasets below ``session_path``, relative to it, in lexicographic order."""
    root = ALFPath(_path_argument(session_path, "session_path"))
    for path in sorted(root.rglob("*.*.*")):
        if _parse_name(path.name) is not None and not path.is_dir():
            yield path.relative_to(root)


def next_num_folder(session_date_folder: StrPath) -> str:
    """The next free session number (``'001'``, ``'002'``, ...) in a date folder.

    After ``'999'`` raises :class:`~onesdk.errors.SessionNumbersExhausted`.
    """
    folder = _path_argument(session_date_folder, "session_date_folder")
    numbers = [
        int(p.name)
        for p in (folder.iterdir() if folder.is_dir() else [])
        if p.is_dir() and p.name.isdigit()
    ]
    following = max(numbers, default=0) + 1
    if following > 999:
        raise SessionNumbersExhausted(
            f"{folder} has session 999 already: ALF numbers have three digits"
        )
    return f"{following:03d}"


def remove_empty_folders(folder: StrPath) -> None:
    """Remove every empty folder below ``folder``, deepest first (``folder`` itself stays)."""
    root = _path_argument(folder, "folder")
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        try:
            path.rmdir()
        except OSError:
            continue
