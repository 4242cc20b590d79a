"""``lock.diff(one)``: what changed in a cache since a lock was made, as typed changes.

The locked request is resolved again against ``one`` (as ``one.lock`` would now) and each
pinned dataset is looked up by id among all of its session's rows:

* :class:`RevisionMoved`: a load would now read another dataset for the same path (the
  default revision moved, or a revision was added before the pinned date);
* :class:`DatasetRemoved`: the pinned dataset id is no longer in the cache;
* :class:`ContentChanged`: its size or md5 in the cache differs from the lock;
* :class:`QcChanged`: its QC differs;
* :class:`DatasetAdded`: a dataset the request now matches at a path the lock does not have.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING, ClassVar, Literal, TypeAlias

from onesdk._lock._core import Lock, PinnedDataset, PinnedSession
from onesdk.errors import HTTPError

if TYPE_CHECKING:
    from onesdk._facade._one import One

__all__ = [
    "ContentChanged",
    "DatasetAdded",
    "DatasetRemoved",
    "LockChange",
    "QcChanged",
    "RevisionMoved",
    "diff",
]


@dataclasses.dataclass(frozen=True)
class RevisionMoved:
    """A load would now read ``current`` where the lock pins ``locked`` (same dataset path)."""

    kind: ClassVar[Literal["revision_moved"]] = "revision_moved"
    locked: PinnedDataset
    current: PinnedDataset

    @property
    def eid(self) -> uuid.UUID:
        return self.locked.eid

    def __str__(self) -> str:
        return f"{self.eid}: revision moved: {self.locked.rel_path} -> {self.current.rel_path}"


@dataclasses.dataclass(frozen=True)
class DatasetRemoved:
    """The pinned dataset is no longer in the cache."""

    kind: ClassVar[Literal["dataset_removed"]] = "dataset_removed"
    locked: PinnedDataset

    @property
    def eid(self) -> uuid.UUID:
        return self.locked.eid

    def __str__(self) -> str:
        return f"{self.eid}: removed: {self.locked.rel_path} ({self.locked.id})"


@dataclasses.dataclass(frozen=True)
class ContentChanged:
    """The pinned dataset's size or md5 in the cache differs from the lock."""

    kind: ClassVar[Literal["content_changed"]] = "content_changed"
    locked: PinnedDataset
    size: int | None
    md5: str | None

    @property
    def eid(self) -> uuid.UUID:
        return self.locked.eid

    def __str__(self) -> str:
        parts = []
        if self.size != self.locked.size:
            parts.append(f"size {self.locked.size} -> {self.size}")
        if self.md5 != self.locked.md5:
            parts.append(f"md5 {self.locked.md5} -> {self.md5}")
        return f"{self.eid}: content changed: {self.locked.rel_path}: {', '.join(parts)}"


@dataclasses.dataclass(frozen=True)
class QcChanged:
    """The pinned dataset's QC in the cache differs from the lock."""

    kind: ClassVar[Literal["qc_changed"]] = "qc_changed"
    locked: PinnedDataset
    qc: str

    @property
    def eid(self) -> uuid.UUID:
        return self.locked.eid

    def __str__(self) -> str:
        return f"{self.eid}: QC changed: {self.locked.rel_path}: {self.locked.qc} -> {self.qc}"


@dataclasses.dataclass(frozen=True)
class DatasetAdded:
    """A dataset the locked request now matches, at a path the lock does not pin."""

    kind: ClassVar[Literal["dataset_added"]] = "dataset_added"
    current: PinnedDataset

    @property
    def eid(self) -> uuid.UUID:
        return self.current.eid

    def __str__(self) -> str:
        return f"{self.eid}: added: {self.current.rel_path} ({self.current.id})"


LockChange: TypeAlias = RevisionMoved | DatasetRemoved | ContentChanged | QcChanged | DatasetAdded


def _changed(old: object, new: object) -> bool:
    """Differs, counting an unknown value (None) on either side as no evidence of change."""
    return old is not None and new is not None and old != new


def _session_changes(one: One, lock: Lock, session: PinnedSession) -> list[LockChange]:
    from onesdk._lock._make import pinned_dataset, resolve
    from onesdk._repo._results import table_records

    eid = str(session.eid)
    try:
        resolved, _ = resolve(one, eid, lock.request)
        rows = table_records(one._matching_table(eid, None, None, None, qc="CRITICAL"))
    except HTTPError as exc:  # the server no longer knows the session: all of it is gone
        if exc.status != 404:
            raise
        resolved, rows = [], []
    by_id = {str(r["id"]): pinned_dataset(one, session, r, hash_files=False) for r in rows}
    now = {
        d.identity: d for d in (pinned_dataset(one, session, r, hash_files=False) for r in resolved)
    }
    changes: list[LockChange] = []
    locked = lock.datasets_of(session.eid)
    for pin in locked:
        current = by_id.get(str(pin.id))
        if current is None:
            changes.append(DatasetRemoved(pin))
        else:
            if _changed(pin.size, current.size) or _changed(pin.md5, current.md5):
                changes.append(ContentChanged(pin, current.size, current.md5))
            if pin.qc != current.qc:
                changes.append(QcChanged(pin, current.qc))
        chosen = now.get(pin.identity)
        if chosen is not None and chosen.id != pin.id:
            changes.append(RevisionMoved(pin, chosen))
    pinned_paths = {d.identity for d in locked}
    changes.extend(DatasetAdded(d) for key, d in sorted(now.items()) if key not in pinned_paths)
    return changes


def diff(lock: Lock, one: One) -> list[LockChange]:
    """The changes of every locked session, in the lock's order (empty: nothing changed)."""
    from onesdk._lock._make import unpinned
    from onesdk._validate import instance

    instance(lock, Lock, "lock", "an onesdk.Lock")
    with unpinned(one):
        return [c for s in lock.sessions for c in _session_changes(one, lock, s)]
