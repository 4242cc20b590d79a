"""Loopback replay of the recorded Alyx exchanges and the data file server, with fault injection."""

from tests.replay.server import ReplayServer

__all__ = ["ReplayServer"]
