"""Credentials of a password-protected file server (one-api's ``HTTP_DATA_SERVER_LOGIN`` /
``HTTP_DATA_SERVER_PWD``): where they come from, where they go, and where they never appear.

Alyx is the replay server; the file server is a loopback server of this module that serves
the replay's file tree only to requests carrying the right basic authentication (401 with a
``WWW-Authenticate`` challenge otherwise), and can redirect a file to a second loopback server
on another origin.
"""

from __future__ import annotations

import base64
import logging
import pickle
import secrets
import stat
import urllib.parse
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import onesdk
from onesdk import OneAlyx, params
from onesdk._settings import Secret
from onesdk.errors import (
    ArgumentError,
    AuthenticationError,
    DownloadError,
    FileServerAuthError,
)
from tests.reliability._hostile import Answer, HostileServer, Seen, hostile_server
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

EID = "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80"
DATASET = "_ibl_trials.choice.npy"
TABLE = (
    "aggregates/Subjects/hoferlab/SWC_062/"
    "_ibl_subjectTraining.table.0b88e081-3be8-44f8-9677-339049986a7c.csv"
)
LOGIN = "lab-member"
PASSWORD = f"files-{secrets.token_hex(12)}"
ENCODED = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
ENV_LOGIN = "ONE_HTTP_DATA_SERVER_LOGIN"
ENV_PASSWORD = "ONE_HTTP_DATA_SERVER_PASSWORD"


class ProtectedFiles:
    """The replay's file tree behind basic authentication; ``redirect_to`` sends every file
    request to another server instead (after checking the credentials)."""

    def __init__(self, replay: ReplayServer) -> None:
        self.replay = replay
        self.redirect_to: str | None = None

    def answer(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Basic {ENCODED}":
            return Answer(401, (("WWW-Authenticate", 'Basic realm="data"'),), b"login")
        if self.redirect_to is not None:
            return Answer(302, (("Location", self.redirect_to + seen.path),))
        target = self.replay.file_path(urllib.parse.unquote(seen.path.split("?")[0]))
        if target is None:
            return Answer(404, (), b"no such file")
        return Answer(200, (("Content-Type", "application/octet-stream"),), target.read_bytes())


@pytest.fixture(autouse=True)
def _no_file_server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_LOGIN, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)


@dataclass
class Protected:
    """Alyx (the replay) with a :class:`ProtectedFiles` server as its file server, in a private
    config dir, for one test."""

    replay: ReplayServer
    server: HostileServer
    files: ProtectedFiles
    cache: Path
    monkeypatch: pytest.MonkeyPatch

    def open(self) -> closing[OneAlyx]:
        """An instance logged in to Alyx that downloads from the protected server, closed when
        the ``with`` block ends."""
        return closing(open_one_alyx(self.replay, self.cache, http_data_server=self.server.url))

    def credentials_in_environment(self, password: str = PASSWORD) -> None:
        self.monkeypatch.setenv(ENV_LOGIN, LOGIN)
        self.monkeypatch.setenv(ENV_PASSWORD, password)

    def save_credentials(self) -> None:
        params.setup(
            self.replay.alyx_url, http_data_server_login=LOGIN, http_data_server_password=PASSWORD
        )


@pytest.fixture
def protected(
    replay: ReplayServer, config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Protected]:
    files = ProtectedFiles(replay)
    with hostile_server(files.answer) as server:
        yield Protected(replay, server, files, tmp_path / "cache", monkeypatch)


def _leaks(root: Path) -> list[str]:
    """Files below ``root`` holding the password (or its encoded header), the 0600 secret
    file of the user config dir excepted."""
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if PASSWORD.encode() not in data and ENCODED.encode() not in data:
            continue
        private = stat.S_IMODE(path.stat().st_mode) == 0o600
        if path.suffix == ".file-server" and private and ".config" in path.parts:
            continue
        found.append(str(path.relative_to(root)))
    return found


# --- where they come from -------------------------------------------------------------------


def test_a_dataset_loads_with_credentials_from_the_environment(protected: Protected) -> None:
    protected.credentials_in_environment()
    with protected.open() as one:
        path = one.load_dataset(EID, DATASET, download_only=True)
    assert path.is_file()
    fetched = [s.headers.get("authorization") for s in protected.server.seen if ".npy" in s.path]
    # the environment names no server: they go only in answer to the file server's 401
    assert fetched == [None, f"Basic {ENCODED}"]


def test_saved_credentials_go_with_the_first_request(protected: Protected) -> None:
    protected.save_credentials()
    with protected.open() as one:
        assert one.load_dataset(EID, DATASET, download_only=True).is_file()
    fetched = [s.headers.get("authorization") for s in protected.server.seen if ".npy" in s.path]
    assert fetched == [f"Basic {ENCODED}"]


def test_credentials_from_the_environment_never_reach_a_file_server_that_does_not_ask(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    protected.credentials_in_environment()

    def public(seen: Seen) -> Answer:  # serves without a login, as a public file server does
        target = replay.file_path(urllib.parse.unquote(seen.path.split("?")[0]))
        return Answer(200, (), target.read_bytes()) if target else Answer(404, (), b"")

    with hostile_server(public) as files:
        one = open_one_alyx(replay, tmp_path / "public", http_data_server=files.url)
        with closing(one):
            assert one.load_dataset(EID, DATASET, download_only=True).is_file()
            assert one.alyx.download_file(TABLE, target_dir=tmp_path / "tables").is_file()
        assert len(files.seen) == 2
        assert all("authorization" not in s.headers for s in files.seen)
        assert files.requests_mentioning(PASSWORD) == []
        assert files.requests_mentioning(ENCODED) == []


def test_a_dataset_loads_with_credentials_saved_by_one_setup(
    replay: ReplayServer, protected: Protected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    one = onesdk.ONE.setup(
        base_url=replay.alyx_url,
        username="root",
        cache_dir=tmp_path / "cache",
        http_data_server=protected.server.url,
        http_data_server_login=LOGIN,
        http_data_server_password=PASSWORD,
        silent=True,
    )
    with closing(one):
        path = one.load_dataset(EID, DATASET, download_only=True)
    assert path.is_file()
    assert _leaks(tmp_path) == []
    saved = params.get(replay.alyx_url)
    assert saved.HTTP_DATA_SERVER_LOGIN == LOGIN
    assert Secret(PASSWORD) == saved.HTTP_DATA_SERVER_PWD
    assert PASSWORD not in repr(saved)


def test_a_dataset_loads_with_credentials_saved_by_params_save(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    par = params.get(replay.alyx_url, silent=True)
    par = par.set("HTTP_DATA_SERVER", protected.server.url).set("HTTP_DATA_SERVER_LOGIN", LOGIN)
    params.save(par.set("HTTP_DATA_SERVER_PWD", PASSWORD), replay.alyx_url)
    with closing(open_one_alyx(replay, tmp_path / "cache")) as one:
        assert one.load_dataset(EID, DATASET, download_only=True).is_file()
    assert _leaks(tmp_path) == []


def test_the_environment_overrides_the_saved_credentials(protected: Protected) -> None:
    params.setup(
        protected.replay.alyx_url,
        http_data_server_login="someone-else",
        http_data_server_password="nope",
    )
    protected.credentials_in_environment()
    with protected.open() as one:
        assert one.load_dataset(EID, DATASET, download_only=True).is_file()


# --- where they go --------------------------------------------------------------------------


def test_the_alyx_server_never_receives_the_file_server_credentials(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    protected.credentials_in_environment()
    with protected.open() as one:
        one.load_dataset(EID, DATASET, download_only=True)
        one.alyx.download_file(TABLE, target_dir=tmp_path / "tables")
    to_alyx = [s for s in replay.seen if s.host == "alyx"]
    assert to_alyx, "the load asked Alyx nothing"
    for seen in to_alyx:
        assert not (seen.header("authorization") or "").startswith("Basic")
        assert PASSWORD.encode() not in seen.body
    assert any(s.path.endswith(".csv") for s in protected.server.seen)


def test_a_redirect_to_another_origin_gets_no_credentials(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    protected.credentials_in_environment()

    def elsewhere(seen: Seen) -> Answer:  # serves without asking, as a signed URL would
        target = replay.file_path(urllib.parse.unquote(seen.path))
        body = target.read_bytes() if target is not None else b""
        return Answer(200 if target is not None else 404, (), body)

    with hostile_server(elsewhere) as other:
        protected.files.redirect_to = other.url
        with protected.open() as one:
            assert one.load_dataset(EID, DATASET, download_only=True).is_file()
            one.alyx.download_file(TABLE, target_dir=tmp_path / "tables")
        assert len(other.seen) == 2
        assert all("authorization" not in s.headers for s in other.seen)
        assert other.requests_mentioning(PASSWORD) == []
        assert other.requests_mentioning(ENCODED) == []


def test_one_alyx_download_file_sends_the_saved_credentials(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    protected.save_credentials()
    with protected.open() as one:
        path = one.alyx.download_file(TABLE, target_dir=tmp_path / "tables")
    assert path.read_bytes() == (replay.files_root / TABLE).read_bytes()


# --- a 401 says what to set -----------------------------------------------------------------


def test_no_credentials_give_an_error_naming_the_settings_to_set(
    protected: Protected, tmp_path: Path
) -> None:
    with protected.open() as one:
        with pytest.raises(FileServerAuthError) as load_error:
            one.load_dataset(EID, DATASET, download_only=True)
        with pytest.raises(FileServerAuthError) as file_error:
            one.alyx.download_file(TABLE, target_dir=tmp_path / "tables")
    for caught in (load_error, file_error):
        message = str(caught.value)
        assert "HTTP 401" in message
        assert ENV_LOGIN in message
        assert ENV_PASSWORD in message
        assert "http_data_server_login" in message
        assert "--file-server-user" in message
        assert isinstance(caught.value, DownloadError)
        assert isinstance(caught.value, AuthenticationError)
    # one request a file: a 401 is not retried, and nothing was sent without credentials
    seen = protected.server.seen
    assert len([s for s in seen if s.path.endswith(".npy")]) == 1
    assert len([s for s in seen if s.path.endswith(".csv")]) == 1
    assert all("authorization" not in s.headers for s in seen)


def test_cache_tables_on_the_file_server_say_the_same_when_refused(
    protected: Protected, tmp_path: Path
) -> None:
    zip_url = f"{protected.server.url}/caches/alyx/cache.zip"
    with protected.open() as one, pytest.raises(FileServerAuthError) as refused:
        one.alyx.download_cache_tables(zip_url, tmp_path / "tables")
    assert ENV_LOGIN in str(refused.value)
    assert "--file-server-user" in str(refused.value)
    assert list(tmp_path.rglob("*.pqt")) == []  # no table was installed


def test_a_wrong_password_names_the_login_but_never_the_password(
    protected: Protected, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = f"wrong-{secrets.token_hex(8)}"
    protected.credentials_in_environment(password=wrong)
    caplog.set_level(logging.DEBUG)
    with protected.open() as one:
        with pytest.raises(FileServerAuthError, match="refused the login 'lab-member'") as err:
            one.load_dataset(EID, DATASET, download_only=True)
        shown = repr(one) + repr(one.alyx) + repr(one._connection.file_auth)
    assert wrong not in str(err.value)
    assert wrong not in shown
    assert wrong not in caplog.text


def test_a_login_without_a_password_says_the_password_is_missing(protected: Protected) -> None:
    params.setup(protected.replay.alyx_url, http_data_server_login=LOGIN)
    no_password = pytest.raises(FileServerAuthError, match="no password for the file-server")
    with protected.open() as one, no_password:
        one.load_dataset(EID, DATASET, download_only=True)


# --- where they never appear ----------------------------------------------------------------


def test_the_password_is_in_no_file_repr_or_log_record(
    protected: Protected, config_home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    protected.save_credentials()
    with protected.open() as one:
        one.load_dataset(EID, DATASET, download_only=True)
        one.alyx.download_file(TABLE)
        shown = " ".join(
            repr(x) for x in (one, one.alyx, one._connection.file_auth, params.get(), one._store)
        )
    assert _leaks(tmp_path) == []
    secret_files = list((config_home / ".config").rglob("*.file-server"))
    assert len(secret_files) == 1
    assert stat.S_IMODE(secret_files[0].stat().st_mode) == 0o600
    settings_text = "".join(p.read_text() for p in (config_home / ".config").rglob("*.json"))
    assert LOGIN in settings_text
    assert PASSWORD not in settings_text
    for text in (shown, caplog.text):
        assert PASSWORD not in text
        assert ENCODED not in text


def test_params_get_reports_the_stored_login_and_a_masked_password(config_home: Path) -> None:
    url = "https://alyx.example.org"
    params.setup(url, http_data_server_login=LOGIN, http_data_server_password=PASSWORD)
    par = params.get(url)
    assert par.HTTP_DATA_SERVER_LOGIN == LOGIN
    assert isinstance(par.HTTP_DATA_SERVER_PWD, Secret)
    assert par.HTTP_DATA_SERVER_PWD.reveal() == PASSWORD
    assert PASSWORD not in repr(par)
    assert PASSWORD not in str(par.as_dict())
    params.setup(url, http_data_server_login="")
    forgotten = params.get(url)
    assert (forgotten.HTTP_DATA_SERVER_LOGIN, forgotten.HTTP_DATA_SERVER_PWD) == (None, None)


def test_a_password_without_a_login_is_refused_naming_the_argument(config_home: Path) -> None:
    with pytest.raises(ArgumentError, match="http_data_server_password") as err:
        params.setup("https://alyx.example.org", http_data_server_password=PASSWORD)
    assert PASSWORD not in str(err.value)


# --- every way to a download ----------------------------------------------------------------


def test_a_client_made_directly_downloads_with_the_saved_credentials(
    replay: ReplayServer, protected: Protected, tmp_path: Path
) -> None:
    from onesdk.webclient import AlyxClient

    server = protected.server
    protected.save_credentials()
    with AlyxClient(
        replay.alyx_url, "root", replay.password, tmp_path / "cache", http_data_server=server.url
    ) as alyx:
        path = alyx.download_file(TABLE, target_dir=tmp_path / "tables")
        tables = alyx.download_cache_tables(
            f"{server.url}/caches/alyx/cache.zip", tmp_path / "tables"
        )
    assert path.read_bytes() == (replay.files_root / TABLE).read_bytes()
    assert sorted(p.name for p in tables if p.suffix == ".pqt") == ["datasets.pqt", "sessions.pqt"]


def test_an_unpickled_instance_finds_the_saved_credentials_again(protected: Protected) -> None:
    protected.save_credentials()
    with protected.open() as one:
        pickled = pickle.dumps(one)
    assert PASSWORD.encode() not in pickled
    assert ENCODED.encode() not in pickled
    with closing(pickle.loads(pickled)) as again:
        assert again.load_dataset(EID, DATASET, download_only=True).is_file()


@pytest.mark.parametrize(
    ("url", "signed"),
    [
        ("http://files.example.org/a/b.npy", True),
        ("http://FILES.example.org:80/b.npy", True),
        ("http://files.example.org:8080/b.npy", False),
        ("https://files.example.org/b.npy", False),
        ("http://alyx.example.org/sessions", False),
        ("http://s3.example.org/files.example.org/b.npy", False),
    ],
)
def test_the_file_server_auth_signs_only_the_file_servers_origin(
    url: str, signed: bool, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onesdk._http._file_auth import FileServerAuth

    params.setup(
        "http://alyx.example.org", http_data_server_login=LOGIN, http_data_server_password=PASSWORD
    )
    auth = FileServerAuth("http://alyx.example.org", "http://files.example.org/")
    request = next(auth.auth_flow(httpx.Request("GET", url)))
    assert ("authorization" in request.headers) is signed
    assert PASSWORD not in repr(auth)


def test_credentials_set_after_a_refusal_are_used_by_the_same_instance(
    protected: Protected,
) -> None:
    with protected.open() as one:
        with pytest.raises(FileServerAuthError):
            one.load_dataset(EID, DATASET, download_only=True)
        protected.credentials_in_environment()
        assert one.load_dataset(EID, DATASET, download_only=True).is_file()
