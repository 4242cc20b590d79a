"""The ``replay`` pytest fixture: a fresh replay server per test, failing on unrecorded requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.replay.server import ReplayServer


@pytest.fixture
def replay(shared_alyx: Path) -> Iterator[ReplayServer]:
    """A started replay server; the test fails if the client asked for anything unrecorded.

    A test that provokes unrecorded requests on purpose sets ``replay.allow_unmatched = True``.
    """
    with ReplayServer(shared_alyx, lifetime=300.0) as server:
        yield server
        unmatched = list(server.unmatched)
    if unmatched and not server.allow_unmatched:
        pytest.fail("requests with no recording:\n  " + "\n  ".join(unmatched))
