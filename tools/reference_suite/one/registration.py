"""``one.registration`` names, mapped to onesdk.

``get_dataset_type`` is ``onesdk.alf.get_dataset_type``. onesdk has no counterpart of one-api's
registration client: it does not create sessions or register files with Alyx (see the
``one.registration`` row of docs/differences.md).
"""

from one._absent import Absent
from onesdk.alf import get_dataset_type

_WHY = "onesdk does not register data (docs/differences.md, row '`one.registration`')"

RegistrationClient = Absent("one.registration.RegistrationClient", _WHY)

__all__ = ["RegistrationClient", "get_dataset_type"]
