"""``onesdk.webclient.http_download_file(_list)``: any HTTP file into a folder, over real
sockets on loopback (the hostile server of the reliability tests answers as each test says)."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from onesdk._store._http_files import _home_only, _origin
from onesdk.errors import ArgumentError, DownloadError
from onesdk.webclient import http_download_file, http_download_file_list
from tests.reliability._hostile import Answer, HostileServer, Seen, hostile_server

PASSWORD = "pa55-" + secrets.token_hex(6)
BASIC = "Basic " + base64.b64encode(f"me:{PASSWORD}".encode()).decode()


def _body(path: str) -> bytes:
    """Different bytes for each path, so a test sees which file landed where."""
    return hashlib.sha256(path.encode()).digest() * 1000


def _files(seen: Seen) -> Answer:
    if "missing" in seen.path:
        return Answer(404)  # no body: one left unread ends in a reset the server logs
    return Answer(200, body=_body(seen.path))


def _with_basic_auth(seen: Seen) -> Answer:
    if seen.headers.get("authorization") != BASIC:
        return Answer(401, (("WWW-Authenticate", 'Basic realm="files"'),))
    return _files(seen)


@pytest.fixture(autouse=True)
def user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """onesdk's user cache dir (where the download locks live), in a temp dir."""
    cache = tmp_path_factory.mktemp("user-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with hostile_server(_files) as running:
        yield running


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# where the file goes ---------------------------------------------------------------------------
def test_the_file_lands_in_target_dir_under_its_decoded_name(
    server: HostileServer, tmp_path: Path
) -> None:
    path = http_download_file(f"{server.url}/meshes/a%20b.obj", target_dir=tmp_path, silent=True)
    assert path == tmp_path / "a b.obj"
    assert path.read_bytes() == _body("/meshes/a%20b.obj")


def test_the_folder_holds_only_the_file_afterwards_the_lock_is_in_the_user_cache(
    server: HostileServer, tmp_path: Path, user_cache: Path
) -> None:
    http_download_file(f"{server.url}/x.npy", target_dir=tmp_path, silent=True)
    assert [p.name for p in tmp_path.iterdir()] == ["x.npy"]
    assert [p.suffix for p in (user_cache / "onesdk" / "download-locks").iterdir()] == [".lock"]


def test_a_hash_in_the_url_path_is_sent_encoded_not_cut_as_a_fragment(
    server: HostileServer, tmp_path: Path
) -> None:
    url = f"{server.url}/lab/alf/#2024-01-01#/spikes.times.npy"
    path = http_download_file(url, target_dir=tmp_path, silent=True)
    assert [s.path for s in server.seen] == ["/lab/alf/%232024-01-01%23/spikes.times.npy"]
    assert path == tmp_path / "spikes.times.npy"


def test_without_target_dir_the_file_goes_to_downloads_in_home(
    server: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = http_download_file(f"{server.url}/x.npy", silent=True)
    assert path == tmp_path / "Downloads" / "x.npy"
    assert path.read_bytes() == _body("/x.npy")


def test_return_md5_gives_the_md5_of_the_bytes(server: HostileServer, tmp_path: Path) -> None:
    path, md5 = http_download_file(
        f"{server.url}/x.npy", target_dir=tmp_path, silent=True, return_md5=True
    )
    assert md5 == hashlib.md5(_body("/x.npy")).hexdigest()
    assert path == tmp_path / "x.npy"


# clobber ----------------------------------------------------------------------------------------
def test_an_existing_file_is_kept_without_asking_the_server(
    server: HostileServer, tmp_path: Path
) -> None:
    (tmp_path / "x.npy").write_bytes(b"mine")
    path, md5 = http_download_file(
        f"{server.url}/x.npy", target_dir=tmp_path, silent=True, return_md5=True
    )
    assert path.read_bytes() == b"mine"
    assert md5 == hashlib.md5(b"mine").hexdigest()
    assert server.seen == []


def test_clobber_replaces_an_existing_file(server: HostileServer, tmp_path: Path) -> None:
    (tmp_path / "x.npy").write_bytes(b"old")
    path = http_download_file(f"{server.url}/x.npy", target_dir=tmp_path, silent=True, clobber=True)
    assert path.read_bytes() == _body("/x.npy")
    assert len(server.seen) == 1


def test_a_failed_clobber_leaves_the_old_file_whole(server: HostileServer, tmp_path: Path) -> None:
    (tmp_path / "missing.npy").write_bytes(b"old")
    with pytest.raises(DownloadError):
        http_download_file(
            f"{server.url}/missing.npy", target_dir=tmp_path, silent=True, clobber=True
        )
    assert (tmp_path / "missing.npy").read_bytes() == b"old"
    assert _leftovers(tmp_path) == []


# errors -----------------------------------------------------------------------------------------
def test_a_404_raises_a_download_error_naming_the_url(
    server: HostileServer, tmp_path: Path
) -> None:
    url = f"{server.url}/data/missing.npy"
    with pytest.raises(DownloadError, match="404") as raised:
        http_download_file(url, target_dir=tmp_path, silent=True)
    assert url in str(raised.value)
    assert not (tmp_path / "missing.npy").exists()


@pytest.mark.parametrize(
    "path",
    [
        "/..",
        "/a/%2e%2e",
        "/a/%2Fetc%2Fpasswd",
        "/a/..%2F..%2Fx.npy",
        "/a/..%5C..%5Cx.npy",
        "/a/C%3A%5Cx.npy",
        "/a/x%00.npy",
        "/a/",
        "",
    ],
)
def test_a_file_name_that_would_leave_target_dir_is_refused(
    server: HostileServer, tmp_path: Path, path: str
) -> None:
    target = tmp_path / "inside"
    with pytest.raises(ArgumentError, match="full_link_to_file"):
        http_download_file(server.url + path, target_dir=target, silent=True, clobber=True)
    assert server.seen == []
    assert list(tmp_path.iterdir()) == []


def test_a_url_that_is_not_http_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="http"):
        http_download_file("file:///etc/passwd", target_dir=tmp_path)


def test_chunks_are_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="chunks") as raised:
        http_download_file("http://127.0.0.1:9/x.npy", (0, 10), target_dir=tmp_path)  # type: ignore[call-overload]
    assert "whole file" in str(raised.value)


def test_a_username_without_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="password"):
        http_download_file("http://127.0.0.1:9/x.npy", username="me", target_dir=tmp_path)


# credentials ------------------------------------------------------------------------------------
def test_basic_auth_is_sent_to_the_file_server(tmp_path: Path) -> None:
    with hostile_server(_with_basic_auth) as server:
        path = http_download_file(
            f"{server.url}/x.npy",
            target_dir=tmp_path,
            silent=True,
            username="me",
            password=PASSWORD,
        )
        assert path.read_bytes() == _body("/x.npy")
        assert [s.headers.get("authorization") for s in server.seen] == [BASIC]


def test_credentials_in_the_url_are_sent_as_basic_auth_not_in_the_request_line(
    tmp_path: Path,
) -> None:
    with hostile_server(_with_basic_auth) as server:
        url = server.url.replace("http://", f"http://me:{PASSWORD}@") + "/x.npy"
        path = http_download_file(url, target_dir=tmp_path, silent=True)
        assert path.read_bytes() == _body("/x.npy")
        assert [s.path for s in server.seen] == ["/x.npy"]
        assert server.seen[0].headers.get("authorization") == BASIC


@pytest.mark.parametrize("in_url", [False, True])
def test_the_password_is_in_no_error_and_no_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, in_url: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    with hostile_server(_with_basic_auth) as server:
        url = f"{server.url}/data/missing.npy"
        given = url.replace("http://", f"http://me:{PASSWORD}@") if in_url else url
        with pytest.raises(DownloadError) as raised:
            http_download_file(
                given,
                target_dir=tmp_path,
                silent=True,
                username=None if in_url else "me",
                password=None if in_url else PASSWORD,
            )
        assert server.seen, "the request was sent"
    assert url in str(raised.value)
    shown = f"{raised.value!s} {raised.value!r} {raised.value.__cause__!r} {caplog.text}"
    assert PASSWORD not in shown
    assert base64.b64encode(f"me:{PASSWORD}".encode()).decode() not in shown


def test_a_redirect_to_another_host_carries_no_credentials_nor_extra_headers(
    tmp_path: Path,
) -> None:
    with hostile_server(_files) as elsewhere:

        def redirect(seen: Seen) -> Answer:
            return Answer(302, (("Location", f"{elsewhere.url}{seen.path}"),))

        with hostile_server(redirect) as home:
            path = http_download_file(
                f"{home.url}/x.npy",
                target_dir=tmp_path,
                silent=True,
                username="me",
                password=PASSWORD,
                headers={"X-Api-Key": "k3y-" + PASSWORD},
            )
            assert home.seen[0].headers.get("authorization") == BASIC
            assert home.seen[0].headers.get("x-api-key") == "k3y-" + PASSWORD
        assert [s.path for s in elsewhere.seen] == ["/x.npy"]
        assert elsewhere.requests_mentioning(PASSWORD) == []
        assert "authorization" not in elsewhere.seen[0].headers
    assert path.read_bytes() == _body("/x.npy")


def test_a_redirect_on_the_same_host_keeps_credentials(tmp_path: Path) -> None:
    def answer(seen: Seen) -> Answer:
        if seen.path == "/old/x.npy":
            return Answer(301, (("Location", "/new/x.npy"),))
        return _with_basic_auth(seen)

    with hostile_server(answer) as server:
        path = http_download_file(
            f"{server.url}/old/x.npy",
            target_dir=tmp_path,
            silent=True,
            username="me",
            password=PASSWORD,
        )
        assert [s.path for s in server.seen] == ["/old/x.npy", "/new/x.npy"]
    assert path.read_bytes() == _body("/new/x.npy")


@pytest.mark.parametrize(
    ("redirected_to", "kept"),
    [
        ("http://files.example.org/b.npy", True),
        ("https://files.example.org/b.npy", True),
        ("http://files.example.org:8080/b.npy", False),
        ("https://files.example.org:8443/b.npy", False),
        ("http://other.example.org/b.npy", False),
    ],
)
def test_credentials_and_headers_stay_on_the_origin_or_its_https_upgrade(
    redirected_to: str, kept: bool
) -> None:
    hook = _home_only({_origin("http://files.example.org/a.npy")}, ["X-Api-Key"])
    request = httpx.Request(
        "GET", redirected_to, headers={"Authorization": BASIC, "X-Api-Key": "k", "Accept": "*/*"}
    )
    hook(request)
    assert ("authorization" in request.headers, "x-api-key" in request.headers) == (kept, kept)
    assert request.headers["accept"] == "*/*"


def test_extra_headers_are_sent(server: HostileServer, tmp_path: Path) -> None:
    http_download_file(
        f"{server.url}/x.npy", target_dir=tmp_path, silent=True, headers={"X-Api-Key": "abc"}
    )
    assert server.seen[0].headers.get("x-api-key") == "abc"


# lists ------------------------------------------------------------------------------------------
def test_a_list_gives_the_paths_in_the_order_of_the_links(
    server: HostileServer, tmp_path: Path
) -> None:
    names = [f"f{n}.npy" for n in range(6)]
    paths = http_download_file_list(
        (f"{server.url}/{name}" for name in names), target_dir=tmp_path, silent=True
    )
    assert paths == [tmp_path / name for name in names]
    assert [p.read_bytes() for p in paths] == [_body(f"/{name}") for name in names]


def test_a_list_with_return_md5_unpacks_into_paths_and_md5s(
    server: HostileServer, tmp_path: Path
) -> None:
    folders = [tmp_path / "a", tmp_path / "b"]
    paths, md5s = http_download_file_list(
        [f"{server.url}/1.npy", f"{server.url}/2.npy"],
        target_dir=folders,
        silent=True,
        return_md5=True,
    )
    assert paths == [tmp_path / "a" / "1.npy", tmp_path / "b" / "2.npy"]
    assert md5s == [hashlib.md5(_body(p)).hexdigest() for p in ("/1.npy", "/2.npy")]
    assert http_download_file_list([], return_md5=True) == ([], [])


def test_a_list_checks_every_link_before_downloading(server: HostileServer, tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="links_to_file_list"):
        http_download_file_list([f"{server.url}/1.npy", f"{server.url}/.."], target_dir=tmp_path)
    assert server.seen == []


def test_a_list_of_target_dirs_of_another_length_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="target_dir"):
        http_download_file_list(["http://127.0.0.1:9/1.npy"], target_dir=[tmp_path, tmp_path])


def test_a_failed_link_raises_after_the_others_are_downloaded(
    server: HostileServer, tmp_path: Path
) -> None:
    links = [f"{server.url}/missing.npy", f"{server.url}/ok.npy"]
    with pytest.raises(DownloadError, match=r"missing\.npy"):
        http_download_file_list(links, target_dir=tmp_path, silent=True)
    assert (tmp_path / "ok.npy").read_bytes() == _body("/ok.npy")
    assert not (tmp_path / "missing.npy").exists()
