"""The listing methods of the facade: ``list_datasets``, ``list_collections``,
``list_revisions``, and the dataset query they (and the loads) build."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._core import EidLike, QcLike
from onesdk._facade._one_identifiers import IdentifierMethods
from onesdk._repo._query import (
    FILENAME_PARTS,
    DatasetQuery,
    FilenameFilter,
    PartValue,
)
from onesdk._validate import (
    filename_filter,
    part_value,
)
from onesdk.errors import (
    AlfError,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["ListMethods", "remote_order"]


class ListMethods(IdentifierMethods):
    """``list_datasets``, ``list_collections``, ``list_revisions``."""

    def _dataset_query(
        self,
        eids: tuple[str, ...] | None,
        filename: FilenameFilter,
        collection: PartValue,
        revision: PartValue,
        qc: QcLike,
        ignore_qc_not_set: bool,
        default_revisions_only: bool,
        *,
        names: Mapping[str, str] | None = None,
    ) -> DatasetQuery:
        """The query of a listing; ``names`` maps filename/collection/revision and filename
        parts to the argument names the caller used (for error messages)."""
        from onesdk._cache._schema import qc_code

        names = names or {}
        filename_filter(
            filename,
            names.get("filename", "filename"),
            wildcards=self.wildcards,
            parts=FILENAME_PARTS,
            part_arguments=names,
        )
        part_value(collection, names.get("collection", "collection"), wildcards=self.wildcards)
        part_value(revision, names.get("revision", "revision"), wildcards=self.wildcards)
        if default_revisions_only and "default_revision" not in self.repository.dataset_columns():
            raise AlfError("No default revisions specified: the cache has no default_revision")
        return DatasetQuery(
            eids=eids,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc_code(qc),
            ignore_qc_not_set=ignore_qc_not_set,
            default_revisions_only=default_revisions_only,
            wildcards=self.wildcards,
        )

    def _matching_table(
        self,
        eid: EidLike | Sequence[EidLike] | None,
        filename: FilenameFilter,
        collection: PartValue,
        revision: PartValue,
        qc: QcLike = "FAIL",
        query_type: str | None = None,
    ) -> pa.Table:
        if eid is not None and not isinstance(eid, list | tuple) and self._asks_server(query_type):
            self._refresh_sessions([self._remote_eid(eid)])  # type: ignore[arg-type]
        query = self._dataset_query(
            self._eids_arg(eid), filename, collection, revision, qc, False, False
        )
        repo = self.repository
        return repo.datasets(query)

    @overload
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        details: Literal[False] = False,
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> list[str]: ...
    @overload
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        *,
        details: Literal[True],
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> pd.DataFrame: ...
    def list_datasets(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        qc: QcLike = "FAIL",
        ignore_qc_not_set: bool = False,
        details: bool = False,
        query_type: str | None = None,
        default_revisions_only: bool = False,
        keep_eid_index: bool = False,
    ) -> list[str] | pd.DataFrame:
        """The datasets of a session (or of every session).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        qc : str, int or onesdk.QC
            List only datasets whose QC is at or below this level (default ``'FAIL'``).
        ignore_qc_not_set : bool
            Leave out datasets whose QC is ``NOT_SET``.
        details : bool
            Return the datasets frame instead of the relative paths.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        default_revisions_only : bool
            Only each dataset's default revision.
        keep_eid_index : bool
            With ``details``, index the frame by (eid, id) also for a single session.

        Returns
        -------
        list of str
            The relative paths ``collection/#revision#/name``, sorted (in table order, each once,
            without ``eid``).
        pandas.DataFrame
            With ``details=True``: the datasets frame (columns rel_path, file_size, hash, exists,
            qc, default_revision...), indexed by id, or by (eid, id).

        Examples
        --------
        >>> one.list_datasets(eid, collection='alf/probe00')
        >>> one.list_datasets(eid, filename={'object': 'spikes'}, details=True)

        Notes
        -----
        Remotely the session's datasets are asked of the server and merged into the cache tables;
        as in one-api, ``default_revisions_only`` has no effect there.
        """
        remote = (
            eid is not None
            and isinstance(eid, str | uuid.UUID | PurePath | Mapping)
            and self._asks_server(query_type)
        )
        if remote:
            # the server's listing of the session; as in the reference, default revisions
            # only have no effect remotely
            key = self._remote_eid(eid)  # type: ignore[arg-type]
            self._refresh_sessions([key])
            eids: tuple[str, ...] | None = (key,)
            default_revisions_only = False
        else:
            eids = self._eids_arg(eid)
        query = self._dataset_query(
            eids, filename, collection, revision, qc, ignore_qc_not_set, default_revisions_only
        )
        repo = self.repository
        if details:
            from onesdk._repo._results import datasets_frame

            table = repo.datasets(query)
            frame = datasets_frame(table, eid_index=eids is None or keep_eid_index)
            return remote_order(frame) if remote else frame
        return repo.rel_paths(query)

    @overload
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: Literal[False] = False,
        query_type: str | None = None,
    ) -> list[str]: ...
    @overload
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        *,
        details: Literal[True],
        query_type: str | None = None,
    ) -> dict[str, pd.DataFrame]: ...
    def list_collections(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: bool = False,
        query_type: str | None = None,
    ) -> list[str] | dict[str, pd.DataFrame]:
        """The collections holding matching datasets.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        details : bool
            Return a datasets frame per collection instead of the names.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        list of str
            The collection names in table order (``''`` for the session root).
        dict of str to pandas.DataFrame
            With ``details=True``: each collection's datasets frame.
        """
        table = self._matching_table(eid, filename, collection, revision, query_type=query_type)
        found = self._group_by_part(table, 0, details, eid_index=eid is None)
        if self._asks_server(query_type) and isinstance(found, dict):
            return {key: remote_order(frame) for key, frame in found.items()}
        return found

    @overload
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: Literal[False] = False,
        query_type: str | None = None,
    ) -> list[str]: ...
    @overload
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        *,
        details: Literal[True],
        query_type: str | None = None,
    ) -> dict[str, pd.DataFrame]: ...
    def list_revisions(
        self,
        eid: EidLike | Sequence[EidLike] | None = None,
        filename: FilenameFilter = None,
        collection: PartValue = None,
        revision: PartValue = None,
        details: bool = False,
        query_type: str | None = None,
    ) -> list[str] | dict[str, pd.DataFrame]:
        """The revisions of matching datasets.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, a list of them, or None
            The session(s) to list; None lists every session in the cache.
        filename : str, list of str or dict, optional
            Dataset file names to match: a pattern (shell wildcards, or a regular expression when
            ``wildcards`` is off), a list of patterns (any of them), or a dict of ALF parts
            (``{'object': 'trials', 'attribute': ['choice', 'intervals']}``).
        collection : str or list of str, optional
            Collection pattern(s), e.g. ``'alf/probe*'``; ``''`` matches the session root.
        revision : str or list of str, optional
            Revision pattern(s), e.g. ``'2024-*'``; ``''`` matches datasets without a revision.
        details : bool
            Return a datasets frame per revision instead of the names.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        list of str
            The revision names in table order (``''`` for datasets without a revision).
        dict of str to pandas.DataFrame
            With ``details=True``: each revision's datasets frame.
        """
        table = self._matching_table(eid, filename, collection, revision, query_type=query_type)
        return self._group_by_part(table, 1, details, eid_index=eid is None)

    def _group_by_part(
        self, table: pa.Table, part: int, details: bool, *, eid_index: bool
    ) -> list[str] | dict[str, pd.DataFrame]:
        import pyarrow as pa

        from onesdk._repo._query import split_rel_path
        from onesdk._repo._results import datasets_frame, rel_paths

        keys = [split_rel_path(r)[part] for r in rel_paths(table)]
        if not details:
            return list(dict.fromkeys(keys))
        groups: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            groups.setdefault(key, []).append(i)
        return {
            key: datasets_frame(table.take(pa.array(rows, pa.int64())), eid_index=eid_index)
            for key, rows in sorted(groups.items())
        }


#: the column order of one-api's remote ``list_datasets(details=True)``
_REMOTE_COLUMNS = ("file_size", "hash", "exists", "rel_path", "default_revision", "qc")


def remote_order(frame: pd.DataFrame) -> pd.DataFrame:
    """A datasets frame with the remote column order (file_size, hash, exists, ...)."""
    first = [c for c in _REMOTE_COLUMNS if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]
