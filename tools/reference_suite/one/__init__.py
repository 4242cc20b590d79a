"""one-api's top-level names, mapped to onesdk."""

from onesdk import __version__

__all__ = ["__version__"]
