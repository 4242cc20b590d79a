"""The remote-only record methods of ``OneAlyx``: probe insertions, dataset types and
revisions, read from the server through the instance's remote session."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._one import EidLike
from onesdk._facade._one_identifiers import IdentifierMethods
from onesdk._log import get_logger
from onesdk._remote._records import (
    dataset_rows,
)
from onesdk._remote._rest import JsonObject
from onesdk._remote._session import (
    as_uuid,
    insertion_matches,
    is_uuid,
)
from onesdk._validate import instance
from onesdk.errors import (
    ArgumentError,
    HTTPError,
    OfflineError,
)

if TYPE_CHECKING:
    import pandas as pd

    from onesdk._models import Insertion


__all__ = ["RemoteRecordMethods"]

_log = get_logger("onesdk.one_alyx")


class RemoteRecordMethods(IdentifierMethods):
    """``search_insertions``, ``pid2eid``, ``eid2pid``, ``type2datasets``, ``dataset2type``,
    ``describe_dataset``, ``describe_revision``."""

    def _server_only(self, method: str) -> None:
        """Refuse, before any request, a call only the server answers on a local instance."""
        if self.offline:
            raise OfflineError(
                f"{method} asks the server, which an instance in local mode never does: "
                "use ONE(..., mode='remote') or set one.mode = 'remote'"
            )

    @overload
    def search_insertions(
        self, details: Literal[False] = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID]: ...

    @overload
    def search_insertions(
        self, details: Literal[True], *, query_type: str | None = None, **filters: object
    ) -> tuple[list[uuid.UUID], list[Insertion]]: ...

    def search_insertions(
        self, details: bool = False, *, query_type: str | None = None, **filters: object
    ) -> list[uuid.UUID] | tuple[list[uuid.UUID], list[Insertion]]:
        """Probe insertions matching the filters (asked of the server).

        Parameters
        ----------
        details : bool
            Also return each insertion's record.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        **filters
            The server's insertion filters: ``session``, ``name``, ``lab``, ``subject``,
            ``dataset_types``, ``atlas_acronym``...

        Returns
        -------
        list of uuid.UUID
            The probe insertion ids (pids).
        list of onesdk.Insertion
            With ``details=True``, their records.

        Raises
        ------
        onesdk.errors.ArgumentError
            A filter value of the wrong kind.
        """
        if not self._connection.asks_server(query_type):
            known = self._connection.insertions.values()
            records = [r for r in known if insertion_matches(r, filters)]
        else:
            found = self._connection.rest.search_insertions(filters).raw()
            records = self._connection.remember_insertions(found)
        pids = [r.id for r in records]
        if not details:
            return pids
        return pids, records

    def pid2eid(
        self, pid: uuid.UUID | str, query_type: str | None = None
    ) -> tuple[uuid.UUID, str] | tuple[None, None]:
        """The session and probe name of a probe insertion.

        Parameters
        ----------
        pid : str or uuid.UUID
            The probe insertion id.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        tuple of (uuid.UUID, str)
            The eid and the probe name; ``(None, None)`` when the insertion is unknown.
        """
        key = str(as_uuid(pid, "pid"))
        if self._connection.asks_server(query_type):
            try:
                detail = self._connection.rest.insertion_detail(key)
                self._connection.remember_insertions([detail])
            except HTTPError as exc:
                if exc.status != 404:
                    raise
                return None, None
        record = self._connection.insertions.get(key)
        if record is None:
            return None, None
        return record.eid, record.name

    def eid2pid(
        self, eid: EidLike, query_type: str | None = None, details: bool = False
    ) -> (
        tuple[list[uuid.UUID], list[str]]
        | tuple[list[uuid.UUID], list[str], list[Insertion]]
        | tuple[None, None]
        | tuple[None, None, None]
    ):
        """The probe insertions of a session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        details : bool
            Also return the insertion records.

        Returns
        -------
        tuple
            ``(pids, names)``, or ``(pids, names, records)`` with ``details``; Nones when the
            session has no insertion.
        """
        key = self._eid(eid)
        if self._connection.asks_server(query_type):
            pids, records = self.search_insertions(True, query_type="remote", session=key)
        else:
            pids, records = self.search_insertions(True, query_type="local", session=key)
        if not pids:
            return (None, None, None) if details else (None, None)
        names = [r.name for r in records]
        return (pids, names, records) if details else (pids, names)

    @overload
    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: Literal[False] = False
    ) -> list[str]: ...

    @overload
    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: Literal[True]
    ) -> pd.DataFrame: ...

    def type2datasets(
        self, eid: EidLike, dataset_type: str | Sequence[str], details: bool = False
    ) -> list[str] | pd.DataFrame:
        """The datasets of given dataset type(s) in a session (asked of the server).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        dataset_type : str or list of str
            Dataset type name(s), e.g. ``'trials.intervals'``.
        details : bool
            Return the datasets frame instead of the relative paths.

        Returns
        -------
        list of str
            The relative paths, sorted.
        pandas.DataFrame
            With ``details=True``.

        Raises
        ------
        onesdk.errors.OfflineError
            The instance is in local mode (no request is sent).
        """
        from onesdk._remote._records import datasets_frame

        self._server_only("type2datasets")
        key = self._remote_eid(eid)
        if isinstance(dataset_type, str):
            django = f"session__id,{key},dataset_type__name,{dataset_type}"
        elif isinstance(dataset_type, Sequence):
            django = f"session__id,{key},dataset_type__name__in,{list(dataset_type)}"
        else:
            raise ArgumentError("dataset_type", dataset_type, "a str or a list of str")
        rows = dataset_rows(self._connection.rest.dataset_records([("django", django)]).raw())
        frame = datasets_frame(rows, keep_eid_index=True)
        return frame if details else sorted(frame["rel_path"])

    def _dataset_name2id(self, name: str, argument: str = "dataset") -> str:
        for record in self.tables.core_datasets.select(["id", "rel_path"]).to_pylist():
            if str(record["rel_path"]).endswith(name):
                return str(record["id"])
        raise ArgumentError(argument, name, "a dataset name in the cache (not found)")

    def dataset2type(self, dset: str | uuid.UUID) -> str:
        """The dataset type of a dataset.

        Parameters
        ----------
        dset : str or uuid.UUID
            The dataset id, or a dataset file name found in the cache.

        Returns
        -------
        str
            The dataset type name, e.g. ``'trials.intervals'``.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No such dataset.
        onesdk.errors.OfflineError
            The instance is in local mode (no request is sent).
        """
        self._server_only("dataset2type")
        instance(dset, (str, uuid.UUID), "dset", "a dataset UUID or file name")
        key = str(dset) if isinstance(dset, uuid.UUID) else dset
        if not is_uuid(key):
            key = self._dataset_name2id(key, "dset")
        value = self._connection.rest.dataset(key).get("dataset_type")
        return str(value)

    def describe_dataset(self, dataset_type: str | None = None) -> JsonObject:
        """The record of a dataset type (its description is logged at INFO).

        Parameters
        ----------
        dataset_type : str, optional
            A dataset type name, or a dataset file name found in the cache.

        Returns
        -------
        dict
            The dataset type record (name, description, filename pattern...).

        Raises
        ------
        onesdk.errors.OfflineError
            The instance is in local mode (no request is sent).
        """
        self._server_only("describe_dataset")
        if not dataset_type:
            raise ArgumentError("dataset_type", dataset_type, "a dataset type or file name")
        try:
            record = self._connection.rest.dataset_type(dataset_type)
        except HTTPError as exc:
            if exc.status != 404:
                raise
            record = self._connection.rest.dataset_type(self.dataset2type(dataset_type))
        _log.info("%s: %s", record.get("name"), record.get("description"))
        return record

    def describe_revision(self, revision: str, full: bool = False) -> JsonObject | None:
        """The record of a revision (its description is logged at INFO).

        Parameters
        ----------
        revision : str
            The revision name, e.g. ``'2024-01-01'``.
        full : bool
            Return the record (else None).

        Returns
        -------
        dict or None
            The revision record with ``full=True``; None when the revision does not exist.

        Raises
        ------
        onesdk.errors.OfflineError
            The instance is in local mode (no request is sent).
        """
        self._server_only("describe_revision")
        try:
            record = self._connection.rest.revision(revision)
        except HTTPError as exc:
            if exc.status != 404:
                raise
            _log.info('revision "%s" not found', revision)
            return None
        _log.info("%s", record.get("description"))
        return record if full else None
