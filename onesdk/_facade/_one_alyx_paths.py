"""The session conversions of ``OneAlyx``: ``eid2path`` and ``path2eid`` ask the server when
the session is not in the cache tables."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, overload

from onesdk._facade._one import EidLike, EidList
from onesdk._facade._one_paths import PathMethods
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    ArgumentError,
    HTTPError,
)

if TYPE_CHECKING:
    pass


__all__ = ["RemotePathMethods"]


class RemotePathMethods(PathMethods):
    """``eid2path``, ``path2eid`` (remote when the cache does not know the session)."""

    @overload
    def eid2path(self, eid: EidLike, query_type: str | None = None) -> ALFPath | None: ...
    @overload
    def eid2path(self, eid: EidList, query_type: str | None = None) -> list[ALFPath | None]: ...
    def eid2path(
        self, eid: EidLike | EidList, query_type: str | None = None
    ) -> ALFPath | list[ALFPath | None] | None:
        """The local folder of a session (asking the server when it is not in the cache).

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s): UUIDs, session paths, exp refs or records; a list gives a list, in
            order.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        onesdk.alf.ALFPath or None
            The folder; None when the session does not exist. A list gives a list, in order.
        """
        if isinstance(eid, list | tuple):
            return [self._eid2path_one(one, query_type) for one in eid]
        return self._eid2path_one(eid, query_type)

    def _eid2path_one(self, eid: EidLike, query_type: str | None) -> ALFPath | None:
        local = super().eid2path(eid)
        if local is not None or not self._connection.asks_server(query_type):
            return local
        try:
            self._connection.fetch_session(self._remote_eid(eid))
        except HTTPError as exc:
            if exc.status == 404:
                return None
            raise
        return super().eid2path(eid)

    @overload
    def path2eid(  # type: ignore[overload-overlap]  # a str is also a sequence
        self, path_obj: str | PurePath, query_type: str | None = None
    ) -> uuid.UUID | None: ...
    @overload
    def path2eid(
        self,
        path_obj: Sequence[str | PurePath],
        query_type: str | None = None,
    ) -> list[uuid.UUID | None]: ...
    def path2eid(
        self,
        path_obj: str | PurePath | Sequence[str | PurePath],
        query_type: str | None = None,
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of the session folder a path is in (asking the server when needed).

        Parameters
        ----------
        path_obj : str, pathlib.PurePath, or a list of them
            A session folder or a path inside one.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        uuid.UUID or None
            The eid; None when the session does not exist. A list gives a list, in order.
        """
        if isinstance(path_obj, list | tuple):
            return [self.path2eid(one, query_type) for one in path_obj]
        if not isinstance(path_obj, str | PurePath):
            raise ArgumentError("path_obj", path_obj, "a path (str or PurePath) or a list")
        local = super().path2eid(path_obj)
        if local is not None or not self._connection.asks_server(query_type):
            return local
        from onesdk._convert import session_parts

        parts = session_parts(path_obj)
        if parts is None:
            return None
        _, subject, date, number = parts
        found = self.search(
            query_type="remote", subject=subject, date_range=[date, date], number=number
        )
        return found[0] if len(found) == 1 else None

    def _eid_of_path(self, text: str, query_type: str | None) -> uuid.UUID | None:
        return self.path2eid(text, query_type)

    def path2url(self, filepath: str | PurePath, query_type: str | None = None) -> str | None:
        """The file-server URL of a dataset file (asking the server when needed).

        Parameters
        ----------
        filepath : str or pathlib.PurePath
            A dataset file in the cache dir.
        query_type : {'local', 'remote'}, optional
            Where this call looks the file up (default: the instance's mode): remotely, a file
            of a session the cache tables lack is found among that session's datasets on the
            server; ``'local'`` reads the cache tables only.

        Returns
        -------
        str or None
            The URL (``http_data_server`` + the file's path, the dataset id before the
            extension); None when the file is not a dataset the cache (or the server) knows.

        Raises
        ------
        onesdk.errors.AlfError
            No file server is configured (pass ``http_data_server=``).
        """
        self._connection.asks_server(query_type)  # an unknown query_type is refused here
        return self._url_of_path(filepath, query_type)
