"""Per-session work on a Dask cluster whose workers share one cache dir (extra ``onesdk[dask]``).

* :func:`map_sessions` runs ``fn(one, eid)`` for each session on the cluster and returns the
  results in the order of the eids.
* :func:`load_tables` is a table-like ALF object (e.g. trials) of many sessions as one Dask
  DataFrame with an ``eid`` column, one partition per session.
* :func:`datasets_frame` is the datasets cache table as a Dask DataFrame read from its
  partitioned copy, for queries larger than one machine's memory.

The instance is sent to the workers pickled (its options, plus the session token for a server;
never the password). Each worker process opens it once and keeps it for every later task, so
the tables are read once per worker. Downloads go to the shared cache dir through the usual
per-file locks: a file wanted by several workers is fetched once, and a worker killed
mid-download leaves a ``.part`` file that the next download resumes, never a damaged file
under the final name. A worker runs its sessions one at a time on its instance (an instance
is not shared between threads), so give workers one thread each and scale with processes.

Progress is Dask's own (the dashboard, ``distributed.progress``): workers never draw progress
bars. ``import onesdk`` does not import this module nor Dask.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import pickle
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast, overload

try:
    import dask.dataframe as dd
    import distributed
    from distributed.client import Client
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(f"onesdk.dask needs Dask: pip install 'onesdk[dask]' ({exc})") from exc

import pandas as pd

from onesdk.errors import ArgumentError, ClusterError, LoadError, SessionError, SessionsFailed

if TYPE_CHECKING:
    from onesdk._facade._one import One
    from onesdk._repo._query import DatasetQuery
    from onesdk.alf.io import AlfBunch

__all__ = ["datasets_frame", "load_tables", "map_sessions"]

O = TypeVar("O", bound="One")  # noqa: E741
T = TypeVar("T")
EidArg = str | uuid.UUID

_log = logging.getLogger("onesdk.dask")

#: instances kept per worker process (one per distinct pickled instance, most recent last)
_KEPT: Final = 4


# --------------------------------------------------------------------------------------------
# the worker side


class _Sealed:
    """A pickled instance on its way to the workers. Its repr shows only the digest: Dask
    prints task arguments in its logs, and the pickle of a server instance holds its token."""

    __slots__ = ("data", "digest")

    def __init__(self, digest: str, data: bytes) -> None:
        self.digest = digest
        self.data = data

    def __repr__(self) -> str:
        return f"<onesdk instance {self.digest}, {len(self.data)} bytes>"

    def __reduce__(self) -> tuple[type[_Sealed], tuple[str, bytes]]:
        return (_Sealed, (self.digest, self.data))


class _Instances:
    """The instances a worker process opened, by the digest of their pickle."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: collections.OrderedDict[str, tuple[One, threading.Lock]] = (
            collections.OrderedDict()
        )
        #: how many instances this process has opened (tests read it)
        self.opened = 0

    def get(self, sealed: _Sealed) -> tuple[One, threading.Lock]:
        digest = sealed.digest
        with self._lock:
            found = self._open.get(digest)
            if found is None:
                one = pickle.loads(sealed.data)
                # progress is Dask's, never a bar in a worker's log
                one.silent = True
                store = getattr(one, "_store", None)
                if store is not None:
                    store.silent = True
                found = (one, threading.Lock())
                self._open[digest] = found
                self.opened += 1
                while len(self._open) > _KEPT:
                    self._open.popitem(last=False)
            else:
                self._open.move_to_end(digest)
            return found


_INSTANCES = _Instances()


def _record(eid: str, exc: BaseException, text: str | None = None) -> SessionError:
    kind = type(exc)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    if text is None:
        text = "".join(traceback.format_exception(exc))
    return SessionError(eid, name, str(exc), text)


def _run_session(eid: str, fn: Callable[[Any, str], object], sealed: _Sealed) -> object:
    """One session on a worker: its instance (opened once), then ``fn``; a failure of ``fn``
    comes back as the session's record, so the other sessions run on."""
    try:
        one, lock = _INSTANCES.get(sealed)
        with lock:
            return fn(one, eid)
    except Exception as exc:  # any failure of user code is the session's record
        return _record(eid, exc)


# --------------------------------------------------------------------------------------------
# arguments


def _eid_list(eids: Iterable[EidArg]) -> list[str]:
    if isinstance(eids, str | bytes | uuid.UUID):
        raise ArgumentError("eids", eids, "a list of session ids (one eid: pass [eid])")
    out: list[str] = []
    for eid in eids:
        try:
            out.append(str(uuid.UUID(str(eid))))
        except ValueError:
            raise ArgumentError("eids", eid, "session ids (UUID strings or uuid.UUID)") from None
    return out


def _pickled(one: One) -> _Sealed:
    from onesdk._facade._one import One

    if not isinstance(one, One):
        raise ArgumentError("one", one, "a One or OneAlyx instance")
    _log_in_first(one)
    try:
        data = pickle.dumps(one)
    except Exception as exc:
        raise ArgumentError("one", one, f"an instance that pickles ({exc})") from exc
    return _Sealed(hashlib.sha256(data).hexdigest()[:16], data)


def _log_in_first(one: One) -> None:
    """An online instance that has a password but no token yet logs in now: the workers get
    the token, never the password, and could not log in themselves. When the server cannot be
    reached the run goes on (sessions that need the server will say so in their records)."""
    from onesdk.errors import RemoteError

    server = one._server
    if server is None or one.offline or server.auth.has_token:
        return
    credentials = server.auth.credentials
    if credentials is None or credentials.password is None:
        return
    try:
        server.auth.log_in(timeout=one.options.timeout)
    except RemoteError as exc:
        _log.info("could not log in before sending the instance to the workers: %s", exc)


def _check_fn(fn: object) -> None:
    """``fn`` must be callable and travel to a worker (Dask pickles it with cloudpickle)."""
    if not callable(fn):
        raise ArgumentError("fn", fn, "a function fn(one, eid)")
    from distributed.protocol import pickle as dask_pickle

    try:
        dask_pickle.dumps(fn)
    except Exception as exc:
        raise ArgumentError(
            "fn", fn, f"a function that pickles, to be sent to the workers ({exc})"
        ) from exc


def _client(client: Client | None) -> Client:
    if client is not None:
        if not isinstance(client, Client):
            raise ArgumentError("client", client, "a distributed.Client or None")
        if client.status not in ("running", "connecting"):
            raise ClusterError(f"the Dask client is {client.status}: start a new one")
        return client
    try:
        return distributed.get_client()
    except ValueError:
        raise ClusterError(
            "no Dask client is running: start one (distributed.Client(), or "
            "distributed.Client(LocalCluster(...))) or pass client="
        ) from None


# --------------------------------------------------------------------------------------------
# map_sessions


@overload
def map_sessions(
    one: O,
    eids: Iterable[EidArg],
    fn: Callable[[O, str], T],
    *,
    client: Client | None = None,
    errors: Literal["raise"] = "raise",
) -> list[T]: ...
@overload
def map_sessions(
    one: O,
    eids: Iterable[EidArg],
    fn: Callable[[O, str], T],
    *,
    client: Client | None = None,
    errors: Literal["record"],
) -> list[T | SessionError]: ...
def map_sessions(
    one: O,
    eids: Iterable[EidArg],
    fn: Callable[[O, str], T],
    *,
    client: Client | None = None,
    errors: Literal["raise", "record"] = "raise",
) -> list[T] | list[T | SessionError]:
    """Run ``fn(one_on_worker, eid)`` for each session on a Dask cluster; the results in the
    order of ``eids``.

    ``client``: the cluster to use (default: the current Dask client). Every session runs to
    the end whatever the others do. A session whose ``fn`` raises (an unknown eid, missing
    data, a bug) gives a :class:`~onesdk.errors.SessionError` record (the eid, the exception's
    type, message and the worker's traceback): with ``errors='raise'`` (default) the run then
    raises :class:`~onesdk.errors.SessionsFailed` holding every record and every result; with
    ``errors='record'`` the record is returned in the session's place. A cluster that goes
    away mid-run raises :class:`~onesdk.errors.ClusterError`; a worker that dies mid-task has
    its task run again on another worker by Dask.
    """
    if errors not in ("raise", "record"):
        raise ArgumentError("errors", errors, "'raise' or 'record'")
    eid_list = _eid_list(eids)
    sealed = _pickled(one)
    _check_fn(fn)
    dask_client = _client(client)
    if not eid_list:
        return []
    try:
        futures = dask_client.map(_run_session, eid_list, fn=fn, sealed=sealed, pure=False)
    except Exception as exc:
        raise ClusterError(f"could not submit the sessions to the Dask cluster: {exc}") from exc
    try:
        results = _gather(dask_client, futures, eid_list)
    finally:
        _release(dask_client, futures)
    failures = [r for r in results if isinstance(r, SessionError)]
    if failures and errors == "raise":
        raise SessionsFailed(failures, list(results))
    return results


def _gather(
    client: Client, futures: Sequence[distributed.Future[Any]], eids: list[str]
) -> list[Any]:
    """Each session's result (a record where its task failed), in order, fetched in one
    gather; ClusterError when the cluster lost tasks (it went away, or the client closed)."""
    try:
        distributed.wait(futures)
    except Exception as exc:
        raise _lost(futures, exc) from exc
    out: list[Any] = [None] * len(futures)
    finished: list[int] = []
    for i, (eid, future) in enumerate(zip(eids, futures, strict=True)):
        status = future.status
        if status == "error":
            failure = future.exception()
            out[i] = _record(eid, failure, "".join(traceback.format_tb(future.traceback())))
        elif status == "finished":
            finished.append(i)
        else:
            raise _lost(futures, None)
    try:
        values = client.gather([futures[i] for i in finished])
    except Exception as exc:
        raise _lost(futures, exc) from exc
    for i, value in zip(finished, values, strict=True):
        out[i] = value
    return out


def _lost(futures: Sequence[distributed.Future[Any]], exc: BaseException | None) -> ClusterError:
    done = sum(f.status == "finished" for f in futures)
    cause = f" ({type(exc).__name__}: {exc})" if exc is not None else ""
    return ClusterError(
        f"the Dask cluster went away mid-run{cause}: {done} of {len(futures)} sessions had "
        "finished; the cache dir holds only verified files, so a new run fetches only the rest"
    )


def _release(client: Client, futures: Sequence[distributed.Future[Any]]) -> None:
    try:
        client.cancel(list(futures))
    except Exception:  # the cluster is gone: nothing to release
        return


# --------------------------------------------------------------------------------------------
# load_tables


def _session_table(
    eid: str,
    *,
    obj: str,
    sealed: _Sealed,
    options: dict[str, Any],
    columns: list[str] | None,
) -> pd.DataFrame:
    """One session's object as a frame with an ``eid`` column first (on a worker)."""
    one, lock = _INSTANCES.get(sealed)
    with lock:
        bunch = cast("AlfBunch", one.load_object(eid, obj, **options))
    frame = bunch.to_df()
    frame.insert(0, "eid", pd.Series([eid] * len(frame), dtype="string"))
    if columns is None:
        return frame
    extra = [c for c in frame.columns if c not in columns]
    if extra:
        raise LoadError(
            f"session {eid}: {obj} has column(s) {extra} that the first session's table has "
            "not; pass columns= to choose the columns"
        )
    return frame.reindex(columns=columns)


def load_tables(
    one: One,
    eids: Iterable[EidArg],
    obj: str,
    *,
    collection: str | None = None,
    revision: str | None = None,
    query_type: str | None = None,
    columns: Sequence[str] | None = None,
    client: Client | None = None,
    **filters: str | None,
) -> dd.DataFrame:
    """The ALF object ``obj`` (e.g. ``'trials'``) of each session as one Dask DataFrame:
    an ``eid`` column then the object's attributes (2-D ones split into ``name_0``, ...),
    one partition per session, in the order of ``eids``.

    ``collection``, ``revision``, ``query_type`` and ``filters`` (namespace, attribute, ...)
    are :meth:`One.load_object`'s. The columns are those of the first session's object (loaded
    now, on the cluster) unless ``columns`` names them; a session without one of them gets
    missing values, a session with another column raises :class:`~onesdk.errors.LoadError`
    when computed. Computing the frame loads every session on the workers (downloading what is
    missing into the shared cache dir).
    """
    eid_list = _eid_list(eids)
    if not eid_list:
        raise ArgumentError("eids", eid_list, "at least one session id")
    if not isinstance(obj, str) or not obj:
        raise ArgumentError("obj", obj, "an ALF object name such as 'trials'")
    sealed = _pickled(one)
    options: dict[str, Any] = {
        "collection": collection,
        "revision": revision,
        "query_type": query_type,
        **filters,
    }
    kwargs: dict[str, Any] = {"obj": obj, "sealed": sealed, "options": options}
    if columns is None:
        dask_client = _client(client)
        future = dask_client.submit(_session_table, eid_list[0], columns=None, pure=False, **kwargs)
        try:
            first = future.result()
        except Exception as exc:
            raise _first_failed(eid_list[0], obj, exc) from exc
        names = ["eid", *(c for c in first.columns if c != "eid")]
        meta = first.iloc[:0]
    else:
        names = ["eid", *(c for c in columns if c != "eid")]
        meta = pd.DataFrame({"eid": pd.Series([], dtype="string")}).reindex(columns=names)
    frame = dd.from_map(_session_table, eid_list, meta=meta, columns=names, **kwargs)
    return cast("dd.DataFrame", frame)


def _first_failed(eid: str, obj: str, exc: Exception) -> Exception:
    if isinstance(exc, ArgumentError | LoadError):
        return exc
    return LoadError(f"session {eid}: could not load {obj!r} ({type(exc).__name__}: {exc})")


# --------------------------------------------------------------------------------------------
# datasets_frame


def _datasets_part(path: str, *, query: DatasetQuery) -> pd.DataFrame:
    """The rows of one part file of the partitioned copy that match ``query`` (on a worker)."""
    import pyarrow.parquet as pq

    from onesdk._cache._lazy import unify
    from onesdk._repo._lazy_repository import _repository
    from onesdk._repo._results import datasets_frame as frame_of

    table = unify(pq.read_table(path))
    rows = _repository(table).datasets(query)
    return frame_of(rows, eid_index=True).reset_index()


def datasets_frame(
    one: One,
    *,
    filename: str | list[str] | None = None,
    collection: str | None = None,
    revision: str | None = None,
    qc: int | str = "FAIL",
    ignore_qc_not_set: bool = False,
    default_revisions_only: bool = False,
) -> dd.DataFrame:
    """The datasets cache table of ``one`` as a Dask DataFrame, filtered as
    :meth:`One.list_datasets` filters (same keywords and meaning).

    Columns ``eid``, ``id`` then the table's (``qc`` the ordered QC categorical); one partition
    per file of the partitioned copy (``datasets.parts/``, built first if missing or stale),
    so no machine ever holds the whole table. The part files must be readable by the workers
    (a cache dir on a shared filesystem).
    """
    from onesdk._cache._lazy import open_partitioned

    query = one._dataset_query(
        None, filename, collection, revision, qc, ignore_qc_not_set, default_revisions_only
    )
    parts = open_partitioned(one._tables_dir)
    from onesdk._repo._lazy_repository import _repository
    from onesdk._repo._results import datasets_frame as frame_of

    empty = _repository(parts.schema.empty_table()).datasets(query)
    meta = frame_of(empty, eid_index=True).reset_index()
    paths = [str(p) for p in parts.parts]
    if not paths:
        return cast("dd.DataFrame", dd.from_pandas(meta, npartitions=1))
    return cast("dd.DataFrame", dd.from_map(_datasets_part, paths, meta=meta, query=query))
