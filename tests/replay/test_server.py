"""The replay server itself: matching, credentials, host rewriting, files, Range and faults."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from tests.replay import faults as f
from tests.replay.server import ReplayServer

SESSION = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
FILE = (
    "cortexlab/Subjects/KS051/2023-01-10/003/alf/"
    "_ibl_trials.table.089602de-918a-4d4f-85ae-e05146f439fa.pqt"
)


def _auth(replay: ReplayServer) -> dict[str, str]:
    return {"Authorization": f"Token {replay.token}"}


def test_login_hands_out_the_server_token(replay: ReplayServer) -> None:
    answer = httpx.post(
        f"{replay.alyx_url}/auth-token", data={"username": "root", "password": replay.password}
    )
    assert answer.status_code == 200
    assert answer.json() == {"token": replay.token}


def test_login_with_a_wrong_password_is_refused(replay: ReplayServer) -> None:
    answer = httpx.post(
        f"{replay.alyx_url}/auth-token", data={"username": "root", "password": "wrong"}
    )
    assert answer.status_code == 400
    assert "Unable to log in" in answer.text


def test_recorded_list_is_replayed_with_loopback_urls(replay: ReplayServer) -> None:
    answer = httpx.get(
        f"{replay.alyx_url}/sessions", params={"subject": "KS051"}, headers=_auth(replay)
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 7
    assert all(r["url"].startswith(f"{replay.alyx_url}/sessions/") for r in body["results"])
    assert "alyx.test" not in answer.text


def test_query_order_does_not_matter(replay: ReplayServer) -> None:
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("subject", "KS051"),
        ("number", "1"),
        ("date_range", "2023-01-01,2023-12-31"),
    ]
    answer = httpx.get(f"{replay.alyx_url}/sessions", params=params, headers=_auth(replay))
    assert answer.status_code == 200


@pytest.mark.parametrize("token", [None, "Token stale"])
def test_bad_or_missing_token_gets_the_recorded_403(
    replay: ReplayServer, token: str | None
) -> None:
    headers = {"Authorization": token} if token else {}
    answer = httpx.get(f"{replay.alyx_url}/sessions/{SESSION}", headers=headers)
    assert answer.status_code == 403


def test_rotated_token_is_rejected(replay: ReplayServer) -> None:
    old = replay.token
    new = replay.rotate_token()
    assert new != old
    url = f"{replay.alyx_url}/sessions/{SESSION}"
    assert httpx.get(url, headers={"Authorization": f"Token {old}"}).status_code == 403
    assert httpx.get(url, headers={"Authorization": f"Token {new}"}).status_code == 200


def test_unrecorded_request_is_reported(replay: ReplayServer) -> None:
    replay.allow_unmatched = True
    answer = httpx.get(
        f"{replay.alyx_url}/sessions", params={"subject": "x"}, headers=_auth(replay)
    )
    assert answer.status_code == 599
    assert replay.unmatched == ["GET alyx/sessions?subject=x"]


def test_redirect_location_is_rewritten(replay: ReplayServer) -> None:
    answer = httpx.get(f"{replay.alyx_url}/cache.zip", headers=_auth(replay))
    assert answer.status_code == 302
    assert answer.headers["location"] == f"{replay.files_url}/caches/alyx/cache.zip"


def test_file_is_served_whole_and_by_range(replay: ReplayServer, shared_alyx: Path) -> None:
    data = (shared_alyx / "files" / FILE).read_bytes()
    whole = httpx.get(replay.file_url(FILE))
    assert whole.status_code == 200
    assert whole.content == data
    tail = httpx.get(replay.file_url(FILE), headers={"Range": "bytes=100-"})
    assert tail.status_code == 206
    assert tail.content == data[100:]
    assert tail.headers["content-range"] == f"bytes 100-{len(data) - 1}/{len(data)}"


def test_revision_folders_are_served_from_quoted_urls(replay: ReplayServer) -> None:
    rel = (
        "cortexlab/Subjects/KS051/2023-01-10/003/alf/#2023-04-01#/"
        "_ibl_trials.intervals_bpod.c43c62ca-188e-449e-9ba4-daf8f9042c88.npy"
    )
    assert "%23" in replay.file_url(rel)
    assert httpx.get(replay.file_url(rel)).status_code == 200


def test_missing_file_is_reported(replay: ReplayServer) -> None:
    replay.allow_unmatched = True
    assert httpx.get(replay.file_url("nope/x.npy")).status_code == 599
    assert httpx.get(replay.file_url("../exchanges/index.json")).status_code == 599
    assert len(replay.unmatched) == 2


def test_status_fault_fires_the_given_number_of_times(replay: ReplayServer) -> None:
    replay.faults.add(f"/{FILE}", f.Status(500), times=2)
    codes = [httpx.get(replay.file_url(FILE)).status_code for _ in range(3)]
    assert codes == [500, 500, 200]


def test_retry_after_header_is_sent(replay: ReplayServer) -> None:
    replay.faults.add(f"/{FILE}", f.Status(429, (("Retry-After", "1"),)))
    answer = httpx.get(replay.file_url(FILE))
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "1"


def test_dropped_connection_is_an_error_for_the_client(replay: ReplayServer) -> None:
    replay.faults.add(f"/{FILE}", f.DropAfter(50))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(replay.file_url(FILE))


def test_corrupt_and_truncated_bodies(replay: ReplayServer, shared_alyx: Path) -> None:
    data = (shared_alyx / "files" / FILE).read_bytes()
    replay.faults.add(f"/{FILE}", f.Corrupt(10))
    corrupt = httpx.get(replay.file_url(FILE)).content
    assert len(corrupt) == len(data)
    assert hashlib.md5(corrupt).digest() != hashlib.md5(data).digest()
    replay.faults.add(f"/{FILE}", f.Truncate(30))
    assert httpx.get(replay.file_url(FILE)).content == data[:30]


def test_delay_exceeds_a_short_client_timeout(replay: ReplayServer) -> None:
    replay.faults.add(f"/{FILE}", f.Delay(1.0))
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(replay.file_url(FILE), timeout=0.2)


def test_ignore_range_answers_the_whole_file(replay: ReplayServer, shared_alyx: Path) -> None:
    data = (shared_alyx / "files" / FILE).read_bytes()
    replay.faults.add(f"/{FILE}", f.IgnoreRange())
    answer = httpx.get(replay.file_url(FILE), headers={"Range": "bytes=10-"})
    assert answer.status_code == 200
    assert answer.content == data


def test_server_stops_after_its_request_bound(shared_alyx: Path) -> None:
    with ReplayServer(shared_alyx, max_requests=2) as server:
        codes = [httpx.get(server.file_url(FILE)).status_code for _ in range(3)]
    assert codes == [200, 200, 503]


def test_server_stops_after_its_lifetime(shared_alyx: Path) -> None:
    server = ReplayServer(shared_alyx, lifetime=1.5).start()
    try:
        assert httpx.get(server.file_url(FILE)).status_code == 200
        server._timer.join(5) if server._timer else None
        with pytest.raises(httpx.ConnectError):
            httpx.get(server.file_url(FILE), timeout=1)
    finally:
        server.stop()
