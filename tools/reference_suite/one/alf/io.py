"""``one.alf.io`` -> :mod:`onesdk.alf.io` (same function names and arguments)."""

from onesdk.alf.io import (
    AlfBunch,
    check_dimensions,
    dataframe,
    exists,
    filter_by,
    find_variants,
    iter_datasets,
    iter_sessions,
    load_file_content,
    load_object,
    next_num_folder,
    read_ts,
    remove_empty_folders,
    save_metadata,
    save_object_npy,
    ts2vec,
)

__all__ = [
    "AlfBunch",
    "check_dimensions",
    "dataframe",
    "exists",
    "filter_by",
    "find_variants",
    "iter_datasets",
    "iter_sessions",
    "load_file_content",
    "load_object",
    "next_num_folder",
    "read_ts",
    "remove_empty_folders",
    "save_metadata",
    "save_object_npy",
    "ts2vec",
]
