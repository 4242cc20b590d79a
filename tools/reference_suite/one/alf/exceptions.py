"""``one.alf.exceptions`` -> :mod:`onesdk.errors` (the same class names)."""

from onesdk.errors import (
    ALFError,
    ALFInvalid,
    ALFMultipleCollectionsFound,
    ALFMultipleObjectsFound,
    ALFMultipleRevisionsFound,
    ALFObjectNotFound,
    ALFWarning,
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
