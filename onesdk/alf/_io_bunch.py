"""AlfBunch: the attributes of one ALF object, with their dimension checks."""

from __future__ import annotations

import logging
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk._validate import instance
from onesdk.alf._io_types import (
    FileContent,
)
from onesdk.errors import (
    ALFObjectNotFound,
    ALFWarning,
    ArgumentError,
    BunchKeysError,
)

_logger = logging.getLogger("onesdk.alf.io")

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
        """Concatenate ``other``'s arrays (and lists) after this bunch's, key by key.

        ``other`` must have this bunch's keys (else :class:`~onesdk.errors.BunchKeysError`).
        """
        target = self if inplace else AlfBunch(self)
        if not other:
            return target
        if not target:
            target.update(other)
            return target
        if set(target) != set(other):
            raise BunchKeysError(
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
