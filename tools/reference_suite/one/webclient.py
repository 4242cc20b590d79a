"""``one.webclient`` names, mapped to onesdk."""

from one._absent import Absent

AlyxClient = Absent(
    "one.webclient.AlyxClient",
    "the client behind `OneAlyx.alyx` has no public class name",
)

__all__ = ["AlyxClient"]
