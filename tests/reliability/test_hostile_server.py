"""A hostile Alyx on loopback: every answer ends in a correct result or a typed error, in bounds.

The server bombs (a gzip body that expands past the body bound), drips (one byte at a time),
lies about counts (empty or long later pages, absurd counts, one-record pages), sends
malformed ``Retry-After`` headers, nests JSON deeply, loops redirects and echoes the request
headers into its error text. The same answers go to the REST repository (``AlyxHttp``),
``onesdk.alyx`` and the downloader, which share one HTTP runtime.
"""

from __future__ import annotations

import gzip
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

import onesdk.alyx
from onesdk._http._alyx import MAX_PAGES, JsonValue
from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._rest_cache import RestCache
from onesdk._http._runtime import MAX_BODY_BYTES, MAX_REDIRECTS, MIN_RATE, retry_after
from onesdk._remote._rest import AlyxHttp, RestRepository, session_query
from onesdk._settings import FileTokenStore, Secret
from onesdk._store._download import Downloader, DownloadTask, RetryPolicy
from onesdk.errors import ContractError, DownloadError, HTTPError, OneSdkError, RemoteError
from tests.reliability._hostile import Answer, Seen, hostile_server, json_answer
from tests.reliability._report import RECORD

TOKEN = "echoed-t0ken-value-123"
EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
NO_WAIT: Callable[[float], None] = lambda seconds: None  # noqa: E731


def _session(i: int) -> dict[str, object]:
    return {
        "id": str(uuid.UUID(int=i + 1)),
        "subject": "KS051",
        "start_time": "2023-01-10T10:00:00",
        "number": 1,
        "lab": "cortexlab",
        "projects": [],
        "url": f"http://x/sessions/{uuid.UUID(int=i + 1)}",
        "task_protocol": "",
    }


def _pages(lie: Callable[[int, int], tuple[int, int]]) -> Callable[[Seen], Answer]:
    """A /sessions listing whose (count, records) at each offset come from ``lie``."""

    def answer(seen: Seen) -> Answer:
        query = parse_qs(urlsplit(seen.path).query)
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["5"])[0])
        count, n = lie(offset, limit)
        results = [_session(offset + i) for i in range(n)]
        page = {"count": count, "next": None, "previous": None, "results": results}
        return json_answer(json.dumps(page))

    return answer


def _repo(url: str, **kwargs: object) -> RestRepository:
    auth = TokenAuth(url, Credentials("me"), token=Secret(TOKEN), store=FileTokenStore())
    kwargs.setdefault("max_retry_after", 0.01)
    return RestRepository(AlyxHttp(url, auth=auth, sleep=NO_WAIT, **kwargs))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.setenv("ONESDK_KEYRING", "0")


# --- Retry-After -------------------------------------------------------------------------------
MALFORMED_RETRY_AFTER = [
    "soon",
    "-1",
    "1e9",
    "99999999999999999999999",
    "Wed, 99 Foo 2026 99:99:99 GMT",
    "Mon, 01 Jan 99999 00:00:00 GMT",
    "\u0661\u0662",  # Arabic-Indic digits: str.isdigit() says yes, float() would too
    "",
]


@pytest.mark.parametrize("value", MALFORMED_RETRY_AFTER)
def test_a_malformed_retry_after_is_ignored_not_raised(value: str) -> None:
    wait = retry_after(value, 30.0)
    assert wait is None or 0.0 <= wait <= 30.0


def test_a_call_with_its_retries_has_a_time_budget() -> None:
    with AlyxHttp("http://127.0.0.1:9") as http:
        policy = http.policy
    assert policy.budget == policy.attempts * policy.timeout + 2 * policy.max_retry_after
    RECORD.bound(
        "time of one Alyx call with its retries",
        f"attempts x timeout + waits: {policy.attempts} x {policy.timeout:g} s + "
        f"{policy.attempts - 1} x at most {policy.max_retry_after:g} s (Retry-After capped)",
        f"budget {policy.budget:g} s at the defaults",
    )


@pytest.mark.parametrize("value", MALFORMED_RETRY_AFTER[:5])
def test_a_busy_server_with_a_malformed_retry_after_ends_in_an_http_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    quick = RetryPolicy(attempts=2, backoff=0.01, max_backoff=0.01, max_retry_after=0.01)
    monkeypatch.setattr(onesdk.alyx, "_POLICY", quick)
    busy = Answer(503, (("Retry-After", value), ("Content-Type", "application/json")), b"{}")
    with hostile_server(lambda seen: busy) as server:
        with _repo(server.url) as repo:
            with pytest.raises(HTTPError) as failed:
                repo.session(EID)
            assert failed.value.status == 503
            with pytest.raises(HTTPError):
                repo.rest("sessions", "list")
        with onesdk.alyx.client(server.url, TOKEN) as api, pytest.raises(HTTPError):
            onesdk.alyx.session_details(api, EID)
        with Downloader(policy=quick, silent=True) as dl, pytest.raises(DownloadError):
            dl.fetch(DownloadTask(f"{server.url}/f.npy", tmp_path / "f.npy"))
    assert not (tmp_path / "f.npy").exists()


# --- bounded answers ---------------------------------------------------------------------------
def test_a_gzip_bomb_stops_at_the_body_bound_and_is_not_cached(tmp_path: Path) -> None:
    bomb = gzip.compress(b" " * (MAX_BODY_BYTES + (1 << 20)), compresslevel=9)
    assert len(bomb) < MAX_BODY_BYTES // 100
    answer = Answer(200, (("Content-Type", "application/json"), ("Content-Encoding", "gzip")), bomb)
    with hostile_server(lambda seen: answer) as server:
        started = time.monotonic()
        with (
            _repo(server.url, rest_cache=RestCache(tmp_path / "rest")) as repo,
            pytest.raises(ContractError, match="exceeds"),
        ):
            repo.session(EID)
        RECORD.bound(
            "decoded size of one Alyx answer",
            f"{MAX_BODY_BYTES >> 20} MiB (ContractError past it; nothing cached)",
            f"a {len(bomb) >> 10} KiB gzip bomb stopped after {time.monotonic() - started:.1f} s",
        )
        with (
            onesdk.alyx.client(server.url, TOKEN) as api,
            pytest.raises(ContractError, match="exceeds"),
        ):
            onesdk.alyx.session_details(api, EID)
    cached = [p for p in (tmp_path / "rest").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in cached) < 1 << 20


def test_a_slow_drip_answer_is_cut_at_the_timeout() -> None:
    def drip(seen: Seen) -> Answer:
        return Answer(200, (("Content-Type", "application/json"),), drip=[(0.1, b" ")] * 100)

    with hostile_server(drip) as server, _repo(server.url, timeout=1.0, attempts=1) as repo:
        started = time.monotonic()
        with pytest.raises(RemoteError, match="KiB/s after 1 s"):
            repo.session(EID)
        elapsed = time.monotonic() - started
        assert elapsed < 3.0
    RECORD.bound(
        "time of one answer (Alyx or file)",
        f"the timeout, then an average of {MIN_RATE >> 10} KiB/s (each read within the timeout)",
        f"a 1-byte-per-0.1 s drip with timeout=1 s cut after {elapsed:.1f} s",
    )


def test_a_download_never_writes_past_the_known_size(tmp_path: Path) -> None:
    too_long = Answer(200, (), b"x" * 5000)
    with (
        hostile_server(lambda seen: too_long) as server,
        Downloader(policy=RetryPolicy(attempts=1), silent=True) as dl,
        pytest.raises(DownloadError, match="more than"),
    ):
        dl.fetch(DownloadTask(f"{server.url}/f.npy", tmp_path / "f.npy", size=100))
    assert not (tmp_path / "f.npy").exists()
    part = tmp_path / "f.npy.part"
    assert not part.exists() or part.stat().st_size <= 100


def test_a_slow_drip_download_is_cut_at_the_timeout(tmp_path: Path) -> None:
    def drip(seen: Seen) -> Answer:
        return Answer(200, (), length=100, drip=[(0.1, b"x")] * 100)

    policy = RetryPolicy(attempts=1, timeout=1.0)
    with hostile_server(drip) as server, Downloader(policy=policy, silent=True) as dl:
        started = time.monotonic()
        with pytest.raises(DownloadError, match="KiB/s after 1 s"):
            dl.fetch(DownloadTask(f"{server.url}/f.npy", tmp_path / "f.npy", size=100))
        assert time.monotonic() - started < 3.0


# --- counts that lie ---------------------------------------------------------------------------
LIES: dict[str, Callable[[int, int], tuple[int, int]]] = {
    # 21 promised, later pages empty (used to give 3 of 21)
    "empty_later_pages": lambda offset, limit: (21, 3 if offset == 0 else 0),
    # 4 promised, every page holds 7 (used to give 7)
    "long_pages": lambda offset, limit: (4, 7),
    "count_changes": lambda offset, limit: (21 + offset, 3),
    "absurd_count": lambda offset, limit: (10**12, 3),
    "one_record_pages": lambda offset, limit: (2_000_000, 1),
}


@pytest.mark.parametrize("lie", sorted(LIES))
def test_a_listing_whose_pages_disagree_with_its_count_is_a_contract_error(lie: str) -> None:
    with hostile_server(_pages(LIES[lie])) as server:
        with _repo(server.url) as repo, pytest.raises(ContractError):
            repo.rest("sessions", "list")
        with _repo(server.url) as repo, pytest.raises(ContractError):
            repo.search_sessions(session_query({"subject": "KS051"})).raw()
        with onesdk.alyx.client(server.url, TOKEN) as api, pytest.raises(ContractError):
            list(onesdk.alyx.sessions(api, page_size=3))
        assert len(server.seen) < 3 * (MAX_PAGES // 1000 + 10)
        if lie == "one_record_pages":
            RECORD.bound(
                "pages of one listing",
                f"{MAX_PAGES:,}; every page must hold what the first count promises",
                f"2,000,000 one-record pages refused after {len(server.seen)} requests "
                "(three clients)",
            )


def test_a_listing_that_keeps_its_count_is_read_whole() -> None:
    with hostile_server(_pages(lambda offset, limit: (8, min(3, 8 - offset)))) as server:
        with _repo(server.url) as repo:
            assert len(repo.rest("sessions", "list")) == 8
        with onesdk.alyx.client(server.url, TOKEN) as api:
            assert len(list(onesdk.alyx.sessions(api, page_size=3))) == 8


# --- bodies outside the contract ---------------------------------------------------------------
def test_deeply_nested_json_is_a_contract_error() -> None:
    deep = json_answer("[" * 100_000 + "]" * 100_000)
    with hostile_server(lambda seen: deep) as server:
        with _repo(server.url) as repo:
            with pytest.raises(ContractError):
                repo.session(EID)
            with pytest.raises(ContractError):
                repo.rest("sessions", "list")
        with onesdk.alyx.client(server.url, TOKEN) as api, pytest.raises(ContractError):
            onesdk.alyx.session_details(api, EID)


def test_a_redirect_loop_is_a_remote_error() -> None:
    loop = Answer(302, (("Location", "/again"),))
    with hostile_server(lambda seen: loop) as server, _repo(server.url) as repo:
        with pytest.raises(RemoteError, match="redirects"):
            repo.session(EID)
        assert len(server.seen) <= 10
    RECORD.bound(
        "redirects",
        f"{MAX_REDIRECTS} within the server's origin; none to another origin",
        f"a redirect loop refused after {len(server.seen)} requests",
    )


def test_an_undecodable_body_is_a_contract_error() -> None:
    broken = Answer(
        200, (("Content-Type", "application/json"), ("Content-Encoding", "gzip")), b"not gzip"
    )
    with (
        hostile_server(lambda seen: broken) as server,
        _repo(server.url) as repo,
        pytest.raises(ContractError),
    ):
        repo.session(EID)


# --- secrets -----------------------------------------------------------------------------------
def test_a_server_echoing_the_request_headers_never_puts_the_token_in_an_error() -> None:
    def echo(seen: Seen) -> Answer:
        text = "\n".join(f"{k}: {v}" for k, v in seen.headers.items())
        return Answer(404, (("Content-Type", "text/plain"),), text.encode())

    with hostile_server(echo) as server:
        errors: list[OneSdkError] = []
        with _repo(server.url) as repo:
            with pytest.raises(HTTPError) as read:
                repo.session(EID)
            with pytest.raises(HTTPError) as listed:
                repo.rest("sessions", "list")
            errors += [read.value, listed.value]
        with onesdk.alyx.client(server.url, TOKEN) as api, pytest.raises(HTTPError) as direct:
            onesdk.alyx.session_details(api, EID)
        errors.append(direct.value)
        assert all(s.headers.get("authorization") == f"Token {TOKEN}" for s in server.seen)
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in repr(error.args)


def test_downloads_through_the_store_honour_the_instance_timeout(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    from onesdk._store._core import FileRecord, Store

    def drip(seen: Seen) -> Answer:
        return Answer(200, (), length=100, drip=[(0.1, b"x")] * 100)

    record = FileRecord(
        str(uuid.UUID(int=7)), PurePosixPath("lab/Subjects/s/2020-01-01/001"), "a.npy", 100, None
    )
    with hostile_server(drip) as server:
        store = Store(tmp_path, data_server=server.url, online=lambda: True, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(DownloadError, match=r"KiB/s after 0\.5 s"):
            store.files([record], check_hash=False)
        assert time.monotonic() - started < 4 * 1.5


# --- planted links -----------------------------------------------------------------------------
@pytest.mark.parametrize("planted", [".part", ".lock", ""])
def test_a_planted_symlink_beside_a_download_is_never_written_through(
    tmp_path: Path, planted: str
) -> None:
    outside = tmp_path / "precious.txt"
    outside.write_bytes(b"precious" if planted else b"0123456789" * 10)  # a look-alike
    kept = outside.read_bytes()
    target = tmp_path / "cache" / "f.npy"
    target.parent.mkdir()
    link = {
        ".part": target.with_name("f.npy.part"),
        ".lock": target.with_name(".f.npy.lock"),
        "": target,  # a look-alike at the final name must not count as the verified file
    }[planted]
    link.symlink_to(outside)
    data = b"0123456789" * 10
    with (
        hostile_server(lambda seen: Answer(200, (), data)) as server,
        Downloader(policy=RetryPolicy(attempts=1), silent=True) as dl,
    ):
        path = dl.fetch(DownloadTask(f"{server.url}/f.npy", target, size=len(data)))
    assert path.read_bytes() == data
    assert outside.read_bytes() == kept
    assert not target.is_symlink()


def test_file_server_credentials_never_reach_messages_logs_or_reprs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    from pathlib import PurePosixPath

    from onesdk._store._core import FileRecord, Store

    caplog.set_level(logging.DEBUG)
    secret = "fi1e-server-pa55word"
    with hostile_server(lambda seen: Answer(404, (), b"")) as server:
        url = server.url.replace("http://", f"http://reader:{secret}@")
        store = Store(tmp_path, data_server=url, online=lambda: True)
        record = FileRecord(
            str(uuid.UUID(int=9)),
            PurePosixPath("lab/Subjects/s/2020-01-01/001"),
            "a.b.npy",
            4,
            None,
        )
        with pytest.raises(DownloadError) as failed:
            store.files([record], check_hash=False)
        assert server.seen
        assert server.seen[0].headers.get("authorization", "").startswith("Basic")
    shown = [str(failed.value), repr(store), caplog.text]
    assert all(secret not in text for text in shown)


@pytest.mark.parametrize("number", [2**70, -1, True, 1.5])
def test_an_odd_session_number_from_the_server_is_a_contract_error(number: object) -> None:
    from onesdk._remote._records import session_row

    record = {**_session(0), "number": number}
    with pytest.raises(ContractError, match="number"):
        session_row(record)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [2**70, -1])
def test_an_odd_file_size_from_the_server_is_a_contract_error(size: int) -> None:
    from onesdk._remote._records import session_dataset_rows

    item: dict[str, JsonValue] = {
        "id": str(uuid.UUID(int=3)),
        "data_url": "http://f/lab/Subjects/s/2020-01-01/001/a.b.npy",
        "file_size": size,
    }
    with pytest.raises(ContractError, match="file_size"):
        session_dataset_rows({"id": EID, "data_dataset_session_related": [item]})


def test_an_empty_data_url_from_the_server_is_skipped_not_raised() -> None:
    from onesdk._remote._records import session_dataset_rows

    item: dict[str, JsonValue] = {"id": str(uuid.UUID(int=3)), "data_url": "", "file_size": 4}
    assert session_dataset_rows({"id": EID, "data_dataset_session_related": [item]}) == []
