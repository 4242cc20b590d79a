"""``one.util`` -> :mod:`onesdk.util` (the same function names)."""

from one._absent import Absent
from onesdk.util import (
    autocomplete,
    filter_datasets,
    filter_revision_last_before,
    index_last_before,
    parse_id,
    validate_date_range,
)

LazyId = Absent("one.util.LazyId", "remote search returns a list (docs/differences.md)")
_collection_spec = Absent("one.util._collection_spec", "private helper of one-api")

__all__ = [
    "LazyId",
    "autocomplete",
    "filter_datasets",
    "filter_revision_last_before",
    "index_last_before",
    "parse_id",
    "validate_date_range",
]
