"""The conversion methods of the facade: eids, paths, URLs, records and experiment refs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Literal, overload

from onesdk._convert import (
    ExpRefDict,
    RawExpRefDict,
    RefList,
    parse_uuid,
    session_parts,
)
from onesdk._validate import (
    instance,
    text_or_path,
)
from onesdk.errors import (
    AlfError,
    ALFObjectNotFound,
    ArgumentError,
)

if TYPE_CHECKING:
    import pandas as pd

    from onesdk._models import Dataset, Session


from onesdk._convert import dataset_uuid_in_name
from onesdk._facade._core import EidLike, EidList, Facade
from onesdk._facade._one_list import ListMethods
from onesdk.alf._alfpath import ALFPath
from onesdk.alf._path import split_session_path

__all__ = ["PathMethods"]

_log = logging.getLogger("onesdk.one")


def _relative_to_session(path: str) -> str:
    found = split_session_path(path)
    return path if found is None else found[1]


def _frame_row(row: pd.Series, argument: str) -> tuple[str, str, str]:
    """The eid, dataset id and rel_path of a datasets-frame row indexed by (eid, id)."""
    name = row.name
    if not (isinstance(name, tuple) and len(name) == 2) or "rel_path" not in row.index:
        raise ArgumentError(
            argument,
            name,
            "a datasets-frame row indexed by (eid, id) with a rel_path: "
            "list_datasets(..., details=True, keep_eid_index=True)",
        )
    return str(name[0]), str(name[1]), str(row["rel_path"])


def _session_path_of(one: Facade, eid: uuid.UUID | str) -> PurePath:
    from onesdk._repo._results import session_rel_path

    return session_rel_path(one._session_record(str(eid)))


class PathMethods(ListMethods):
    """``eid2path``, ``path2eid``, ``path2record``, ``record2url``, ``eid2ref``, ...."""

    @overload
    def eid2path(self, eid: EidLike) -> ALFPath | None: ...

    @overload
    def eid2path(self, eid: EidList) -> list[ALFPath | None]: ...

    def eid2path(self, eid: EidLike | EidList) -> ALFPath | list[ALFPath | None] | None:
        """The local folder of a session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s): UUIDs, session paths, exp refs or records; a list gives a list, in
            order.

        Returns
        -------
        onesdk.alf.ALFPath or None
            ``<cache_dir>/lab/Subjects/subject/date/number`` (a ``pathlib.Path`` with the ALF
            properties: ``.subject``, ``.date``...); None when the session is not in the cache.
            A list gives a list, in order.
        """
        if isinstance(eid, list | tuple):
            return [self.eid2path(one) for one in eid]
        from onesdk._repo._results import session_rel_path

        found = parse_uuid(eid) if not isinstance(eid, Mapping | PurePath) else None
        key = str(found or self._to_eid(eid, "eid"))
        if not self.repository.has_session(key):
            return None
        return ALFPath(self.cache_dir / session_rel_path(self._session_record(key)))

    @overload
    def path2record(self, path: str | PurePath) -> Session | Dataset | None: ...

    @overload
    def path2record(
        self, path: list[str] | list[PurePath] | list[str | PurePath]
    ) -> list[Session | Dataset | None]: ...

    def path2record(
        self, path: str | PurePath | list[str] | list[PurePath] | list[str | PurePath]
    ) -> Session | Dataset | list[Session | Dataset | None] | None:
        """The record of a session folder or of a dataset file.

        Parameters
        ----------
        path : str or pathlib.PurePath, or a list of them
            A session folder, or a dataset file inside one; a list gives a list, in order.

        Returns
        -------
        onesdk.Session, onesdk.Dataset or None
            The session record for a folder, the dataset record for a file (also readable as
            ``record['rel_path']``); None when not in the cache.
        """
        if isinstance(path, list | tuple):
            return [self.path2record(one) for one in path]
        return self._record_of_path(text_or_path(path, "path"), None)

    def _eid_of_path(self, text: str, query_type: str | None) -> uuid.UUID | None:
        """``path2eid`` of one path (a remote instance passes ``query_type`` on)."""
        return self.path2eid(text)

    def _record_of_path(self, text: str, query_type: str | None) -> Session | Dataset | None:
        """``path2record`` of one path, looked up where ``query_type`` says."""
        from onesdk._repo._results import dataset_model, session_model, table_records

        if (did := dataset_uuid_in_name(text)) is not None:  # a served name: x.y.<uuid>.npy
            rows = self.repository.dataset_by_id(did)
            return dataset_model(table_records(rows)[0]) if len(rows) else None
        eid = self._eid_of_path(text, query_type)
        if eid is None:
            return None
        parts = session_parts(text)
        if parts is not None and text.rstrip("/").endswith(f"{parts[2]}/{parts[3]}"):
            return session_model(self._session_record(str(eid)))
        rel = _relative_to_session(text)
        table = self._matching_table(
            str(eid), None, None, None, qc="CRITICAL", query_type=query_type
        )
        for record in table_records(table):
            if record["rel_path"] == rel:
                return dataset_model(record)
        return None

    @overload
    def record2path(self, dataset: Dataset | pd.Series) -> Path | None: ...

    @overload
    def record2path(self, dataset: pd.DataFrame) -> list[Path | None]: ...

    def record2path(
        self, dataset: Dataset | pd.Series | pd.DataFrame
    ) -> Path | list[Path | None] | None:
        """The local path of a dataset record.

        Parameters
        ----------
        dataset : onesdk.Dataset, pandas.Series or pandas.DataFrame
            A dataset record (from ``load_datasets``, ``path2record``...), a row of a datasets
            frame indexed by (eid, id) or such a frame (``list_datasets(eid, details=True,
            keep_eid_index=True)``).

        Returns
        -------
        pathlib.Path or None
            Where the file is (or would be) in the cache dir; None when its session is unknown.
            A frame gives a list, one path per row, in order.
        """
        import pandas as pd

        from onesdk._models import Dataset

        if isinstance(dataset, pd.DataFrame):
            return [self.record2path(row) for _, row in dataset.iterrows()]
        eid: str | uuid.UUID
        if isinstance(dataset, pd.Series):
            eid, _, rel_path = _frame_row(dataset, "dataset")
        else:
            instance(dataset, Dataset, "dataset", "a Dataset record or a datasets frame (row)")
            if dataset.eid is None:
                return None
            eid, rel_path = dataset.eid, dataset.rel_path
        session = self.eid2path(eid)
        return None if session is None else session / rel_path

    def path2url(self, filepath: str | PurePath) -> str | None:
        """The file-server URL of a local dataset file.

        Parameters
        ----------
        filepath : str or pathlib.PurePath
            A dataset file in the cache dir.

        Returns
        -------
        str or None
            The URL (``http_data_server`` + the file's path, the dataset id before the extension);
            None when the file is not a dataset in the cache.

        Raises
        ------
        onesdk.errors.AlfError
            No file server is configured (pass ``http_data_server=``).
        """
        return self._url_of_path(filepath, None)

    def _url_of_path(self, filepath: str | PurePath, query_type: str | None) -> str | None:
        """``path2url``, the file looked up where ``query_type`` says."""
        record = self._record_of_path(text_or_path(filepath, "filepath"), query_type)
        if record is None:
            return None
        from onesdk._models import Dataset

        if not isinstance(record, Dataset):
            return self._url(str(_session_path_of(self, record.id)))
        return self.record2url(record)

    @overload
    def record2url(self, record: Dataset | Session | pd.Series) -> str: ...

    @overload
    def record2url(self, record: pd.DataFrame) -> list[str]: ...

    def record2url(self, record: Dataset | Session | pd.Series | pd.DataFrame) -> str | list[str]:
        """The file-server URL of a dataset (or the folder URL of a session).

        Parameters
        ----------
        record : onesdk.Dataset, onesdk.Session, pandas.Series or pandas.DataFrame
            A dataset or session record, a row of a datasets frame indexed by (eid, id) or such
            a frame (``list_datasets(eid, details=True, keep_eid_index=True)``).

        Returns
        -------
        str
            The URL, with the dataset id inserted before the file extension. A frame gives a
            list, one URL per row, in order.

        Raises
        ------
        onesdk.errors.AlfError
            No file server is configured (pass ``http_data_server=``).
        """
        import pandas as pd

        from onesdk._models import Dataset, Session

        if isinstance(record, pd.DataFrame):
            return [self.record2url(row) for _, row in record.iterrows()]
        if isinstance(record, pd.Series):
            return self._dataset_url(*_frame_row(record, "record"))
        instance(record, (Dataset, Session), "record", "a Dataset or Session record")
        if not isinstance(record, Dataset):
            return self._url(str(_session_path_of(self, record.id)))
        if record.eid is None:
            raise ArgumentError("record", record.id, "a dataset record with a session")
        return self._dataset_url(record.eid, record.id, record.rel_path)

    def _dataset_url(self, eid: uuid.UUID | str, did: uuid.UUID | str, rel_path: str) -> str:
        session = _session_path_of(self, eid)
        name = PurePath(rel_path)
        stem, dot, ext = name.name.rpartition(".")
        rel = name.with_name(f"{stem}.{did}{dot}{ext}") if dot else name
        return self._url(f"{session}/{rel.as_posix()}")

    def _url(self, rel: str) -> str:
        if not self.http_data_server:
            raise AlfError(
                "no file server configured: pass http_data_server= to build dataset URLs"
            )
        return f"{self.http_data_server}/{rel}"

    @overload
    def eid2ref(
        self, eid: EidLike, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> ExpRefDict: ...

    @overload
    def eid2ref(
        self, eid: EidLike, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> RawExpRefDict: ...

    @overload
    def eid2ref(self, eid: EidLike, as_dict: Literal[False], parse: bool = True) -> str: ...

    @overload
    def eid2ref(
        self, eid: EidList, as_dict: Literal[True] = True, parse: Literal[True] = True
    ) -> list[ExpRefDict]: ...

    @overload
    def eid2ref(
        self, eid: EidList, as_dict: Literal[True] = True, *, parse: Literal[False]
    ) -> list[RawExpRefDict]: ...

    @overload
    def eid2ref(self, eid: EidList, as_dict: Literal[False], parse: bool = True) -> list[str]: ...

    def eid2ref(
        self, eid: EidLike | EidList, as_dict: bool = True, parse: bool = True
    ) -> (
        ExpRefDict
        | RawExpRefDict
        | str
        | list[ExpRefDict]
        | list[RawExpRefDict]
        | list[str]
        | list[ExpRefDict | RawExpRefDict | str]
    ):
        """The experiment reference of a session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s): UUIDs, session paths, exp refs or records; a list gives a list, in
            order.
        as_dict : bool
            Return ``{'subject', 'date', 'sequence'}`` instead of ``'yyyy-mm-dd_N_subject'``.
        parse : bool
            With ``as_dict``, give the date as ``datetime.date`` and the sequence as ``int``.

        Returns
        -------
        dict or str
            The reference; a list of eids gives a list, in order.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            A session is not in the cache.
        """
        if isinstance(eid, list | tuple):
            return [self._eid2ref_one(one, as_dict, parse) for one in eid]
        return self._eid2ref_one(eid, as_dict, parse)

    def _eid2ref_one(
        self, eid: EidLike, as_dict: bool, parse: bool
    ) -> ExpRefDict | RawExpRefDict | str:

        key = self._eid(eid)
        if not self.repository.has_session(key):
            self.eid2path(key)  # an OneAlyx asks its server for a session the tables lack
        record = self._session_record(key)
        date = record["date"]
        if not isinstance(date, dt.date):
            raise AlfError(f"session {eid} has no date")
        subject, number = str(record["subject"]), int(str(record["number"]))
        if parse:
            if not as_dict:
                return f"{date.isoformat()}_{number}_{subject}"
            return ExpRefDict(subject=subject, date=date, sequence=number)
        if not as_dict:
            return f"{date.isoformat()}_{number:03d}_{subject}"
        return RawExpRefDict(subject=subject, date=date.isoformat(), sequence=f"{number:03d}")

    @overload
    def ref2eid(self, ref: str | Mapping[str, object]) -> uuid.UUID: ...  # type: ignore[overload-overlap]

    @overload
    def ref2eid(self, ref: RefList) -> list[uuid.UUID]: ...

    def ref2eid(self, ref: str | Mapping[str, object] | RefList) -> uuid.UUID | list[uuid.UUID]:
        """The eid of an experiment reference.

        Parameters
        ----------
        ref : str, dict, or a list of them
            ``'yyyy-mm-dd_N_subject'`` or ``{'subject', 'date', 'sequence'}``.

        Returns
        -------
        uuid.UUID
            The eid; a list gives a list, in order.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No session, or several, match the reference.
        """
        if isinstance(ref, list | tuple):
            return [self.ref2eid(one) for one in ref]
        if not isinstance(ref, str | Mapping):
            raise ArgumentError("ref", ref, "an experiment reference (str or dict) or a list")
        eid = self._ref2eid_or_none(ref)
        if eid is None:
            raise ALFObjectNotFound(f"session {ref!r} not found in the cache")
        return eid

    @overload
    def ref2path(self, ref: str | Mapping[str, object]) -> ALFPath: ...  # type: ignore[overload-overlap]

    @overload
    def ref2path(self, ref: RefList) -> list[ALFPath]: ...

    def ref2path(self, ref: str | Mapping[str, object] | RefList) -> ALFPath | list[ALFPath]:
        """The local session folder of an experiment reference.

        Parameters
        ----------
        ref : str, dict, or a list of them
            ``'yyyy-mm-dd_N_subject'`` or ``{'subject', 'date', 'sequence'}``.

        Returns
        -------
        onesdk.alf.ALFPath
            The folder; a list gives a list, in order.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No session, or several, match the reference.
        """
        if isinstance(ref, list | tuple):
            return [self.ref2path(one) for one in ref]
        if not isinstance(ref, str | Mapping):
            raise ArgumentError("ref", ref, "an experiment reference (str or dict) or a list")
        path = self.eid2path(self.ref2eid(ref))
        if path is None:
            raise ALFObjectNotFound(f"session {ref!r} not found in the cache")
        return path
