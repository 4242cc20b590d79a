"""The cache-table methods of ``One``: reload, save (atomically) and the loaded-ids list."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from onesdk._atomic import atomic_write_bytes
from onesdk._facade._cache_view import LoadedIds, loaded_record, set_loaded_record
from onesdk._facade._core import Facade
from onesdk._remote._layered import LayeredRepository
from onesdk._validate import (
    path_like,
)
from onesdk.errors import (
    CacheError,
    CacheWarning,
)

if TYPE_CHECKING:
    from onesdk._cache import CacheTables


__all__ = ["CacheMethods"]


def _merged_with(tables: CacheTables, out: Path) -> CacheTables:
    """``tables`` with the rows only the tables saved in ``out`` hold (none saved: as is)."""
    from onesdk._cache import read_tables
    from onesdk._cache._merge import merge_tables

    saved = read_tables(out)
    if saved.loaded_time is None:
        return tables
    return merge_tables(tables, saved)


class CacheMethods(Facade):
    """``refresh_cache``, ``save_cache``, ``save_loaded_ids`` (and one-api's ``_reset_cache``)."""

    def _reset_cache(self) -> None:
        """Empty the tables held in memory and forget the loaded ids, as one-api's
        ``One._reset_cache`` does (it replaces ``one._cache``); nothing on disk changes
        (``load_cache()`` reads the saved tables again).

        Lab code calls it before rebuilding ``one._cache`` by hand, so it keeps one-api's name.
        """
        from onesdk._cache import empty_tables
        from onesdk._repo._parquet import ParquetRepository

        self._tables = empty_tables()
        repository = ParquetRepository(self._tables)
        self._repo = (
            repository if self._server is None else LayeredRepository(repository, self._tables)
        )
        if self._cache_view is not None:  # the view shows the empty tables from now on
            self._cache_view.pull()
        set_loaded_record(self, None)

    def refresh_cache(self, mode: str = "auto") -> dt.datetime | None:
        """Reload the tables from disk (a local cache has nothing newer to fetch).

        Parameters
        ----------
        mode : str
            Accepted for one-api compatibility (``'auto'``, ``'refresh'``, ``'remote'``...).

        Returns
        -------
        datetime.datetime or None
            When the tables were loaded.
        """
        return self.load_cache()

    def save_cache(
        self,
        save_dir: str | os.PathLike[str] | None = None,
        clobber: bool = False,
        *,
        force: bool = False,
    ) -> None:
        """Write the tables, atomically, if they changed since they were loaded or saved.

        Parameters
        ----------
        save_dir : str or os.PathLike, optional
            Where to write them (default: the tables dir).
        clobber : bool
            Write even when nothing changed, replacing the tables in ``save_dir``. Without it,
            the rows of tables already saved there that this instance does not hold are kept
            (as one-api; a lazily held datasets table replaces them).
        force : bool
            The same as ``clobber`` (the spelling of one-api's documentation).
        """
        from onesdk._cache import write_tables
        from onesdk._repo._parquet import ParquetRepository

        if save_dir is not None:
            path_like(save_dir, "save_dir")
        out = Path(save_dir) if save_dir else self._tables_dir
        tables = self.tables
        layered = isinstance(self.repository, LayeredRepository) and self.repository.changed
        unchanged = not layered and (
            self._modified_time is None
            or (self._saved_time is not None and self._modified_time <= self._saved_time)
        )
        if not (clobber or force) and unchanged:  # to any folder, as one-api
            return
        empty = len(tables.sessions) == 0 and len(tables.core_datasets) == 0 and not self.lazy
        if not (clobber or force) and empty:
            return
        out.mkdir(parents=True, exist_ok=True)
        repo = self._loaded()[1]
        # a lazy datasets table is streamed from its partitioned copy, never held whole
        batches = None if isinstance(repo, ParquetRepository) else repo.dataset_batches()
        saved = tables
        if not (clobber or force) and batches is None:  # merged into tables already there
            saved = _merged_with(tables, out)
        write_tables(saved, out, dataset_batches=batches)
        self._saved_time = dt.datetime.now()
        if isinstance(repo, LayeredRepository) and repo.changed:
            # what was saved becomes the loaded tables: the overlay starts empty again
            self._tables = tables
            self._repo = LayeredRepository(ParquetRepository(tables), tables)

    def save_loaded_ids(
        self, sessions_only: bool = False, clear_list: bool = True
    ) -> tuple[list[uuid.UUID], Path | None]:
        """Write the ids of the loaded datasets (or of their sessions) to a CSV file.

        Datasets are recorded while ``record_loaded`` is True, whether they were on disk or
        downloaded; ``one._cache['_loaded_datasets']`` shows the record.

        Parameters
        ----------
        sessions_only : bool
            Save the sessions' eids instead of the dataset ids.
        clear_list : bool
            Forget the recorded ids afterwards.

        Returns
        -------
        list of uuid.UUID
            The ids written (as one-api returns them): for datasets, the recorded list itself
            (sorted; with ``clear_list`` a new, empty one is recorded into from then on).
        pathlib.Path or None
            The CSV file (in the tables dir), or None when nothing was recorded (with a
            ``CacheWarning``).
        """
        import warnings

        record = loaded_record(self)
        if not record:
            hint = "" if self.record_loaded else "; set record_loaded = True to record them"
            warnings.warn(f"No datasets loaded{hint}", CacheWarning, 2)
            return [], None
        ids: list[uuid.UUID]
        if sessions_only:
            name = "session_uuid"
            ids = [uuid.UUID(e) for e in self.repository.eids_of([str(i) for i in record])]
        else:
            name = "dataset_uuid"
            ids = record
        stamp = dt.datetime.now().strftime("%Y-%m-%dT%H-%M-%S")
        path = self._tables_dir / f"{stamp}_loaded_{name}s.csv"
        try:
            atomic_write_bytes(path, ("\n".join([name, *map(str, ids)]) + "\n").encode())
        except OSError as exc:  # read-only or full cache dir
            raise CacheError(f"{path}: cannot save the loaded ids ({exc.strerror})") from None
        if clear_list:  # the ids returned stay as they are
            set_loaded_record(self, LoadedIds())
        return ids, path
