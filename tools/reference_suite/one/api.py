"""``one.api`` names, mapped to onesdk."""

from onesdk import ONE, One, OneAlyx

__all__ = ["ONE", "One", "OneAlyx"]
