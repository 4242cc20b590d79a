"""The object loads of the facade: ``load_object`` and ``load_collection`` read every file
of an ALF object (or of each object of a collection) into a bunch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._core import EidLike
from onesdk._facade._one_load import LoadMethods
from onesdk._repo._query import FILENAME_PARTS, PartValue
from onesdk._validate import (
    instance,
)
from onesdk.alf._alfpath import ALFPath
from onesdk.errors import (
    AlfError,
    ALFObjectNotFound,
    UnknownTermError,
)

if TYPE_CHECKING:
    from onesdk.alf.io import AlfBunch


__all__ = ["ObjectLoadMethods"]


def _object_of(filename: str) -> str:
    """The object part of an ALF file name (namespace stripped)."""
    from onesdk.alf import filename_parts

    return filename_parts(filename, assert_valid=False).object or filename.split(".", 1)[0]


class ObjectLoadMethods(LoadMethods):
    """``load_object``, ``load_collection``."""

    @overload
    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> AlfBunch: ...

    @overload
    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
        **filters: PartValue,
    ) -> list[ALFPath]: ...

    def load_object(
        self,
        eid: EidLike,
        obj: str,
        collection: str | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> AlfBunch | list[ALFPath]:
        """Load every attribute of an ALF object.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        obj : str
            The object name, e.g. ``'trials'``, ``'spikes'``.
        collection : str, optional
            The collection; needed when the object exists in several.
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
        **filters
            ALF parts that select files: ``namespace``, ``attribute``, ``timescale``, ``extra``,
            ``extension`` (a value or a list, shell wildcards allowed).

        Returns
        -------
        onesdk.alf.io.AlfBunch
            Attribute name -> array or table (``bunch.array('times')`` gives an ndarray type).
        list of pathlib.Path
            With ``download_only``, the object's files.

        Raises
        ------
        onesdk.errors.ALFObjectNotFound
            No such object in the session (or its files are not available).
        onesdk.errors.ALFMultipleCollectionsFound
            The object is in several collections and none was given.
        onesdk.errors.UnknownTermError
            An unknown filter keyword.

        Examples
        --------
        >>> trials = one.load_object(eid, 'trials', attribute=['intervals', 'choice'])
        >>> spikes = one.load_object(eid, 'spikes', collection='alf/probe00')
        """
        key = self._eid(eid)
        files = self._object_files(
            key, obj, collection, revision, check_hash, filters, query_type=query_type
        )
        if download_only:
            return files
        from onesdk.alf.io import load_object

        return load_object(files, wildcards=self.wildcards)

    def _object_files(
        self,
        eid: str,
        obj: str | None,
        collection: str | None,
        revision: str | None,
        check_hash: bool,
        filters: Mapping[str, PartValue],
        *,
        query_type: str | None = None,
    ) -> list[ALFPath]:
        from onesdk._repo._query import split_rel_path
        from onesdk._repo._results import rel_paths
        from onesdk.errors import ALFMultipleCollectionsFound, ALFMultipleObjectsFound

        unknown = [k for k in filters if k not in FILENAME_PARTS or k == "object"]
        if unknown:
            raise UnknownTermError(unknown[0], [p for p in FILENAME_PARTS if p != "object"])
        instance(obj, str, "obj", "an ALF object name")
        spec: dict[str, PartValue] = {"object": obj, **filters}
        rows = self._select(
            eid,
            spec,
            collection,
            revision,
            assert_unique=False,
            what=f"object {obj!r}",
            names={**{p: p for p in FILENAME_PARTS}, "object": "obj"},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(f"ALF object {obj!r} not found in session {eid}")
        paths = rel_paths(rows)
        objects = sorted({_object_of(split_rel_path(p)[2]) for p in paths})
        if len(objects) > 1:
            raise ALFMultipleObjectsFound(f"{obj!r} matches several objects: {objects}")
        collections = sorted({split_rel_path(p)[0] for p in paths})
        if len(collections) > 1:
            listed = ", ".join(f'"{c}"' for c in collections)
            raise ALFMultipleCollectionsFound(
                f"object {obj!r} exists in collections {listed}; pass collection= to choose one"
            )
        files = [f for f in self._check_files(rows, check_hash) if f is not None]
        if not files:
            raise ALFObjectNotFound(f"ALF object {obj!r} of session {eid} is not on disk")
        return files

    @overload
    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: Literal[False] = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> dict[str, AlfBunch]: ...

    @overload
    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        *,
        download_only: Literal[True],
        check_hash: bool = True,
        **filters: PartValue,
    ) -> list[ALFPath]: ...

    def load_collection(
        self,
        eid: EidLike,
        collection: str,
        object: str | Sequence[str] | None = None,
        revision: str | None = None,
        query_type: str | None = None,
        download_only: bool = False,
        check_hash: bool = True,
        **filters: PartValue,
    ) -> dict[str, AlfBunch] | list[ALFPath]:
        """Load every object of a collection.

        Parameters
        ----------
        eid : str, uuid.UUID, pathlib.Path or dict
            The session: a UUID (or its string), a session path, an exp ref
            ``'yyyy-mm-dd_N_subject'`` or a session record.
        collection : str
            The collection, e.g. ``'alf/probe00'``.
        object : str or list of str, optional
            Only these objects (patterns allowed).
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
        **filters
            ALF parts that select files: ``namespace``, ``attribute``, ``timescale``, ``extra``,
            ``extension``.

        Returns
        -------
        dict of str to onesdk.alf.io.AlfBunch
            Object name -> its attributes.
        list of pathlib.Path
            With ``download_only``, the files.

        Raises
        ------
        onesdk.errors.AlfError
            The collection does not exist in the session.
        onesdk.errors.ALFObjectNotFound
            No matching object in it (or its files are not available).
        """
        from onesdk._repo._query import split_rel_path

        key = self._eid(eid)
        if not len(self._matching_table(key, None, collection, None, query_type=query_type)):
            raise AlfError(f"collection {collection!r} not found for session {key}")
        spec: dict[str, PartValue] = {"object": object, **filters}
        rows = self._select(
            key,
            spec,
            collection,
            revision,
            assert_unique=False,
            what=f"object {object!r}",
            names={p: p for p in FILENAME_PARTS},
            query_type=query_type,
        )
        if len(rows) == 0:
            raise ALFObjectNotFound(f"no object {object or ''!r} in collection {collection!r}")
        files = [f for f in self._check_files(rows, check_hash) if f is not None]
        if not files:
            raise ALFObjectNotFound(f"ALF collection {collection!r} not found on disk")
        if download_only:
            return files
        from onesdk.alf.io import load_object

        by_object: dict[str, list[Path]] = {}
        for file in files:
            by_object.setdefault(_object_of(split_rel_path(file.name)[2]), []).append(file)
        return {k: load_object(v, wildcards=self.wildcards) for k, v in by_object.items()}
