"""``one.remote.base`` names, mapped to onesdk (none has a counterpart)."""

from one._absent import Absent

_WHY = "no remote transfer clients in onesdk (docs/differences.md, row '`one.remote`')"

PAR_ID_STR = Absent("one.remote.base.PAR_ID_STR", _WHY)
DownloadClient = Absent("one.remote.base.DownloadClient", _WHY)
load_client_params = Absent("one.remote.base.load_client_params", _WHY)
save_client_params = Absent("one.remote.base.save_client_params", _WHY)
iopar = Absent("one.remote.base.iopar", "one-api's parameter-file helper (iblutil.io.params)")

__all__ = ["PAR_ID_STR", "DownloadClient", "load_client_params", "save_client_params"]
