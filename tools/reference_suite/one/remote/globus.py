"""``one.remote.globus`` names, mapped to onesdk (none has a counterpart)."""

from one._absent import Absent

_WHY = "no Globus transfer client in onesdk (docs/differences.md, row '`one.remote`')"

Globus = Absent("one.remote.globus.Globus", _WHY)
as_globus_path = Absent("one.remote.globus.as_globus_path", _WHY)
create_globus_client = Absent("one.remote.globus.create_globus_client", _WHY)
get_lab_from_endpoint_id = Absent("one.remote.globus.get_lab_from_endpoint_id", _WHY)
get_local_endpoint_id = Absent("one.remote.globus.get_local_endpoint_id", _WHY)
get_local_endpoint_paths = Absent("one.remote.globus.get_local_endpoint_paths", _WHY)
get_token = Absent("one.remote.globus.get_token", _WHY)
load_client_params = Absent("one.remote.globus.load_client_params", _WHY)

__all__ = [
    "Globus",
    "as_globus_path",
    "create_globus_client",
    "get_lab_from_endpoint_id",
    "get_local_endpoint_id",
    "get_local_endpoint_paths",
    "get_token",
    "load_client_params",
]
