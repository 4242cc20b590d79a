"""The types of onesdk.alf.io: what loaders return and how part filters are given."""

from __future__ import annotations

import datetime
import enum
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias

import numpy.typing as npt
import pandas as pd

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
