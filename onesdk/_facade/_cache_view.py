"""``One._cache``: one-api's in-memory pandas tables, as a live compatibility view.

one-api keeps its tables in ``One._cache``, a dict with attribute access holding the
``sessions`` frame (index ``id``), the ``datasets`` frame (index ``(eid, id)``) and ``_meta``
(``created_time``, ``loaded_time``, ``modified_time``, ``saved_time``, ``raw``); the index
labels are :class:`uuid.UUID` objects, as in one-api 3. Lab code and
the reference's tests read it and rewrite it: ``one._cache.datasets.loc[...] = ...``,
``one._cache.sessions = pd.concat(...)``, ``del one._cache['datasets']``.

onesdk holds its tables in Arrow. The view is built on the first access of ``One._cache`` (the
public methods never pay for it). Once it exists, every call of the facade first compares the
view's frames with a fingerprint taken when they were last in step: a frame the user changed (in
place, assigned, deleted) is turned back into the Arrow tables through the same normalisation
as a one-api-written parquet table, and the repository is rebuilt from them; tables the facade
replaced itself (``load_cache``, rows learnt from a server) are turned into new frames. The
fingerprint hashes every row (:func:`pandas.util.hash_pandas_object`), so with a large cache each
call costs a pass over the frames: the public methods are the fast path.

``_meta['modified_time']`` and ``_meta['saved_time']`` are the facade's own change and save
times (``save_cache`` reads and sets them); ``_meta['raw']`` is the metadata the tables are saved
with. ``_loaded_datasets`` is the instance's record of loaded dataset ids (:class:`LoadedIds`),
the very list ``save_loaded_ids`` returns, there once a load was recorded (as in one-api); the
record follows the key when the user removes or replaces it. Other keys (``insertions``,
anything a user stores) are kept as they are and not read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from onesdk.errors import CacheError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onesdk._cache import CacheTables
    from onesdk._facade._core import Facade

__all__ = [
    "CacheView",
    "LoadedIds",
    "cache_view",
    "loaded_record",
    "record_loaded_ids",
    "set_loaded_record",
]

_log = logging.getLogger("onesdk.one")

#: the frames the view keeps in step with the tables, and their index names
_FRAMES: dict[str, tuple[str, ...]] = {"sessions": ("id",), "datasets": ("eid", "id")}
#: the ``_meta`` keys that are attributes of the facade
_TIMES = {"modified_time": "_modified_time", "saved_time": "_saved_time"}
#: the key of the loaded dataset ids, as one-api names it
LOADED_KEY = "_loaded_datasets"
#: no ``_loaded_datasets`` key
_ABSENT = object()
#: held while a load adds to a record of loaded ids (threads may load through one instance)
_RECORDING = threading.Lock()


class LoadedIds(list[uuid.UUID]):
    """The ids of the datasets loaded while ``record_loaded`` was set: sorted, each once.

    A list of UUIDs; ``size`` is its length, as for the numpy array one-api keeps under
    ``_cache['_loaded_datasets']`` (lab code tests ``.size``).
    """

    __slots__ = ()

    @property
    def size(self) -> int:
        """How many ids are recorded."""
        return len(self)

    def add(self, ids: Iterable[str | uuid.UUID]) -> None:
        """Record ``ids`` (those already recorded are not repeated)."""
        new = {uuid.UUID(str(i)) for i in ids}.difference(self)
        if new:
            self[:] = sorted([*self, *new])


def _as_loaded_ids(value: object) -> LoadedIds:
    """What the user put under ``_cache['_loaded_datasets']`` as the record of loaded ids."""
    if isinstance(value, LoadedIds):
        return value
    where = f"One._cache[{LOADED_KEY!r}]"
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise CacheError(f"{where}: expected a sequence of dataset ids, got {type(value).__name__}")
    try:
        return LoadedIds(sorted({uuid.UUID(str(i)) for i in value}))
    except ValueError:
        raise CacheError(f"{where}: expected dataset ids (UUIDs)") from None


def loaded_record(owner: Facade) -> LoadedIds | None:
    """``owner``'s loaded ids (None: nothing recorded), after what the user did to the key."""
    if owner._cache_view is not None:
        owner._cache_view.take_loaded()
    return owner._loaded_ids


def set_loaded_record(owner: Facade, record: LoadedIds | None) -> None:
    """Make ``record`` ``owner``'s loaded ids (None: no record), and the view's key."""
    owner._loaded_ids = record
    if owner._cache_view is not None:
        owner._cache_view.show_loaded()


def record_loaded_ids(owner: Facade, ids: Iterable[str]) -> None:
    """Add ``ids`` to ``owner``'s loaded ids (starting the record, as one-api, even with none)."""
    with _RECORDING:
        record = loaded_record(owner)
        if record is None:
            record = LoadedIds()
        record.add(ids)
        set_loaded_record(owner, record)


def cache_view(owner: Facade) -> CacheView:
    """The view of ``owner``'s tables, built on first use (then kept in step)."""
    view = owner._cache_view
    if view is None:
        view = CacheView(owner)
        owner._cache_view = view
        view.pull()
        view.show_loaded()
    return view


class _Meta(dict[str, Any]):
    """``_cache['_meta']``: a dict whose time keys are the facade's own change/save times."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Facade) -> None:
        super().__init__()
        self._owner = owner
        for key in ("created_time", "loaded_time", *_TIMES, "raw"):  # one-api's key order
            super().__setitem__(key, None)

    def __getitem__(self, key: str) -> Any:
        if key in _TIMES and super().__contains__(key):
            return getattr(self._owner, _TIMES[key])
        return super().__getitem__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in _TIMES:
            if value is not None and not isinstance(value, dt.datetime):
                raise CacheError(f"_cache['_meta'][{key!r}]: expected a datetime or None")
            setattr(self._owner, _TIMES[key], value)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        if key in _TIMES:
            setattr(self._owner, _TIMES[key], None)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 (self.get is this)

    def pop(self, key: str, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        value = self[key]
        del self[key]
        return value

    def items(self) -> Any:
        return {key: self[key] for key in self}.items()

    def values(self) -> Any:
        return [self[key] for key in self]

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class CacheView(dict[str, Any]):
    """one-api's ``One._cache``: ``sessions``, ``datasets`` and ``_meta``, by item or attribute.

    Built by :func:`cache_view`; :meth:`sync` (called by the facade before it reads its tables)
    keeps the frames and the tables in step.
    """

    __slots__ = ("_busy", "_loaded_shown", "_owner", "_prints", "_source")

    def __init__(self, owner: Facade) -> None:
        super().__init__()
        self._owner = owner
        self._prints: dict[str, tuple[int, bytes | None]] = {}
        self._source: CacheTables | None = None
        self._busy = False
        self._loaded_shown: object = _ABSENT  # what ``_loaded_datasets`` held when last in step

    # ------------------------------------------------------------ attribute access

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in CacheView.__slots__:
            object.__setattr__(self, name, value)
        else:
            self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self) -> Iterator[str]:
        return iter([*super().__dir__(), *self.keys()])

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))  # a pickled view is a plain dict of its frames

    # ------------------------------------------------------------ keeping in step

    def _tables_now(self) -> CacheTables | None:
        """The facade's tables as its methods see them (the overlay of a server merged in)."""
        from onesdk._remote._layered import LayeredRepository

        repo = self._owner._repo
        if isinstance(repo, LayeredRepository):
            return repo.merged()
        return self._owner._tables

    def pull(self) -> None:
        """Rebuild the frames and ``_meta`` from the facade's tables."""
        from onesdk._repo._frames import one_api_datasets_frame, one_api_sessions_frame

        self._busy = True
        try:
            tables = self._owner._loaded()[0]
            tables = self._tables_now() or tables
        finally:
            self._busy = False
        self["sessions"] = _frame(tables.sessions, "sessions", one_api_sessions_frame)
        self["datasets"] = _frame(tables.datasets, "datasets", one_api_datasets_frame)
        meta = self.get("_meta")
        if not isinstance(meta, _Meta):
            meta = _Meta(self._owner)
            self["_meta"] = meta
        if not isinstance(tables.metadata, dict):
            tables.metadata = {k: dict(v) for k, v in tables.metadata.items()}
        dict.__setitem__(meta, "created_time", tables.created_time)
        dict.__setitem__(meta, "loaded_time", tables.loaded_time)
        dict.__setitem__(meta, "raw", tables.metadata)
        self._source = tables
        self._prints = {name: _fingerprint(self.get(name)) for name in _FRAMES}

    def take_loaded(self) -> None:
        """Make what the user put under ``_loaded_datasets`` (or removed) the instance's
        record of loaded ids; nothing when the key is as the instance left it."""
        shown = dict.get(self, LOADED_KEY, _ABSENT)
        if shown is self._loaded_shown:
            return
        self._owner._loaded_ids = None if shown is _ABSENT else _as_loaded_ids(shown)
        self.show_loaded()

    def show_loaded(self) -> None:
        """Show the instance's record of loaded ids under ``_loaded_datasets`` (no key when
        nothing is recorded)."""
        record = self._owner._loaded_ids
        if record is None:
            dict.pop(self, LOADED_KEY, None)
            self._loaded_shown = _ABSENT
        else:
            dict.__setitem__(self, LOADED_KEY, record)
            self._loaded_shown = record

    def sync(self) -> None:
        """Push the frames the user changed into the tables, or pull tables the facade
        replaced; nothing when both are as they were."""
        if self._busy:
            return
        self._busy = True
        try:
            changed = {
                name
                for name in _FRAMES
                if name in self and _fingerprint(self[name]) != self._prints.get(name)
            }
            if changed:
                self._push(changed)
                return
            if self._tables_now() is not self._source:
                self._busy = False
                self.pull()
        finally:
            self._busy = False

    def _push(self, changed: set[str]) -> None:
        """Replace the facade's tables by the frames in ``changed`` (the others kept)."""
        from onesdk._cache import CacheTables
        from onesdk._remote._layered import LayeredRepository
        from onesdk._repo._parquet import ParquetRepository

        owner = self._owner
        old = self._tables_now() or owner._loaded()[0]
        sessions = _sessions_table(self["sessions"]) if "sessions" in changed else old.sessions
        datasets = _datasets_table(self["datasets"]) if "datasets" in changed else old.datasets
        tables = CacheTables(sessions, datasets, old.metadata, old.info, old.loaded_time)
        base = ParquetRepository(tables)
        layered = isinstance(owner._repo, LayeredRepository)
        owner._tables = tables
        owner._repo = LayeredRepository(base, tables) if layered else base
        self._source = self._tables_now()
        self._prints = {name: _fingerprint(self.get(name)) for name in _FRAMES}
        _log.debug("One._cache: %s rebuilt from the view", " and ".join(sorted(changed)))


# ---------------------------------------------------------------- frames and tables


def _frame(table: pa.Table, name: str, convert: Callable[[pa.Table], pd.DataFrame]) -> pd.DataFrame:
    """The frame the view shows for ``table``: a table without rows is one-api's empty frame
    (its columns and dtypes: what one-api holds after ``_reset_cache`` or before any load)."""
    if len(table) == 0:
        from onesdk.alf.cache import EMPTY_DATASETS_FRAME, EMPTY_SESSIONS_FRAME

        empty = EMPTY_SESSIONS_FRAME if name == "sessions" else EMPTY_DATASETS_FRAME
        return empty.copy()
    return convert(table)


def _fingerprint(frame: object) -> tuple[int, bytes | None]:
    """What tells a changed frame: its identity and a digest of its labels and values (None
    when the values cannot be hashed: the frame then always counts as changed)."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        return (id(frame), None)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((list(frame.columns), list(frame.index.names))).encode())
    digest.update(repr([str(t) for t in frame.dtypes]).encode())
    try:
        rows = pd.util.hash_pandas_object(frame, index=True)
    except (TypeError, ValueError):
        return (id(frame), None)
    digest.update(rows.to_numpy().tobytes())
    return (id(frame), digest.digest())


def _sessions_table(frame: object) -> pa.Table:
    """The sessions frame as the in-memory sessions table."""
    from onesdk._repo._frames import sessions_table

    return sessions_table(frame, "One._cache.sessions")


def _datasets_table(frame: object) -> pa.Table:
    """The datasets frame as the in-memory datasets table."""
    from onesdk._repo._frames import datasets_table

    return datasets_table(frame, "One._cache.datasets")
