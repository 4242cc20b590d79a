"""``one.registration`` names, mapped to onesdk.

onesdk has no counterpart of one-api's registration client: it does not create sessions or
register files with Alyx (see the ``one.registration`` row of docs/differences.md).
"""

from one._absent import Absent

_WHY = "onesdk does not register data (docs/differences.md, row '`one.registration`')"

RegistrationClient = Absent("one.registration.RegistrationClient", _WHY)
get_dataset_type = Absent("one.registration.get_dataset_type", _WHY)

__all__ = ["RegistrationClient", "get_dataset_type"]
