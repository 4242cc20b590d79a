"""``one.params`` names, mapped to onesdk.

onesdk keeps settings and tokens per server in the user config dir (see the `credentials` row of
docs/differences.md); it has no counterpart of one-api's parameter-file functions.
"""

from one._absent import Absent

_WHY = "settings live in the user config dir (docs/differences.md, row 'credentials')"

setup = Absent("one.params.setup", _WHY)
get = Absent("one.params.get", _WHY)
save = Absent("one.params.save", _WHY)
default = Absent("one.params.default", _WHY)
get_params_dir = Absent("one.params.get_params_dir", _WHY)
get_default_client = Absent("one.params.get_default_client", _WHY)
get_cache_dir = Absent("one.params.get_cache_dir", _WHY)
_key_from_url = Absent("one.params._key_from_url", "private helper of one-api")
iopar = Absent("one.params.iopar", "one-api's parameter-file helper (iblutil.io.params)")

__all__ = [
    "default",
    "get",
    "get_cache_dir",
    "get_default_client",
    "get_params_dir",
    "save",
    "setup",
]
