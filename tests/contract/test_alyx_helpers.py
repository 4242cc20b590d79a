"""onesdk.alyx against a real HTTP server on loopback: auth header, paging, errors, models."""

from __future__ import annotations

import json
import threading
import urllib.parse
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

import onesdk.alyx
from onesdk._models import QC
from onesdk.errors import ArgumentError, AuthenticationError, ContractError, HTTPError

TOKEN = "s3cret-token"
SESSIONS = [
    {
        "id": str(uuid.UUID(int=i + 1)),
        "subject": f"KS05{i % 3}",
        "start_time": f"2023-01-{10 + i:02d}T11:00:00",
        "number": 1 + i % 2,
        "lab": "cortexlab",
        "projects": ["ibl_neuropixel_brainwide_01"] if i % 2 else [],
        "url": f"http://alyx.test/sessions/{uuid.UUID(int=i + 1)}",
        "task_protocol": "ephysChoiceWorld" if i % 2 else "",
    }
    for i in range(7)
]
DETAIL_ID = str(SESSIONS[0]["id"])


def _detail() -> dict[str, object]:
    session: dict[str, object] = dict(SESSIONS[0])
    did = str(uuid.UUID(int=99))
    session.update(
        users=["olivier"],
        location=None,
        procedures=[],
        type="Experiment",
        end_time=None,
        narrative="",
        parent_session=None,
        n_correct_trials=None,
        n_trials=None,
        extended_qc=None,
        qc="WARNING",
        wateradmin_session_related=[],
        data_dataset_session_related=[
            {
                "id": did,
                "name": "spikes.times.npy",
                "dataset_type": "spikes.times",
                "data_url": (
                    "http://files.test/cortexlab/Subjects/KS050/2023-01-10/001/alf/probe00/"
                    f"#2024-01-01#/spikes.times.{did}.npy"
                ),
                "url": f"http://alyx.test/datasets/{did}",
                "file_size": 12,
                "hash": "abc",
                "version": "1",
                "collection": "alf/probe00",
                "revision": str(uuid.UUID(int=5)),
                "default_revision": "True",
                "qc": "PASS",
            }
        ],
        auto_datetime=None,
        json=None,
        probe_insertion=[],
        field_of_view=[],
        notes=[],
    )
    return session


class _Alyx(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str, str | None]]] = []

    def log_message(self, format: str, *args: object) -> None:
        del format, args

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.seen.append(("POST", self.path, self.headers.get("Authorization")))
        if form.get("username") == ["root"] and form.get("password") == ["pw"]:
            self._send(200, {"token": TOKEN})
        else:
            self._send(400, {"non_field_errors": ["Unable to log in."], "status_code": 400})

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        self.seen.append(("GET", self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != f"Token {TOKEN}":
            self._send(403, {"detail": "Invalid token.", "status_code": 403})
        elif url.path == "/sessions":
            if "number" in query and not query["number"].isdigit():
                self._send(400, {"number": ["Enter a number."], "status_code": 400})
                return
            rows = [s for s in SESSIONS if query.get("subject") in (None, s["subject"])]
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 250))
            page = rows[offset : offset + limit]
            self._send(200, {"count": len(rows), "next": None, "previous": None, "results": page})
        elif url.path == f"/sessions/{DETAIL_ID}":
            self._send(200, _detail())
        elif url.path.startswith("/sessions/"):
            self._send(404, {"detail": "No Session matches the given query.", "status_code": 404})
        elif url.path == "/cache/info/":
            self._send(200, {"date_created": "2026-11-24 22:11", "tables": {}})
        elif url.path == "/revisions/broken":
            self._send(200, {"name": "broken"})  # no id: breaks the contract
        else:
            self._send(404, {"detail": "Not found.", "status_code": 404})


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Alyx)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    _Alyx.seen = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_get_token_posts_a_form_and_returns_the_token(server: str) -> None:
    assert onesdk.alyx.get_token(server, "root", "pw") == TOKEN
    with pytest.raises(AuthenticationError, match="refused") as caught:
        onesdk.alyx.get_token(server, "root", "wrong")
    assert "wrong" not in str(caught.value)


def test_client_sends_token_prefix_and_pages_through_sessions(server: str) -> None:
    with onesdk.alyx.client(server, TOKEN, timeout=5) as api:
        sessions = list(onesdk.alyx.sessions(api, page_size=3))
    assert [str(s.id) for s in sessions] == [s["id"] for s in SESSIONS]
    assert sessions[1].projects == ["ibl_neuropixel_brainwide_01"]
    assert sessions[0].start_time is not None
    assert sessions[0].date == sessions[0].start_time.date()
    pages = [path for method, path, _ in _Alyx.seen if path.startswith("/sessions")]
    assert len(pages) == 3  # 7 sessions, 3 a page
    assert {auth for _, _, auth in _Alyx.seen} == {f"Token {TOKEN}"}


def test_filters_reach_the_server(server: str) -> None:
    api = onesdk.alyx.client(server, TOKEN)
    found = list(onesdk.alyx.sessions(api, subject="KS051", number=1))
    assert {s.subject for s in found} == {"KS051"}
    assert any("subject=KS051" in path and "number=1" in path for _, path, _ in _Alyx.seen)


def test_session_details_convert_the_wire_quirks(server: str) -> None:
    api = onesdk.alyx.client(server, TOKEN)
    details = onesdk.alyx.session_details(api, DETAIL_ID)
    assert details.qc is QC.WARNING
    (dataset,) = details.data_dataset_session_related
    assert dataset.rel_path == "alf/probe00/#2024-01-01#/spikes.times.npy"
    assert dataset.revision == "2024-01-01"
    assert dataset.default_revision is True


def test_errors_become_onesdk_errors(server: str) -> None:
    api = onesdk.alyx.client(server, TOKEN)
    with pytest.raises(HTTPError) as missing:
        onesdk.alyx.session_details(api, uuid.UUID(int=12345))
    assert missing.value.status == 404
    assert "No Session matches" in str(missing.value)
    with pytest.raises(AuthenticationError, match="403"):
        list(onesdk.alyx.sessions(onesdk.alyx.client(server, "wrong-token")))
    with pytest.raises(AuthenticationError):
        onesdk.alyx.cache_info(onesdk.alyx.client(server))
    with pytest.raises(ContractError, match="revisions/broken"):
        onesdk.alyx.revision(api, "broken")


def test_cache_info_is_typed(server: str) -> None:
    info = onesdk.alyx.cache_info(onesdk.alyx.client(server, TOKEN))
    assert info.date_created == "2026-11-24 22:11"


def test_bad_arguments_name_the_argument() -> None:
    with pytest.raises(ArgumentError, match="base_url"):
        onesdk.alyx.client("ftp://alyx.example.org")
    with pytest.raises(ArgumentError, match="timeout"):
        onesdk.alyx.client("http://alyx.example.org", timeout=0)
    with pytest.raises(ArgumentError, match="token"):
        onesdk.alyx.client("http://alyx.example.org", "  ")
    api = onesdk.alyx.client("http://alyx.example.org", TOKEN)
    with pytest.raises(ArgumentError, match="page_size"):
        list(onesdk.alyx.sessions(api, page_size=0))
    with pytest.raises(ArgumentError, match="eid"):
        onesdk.alyx.session_details(api, "not-a-uuid")


def test_the_token_stays_out_of_reprs() -> None:
    api = onesdk.alyx.client("http://alyx.example.org", TOKEN)
    api.get_httpx_client()
    assert TOKEN not in repr(api)
