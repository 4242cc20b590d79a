"""``one.alf.cache``: onesdk's ``onesdk.alf.cache`` under one-api's names.

The private builders (``_make_sessions_df``, ``_metadata``, ...) and ``cast_index_object`` have
no onesdk counterpart; nor has ``patch_tables``: onesdk brings older tables (integer id pairs,
a ``project`` column, no ``qc``) up to date when it reads them.
"""

from one._absent import Absent
from onesdk.alf.cache import (
    DATASETS_COLUMNS,
    EMPTY_DATASETS_FRAME,
    EMPTY_SESSIONS_FRAME,
    QC_TYPE,
    SESSIONS_COLUMNS,
    default_cache,
    load_tables,
    make_parquet_db,
    merge_tables,
    remove_missing_datasets,
    remove_table_files,
)

cast_index_object = Absent(
    "one.alf.cache.cast_index_object", "a private helper of one-api's in-memory tables"
)
patch_tables = Absent(
    "one.alf.cache.patch_tables", "onesdk updates older tables as it reads them (load_tables)"
)

__all__ = [
    "DATASETS_COLUMNS",
    "EMPTY_DATASETS_FRAME",
    "EMPTY_SESSIONS_FRAME",
    "QC_TYPE",
    "SESSIONS_COLUMNS",
    "default_cache",
    "load_tables",
    "make_parquet_db",
    "merge_tables",
    "patch_tables",
    "remove_missing_datasets",
    "remove_table_files",
]
