"""``eid2ref`` on a remote instance asks the server for a session its cache tables lack, as
``eid2path`` does (and as one-api does), instead of answering that the session is not in the
cache."""

from __future__ import annotations

import pytest

from onesdk import OneAlyx
from tests.replay.fixtures import replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

EID_A = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
EID_C = "40ed367e-8564-41dc-a324-17c42f62323b"


@pytest.fixture
def one(one_on_empty_cache: OneAlyx) -> OneAlyx:
    return one_on_empty_cache


def test_eid2ref_of_a_session_the_tables_lack_asks_the_server(
    one: OneAlyx, replay: ReplayServer
) -> None:
    assert not one.repository.has_session(EID_A)
    assert one.eid2ref(EID_A, as_dict=False) == "2024-09-17_1_ZM_3003"
    assert replay.requests_to(f"/sessions/{EID_A}")
    refs = one.eid2ref([EID_A, EID_C], parse=False)
    assert [(r["subject"], r["date"], r["sequence"]) for r in refs] == [
        ("ZM_3003", "2024-09-17", "001"),
        ("KS051", "2023-01-10", "001"),
    ]
