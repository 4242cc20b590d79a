"""``one.converters`` names, mapped to onesdk.

The conversions between identifiers are methods of ``One`` in onesdk as in one-api; the
module-level helpers over REST dicts have no counterpart (REST records are typed models),
but ``session_record2path``, which takes any mapping.
"""

from one._absent import Absent
from onesdk.alf import session_record2path

_REST = "REST records are typed models in onesdk, not dicts (docs/differences.md, 'REST records')"

datasets2records = Absent("one.converters.datasets2records", _REST)
ses2records = Absent("one.converters.ses2records", _REST)
one_path_from_dataset = Absent("one.converters.one_path_from_dataset", _REST)
path_from_dataset = Absent("one.converters.path_from_dataset", _REST)
path_from_filerecord = Absent("one.converters.path_from_filerecord", _REST)
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
