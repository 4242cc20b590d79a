"""``one.converters`` names, mapped to onesdk.

The conversions between identifiers are methods of ``One`` in onesdk as in one-api; the
module-level helpers over REST dicts are ``onesdk.converters``.
"""

from one._absent import Absent
from onesdk.converters import (
    datasets2records,
    one_path_from_dataset,
    path_from_dataset,
    path_from_filerecord,
    ses2records,
    session_record2path,
)

recurse = Absent("one.converters.recurse", "decorator of one-api's methods")
parse_values = Absent("one.converters.parse_values", "decorator of one-api's methods")

__all__ = [
    "datasets2records",
    "one_path_from_dataset",
    "parse_values",
    "path_from_dataset",
    "path_from_filerecord",
    "recurse",
    "ses2records",
    "session_record2path",
]
