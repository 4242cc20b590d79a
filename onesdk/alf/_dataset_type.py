"""Which dataset type a file is: its name matched against Alyx dataset-type records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Protocol, TypeVar

from onesdk.alf._parts import StrPath, filename_parts, posix_text
from onesdk.alf._spec import is_valid
from onesdk.errors import ArgumentTypeError, DatasetTypeMismatch

__all__ = ["DatasetTypeLike", "get_dataset_type"]


class DatasetTypeLike(Protocol):
    """A dataset-type record read by attribute, such as the ``DatasetType`` model."""

    @property
    def name(self) -> str:
        """The type's name: ``object.attribute`` for a type matched without a pattern."""

    @property
    def filename_pattern(self) -> str | None:
        """A shell-style pattern of file names, any case; None, empty or blank for none."""


DatasetTypeT = TypeVar("DatasetTypeT", bound=DatasetTypeLike | Mapping[str, object])

_MISSING = object()
_RECORD = (
    "a dataset-type record: a mapping or an object with a str 'name' and a 'filename_pattern' "
    "(a str, or None or '' for a type matched by object.attribute)"
)


def get_dataset_type(filename: StrPath, dtypes: Iterable[DatasetTypeT]) -> DatasetTypeT:
    """The one dataset type of a file, from its name.

    A dataset type with a ``filename_pattern`` matches a file whose name (leading folders are
    ignored) matches that shell-style pattern (``*``, ``?``, ``[seq]``) as a whole, in any
    case. A type without one (``None``, empty or blank) is named ``object.attribute`` and
    matches the ALF files of that object and attribute, in the same case; a name that is not
    ALF is compared without its last extension instead. Exactly one type must match.

    Parameters
    ----------
    filename : str or os.PathLike
        A file name, or a path whose last part is the file name.
    dtypes : iterable of Mapping or DatasetType
        Dataset-type records, each with ``name`` and ``filename_pattern``: REST dicts of
        ``one.alyx.rest('dataset-types', 'list')``, ``DatasetType`` models, or any object
        with those two attributes.

    Returns
    -------
    Mapping or DatasetType
        The record of ``dtypes`` that matches, itself (not a copy).

    Raises
    ------
    onesdk.errors.DatasetTypeMismatch
        No type matches the file, or several do (the message names them). Also a
        ``ValueError``.
    onesdk.errors.ArgumentTypeError
        ``filename`` is not a path, ``dtypes`` is not an iterable of records, or a record has
        no str ``name`` or no ``filename_pattern``.

    Examples
    --------
    >>> types = [
    ...     {"name": "trials.intervals", "filename_pattern": ""},
    ...     {"name": "_iblrig_Camera.raw", "filename_pattern": "_iblrig_*Camera.raw.*"},
    ... ]
    >>> get_dataset_type("alf/_ibl_trials.intervals.npy", types)["name"]
    'trials.intervals'
    >>> get_dataset_type("raw_video_data/_iblrig_leftCamera.raw.MP4", types)["name"]
    '_iblrig_Camera.raw'
    >>> get_dataset_type("trials.table.pqt", types)
    Traceback (most recent call last):
    ...
    onesdk.errors.DatasetTypeMismatch: no dataset type matches: invalid filename=...
    """
    name = PurePosixPath(posix_text(filename, "filename")).name
    if isinstance(dtypes, str | bytes | Mapping) or not isinstance(dtypes, Iterable):
        raise ArgumentTypeError("dtypes", dtypes, f"an iterable of records, each {_RECORD}")
    obj_attr = _object_attribute(name)
    folded = name.casefold()
    matched: list[tuple[DatasetTypeT, str, str]] = []
    count = 0
    for record in dtypes:
        count += 1
        type_name, pattern = _fields(record)
        if pattern:
            if fnmatchcase(folded, pattern.casefold()):
                matched.append((record, type_name, f"filename_pattern {pattern!r}"))
        elif type_name == obj_attr:
            matched.append((record, type_name, "object.attribute"))
    if len(matched) == 1:
        return matched[0][0]
    expected = (
        f"a file name that exactly one of the {count} dataset types matches, by its "
        "filename_pattern (shell wildcards, any case) or, without one, by object.attribute"
    )
    raise DatasetTypeMismatch(name, ((n, rule) for _, n, rule in matched), expected)


def _object_attribute(name: str) -> str:
    """``object.attribute`` of an ALF file name; any other name without its last extension."""
    if not is_valid(name):
        return PurePosixPath(name).stem
    parts = filename_parts(name)
    return f"{parts.object}.{parts.attribute}"


def _fields(record: object) -> tuple[str, str]:
    """(name, pattern) of a record; a null, empty or blank pattern gives ''."""
    if isinstance(record, Mapping):
        name, pattern = record.get("name"), record.get("filename_pattern", _MISSING)
    else:
        name = getattr(record, "name", None)
        pattern = getattr(record, "filename_pattern", _MISSING)
    if not isinstance(name, str) or not (pattern is None or isinstance(pattern, str)):
        raise ArgumentTypeError("dtypes", record, f"each item {_RECORD}")
    text = pattern or ""
    return name, text if text.strip() else ""
