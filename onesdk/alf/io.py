"""Reading and writing ALF files: one loader per file format, and ALF objects as typed bunches.

This module imports numpy and pandas, so neither ``import onesdk`` nor ``import onesdk.alf``
imports it; import it explicitly (``from onesdk.alf import io as alfio``).

* :func:`load_file_content` reads one file according to its extension; the typed loaders
  (:func:`load_npy`, :func:`load_table`, :func:`load_json`, ...) do the same for one format.
  A file that does not parse as its extension says raises :class:`~onesdk.errors.LoadError`
  naming the file; a file with an extension no loader knows comes back as its ``Path``.
* :func:`load_object` reads every file of one ALF object into an :class:`AlfBunch`
  (attribute -> array or table), expands ``table`` datasets into one array per column and warns
  with :class:`~onesdk.errors.ALFWarning`, naming the attribute, when lengths disagree.

The implementation is split by concern into private modules (file formats, bunches, objects,
writing); this module is the public surface.
"""

from __future__ import annotations

from onesdk.alf._io_bunch import AlfBunch, check_dimensions, dataframe
from onesdk.alf._io_files import (
    load_file_content,
    load_json,
    load_jsonable,
    load_npy,
    load_npz,
    load_sparse,
    load_table,
    load_yaml,
)
from onesdk.alf._io_objects import (
    exists,
    filter_by,
    find_variants,
    load_object,
    read_ts,
    ts2vec,
)
from onesdk.alf._io_types import UNSET, Document, FileContent, SparseArray
from onesdk.alf._io_write import (
    iter_datasets,
    iter_sessions,
    next_num_folder,
    remove_empty_folders,
    save_metadata,
    save_object_npy,
)

__all__ = [
    "UNSET",
    "AlfBunch",
    "Document",
    "FileContent",
    "SparseArray",
    "check_dimensions",
    "dataframe",
    "exists",
    "filter_by",
    "find_variants",
    "iter_datasets",
    "iter_sessions",
    "load_file_content",
    "load_json",
    "load_jsonable",
    "load_npy",
    "load_npz",
    "load_object",
    "load_sparse",
    "load_table",
    "load_yaml",
    "next_num_folder",
    "read_ts",
    "remove_empty_folders",
    "save_metadata",
    "save_object_npy",
    "ts2vec",
]
