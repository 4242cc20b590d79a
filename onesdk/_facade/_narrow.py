"""Loaders with one precise return type each, beside the general ``load_dataset``.

``load_dataset`` returns whatever the file holds (an array, a table, a JSON document...), so
strict analysis code has to narrow it with ``isinstance``. ``load_array`` and ``load_table`` do
the narrowing and say what was found instead; ``load_object`` (an :class:`AlfBunch` with
``array()``/``table()`` accessors) is the narrow loader for whole ALF objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from onesdk.errors import ArgumentError

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas as pd

    from onesdk._facade._one import EidLike
    from onesdk._repo._query import PartValue
    from onesdk.alf.io import FileContent

__all__ = ["NarrowLoaders"]


class _LoadsDatasets(Protocol):
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None,
        revision: str | None,
        query_type: str | None,
        download_only: Literal[False],
        check_hash: bool,
    ) -> FileContent: ...


def _refuse(dataset: object, wanted: str, found: object, instead: str) -> ArgumentError:
    kind = type(found).__name__
    return ArgumentError(
        "dataset", dataset, f"{wanted} (this dataset loads as a {kind}; use {instead})"
    )


class NarrowLoaders:
    """``load_array`` / ``load_table``: ``load_dataset`` with a precise return type."""

    def load_array(
        self: _LoadsDatasets,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        check_hash: bool = True,
    ) -> npt.NDArray[Any]:
        """Load one dataset that holds an array (``.npy``, or an ``.npz`` with one array).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: UUID, session path, exp ref or record.
        dataset : str or dict
            The dataset, as for :meth:`load_dataset` (``'trials.choice'``, a file name, a
            relative path or a dict of ALF parts).
        collection, revision : str, optional
            Narrow the match; without ``revision`` the default revision is loaded.
        query_type : str, optional
            ``'local'`` or ``'remote'`` (remote instances only).
        check_hash : bool
            Check the md5 of the local file against the record.

        Returns
        -------
        numpy.ndarray
            The array.

        Raises
        ------
        onesdk.errors.ArgumentError
            The dataset holds something else (the message says what, and which loader fits).
        """
        import numpy as np

        value = self.load_dataset(eid, dataset, collection, revision, query_type, False, check_hash)
        if not isinstance(value, np.ndarray):
            raise _refuse(dataset, "an array dataset", value, "load_table or load_dataset")
        return value

    def load_table(
        self: _LoadsDatasets,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        check_hash: bool = True,
    ) -> pd.DataFrame:
        """Load one dataset that holds a table (``.pqt``, ``.csv``, ``.tsv``...).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: UUID, session path, exp ref or record.
        dataset : str or dict
            The dataset, as for :meth:`load_dataset` (``'_ibl_trials.table.pqt'``...).
        collection, revision : str, optional
            Narrow the match; without ``revision`` the default revision is loaded.
        query_type : str, optional
            ``'local'`` or ``'remote'`` (remote instances only).
        check_hash : bool
            Check the md5 of the local file against the record.

        Returns
        -------
        pandas.DataFrame
            The table.

        Raises
        ------
        onesdk.errors.ArgumentError
            The dataset holds something else (the message says what, and which loader fits).
        """
        import pandas as pd

        value = self.load_dataset(eid, dataset, collection, revision, query_type, False, check_hash)
        if not isinstance(value, pd.DataFrame):
            raise _refuse(dataset, "a table dataset", value, "load_array or load_dataset")
        return value
