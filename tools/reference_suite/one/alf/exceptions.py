"""``one.alf.exceptions`` -> :mod:`onesdk.errors` (same names; ``ALFError`` is ``AlfError``)."""

from onesdk.errors import (
    AlfError as ALFError,
)
from onesdk.errors import (
    ALFInvalid as ALFInvalid,
)
from onesdk.errors import (
    ALFMultipleCollectionsFound as ALFMultipleCollectionsFound,
)
from onesdk.errors import (
    ALFMultipleObjectsFound as ALFMultipleObjectsFound,
)
from onesdk.errors import (
    ALFMultipleRevisionsFound as ALFMultipleRevisionsFound,
)
from onesdk.errors import (
    ALFObjectNotFound as ALFObjectNotFound,
)
from onesdk.errors import (
    ALFWarning as ALFWarning,
)

__all__ = [
    "ALFError",
    "ALFInvalid",
    "ALFMultipleCollectionsFound",
    "ALFMultipleObjectsFound",
    "ALFMultipleRevisionsFound",
    "ALFObjectNotFound",
    "ALFWarning",
]
