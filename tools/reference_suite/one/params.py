"""``one.params`` names, mapped to onesdk.

``onesdk.params`` has one-api's functions over onesdk's own settings in the user config dir
(docs/differences.md, row '`one.params` module'); one-api's parameter-file helper has no
counterpart.
"""

from one._absent import Absent
from onesdk.params import _client_key as _key_from_url
from onesdk.params import (
    check_cache_conflict,
    default,
    delete_params,
    get,
    get_cache_dir,
    get_default_client,
    get_params_dir,
    save,
    setup,
)

_ROW = "docs/differences.md, row '`one.params` module'"

iopar = Absent("one.params.iopar", "one-api's parameter-file helper (iblutil.io.params)")

__all__ = [
    "_key_from_url",
    "check_cache_conflict",
    "default",
    "delete_params",
    "get",
    "get_cache_dir",
    "get_default_client",
    "get_params_dir",
    "save",
    "setup",
]
