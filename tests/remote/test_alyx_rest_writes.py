"""rest() writes: the method, path and body each action sends, and what it returns; the
raw verbs on a server below a URL path.

The server end is an httpx ``MockTransport`` (the network edge): it records each request and
answers as Alyx does (201 with the record, 200 for updates, 204 without a body for deletes).
"""

from __future__ import annotations

import io
import json
import uuid

import httpx
import pytest

from onesdk._remote._rest import AlyxHttp, RestRepository
from onesdk.errors import ArgumentError, ContractError

BASE = "http://alyx.test"


def _alyx(seen: list[httpx.Request]) -> RestRepository:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        status = 201 if request.method == "POST" else 200
        if request.headers["content-type"].startswith("application/json"):
            record = {"id": "0c3a6d88-7c3a-4b1a-8d4e-000000000001", **json.loads(request.content)}
        else:
            record = {"id": "0c3a6d88-7c3a-4b1a-8d4e-000000000002", "text": "with image"}
        return httpx.Response(status, json=record)

    return RestRepository(AlyxHttp(BASE, transport=httpx.MockTransport(answer), attempts=1))


def test_create_update_partial_update_and_delete_send_what_the_reference_sends() -> None:
    seen: list[httpx.Request] = []
    alyx = _alyx(seen)
    created = alyx.rest("tags", "create", data={"name": "t1", "protected": False})
    assert created == {
        "id": "0c3a6d88-7c3a-4b1a-8d4e-000000000001",
        "name": "t1",
        "protected": False,
    }
    alyx.rest("tags", "update", "t1", {"name": "t1", "description": "kept"})
    alyx.rest("tags", "partial-update", id="t1", data={"description": "changed"})  # type: ignore[call-overload]
    assert alyx.rest("tags", "delete", id=f"{BASE}/tags/t1") is None
    sent = [(r.method, r.url.path, json.loads(r.content) if r.content else None) for r in seen]
    assert sent == [
        ("POST", "/tags", {"name": "t1", "protected": False}),
        ("PUT", "/tags/t1", {"name": "t1", "description": "kept"}),
        ("PATCH", "/tags/t1", {"description": "changed"}),
        ("DELETE", "/tags/t1", None),
    ]


def test_files_are_uploaded_as_multipart_beside_the_fields() -> None:
    seen: list[httpx.Request] = []
    alyx = _alyx(seen)
    image = io.BytesIO(b"\x89PNG fake image")
    note = alyx.rest(
        "notes",
        "create",
        data={"user": "root", "content_type": "session", "object_id": "x", "text": "with image"},
        files={"image": image},
    )
    assert note["text"] == "with image"
    request = seen[0]
    assert request.headers["content-type"].startswith("multipart/form-data")
    body = request.read()
    assert b"\x89PNG fake image" in body
    assert b'name="text"' in body
    assert b'name="image"' in body


def test_a_write_without_data_or_id_is_refused_before_sending() -> None:
    seen: list[httpx.Request] = []
    alyx = _alyx(seen)
    with pytest.raises(ArgumentError, match="data"):
        alyx.rest("tags", "create", data={})
    with pytest.raises(ArgumentError, match="id"):
        alyx.rest("tags", "delete", id=None)  # type: ignore[call-overload]
    assert seen == []


def test_validation_checks_a_body_before_sending_it() -> None:
    seen: list[httpx.Request] = []
    alyx = _alyx(seen)
    with pytest.raises(ContractError, match="name: expected string"):
        alyx.rest("tags", "create", data={"name": 3}, validate=True)  # type: ignore[call-overload]
    assert seen == []


def test_uuids_in_a_body_are_sent_as_their_text() -> None:
    # one-api's JSON encoder sends a UUID as its text, so record ids can be passed as UUIDs
    seen: list[httpx.Request] = []
    alyx = _alyx(seen)
    eid, other = uuid.uuid4(), uuid.uuid4()
    # UUID values are outside the typed request models: the untyped, one-api style call
    written = alyx.rest(  # type: ignore[call-overload]
        "sessions",
        "partial_update",
        id=eid,
        data={"extended_qc": {"uid": other, "pair": [other, 1]}},
    )
    assert json.loads(seen[0].content) == {
        "extended_qc": {"uid": str(other), "pair": [str(other), 1]}
    }
    assert written["extended_qc"] == {"uid": str(other), "pair": [str(other), 1]}
    alyx.rest(  # type: ignore[call-overload]
        "notes",
        "create",
        data={"user": "root", "content_type": "session", "object_id": eid, "text": "t"},
        files={"image": io.BytesIO(b"png")},
    )
    assert f'name="object_id"\r\n\r\n{eid}'.encode() in seen[1].read()


def test_a_list_of_records_is_created_in_one_request() -> None:
    # one-api's rest('channels', 'create', data=[...]) posts the list as it is
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=json.loads(request.content))

    alyx = RestRepository(AlyxHttp(BASE, transport=httpx.MockTransport(answer), attempts=1))
    trajectory = uuid.uuid4()
    records = [{"x": 1.0, "trajectory_estimate": trajectory}, {"x": 2.0, "lateral": 8.0}]
    created = alyx.rest("channels", "create", data=records)  # type: ignore[call-overload]
    expected = [{"x": 1.0, "trajectory_estimate": str(trajectory)}, {"x": 2.0, "lateral": 8.0}]
    assert json.loads(seen[0].content) == expected
    assert (seen[0].method, seen[0].url.path) == ("POST", "/channels")
    assert created == expected
    with pytest.raises(ArgumentError, match="list of dicts"):
        alyx.rest("channels", "create", data=[{"x": 1.0}, "x"])  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="data"):
        alyx.rest("channels", "partial_update", id="c", data=records)  # type: ignore[call-overload]
    assert len(seen) == 1


def test_raw_verbs_keep_to_the_base_url_path_of_a_server_below_a_prefix() -> None:
    # an Alyx served below a path: relative paths go below it, URLs must be below it too
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    http = AlyxHttp(f"{BASE}/alyx", transport=httpx.MockTransport(answer), attempts=1)
    alyx = RestRepository(http)
    assert alyx.get("/sessions?subject=x") == {"ok": True}
    assert alyx.patch(f"{BASE}/alyx/sessions/1", data={"a": 1}) == {"ok": True}
    assert alyx.get(f"{BASE}/alyx") == {"ok": True}
    assert [str(r.url) for r in seen] == [
        f"{BASE}/alyx/sessions?subject=x",
        f"{BASE}/alyx/sessions/1",
        f"{BASE}/alyx/",
    ]
    for outside in (f"{BASE}/other/sessions", f"{BASE}/alyxx/sessions", "http://alyx.test:81/alyx"):
        with pytest.raises(ArgumentError, match="rest_query"):
            alyx.get(outside)
    assert len(seen) == 3
