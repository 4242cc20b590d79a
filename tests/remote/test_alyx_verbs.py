"""``one.alyx``'s raw verbs and JSON-field helpers, over real HTTP on the replay server.

The records written are kept in the replay server's in-memory store
(:class:`tests.replay.records.RecordStore`), so each test sees what a write changed; the
server's log of requests (``replay.seen``, with bodies) shows what was sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PureWindowsPath

import pytest

from onesdk import OneAlyx
from onesdk.errors import ArgumentError, CacheWarning, HTTPError, OfflineError, UnknownTermError
from tests.replay import faults as f
from tests.replay.fixtures import open_one_alyx, replay
from tests.replay.server import ReplayServer

__all__ = ["replay"]

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
SESSION = f"/sessions/{EID}"
RECORD = {"id": EID, "extended_qc": {"a": 1, "b": 2}, "json": None, "narrative": "text"}


@pytest.fixture
def one(replay: ReplayServer, config_home: Path, tmp_path: Path) -> Iterator[OneAlyx]:
    replay.records.put(SESSION, RECORD)
    instance = open_one_alyx(replay, tmp_path / "cache")
    yield instance
    instance.close()


def _sent(replay: ReplayServer, path: str = SESSION) -> list[tuple[str, object]]:
    """(method, JSON body) of each request to ``path``."""
    return [(s.method, json.loads(s.body) if s.body else None) for s in replay.requests_to(path)]


# JSON fields ---------------------------------------------------------------------------------
def test_json_field_update_merges_data_into_the_field_and_returns_the_new_field(
    one: OneAlyx, replay: ReplayServer
) -> None:
    other = uuid.uuid4()
    new = one.alyx.json_field_update("sessions", EID, "extended_qc", {"b": 3, "c": other})
    assert new == {"a": 1, "b": 3, "c": str(other)}
    assert _sent(replay) == [("GET", None), ("PATCH", {"extended_qc": new})]
    stored = replay.records.get(SESSION)
    assert stored is not None
    assert stored["extended_qc"] == new
    assert stored["narrative"] == "text"  # only the field was sent


def test_two_updates_in_a_row_keep_both_even_with_the_rest_cache_on(
    one: OneAlyx, replay: ReplayServer
) -> None:
    assert one.alyx.cache_mode == "GET"
    one.alyx.get(SESSION)  # a fresh cached copy of the record, before either update
    one.alyx.json_field_update("sessions", EID, "extended_qc", {"x": 1})
    second = one.alyx.json_field_update("sessions", uuid.UUID(EID), "extended_qc", {"y": 2})
    assert second == {"a": 1, "b": 2, "x": 1, "y": 2}


def test_json_field_update_of_a_null_field_starts_from_an_empty_dict(
    one: OneAlyx, replay: ReplayServer
) -> None:
    assert one.alyx.json_field_update("sessions", EID, data={"k": "v"}) == {"k": "v"}
    assert _sent(replay)[-1] == ("PATCH", {"json": {"k": "v"}})


def test_json_field_update_of_a_field_that_is_not_an_object_writes_nothing(
    one: OneAlyx, replay: ReplayServer
) -> None:
    with pytest.raises(
        ArgumentError, match=r"not a JSON object.*field_name=.narrative.*holds a str"
    ) as raised:
        one.alyx.json_field_update("sessions", EID, "narrative", {"k": "v"})
    assert raised.value.argument == "field_name"
    assert [method for method, _ in _sent(replay)] == ["GET"]


def test_bad_arguments_are_refused_before_any_request(one: OneAlyx, replay: ReplayServer) -> None:
    before = len(replay.seen)
    bad: list[tuple[str, Callable[[], object]]] = [
        ("data", lambda: one.alyx.json_field_update("sessions", EID, "json", None)),
        ("data", lambda: one.alyx.json_field_update("sessions", EID, "json", [1])),  # type: ignore[arg-type]
        ("data", lambda: one.alyx.json_field_write("sessions", EID, "json", "text")),  # type: ignore[arg-type]
        ("key", lambda: one.alyx.json_field_remove_key("sessions", EID, "json", None)),
        ("uuid", lambda: one.alyx.json_field_delete("sessions", "", "json")),
        ("field_name", lambda: one.alyx.json_field_delete("sessions", EID, "")),
        ("data", lambda: one.alyx.post("/tags", data="{not json")),
        ("files", lambda: one.alyx.post("/notes", data={"a": 1}, files=[1])),
    ]
    for argument, call in bad:
        with pytest.raises(ArgumentError) as raised:
            call()
        assert raised.value.argument == argument
    with pytest.raises(UnknownTermError, match=r'sesions.*Did you mean "sessions"'):
        one.alyx.json_field_update("sesions", EID, "json", {"a": 1})
    assert replay.seen[before:] == []


def test_json_field_update_of_a_field_the_record_lacks_names_the_field(
    one: OneAlyx, replay: ReplayServer
) -> None:
    with pytest.raises(ArgumentError, match="extended_qc, id, json, narrative") as raised:
        one.alyx.json_field_update("sessions", EID, "qc_extended", {"k": 1})
    assert raised.value.argument == "field_name"


def test_json_field_write_replaces_the_whole_field(one: OneAlyx, replay: ReplayServer) -> None:
    assert one.alyx.json_field_write("sessions", EID, "extended_qc", {"only": 1}) == {"only": 1}
    assert _sent(replay) == [("PATCH", {"extended_qc": {"only": 1}})]


def test_json_field_remove_key_writes_the_field_without_the_key(
    one: OneAlyx, replay: ReplayServer
) -> None:
    assert one.alyx.json_field_remove_key("sessions", EID, "extended_qc", "a") == {"b": 2}
    assert _sent(replay) == [("GET", None), ("PATCH", {"extended_qc": {"b": 2}})]


def test_json_field_remove_key_of_a_missing_key_warns_and_writes_nothing(
    one: OneAlyx, replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="onesdk.alyx"):
        kept = one.alyx.json_field_remove_key("sessions", EID, "extended_qc", "absent")
    assert kept == {"a": 1, "b": 2}
    assert any("'absent'" in r.getMessage() for r in caplog.records)
    assert [method for method, _ in _sent(replay)] == ["GET"]
    assert one.alyx.json_field_remove_key("sessions", EID, "json", "k") is None  # null field
    assert [method for method, _ in _sent(replay)] == ["GET", "GET"]


def test_json_field_delete_sets_the_field_to_null(one: OneAlyx, replay: ReplayServer) -> None:
    assert one.alyx.json_field_delete("sessions", EID, "extended_qc") is None
    assert _sent(replay) == [("PATCH", {"extended_qc": None})]
    stored = replay.records.get(SESSION)
    assert stored is not None
    assert stored["extended_qc"] is None


def test_json_field_helpers_of_a_missing_record_raise_http_404(
    one: OneAlyx, replay: ReplayServer
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"  # recorded: 404
    with pytest.raises(HTTPError) as raised:
        one.alyx.json_field_update("sessions", missing, "json", {"a": 1})
    assert raised.value.status == 404


# raw verbs -----------------------------------------------------------------------------------
def test_get_reads_a_relative_path_or_a_url_on_the_server(
    one: OneAlyx, replay: ReplayServer
) -> None:
    record = one.alyx.get(SESSION, clobber=True)
    assert record == RECORD
    assert one.alyx.get(f"{replay.alyx_url}{SESSION}", clobber=True) == RECORD
    assert one.alyx.get(SESSION.lstrip("/"), clobber=True) == RECORD
    assert len(replay.requests_to(SESSION)) == 3


def test_get_pages_through_a_paginated_list(one: OneAlyx, replay: ReplayServer) -> None:
    records = [{"id": str(uuid.UUID(int=i)), "n": i} for i in range(7)]
    replay.records.put_list("/subjects", records, page_size=3)
    assert one.alyx.get("/subjects?alive=True") == records
    pages = [dict(s.query) for s in replay.requests_to("/subjects")]
    assert pages == [
        {"alive": "True"},
        {"alive": "True", "limit": "3", "offset": "3"},
        {"alive": "True", "limit": "3", "offset": "6"},
    ]


def test_get_answers_from_the_rest_cache_until_clobber_or_expiry(
    one: OneAlyx, replay: ReplayServer
) -> None:
    one.alyx.get(SESSION)
    one.alyx.get(SESSION)
    assert len(replay.requests_to(SESSION)) == 1
    one.alyx.get(SESSION, clobber=True, expires=True)  # asked again; kept, but already stale
    assert len(replay.requests_to(SESSION)) == 2
    one.alyx.get(SESSION, expires=dt.timedelta(hours=1))
    one.alyx.get(SESSION)
    assert len(replay.requests_to(SESSION)) == 3
    one.alyx.cache_mode = None
    one.alyx.get(SESSION)
    assert len(replay.requests_to(SESSION)) == 4


def test_write_verbs_send_the_method_path_and_body(one: OneAlyx, replay: ReplayServer) -> None:
    created = one.alyx.post("/tags", data={"name": "tmp_tag", "description": "temporary"})
    assert isinstance(created, dict)
    assert created["name"] == "tmp_tag"
    patched = one.alyx.patch(f"{replay.alyx_url}/tags/tmp_tag", data='{"description": "x"}')
    assert isinstance(patched, dict)
    assert patched["description"] == "patched"  # the recorded answer
    assert one.alyx.delete("/tags/tmp_tag") is None
    replaced = one.alyx.put(SESSION, data={"narrative": "new"})
    assert replaced == {"id": EID, "narrative": "new"}
    sent = [
        (s.method, s.path, json.loads(s.body) if s.body else None, s.header("content-type"))
        for s in replay.seen
        if s.method != "GET" and s.path != "/auth-token"
    ]
    assert sent == [
        ("POST", "/tags", {"name": "tmp_tag", "description": "temporary"}, "application/json"),
        ("PATCH", "/tags/tmp_tag", {"description": "x"}, "application/json"),
        ("DELETE", "/tags/tmp_tag", None, None),
        ("PUT", SESSION, {"narrative": "new"}, "application/json"),
    ]


def test_writes_are_never_cached(one: OneAlyx, replay: ReplayServer) -> None:
    for _ in range(2):
        one.alyx.patch(SESSION, data={"narrative": "again"})
    assert [m for m, _ in _sent(replay)] == ["PATCH", "PATCH"]
    rest_cache = one.alyx.rest_cache_dir
    assert rest_cache is not None
    assert not any(rest_cache.rglob("*.json"))


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/sessions",
        "//127.0.0.1:{port}/sessions",
        "https://127.0.0.1:{port}/sessions",
        "http://localhost:{home}/sessions",
        "https://127.0.0.1:{home}/sessions",
    ],
)
def test_a_url_on_another_server_is_refused_and_the_token_never_reaches_it(
    one: OneAlyx, replay: ReplayServer, shared_alyx: Path, target: str
) -> None:
    with ReplayServer(shared_alyx, lifetime=60.0) as other:
        port = other.alyx_url.rsplit(":", 1)[1]
        home = replay.alyx_url.rsplit(":", 1)[1]
        url = target.format(port=port, home=home)
        before = len(replay.seen)
        calls: list[Callable[[], object]] = [
            lambda: one.alyx.get(url),
            lambda: one.alyx.post(url, data={"a": 1}),
            lambda: one.alyx.put(url),
            lambda: one.alyx.patch(url),
            lambda: one.alyx.delete(url),
        ]
        for call in calls:
            with pytest.raises(ArgumentError, match="its own server only") as raised:
                call()
            assert raised.value.argument == "rest_query"
        assert other.seen == []
        assert replay.seen[before:] == []


def test_secrets_stay_out_of_errors_reprs_and_logs(
    one: OneAlyx, replay: ReplayServer, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = (replay.token, replay.password)
    texts: list[str] = [repr(one.alyx), repr(one)]
    with caplog.at_level(logging.DEBUG):
        calls: list[Callable[[], object]] = [
            lambda: one.alyx.get(f"http://user:{replay.password}@127.0.0.2:1/x"),
            lambda: one.alyx.get("/sessions/00000000-0000-4000-8000-000000000000"),
            lambda: one.alyx.json_field_update("sessions", EID, "narrative", {"a": 1}),
        ]
        for call in calls:
            with pytest.raises((ArgumentError, HTTPError)) as raised:
                call()
            texts.append(str(raised.value))
        one.alyx.json_field_update("sessions", EID, "extended_qc", {"a": 0})
    texts += [record.getMessage() for record in caplog.records]
    assert not [text for text in texts if any(secret in text for secret in secrets)]
    assert any("127.0.0.2" in text for text in texts)  # the refused URL is named, unmasked part


def test_retry_settings_bound_the_requests_sent(one: OneAlyx, replay: ReplayServer) -> None:
    one.alyx.max_retry_wait_seconds = 0.0
    one.alyx.max_retry_attempts = 0
    replay.faults.add(SESSION, f.Status(503, headers=(("retry-after", "0"),)), times=5)
    with pytest.raises(HTTPError):
        one.alyx.get(SESSION, clobber=True)
    one.alyx.max_retry_attempts = 2
    with pytest.raises(HTTPError):
        one.alyx.get(SESSION, clobber=True)
    assert len(replay.requests_to(SESSION)) == 4
    assert one.alyx.get(SESSION, clobber=True) == RECORD  # the 5th 503, then the record
    assert (one.alyx.max_retry_attempts, one.alyx.max_retry_wait_seconds) == (2, 0.0)
    with pytest.raises(ArgumentError, match="max_retry_attempts"):
        one.alyx.max_retry_attempts = -1


def test_rel_path2url_joins_the_file_server_and_the_path(
    one: OneAlyx, replay: ReplayServer
) -> None:
    rel = "lab/Subjects/KS051/2024-01-01/001/alf/x.npy"
    assert one.alyx.rel_path2url(f"/{rel}/") == f"{replay.files_url}/{rel}"
    assert one.alyx.rel_path2url(PureWindowsPath(rel)) == f"{replay.files_url}/{rel}"
    with pytest.raises(ArgumentError, match="not a URL"):
        one.alyx.rel_path2url(f"{replay.files_url}/{rel}")


def test_in_local_mode_one_alyx_still_asks_the_server_as_one_api_does(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    # ibllib builds ONE(mode='local') and writes through one.alyx.rest (probe insertions, task
    # records): local mode keeps ONE's own queries on the tables, not the REST client's calls
    replay.records.put(SESSION, RECORD)
    with pytest.warns(CacheWarning, match="No cache tables"):
        one = open_one_alyx(replay, tmp_path / "cache", mode="local")
    try:
        assert one.offline
        assert one.search(subject="KS005") == []
        assert [s.path for s in replay.seen if s.path.startswith("/sessions")] == []
        with pytest.raises(OfflineError):
            one.describe_dataset("spikes.times")  # a ONE method only the server answers
        assert one.alyx.get(SESSION) == RECORD
        read = one.alyx.rest("sessions", "read", id=EID, no_cache=True)
        assert dict(read) == RECORD
        field = one.alyx.json_field_update("sessions", EID, "json", {"a": 1})
        assert field == {"a": 1}
        assert [m for m, _ in _sent(replay)] == ["GET", "GET", "GET", "PATCH"]
    finally:
        one.close()


def test_a_post_is_sent_again_only_when_the_server_did_not_act_on_it(
    one: OneAlyx, replay: ReplayServer
) -> None:
    # a 502/504 may come from a proxy after Alyx created the record: sending the POST again
    # could create it twice; 429 and 503 say it was not processed
    one.alyx.max_retry_wait_seconds = 0.0
    tag = {"name": "tmp_tag", "description": "temporary"}
    replay.faults.add("/tags", f.Status(502), times=1)
    with pytest.raises(HTTPError) as raised:
        one.alyx.post("/tags", data=tag)
    assert raised.value.status == 502
    assert len(replay.requests_to("/tags")) == 1
    replay.faults.add("/tags", f.Status(503, headers=(("retry-after", "0"),)), times=1)
    assert isinstance(one.alyx.post("/tags", data=tag), dict)
    assert len(replay.requests_to("/tags")) == 3
    replay.faults.add(SESSION, f.Status(502), times=1)  # a PATCH may be sent again
    assert isinstance(one.alyx.patch(SESSION, data={"narrative": "n"}), dict)
    assert [m for m, _ in _sent(replay)] == ["PATCH", "PATCH"]


def test_a_write_drops_the_cached_read_of_what_it_changed(
    one: OneAlyx, replay: ReplayServer
) -> None:
    assert one.alyx.get(SESSION) == RECORD  # cached for default_expiry
    one.alyx.patch(SESSION, data={"narrative": "changed"})
    changed = one.alyx.get(SESSION)
    assert isinstance(changed, dict)
    assert changed["narrative"] == "changed"
    new = one.alyx.json_field_update("sessions", EID, "extended_qc", {"z": 0})
    read = one.alyx.rest("sessions", "read", id=EID)
    assert read["extended_qc"] == new
    assert [m for m, _ in _sent(replay)] == ["GET", "PATCH", "GET", "GET", "PATCH", "GET"]
    assert one.alyx.get(SESSION) == read  # and the new answer is cached again
    assert len(replay.requests_to(SESSION)) == 6
