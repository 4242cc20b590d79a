"""``one.alf.cache``: onesdk's ``onesdk.alf.cache`` under one-api's names.

The private builders (``_make_sessions_df``, ``_metadata``, ...) and ``cast_index_object`` have
no onesdk counterpart.
"""

from one._absent import Absent
from onesdk.alf.cache import (
    EMPTY_DATASETS_FRAME,
    EMPTY_SESSIONS_FRAME,
    QC_TYPE,
    load_tables,
    make_parquet_db,
    merge_tables,
    remove_missing_datasets,
)

cast_index_object = Absent(
    "one.alf.cache.cast_index_object", "a private helper of one-api's in-memory tables"
)

__all__ = [
    "EMPTY_DATASETS_FRAME",
    "EMPTY_SESSIONS_FRAME",
    "QC_TYPE",
    "load_tables",
    "make_parquet_db",
    "merge_tables",
    "remove_missing_datasets",
]
