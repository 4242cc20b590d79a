"""``one.util`` names, mapped to onesdk.

These are one-api's helpers over its in-memory pandas tables; onesdk filters through its typed
query model instead and has no counterpart of them.
"""

from one._absent import Absent

_WHY = "one-api helper over its pandas tables; onesdk filters through its query model"

filter_datasets = Absent("one.util.filter_datasets", _WHY)
filter_revision_last_before = Absent("one.util.filter_revision_last_before", _WHY)
index_last_before = Absent("one.util.index_last_before", _WHY)
validate_date_range = Absent("one.util.validate_date_range", _WHY)
autocomplete = Absent("one.util.autocomplete", _WHY)
parse_id = Absent("one.util.parse_id", "decorator of one-api's methods")
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
