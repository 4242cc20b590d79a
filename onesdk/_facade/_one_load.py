"""The load methods of the facade: select one revision per dataset, then read the files."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._convert import (
    parse_uuid,
)
from onesdk._env import refuse_with_pinned_revision, revision_last_before
from onesdk._facade._core import EidLike
from onesdk._facade._one_list import ListMethods
from onesdk._repo._query import FILENAME_PARTS, DatasetQuery, FilenameFilter, PartValue
from onesdk._validate import (
    instance,
)
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    ALFObjectNotFound,
    ArgumentError,
    ArgumentTypeError,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from onesdk._models import Dataset
    from onesdk.alf.io import FileContent


__all__ = ["LoadMethods"]

_log = logging.getLogger("onesdk.one")


def _per_dataset(name: str, value: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if value is None or isinstance(value, str):
        return [value] * n
    if not isinstance(value, Sequence) or not all(v is None or isinstance(v, str) for v in value):
        raise ArgumentError(name, value, "a str, or a list of str (or None) per dataset")
    if len(value) != n:
        raise ArgumentError(name, value, f"one value, or one per dataset ({n})")
    return list(value)


class LoadMethods(ListMethods):
    """``load_dataset``, ``load_datasets``, ``load_object``, ``load_collection``, ...."""

    def _dataset_filter(self, dataset: str | Mapping[str, PartValue]) -> FilenameFilter:
        """A ``load_dataset`` name as a filter: 'object.attribute' matches any namespace and
        extension (one-api appends '.*', which misses namespaced files)."""
        if isinstance(dataset, str) and self.wildcards:
            parts = dataset.split(".")
            if len(parts) == 2 and all(p and p.replace("_", "a").isalnum() for p in parts):
                return {"object": parts[0].lstrip("_"), "attribute": parts[1]}
            if len(parts) == 2:
                return dataset + ".*"
        return dataset

    def _select(
        self,
        eid: str,
        filename: FilenameFilter,
        collection: PartValue,
        revision: str | None,
        *,
        assert_unique: bool,
        exact_revision: bool = False,
        what: str,
        names: Mapping[str, str] | None = None,
        query_type: str | None = None,
    ) -> pa.Table:
        """One session's datasets matching the filters, one revision per dataset (the
        session is fetched first when ``query_type`` asks a server)."""
        from onesdk._repo._parquet import resolve_revisions
        from onesdk._repo._query import split_rel_path
        from onesdk._repo._results import rel_paths

        if revision is not None and not isinstance(revision, str):
            raise ArgumentError((names or {}).get("revision", "revision"), revision, "a str")
        if self._asks_server(query_type):
            self._refresh_sessions([eid])
        if revision is None and not exact_revision:
            revision = revision_last_before()  # ONE_REVISION_LAST_BEFORE pins loads
        query = self._dataset_query(
            (eid,), filename, collection, None, "FAIL", False, False, names=names
        )
        if exact_revision:
            query = DatasetQuery(**{**query.__dict__, "revision": revision or ""})
        else:
            query = DatasetQuery(**{**query.__dict__, "match_revision": False})
        repo = self.repository
        rows = repo.datasets(query)
        if len(rows) == 0:
            return rows
        if assert_unique:
            collections = sorted({split_rel_path(r)[0] for r in rel_paths(rows)})
            if len(collections) > 1:
                from onesdk.errors import ALFMultipleCollectionsFound

                listed = ", ".join(f'"{c}"' for c in collections)
                raise ALFMultipleCollectionsFound(
                    f"{what} exists in collections {listed}; pass a collection to choose one"
                )
        if exact_revision:
            kept = rows
        else:
            kept, notes = resolve_revisions(rows, revision, assert_unique=assert_unique)
            for note in notes:
                _log.info(note)
        if assert_unique and len(kept) > 1:
            from onesdk.errors import ALFMultipleObjectsFound

            listed = ", ".join(f'"{r}"' for r in rel_paths(kept))
            raise ALFMultipleObjectsFound(f"{what} matches several datasets: {listed}")
        return kept

    @overload
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
    ) -> FileContent: ...

    @overload
    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
    ) -> ALFPath: ...

    def load_dataset(
        self,
        eid: EidLike,
        dataset: str | Mapping[str, PartValue],
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
    ) -> FileContent | Path:
        """Load one dataset of a session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        dataset : str or dict
            A file name (shell wildcards allowed), ``'object.attribute'`` (any namespace and
            extension), a dict of ALF parts, or a relative path ``collection/#revision#/name``.
        collection : str, optional
            The collection, e.g. ``'alf/probe00'``; needed when the name exists in several.
        revision : str, optional
            Load this revision, or the last one before it (lexicographic: ISO dates order well).
            Default: the default revision, or the last one before the revision pinned by the
            ``ONE_REVISION_LAST_BEFORE`` environment variable.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        download_only : bool
            Return the local path(s) instead of the loaded data (a remote instance downloads
            missing files first).
        check_hash : bool
            Compare the local file's md5 with the record (a remote instance downloads the file
            again when it differs; a local one logs the mismatch).

        Returns
        -------
        numpy.ndarray, pandas.DataFrame, dict, ... or pathlib.Path
            The file's content as its format gives it (see :meth:`load_array` and
            :meth:`load_table` for one precise type), or its path with ``download_only``.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No such dataset in the session, or its file is not available.
        onesdk.errors.ALFMultipleCollectionsFound
            The name exists in several collections and none was given.
        onesdk.errors.ALFMultipleObjectsFound
            The pattern matches several datasets.

        Examples
        --------
        >>> intervals = one.load_dataset(eid, '_ibl_trials.intervals.npy')
        >>> intervals = one.load_dataset(eid, 'trials.intervals')
        >>> path = one.load_dataset(eid, 'spikes.times.npy', collection='alf/probe00',
        ...                         download_only=True)
        """
        key = self._eid(eid)
        instance(dataset, (str, Mapping), "dataset", "a dataset name, relative path or dict")
        is_rel_path = "/" in dataset if isinstance(dataset, str) else "collection" in dataset
        if is_rel_path and (collection is not None or revision is not None):
            raise ArgumentError(
                "collection/revision", (collection, revision), "None when dataset is a path"
            )
        if is_rel_path:
            refuse_with_pinned_revision("dataset", dataset)
        if is_rel_path and isinstance(dataset, str) and "*" in dataset:
            import warnings

            from onesdk.errors import ALFWarning

            warnings.warn(  # as one-api: a relative path names one dataset
                f"wildcards should not be used in a relative dataset path: {dataset!r}",
                ALFWarning,
                stacklevel=2,
            )
        rows = self._select(
            key,
            self._dataset_filter(dataset),
            collection,
            revision,
            assert_unique=not is_rel_path,
            what=f'Dataset "{dataset}"',
            names={"filename": "dataset", **dict.fromkeys(FILENAME_PARTS, "dataset")},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(
                f'Dataset "{dataset}" not found in session {key}'
                + (f" (collection {collection!r})" if collection is not None else "")
            )
        (file,) = self._check_files(rows.slice(0, 1), check_hash)
        if file is None:
            raise ALFObjectNotFound(f'Dataset "{dataset}" of session {key} is not on disk')
        if download_only:
            return file
        from onesdk.alf.io import load_file_content

        return load_file_content(file)

    def load_datasets(
        self,
        eid: EidLike,
        datasets: Sequence[str] | Sequence[Mapping[str, PartValue]] | pd.DataFrame,
        collections: str | Sequence[str | None] | None = None,
        revisions: str | Sequence[str | None] | None = None,
        query_type: str | None = None,
        assert_present: bool = True,
        download_only: bool = False,
        check_hash: bool = True,
    ) -> tuple[list[FileContent | Path | None], list[Dataset | None]]:
        """Load several datasets of one session.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        datasets : list of str, list of dict, or pandas.DataFrame
            Dataset names (as for :meth:`load_dataset`), dicts of ALF parts, relative paths
            ``collection/#revision#/name``, or a frame from ``list_datasets(..., details=True)``.
        collections : str or list of str, optional
            One collection for all names, or one per name (not with relative paths).
        revisions : str or list of str, optional
            One revision for all names, or one per name (the last revision before it is taken
            when there is no exact match; not with relative paths).
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        assert_present : bool
            Raise when a dataset is missing; with False its entries are None.
        download_only : bool
            Return the local path(s) instead of the loaded data (a remote instance downloads
            missing files first).
        check_hash : bool
            Compare the local file's md5 with the record (a remote instance downloads the file
            again when it differs; a local one logs the mismatch).

        Returns
        -------
        list
            The data (or paths), one entry per dataset, None where missing.
        list of onesdk.Dataset or None
            The dataset records, in the same order.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            A dataset is missing and ``assert_present`` is True.

        Examples
        --------
        >>> data, records = one.load_datasets(eid, ['_ibl_trials.choice.npy', 'spikes.times.npy'],
        ...                                   collections=['alf', 'alf/probe00'])
        """
        import warnings

        from onesdk._repo._query import split_rel_path
        from onesdk._repo._results import dataset_model, table_records
        from onesdk.errors import ALFWarning

        key = self._eid(eid)
        if isinstance(datasets, str):
            raise ArgumentTypeError("datasets", datasets, "a list of dataset names, not one string")
        if not isinstance(datasets, Sequence) and not hasattr(datasets, "columns"):
            raise ArgumentTypeError("datasets", datasets, "a list of dataset names or a DataFrame")
        if not isinstance(datasets, Sequence) and "rel_path" not in datasets.columns:
            raise ArgumentError("datasets", datasets, "a DataFrame with a rel_path column")
        if isinstance(datasets, Sequence) and not all(
            isinstance(d, str | Mapping) for d in datasets
        ):
            raise ArgumentError("datasets", datasets, "a list of names, paths or dicts")
        names: list[str | Mapping[str, PartValue]]
        if not isinstance(datasets, Sequence):  # a DataFrame from list_datasets
            names = [str(r) for r in datasets["rel_path"].tolist()]
        else:
            names = list(datasets)
        is_rel = any(isinstance(n, str) and "/" in n for n in names) or not isinstance(
            datasets, Sequence
        )
        n = len(names)
        if is_rel:
            if collections is not None or revisions is not None:
                raise ArgumentError(
                    "collections/revisions", (collections, revisions), "None with relative paths"
                )
            refuse_with_pinned_revision("datasets", names)
            split = [split_rel_path(str(x)) for x in names]
            colls: list[str | None] = [c for c, _, _ in split]
            revs: list[str | None] = [r for _, r, _ in split]
            names = [name for _, _, name in split]
        else:
            colls = _per_dataset("collections", collections, n)
            revs = _per_dataset("revisions", revisions, n)
        rows_per: list[pa.Table | None] = []
        for name, coll, rev in zip(names, colls, revs, strict=True):
            found = self._select(
                key,
                self._dataset_filter(name),
                coll,
                rev,
                assert_unique=True,
                exact_revision=is_rel,
                query_type=query_type,
                what=f'Dataset "{name}"',
                names={
                    "filename": "datasets",
                    **dict.fromkeys(FILENAME_PARTS, "datasets"),
                    "collection": "collections",
                    "revision": "revisions",
                },
            )
            rows_per.append(found if len(found) == 1 else None)
        missing = [
            "/".join(p for p in (c, f"#{r}#" if r else "", str(x)) if p)
            for x, c, r, hit in zip(names, colls, revs, rows_per, strict=True)
            if hit is None
        ]
        if missing:
            message = f"The following datasets are not in the cache: {', '.join(missing)}"
            if assert_present:
                raise ALFObjectNotFound(message)
            _log.warning(message)
        data: list[FileContent | Path | None] = []
        records: list[Dataset | None] = []
        old: list[str] = []
        for hit in rows_per:
            if hit is None:
                data.append(None)
                records.append(None)
                continue
            record = table_records(hit)[0]
            if is_rel and record.get("default_revision") is False:
                old.append(str(record["rel_path"]))
            (file,) = self._check_files(hit, check_hash)
            if file is None and assert_present:
                raise ALFObjectNotFound(f"{record['rel_path']} of session {key} is not on disk")
            records.append(dataset_model(record))
            if file is None or download_only:
                data.append(file)
            else:
                from onesdk.alf.io import load_file_content

                data.append(load_file_content(file))
        if old:
            warnings.warn(
                "These datasets are not the default revision (pass revisions= to choose "
                f"explicitly): {', '.join(old)}",
                ALFWarning,
                stacklevel=2,
            )
        return data, records

    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[False] = False,
        details: Literal[False] = False,
        check_hash: bool = True,
    ) -> FileContent: ...

    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[True],
        details: Literal[False] = False,
        check_hash: bool = True,
    ) -> ALFPath: ...

    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[False] = False,
        *,
        details: Literal[True],
        check_hash: bool = True,
    ) -> tuple[FileContent, Dataset]: ...

    @overload
    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: Literal[True],
        details: Literal[True],
        check_hash: bool = True,
    ) -> tuple[ALFPath, Dataset]: ...

    def load_dataset_from_id(
        self,
        dset_id: str | uuid.UUID,
        download_only: bool = False,
        details: bool = False,
        check_hash: bool = True,
    ) -> FileContent | Path | tuple[FileContent | Path, Dataset]:
        """Load a dataset given its UUID.

        Parameters
        ----------
        dset_id : str or uuid.UUID
            The dataset id.
        download_only : bool
            Return the local path(s) instead of the loaded data (a remote instance downloads
            missing files first).
        details : bool
            Also return the dataset record.
        check_hash : bool
            Compare the local file's md5 with the record (a remote instance downloads the file
            again when it differs; a local one logs the mismatch).

        Returns
        -------
        numpy.ndarray, pandas.DataFrame, ... or pathlib.Path
            The data (or its path with ``download_only``).
        onesdk.Dataset
            With ``details=True``, the record (the result is then a pair).

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No dataset with this id, or its file is not available.
        """
        from onesdk._repo._results import dataset_model, table_records
        from onesdk.errors import ALFMultipleObjectsFound

        did = str(parse_uuid(dset_id, "dset_id"))
        rows = self.repository.dataset_by_id(did)
        if len(rows) == 0:
            raise ALFObjectNotFound(f"dataset {did} is not in the cache")
        if len(rows) > 1:
            raise ALFMultipleObjectsFound(f"dataset id {did} appears {len(rows)} times")
        (file,) = self._check_files(rows, check_hash)
        if file is None:
            raise ALFObjectNotFound(f"dataset {did} is not on disk")
        output: FileContent | Path = file
        if not download_only:
            from onesdk.alf.io import load_file_content

            output = load_file_content(file)
        if details:
            return output, dataset_model(table_records(rows)[0])
        return output
