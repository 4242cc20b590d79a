"""The REST GET cache: hits, expiry, bypass, offline fallback, concurrency, and no secrets."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import warnings
from pathlib import Path

import httpx
import pytest

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._rest_cache import CachingTransport, RestCache, cache_key
from onesdk._settings import FileTokenStore, Secret
from onesdk.errors import ArgumentError, OfflineWarning
from tests.replay.server import ReplayServer

PARAMS = {"subject": "KS051"}


def _client(replay: ReplayServer, cache: RestCache) -> httpx.Client:
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    return httpx.Client(auth=auth, transport=CachingTransport(cache))


def _sessions_hits(replay: ReplayServer) -> int:
    return len(replay.requests_to("/sessions"))


def test_key_ignores_query_order_but_not_values() -> None:
    assert cache_key("GET", "http://h/s?a=1&b=2") == cache_key("get", "http://h/s?b=2&a=1")
    assert cache_key("GET", "http://h/s?a=1") != cache_key("GET", "http://h/s?a=2")
    assert cache_key("GET", "http://h/s?a=1") != cache_key("GET", "http://g/s?a=1")


def test_second_get_is_served_from_the_cache(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest")
    with _client(replay, cache) as client:
        first = client.get(f"{replay.alyx_url}/sessions", params=PARAMS)
        second = client.get(f"{replay.alyx_url}/sessions", params=PARAMS)
    assert first.json() == second.json()
    assert second.headers["x-onesdk-cache"] == "hit"
    assert _sessions_hits(replay) == 1


def test_expired_entries_are_fetched_again(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest", expiry=dt.timedelta(0))
    with _client(replay, cache) as client:
        client.get(f"{replay.alyx_url}/sessions", params=PARAMS)
        client.get(f"{replay.alyx_url}/sessions", params=PARAMS)
    assert _sessions_hits(replay) == 2


def test_refresh_and_skip_bypass_the_cache(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest")
    url = f"{replay.alyx_url}/sessions"
    with _client(replay, cache) as client:
        client.get(url, params=PARAMS)
        client.get(url, params=PARAMS, extensions={"onesdk_cache": "refresh"})
        client.get(url, params=PARAMS, extensions={"onesdk_cache": "skip"})
    assert _sessions_hits(replay) == 3


def test_unreachable_server_falls_back_to_an_expired_entry_with_a_warning(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest", expiry=dt.timedelta(0))
    url = f"{replay.alyx_url}/sessions"
    with _client(replay, cache) as client:
        expected = client.get(url, params=PARAMS).json()
    dead = url.replace(replay.alyx_url, "http://127.0.0.1:9")
    cache.put(
        "GET", f"{dead}?subject=KS051", 200, "application/json", json.dumps(expected).encode()
    )
    with (
        httpx.Client(transport=CachingTransport(cache)) as offline,
        pytest.warns(OfflineWarning, match="expired cached answer"),
    ):
        answer = offline.get(dead, params=PARAMS)
    assert answer.json() == expected


def test_unreachable_server_without_an_entry_raises(tmp_path: Path) -> None:
    with (
        httpx.Client(transport=CachingTransport(RestCache(tmp_path))) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.get("http://127.0.0.1:9/sessions")


def test_errors_and_logins_are_not_cached(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest")
    with _client(replay, cache) as client:
        missing = f"{replay.alyx_url}/sessions/00000000-0000-4000-8000-000000000000"
        assert client.get(missing).status_code == 404
        assert client.get(missing).status_code == 404
    assert len(replay.requests_to("/sessions/00000000-0000-4000-8000-000000000000")) == 2
    cache.put("GET", f"{replay.alyx_url}/auth-token", 200, "application/json", b"{}")
    assert cache.get("GET", f"{replay.alyx_url}/auth-token") is None


def test_no_token_or_password_on_disk(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    cache = RestCache(tmp_path / ".rest")
    with _client(replay, cache) as client:
        client.get(f"{replay.alyx_url}/sessions", params=PARAMS)
        client.get(f"{replay.alyx_url}/sessions/3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    files = [p for p in (tmp_path / ".rest").rglob("*") if p.is_file()]
    assert len([p for p in files if p.suffix == ".json"]) == 2
    for path in files:
        data = path.read_bytes()
        assert replay.token.encode() not in data
        assert replay.password.encode() not in data


def test_corrupt_entry_is_dropped(tmp_path: Path) -> None:
    cache = RestCache(tmp_path)
    cache.put("GET", "http://h/x", 200, "application/json", b"[1]")
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text("{truncated")
    assert cache.get("GET", "http://h/x") is None
    assert not entry.exists()


def test_negative_expiry_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="expiry"):
        RestCache(tmp_path, expiry=dt.timedelta(seconds=-1))


def _writer(root: str, n: int) -> None:
    cache = RestCache(Path(root))
    for i in range(200):
        body = json.dumps({"writer": n, "i": i, "pad": "x" * 5000}).encode()
        cache.put("GET", "http://h/shared?x=1", 200, "application/json", body)


def test_concurrent_writers_and_readers_never_see_a_torn_entry(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), n)) for n in range(3)]
    for proc in procs:
        proc.start()
    cache = RestCache(tmp_path)
    seen = vanished = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        while any(p.is_alive() for p in procs):
            entry = cache.get("GET", "http://h/shared?x=1")
            if entry is not None:
                json.loads(entry.body)
                seen += 1
            elif seen:
                vanished += 1  # a torn entry would have been dropped as corrupt
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert cache.get("GET", "http://h/shared?x=1") is not None
    assert seen > 0
    assert vanished == 0
