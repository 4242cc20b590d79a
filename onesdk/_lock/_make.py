"""Resolve a lock request against a ``One``: what a load would read now, as pinned entries.

The selection is the loads' own (``One._select``): the same name matching, QC threshold and
revision resolution (the default revision, or the last one at or before ``revision``), so a lock
pins exactly the files ``load_dataset``/``load_object`` would read at that moment.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from onesdk._lock._core import Lock, LockRequest, PinnedDataset, PinnedSession
from onesdk.errors import ALFObjectNotFound, ArgumentError

if TYPE_CHECKING:
    from onesdk._facade._one import EidLike, One

__all__ = ["make_lock", "resolve", "unpinned"]


@contextlib.contextmanager
def unpinned(one: One) -> Iterator[None]:
    """Inside ``one.locked(...)``, look at the real cache for the duration (lock and diff
    compare with what the cache holds, not with the lock itself)."""
    saved = one._pin
    one._pin = None
    try:
        yield
    finally:
        one._pin = saved


def _eids(one: One, eid_or_eids: EidLike | Sequence[EidLike]) -> list[str]:
    given: list[EidLike]
    if isinstance(eid_or_eids, str | uuid.UUID | PurePath | Mapping):
        given = [eid_or_eids]
    elif isinstance(eid_or_eids, Sequence):
        given = list(eid_or_eids)
    else:
        raise ArgumentError("eid_or_eids", eid_or_eids, "a session, or a list of sessions")
    if not given:
        raise ArgumentError("eid_or_eids", eid_or_eids, "a session, or a non-empty list of them")
    eids = []
    for value in given:
        found = one.to_eid(value)
        if found is None:
            raise ALFObjectNotFound(f"session {value!r} is not in the cache")
        eids.append(str(found))
    return sorted(set(eids))


def _names(datasets: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if datasets is None:
        return None
    names = (datasets,) if isinstance(datasets, str) else datasets
    if (
        not isinstance(names, Sequence)
        or not names
        or not all(isinstance(n, str) and n for n in names)
    ):
        raise ArgumentError("datasets", datasets, "None, a dataset name, or a list of names")
    return tuple(dict.fromkeys(names))


def resolve(one: One, eid: str, request: LockRequest) -> tuple[list[dict[str, object]], list[str]]:
    """The dataset rows a load would read now for ``request`` in session ``eid`` (each name's
    matches, or every dataset when no names; one revision per dataset), and the names that
    matched nothing."""
    from onesdk._repo._query import FILENAME_PARTS
    from onesdk._repo._results import table_records

    names: Sequence[str | None] = request.datasets or [None]
    rows: dict[str, dict[str, object]] = {}
    missing: list[str] = []
    for name in names:
        table = one._select(
            eid,
            one._dataset_filter(name) if name is not None else None,
            request.collection,
            request.revision,
            assert_unique=False,
            what=f'Dataset "{name}"' if name else "datasets",
            names={"filename": "datasets", **dict.fromkeys(FILENAME_PARTS, "datasets")},
        )
        if len(table) == 0:
            missing.append(name or "any dataset")
        for record in table_records(table):
            rows[str(record["id"])] = record
    return sorted(rows.values(), key=lambda r: str(r["rel_path"])), missing


def _session(one: One, eid: str) -> PinnedSession:
    path = one.eid2path(eid)
    if path is None:
        raise ALFObjectNotFound(f"session {eid} is not in the cache")
    return PinnedSession(uuid.UUID(eid), path.relative_to(one.cache_dir).as_posix())


def pinned_dataset(
    one: One, session: PinnedSession, record: dict[str, object], *, hash_files: bool = True
) -> PinnedDataset:
    """A lock entry for a datasets-table row (with ``hash_files``, the md5 of the local file
    when the cache has none)."""
    size = record.get("file_size")
    md5 = record.get("hash")
    rel_path = str(record["rel_path"])
    if not md5 and hash_files:
        from onesdk._hashing import file_md5

        local = Path(one.cache_dir, session.path, rel_path)
        md5 = file_md5(local) if local.is_file() else None
    return PinnedDataset(
        eid=session.eid,
        id=uuid.UUID(str(record["id"])),
        rel_path=rel_path,
        size=int(size) if isinstance(size, int) else None,
        md5=str(md5).lower() if md5 else None,
        qc=str(record.get("qc") or "NOT_SET"),
    )


def _cache_facts(one: One) -> tuple[str | None, str | None]:
    """The cache's tag (the tags of its tables, if any) and creation time."""
    info = one.tables.info
    tags = info.get("database_tags")
    tag = ",".join(str(t) for t in tags) if isinstance(tags, list) and tags else None
    created = info.get("date_created")
    if not isinstance(created, str) or not created:
        when = one.tables.created_time
        created = when.isoformat() if when is not None else None
    return tag, created


def make_lock(
    one: One,
    eid_or_eids: EidLike | Sequence[EidLike],
    datasets: str | Sequence[str] | None = None,
    *,
    collection: str | None = None,
    revision: str | None = None,
) -> Lock:
    """Pin what loading ``datasets`` of these sessions would read now (see ``One.lock``)."""
    from onesdk import __version__
    from onesdk._validate import instance

    instance(collection, (str, type(None)), "collection", "a collection name or None")
    instance(revision, (str, type(None)), "revision", "a revision (str) or None")
    request = LockRequest(_names(datasets), collection, revision)
    sessions: list[PinnedSession] = []
    pinned: list[PinnedDataset] = []
    with unpinned(one):
        for eid in _eids(one, eid_or_eids):
            rows, missing = resolve(one, eid, request)
            if missing:
                where = f" (collection {collection!r})" if collection is not None else ""
                raise ALFObjectNotFound(
                    f"nothing to lock: {', '.join(missing)} not found in session {eid}{where}"
                )
            session = _session(one, eid)
            sessions.append(session)
            pinned.extend(pinned_dataset(one, session, r) for r in rows)
        tag, created = _cache_facts(one)
    alyx = getattr(one, "alyx", None)
    server = getattr(alyx, "base_url", None)
    return Lock(
        sessions=tuple(sessions),
        datasets=tuple(pinned),
        request=request,
        server=server if isinstance(server, str) else None,
        data_server=one.http_data_server,
        cache_tag=tag,
        cache_created=created,
        onesdk_version=__version__,
    )
