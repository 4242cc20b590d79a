"""The data-lock methods of ``One``: pin what a load reads, read through a lock, sync it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from onesdk._facade._core import EidLike, Facade

if TYPE_CHECKING:
    from onesdk._facade._one import One
    from onesdk._lock._core import Lock


__all__ = ["LockMethods"]


class LockMethods(Facade):
    """``lock``, ``locked``, ``sync`` (see docs/locks.md)."""

    @property
    def _one(self) -> One:
        # the lock functions take the whole facade; this group only exists inside a One
        return cast("One", self)

    def lock(
        self,
        eid_or_eids: EidLike | Sequence[EidLike],
        datasets: str | Sequence[str] | None = None,
        *,
        collection: str | None = None,
        revision: str | None = None,
    ) -> Lock:
        """Pin what loading datasets of these sessions would read now.

        Parameters
        ----------
        eid_or_eids : str, uuid.UUID, pathlib.Path, dict, or a list of them
            The session(s).
        datasets : str or list of str, optional
            Dataset names as :meth:`load_dataset` takes them (default: every dataset).
        collection : str, optional
            Only datasets of this collection.
        revision : str, optional
            The revision to pin (or the last one before it).

        Returns
        -------
        onesdk.Lock
            For each dataset its id, revision path, size, md5 and QC; ``lock.save(path)`` writes
            it (see docs/locks.md).
        """
        from onesdk._lock._make import make_lock

        return make_lock(self._one, eid_or_eids, datasets, collection=collection, revision=revision)

    @contextlib.contextmanager
    def locked(self, lock: Lock) -> Iterator[Lock]:
        """A block in which every ``list_*``/``load_*`` reads the datasets a lock pins.

        Parameters
        ----------
        lock : onesdk.Lock
            The lock to read through.

        Yields
        ------
        onesdk.Lock
            The same lock.

        Raises
        ------
        onesdk.errors.NotLockedError
            A session or dataset the lock does not pin is asked for inside the block.
        """
        from onesdk._lock._view import pinned

        with pinned(self._one, lock):
            yield lock

    def sync(self, lock: Lock) -> list[Path]:
        """Download (when missing or different) and md5-verify the files a lock pins.

        Parameters
        ----------
        lock : onesdk.Lock
            The lock whose datasets to fetch into this cache dir.

        Returns
        -------
        list of pathlib.Path
            The local files, in the lock's order.
        """
        from onesdk._lock._sync import sync

        return sync(self._one, lock)
