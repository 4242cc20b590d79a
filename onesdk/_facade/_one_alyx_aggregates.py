"""The aggregate datasets of ``OneAlyx``: datasets of a relation (e.g. a subject) that
belong to no session, listed from the server and downloaded on load."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._core import Facade
from onesdk._remote._records import (
    dataset_rows,
)
from onesdk._store._download import Downloader
from onesdk._validate import instance
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    OfflineError,
)

if TYPE_CHECKING:
    import pandas as pd

    from onesdk.alf.io import FileContent


__all__ = ["AggregateMethods"]


class AggregateMethods(Facade):
    """``list_aggregates``, ``load_aggregate``."""

    def list_aggregates(
        self,
        relation: str,
        identifier: str | None = None,
        dataset: str | None = None,
        revision: str | None = None,
        assert_unique: bool = False,
    ) -> pd.DataFrame:
        """Aggregate datasets (not tied to a session) of a relation, from the server.

        Parameters
        ----------
        relation : str
            The relation, e.g. ``'subjects'``.
        identifier : str, optional
            Only the aggregates of this subject (or other identifier).
        dataset : str, optional
            Only datasets whose name matches this pattern.
        revision : str, optional
            This revision, or the last one before it.
        assert_unique : bool
            Raise when several datasets match.

        Returns
        -------
        pandas.DataFrame
            The matching aggregate datasets.
        """
        from onesdk._facade._aggregates import aggregates_frame

        if not isinstance(relation, str) or not relation:
            raise ArgumentError("relation", relation, "a relation name such as 'subjects'")
        for name, value in (
            ("identifier", identifier),
            ("dataset", dataset),
            ("revision", revision),
        ):
            instance(value, (str, type(None)), name, "a str or None")
        records = self._connection.rest.dataset_records([("django", "session__isnull,True")]).raw()
        frame = aggregates_frame(dataset_rows(records), relation, identifier, dataset, revision)
        if assert_unique and len(frame) > 1:
            from onesdk.errors import ALFMultipleObjectsFound

            raise ALFMultipleObjectsFound(
                f"{dataset} matches several aggregates: {', '.join(frame['rel_path'])}"
            )
        return frame

    @overload
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        download_only: Literal[False] = False,
    ) -> FileContent: ...
    @overload
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        *,
        download_only: Literal[True],
    ) -> ALFPath: ...
    def load_aggregate(
        self,
        relation: str,
        identifier: str,
        dataset: str | None = None,
        revision: str | None = None,
        download_only: bool = False,
    ) -> FileContent | Path:
        """Load (or fetch) one aggregate dataset.

        Parameters
        ----------
        relation : str
            The relation, e.g. ``'subjects'``.
        identifier : str
            The subject (or other identifier).
        dataset : str, optional
            The dataset name (pattern).
        revision : str, optional
            This revision, or the last one before it.
        download_only : bool
            Return the local path(s) instead of the loaded data (a remote instance downloads
            missing files first).

        Returns
        -------
        numpy.ndarray, pandas.DataFrame, ... or pathlib.Path
            The data, or its path with ``download_only``.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No such aggregate dataset.
        """
        if self.wildcards and isinstance(dataset, str) and len(dataset.split(".")) == 2:
            dataset += ".*"
        frame = self.list_aggregates(relation, identifier, dataset, revision, assert_unique=True)
        if frame.empty:
            raise ALFObjectNotFound(f"{dataset or 'dataset'} not found for {relation}/{identifier}")
        from onesdk._facade._aggregates import aggregate_task

        task = aggregate_task(frame, self.cache_dir, self._data_server())
        with Downloader(silent=self.silent, n_threads=1) as dl:
            path = dl.fetch(task)
        if download_only:
            return ALFPath(path)
        from onesdk.alf.io import load_file_content

        return load_file_content(path)

    def _data_server(self) -> str:
        if not self.http_data_server:
            raise OfflineError(
                "no file server configured: pass http_data_server= to download missing files"
            )
        return self.http_data_server
