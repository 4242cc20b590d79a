"""The reference's ``one.alyx`` surface: rest() cache keywords, default_expiry, cache_mode,
the endpoint listing helpers and logout, over the replay server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import onesdk
from onesdk.errors import ArgumentError
from tests.replay.fixtures import one_on_replay, replay
from tests.replay.server import ReplayServer

__all__ = ["one_on_replay", "replay"]


def _queries(replay: ReplayServer) -> list[str]:
    return ["&".join(f"{k}={v}" for k, v in seen.query) for seen in replay.requests_to("/sessions")]


def test_no_cache_and_expires_are_never_sent_as_filters(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    first = one.alyx.rest("sessions", "list", subject="KS052", no_cache=True)
    again = one.alyx.rest("sessions", "list", subject="KS052", expires=dt.timedelta(hours=1))
    assert first == again
    assert _queries(replay) == ["subject=KS052", "subject=KS052"]


def test_a_cached_answer_is_reused_until_it_expires(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    one.alyx.rest("sessions", "list", subject="KS052", expires=dt.timedelta(hours=1))
    one.alyx.rest("sessions", "list", subject="KS052")
    assert len(_queries(replay)) == 1
    one.alyx.rest("sessions", "list", subject="KS052", no_cache=True)
    assert len(_queries(replay)) == 2


def test_default_expiry_is_honoured(one: onesdk.OneAlyx, replay: ReplayServer) -> None:
    assert one.alyx.default_expiry == dt.timedelta(minutes=5)
    one.alyx.default_expiry = dt.timedelta(0)
    one.alyx.rest("sessions", "list", subject="KS052")
    one.alyx.rest("sessions", "list", subject="KS052")
    assert len(_queries(replay)) == 2
    with pytest.raises(ArgumentError, match="default_expiry"):
        one.alyx.default_expiry = -dt.timedelta(1)


def test_cache_mode_none_turns_the_rest_cache_off(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    assert one.alyx.cache_mode == "GET"
    one.alyx.cache_mode = None
    one.alyx.rest("sessions", "list", subject="KS052")
    one.alyx.rest("sessions", "list", subject="KS052")
    assert len(_queries(replay)) == 2


def test_endpoint_helpers_describe_the_contract(
    one: onesdk.OneAlyx, capsys: pytest.CaptureFixture[str]
) -> None:
    endpoints = one.alyx.list_endpoints()
    assert {"sessions", "subjects", "weighings", "water-restriction"} <= set(endpoints)
    assert "auth-token" not in endpoints
    schemes = one.alyx.rest_schemes
    assert schemes.actions("tags") == sorted(
        ["list", "read", "create", "update", "partial_update", "delete"]
    )
    assert schemes.url("sessions", "read") == "/sessions/{id}"
    assert "subject" in schemes.field_names("sessions", "list")
    assert capsys.readouterr().out == ""  # nothing printed but by print_endpoint_info
    one.alyx.print_endpoint_info("weighings", "list")
    printed = capsys.readouterr().out
    assert printed.startswith("list: GET /weighings")
    assert "\tsubject:" in printed


def test_user_and_logout(one: onesdk.OneAlyx) -> None:
    one.alyx.rest("sessions", "list", subject="KS052")
    assert one.alyx.user == "root"
    assert one.alyx.is_logged_in
    one.alyx.logout()
    assert not one.alyx.is_logged_in


def test_authenticate_keeps_a_held_token_and_logs_in_again_when_forced(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    logins = len(replay.requests_to("/auth-token"))
    one.alyx.authenticate()
    assert len(replay.requests_to("/auth-token")) == logins
    one.alyx.authenticate(force=True)
    assert len(replay.requests_to("/auth-token")) == logins + 1
    assert one.alyx.is_logged_in
    one.alyx.logout()
    one.alyx.authenticate(password=replay.password)
    assert one.alyx.is_logged_in


def test_download_file_takes_full_and_relative_urls(
    one: onesdk.OneAlyx, replay: ReplayServer, tmp_path: Path
) -> None:
    rel = (
        "aggregates/Subjects/hoferlab/SWC_062/"
        "_ibl_subjectTraining.table.0b88e081-3be8-44f8-9677-339049986a7c.csv"
    )
    one_path = one.alyx.download_file(replay.file_url(rel), target_dir=tmp_path / "a")
    assert one_path == tmp_path / "a" / rel.rsplit("/", 1)[1]
    paths = one.alyx.download_file([rel], target_dir=tmp_path / "b")
    assert [p.read_bytes() for p in paths] == [one_path.read_bytes()]
    assert one_path.stat().st_size > 0
    with pytest.raises(ArgumentError, match="file server"):
        one.alyx.download_file("https://elsewhere.example.org/x.npy", target_dir=tmp_path)


@pytest.mark.parametrize(
    "name", ["..%2F..%2Fescaped.txt", "sub%5Cescaped.txt", "C%3Aescaped.txt", "..", "%00x.txt"]
)
def test_download_file_refuses_a_name_that_would_leave_target_dir(
    one: onesdk.OneAlyx, replay: ReplayServer, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(ArgumentError, match="stays in target_dir"):
        one.alyx.download_file(f"aggregates/{name}", target_dir=out / "deep" / "target")
    assert [p for p in out.rglob("*") if p.is_file()] == []
    assert replay.requests_to("/aggregates/" + name, host="files") == []


def test_download_cache_tables_unpacks_the_served_tables(
    one: onesdk.OneAlyx, tmp_path: Path
) -> None:
    tables = one.alyx.download_cache_tables(destination=tmp_path / "tables")
    names = {p.name for p in tables}
    assert {"sessions.pqt", "datasets.pqt"} <= names
    assert all(p.parent == tmp_path / "tables" and p.is_file() for p in tables)


def test_after_logout_the_next_request_logs_in_again_as_the_same_user(
    one: onesdk.OneAlyx, replay: ReplayServer
) -> None:
    one.alyx.rest("sessions", "list", subject="KS052")
    one.alyx.logout()
    assert not one.alyx.is_logged_in
    assert one.alyx.user == "root"
    logins = len(replay.requests_to("/auth-token"))
    one.alyx.rest("sessions", "list", subject="KS052", no_cache=True)
    assert len(replay.requests_to("/auth-token")) == logins + 1
    assert one.alyx.is_logged_in
