"""one-api's top-level names, mapped to onesdk; one-api's logger names receive onesdk's records."""

from one import _logbridge
from onesdk import __version__

_logbridge.install()

__all__ = ["__version__"]
