"""The server half of a remote facade: connection, mode, and fetches into the overlay.

A facade with a server holds one :class:`RemoteSession`. It decides per call whether the
server is asked (the instance's mode, or ``query_type``), falls back to the local tables in
'auto' mode when the server cannot be reached (one :class:`~onesdk.errors.OfflineWarning`),
and lays what the server answers over the loaded tables (:class:`LayeredRepository`).
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._file_auth import FileServerAuth
from onesdk._models import insertion_from_wire
from onesdk._options import Mode, Options
from onesdk._remote._client import AlyxClient, open_http, token_auth
from onesdk._remote._layered import LayeredRepository
from onesdk._remote._records import (
    SessionRow,
    session_dataset_rows_of,
    session_row_of,
)
from onesdk._remote._rest import RestRepository
from onesdk._settings import Secret
from onesdk.errors import ArgumentError, OfflineError, OfflineWarning

if TYPE_CHECKING:
    from uuid import UUID

    from onesdk_gen.alyx_client.models import (
        InsertionDetail,
        InsertionListItem,
        SessionDetail,
        SessionListItem,
    )

    from onesdk._models import Insertion

__all__ = [
    "LOCAL_INSERTION_TERMS",
    "RemoteSession",
    "as_uuid",
    "connect",
    "insertion_matches",
    "is_uuid",
    "unique_records",
]

_QUERY_TYPES = ("local", "remote", "auto", "refresh")


class RemoteSession:
    """One server, the current mode, and the overlay its answers land in.

    ``rest`` (the facade's typed reads) and ``alyx`` (the user's ``one.alyx``) share one HTTP
    runtime, so a login, a logout or ``one.alyx.cache_mode`` holds for both.
    """

    #: the basic authentication of the server's file server (downloads only)
    file_auth: FileServerAuth | None = None

    def __init__(
        self,
        rest: RestRepository,
        alyx: AlyxClient,
        auth: TokenAuth,
        requested: Mode,
        layers: Callable[[], LayeredRepository],
    ) -> None:
        self.rest = rest
        self.alyx = alyx
        self.auth = auth
        self.requested = requested
        self.mode: str = "remote" if requested in ("auto", "refresh") else requested
        self.insertions: dict[str, Insertion] = {}
        self._layers = layers
        self._warned = False
        self.closed = False

    def __repr__(self) -> str:
        return f"RemoteSession({self.rest.base_url!r}, mode={self.mode!r})"

    @property
    def starts_empty(self) -> bool:
        """'remote' and 'refresh' do not read the local tables at start (as the reference)."""
        return self.requested in ("remote", "refresh")

    def asks_server(self, query_type: str | None) -> bool:
        """Whether a call with this ``query_type`` goes to the server.

        Without one, the instance's mode decides. A call's ``'auto'`` or ``'refresh'`` reads the
        cache tables, as in one-api, where only ``'remote'`` reaches the server.
        """
        wanted = query_type or self.mode
        if wanted not in _QUERY_TYPES:
            raise ArgumentError("query_type", query_type, "'local' or 'remote'")
        if query_type is not None:
            return query_type == "remote"
        return wanted != "local"

    def fall_back(self, exc: OfflineError) -> bool:
        """In 'auto' mode, switch to local (warning once) instead of failing."""
        if self.requested not in ("auto", "refresh"):
            return False
        if not self._warned:
            warnings.warn(
                f"{exc}; using the local cache tables instead", OfflineWarning, stacklevel=4
            )
            self._warned = True
        self.mode = "local"
        return True

    def fetch_session(self, eid: str) -> SessionDetail:
        """The session detail from the server; the session and its datasets go to the
        overlay."""
        detail = self.rest.session_detail(eid)
        self._layers().add_session(session_row_of(detail), session_dataset_rows_of(detail))
        return detail

    def refresh_session(self, eid: str) -> None:
        """:meth:`fetch_session`, falling back to the local tables when offline in 'auto'."""
        try:
            self.fetch_session(eid)
        except OfflineError as exc:
            if not self.fall_back(exc):
                raise

    def add_sessions(self, rows: Iterable[SessionRow]) -> None:
        """Lay the server's session rows over the loaded ones."""
        found = list(rows)
        if found:
            self._layers().add_sessions(found)

    def remember_insertions(
        self, records: Iterable[InsertionListItem | InsertionDetail]
    ) -> list[Insertion]:
        """The Insertion records of the server's ``records``, kept for local searches; their
        sessions are laid over the loaded ones."""
        given = list(records)
        found = [insertion_from_wire(record) for record in given]
        self.insertions.update((str(insertion.id), insertion) for insertion in found)
        self.add_sessions(session_row_of(record.session_info) for record in given)
        return found

    def close(self) -> None:
        self.closed = True
        self.rest.close()


def connect(
    options: Options,
    credentials: Credentials | None,
    token: Secret | None,
    layers: Callable[[], LayeredRepository],
) -> RemoteSession:
    """A :class:`RemoteSession` on the server of ``options`` (nothing is sent yet)."""
    if options.base_url is None:
        raise ArgumentError("base_url", None, "an Alyx URL")
    auth = token_auth(options.base_url, credentials, token)
    http = open_http(
        auth, cache_dir=options.cache_dir, cache_rest=options.cache_rest, timeout=options.timeout
    )
    # one.alyx shares the instance's runtime (login, REST cache, connections); it downloads
    # into the cache dir, as in the reference
    alyx = AlyxClient._over(
        http,
        cache_dir=options.cache_dir,
        silent=options.silent,
        http_data_server=options.http_data_server,
    )
    session = RemoteSession(RestRepository(http), alyx, auth, options.mode, layers)
    session.file_auth = alyx.file_auth  # signs downloads only, never a request to Alyx
    return session


def unique_records(records: Iterable[SessionListItem]) -> list[SessionListItem]:
    """``records`` without repeats of an id (the first one kept)."""
    seen: dict[UUID, SessionListItem] = {}
    for record in records:
        seen.setdefault(record.id, record)
    return list(seen.values())


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def as_uuid(value: uuid.UUID | str, name: str) -> uuid.UUID:
    """``value`` (a UUID, or a text ending in one) as a UUID; else raise naming ``name``."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip()[-36:])
    except ValueError:
        raise ArgumentError(name, value, "a UUID") from None


#: the filters a local ``search_insertions`` applies to the insertions an instance knows
LOCAL_INSERTION_TERMS = ("name", "session")


def insertion_matches(record: Insertion, filters: Mapping[str, object]) -> bool:
    """Whether a remembered insertion passes the filters a local search can apply."""
    for key, value in filters.items():
        if key == "session":
            if str(record.eid) != str(value):
                return False
        elif key == "name":
            if record.name != value:
                return False
        else:
            raise OfflineError(
                f"search_insertions({key}=...) needs the server (query_type='remote')"
            )
    return True
