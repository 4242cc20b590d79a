from tests.replay.fixtures import replay

__all__ = ["replay"]
