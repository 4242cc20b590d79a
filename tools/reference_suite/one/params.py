"""``one.params`` names, mapped to onesdk.

``onesdk.params`` has one-api's functions over onesdk's own settings in the user config dir
(docs/differences.md, row '`one.params` module'); one-api's parameter-file helper and its
file-level tools have no counterpart.
"""

from one._absent import Absent
from onesdk.params import _client_key as _key_from_url
from onesdk.params import (
    default,
    get,
    get_cache_dir,
    get_default_client,
    get_params_dir,
    save,
    setup,
)

_ROW = "docs/differences.md, row '`one.params` module'"

iopar = Absent("one.params.iopar", "one-api's parameter-file helper (iblutil.io.params)")
check_cache_conflict = Absent(
    "one.params.check_cache_conflict", f"ONE(cache_dir=...) finds the server of a folder ({_ROW})"
)
delete_params = Absent(
    "one.params.delete_params", f"remove the files under onesdk.params.get_params_dir() ({_ROW})"
)

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
