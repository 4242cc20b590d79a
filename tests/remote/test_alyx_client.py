"""``onesdk.webclient.AlyxClient`` made directly, as lab code written for one-api builds it, and
as the type of ``one.alyx``; over real HTTP against the replay server."""

from __future__ import annotations

import logging
import pickle
import traceback
from pathlib import Path

import pytest

from onesdk import ONE, OneAlyx
from onesdk._settings import FileTokenStore, Settings, config_dir, load_settings, save_settings
from onesdk.errors import ArgumentError, AuthenticationError
from onesdk.webclient import AlyxClient
from tests.replay.fixtures import open_one_alyx
from tests.replay.server import ReplayServer

FILE = (
    "cortexlab/Subjects/KS051/2023-01-10/003/alf/"
    "_ibl_trials.table.089602de-918a-4d4f-85ae-e05146f439fa.pqt"
)


def _client(replay: ReplayServer, cache_dir: Path, **options: object) -> AlyxClient:
    keywords: dict[str, object] = {
        "base_url": replay.alyx_url,
        "username": "root",
        "password": replay.password,
        "cache_dir": cache_dir,
        "silent": True,
        **options,
    }
    return AlyxClient(**keywords)  # type: ignore[arg-type]


@pytest.fixture
def debug_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record at DEBUG and above, so a secret in any of them is seen."""
    caplog.set_level(logging.DEBUG)
    return caplog


def _logins(replay: ReplayServer) -> int:
    return len(replay.requests_to("/auth-token"))


def test_a_client_from_the_saved_settings_answers_rest_as_one_alyx(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = open_one_alyx(replay, tmp_path / "cache")
    expected = one.alyx.rest("sessions", "list", subject="KS051")
    one.close()
    # no argument at all: the default server, its saved user and its stored token
    with AlyxClient(silent=True) as alyx:
        assert alyx.base_url == replay.alyx_url
        assert alyx.user == "root"
        assert alyx.cache_dir == tmp_path / "cache"
        found = alyx.rest("sessions", "list", subject="KS051")
    assert len(expected) == 7
    assert found == expected
    assert _logins(replay) == 1  # the one of OneAlyx: the client used the stored token


def test_one_alyx_of_an_online_instance_is_an_alyx_client(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = ONE(
        base_url=replay.alyx_url,
        username="root",
        password=replay.password,
        cache_dir=tmp_path / "cache",
        silent=True,
    )
    assert isinstance(one, OneAlyx)
    assert isinstance(one.alyx, AlyxClient)
    assert type(one.alyx) is AlyxClient  # its repr names the class users know
    assert one.alyx is one.alyx
    assert one.alyx.cache_dir == tmp_path / "cache"
    assert repr(one.alyx) == f"AlyxClient ({replay.alyx_url}, logged in as root)"
    one.close()


def test_a_wrong_password_fails_at_construction_without_showing_it(
    replay: ReplayServer, config_home: Path, tmp_path: Path, debug_log: pytest.LogCaptureFixture
) -> None:
    wrong = "not-the-password-4711"
    with pytest.raises(AuthenticationError, match="refused") as refused:
        _client(replay, tmp_path / "cache", password=wrong)
    assert _logins(replay) == 1
    chain = "".join(traceback.format_exception(refused.value))  # causes and contexts too
    shown = f"{refused.value!r}\n{chain}\n{debug_log.text}"
    assert wrong not in shown
    assert "root" in str(refused.value)


def test_the_password_and_token_never_appear_in_repr_logs_or_errors(
    replay: ReplayServer, config_home: Path, tmp_path: Path, debug_log: pytest.LogCaptureFixture
) -> None:
    alyx = _client(replay, tmp_path / "cache")
    assert _logins(replay) == 1  # logged in at construction, before any request
    assert repr(alyx) == f"AlyxClient ({replay.alyx_url}, logged in as root)"
    alyx.rest("sessions", "list", subject="KS051")
    with pytest.raises(ArgumentError) as bad:
        AlyxClient(replay.alyx_url, "root", 1234, silent=True)  # type: ignore[arg-type]
    assert bad.value.argument == "password"
    texts = [repr(alyx), str(alyx), str(bad.value), repr(alyx.http), debug_log.text]
    alyx.logout()
    assert repr(alyx) == f"AlyxClient ({replay.alyx_url}, user root, not logged in)"
    alyx.close()
    assert repr(alyx).endswith(", closed)")
    everything = "\n".join(texts)
    assert "1234" not in everything
    for secret in (replay.password, replay.token):
        assert secret not in everything


def test_without_a_password_the_stored_token_is_used_at_the_first_request(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    _client(replay, tmp_path / "cache").close()
    alyx = AlyxClient(replay.alyx_url, "root", silent=True)
    assert _logins(replay) == 1
    assert alyx.rest("sessions", "list", subject="KS051")
    assert _logins(replay) == 1
    alyx.close()


def test_the_environment_password_logs_in_at_the_first_request_that_needs_it(
    replay: ReplayServer, config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONE_ALYX_USERNAME", "root")
    monkeypatch.setenv("ONE_ALYX_PASSWORD", replay.password)
    alyx = AlyxClient(replay.alyx_url, silent=True)
    assert _logins(replay) == 0
    assert repr(alyx) == f"AlyxClient ({replay.alyx_url}, user root, not logged in)"
    assert len(alyx.rest("sessions", "list", subject="KS051")) == 7
    assert _logins(replay) == 1
    assert alyx.is_logged_in
    alyx.close()


def test_no_base_url_and_no_saved_server_is_an_argument_error_naming_base_url(
    config_home: Path,
) -> None:
    with pytest.raises(ArgumentError, match=r"ONE\.setup\(base_url=") as refused:
        AlyxClient(silent=True)
    assert refused.value.argument == "base_url"
    assert not config_dir().exists()  # nothing saved


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("base_url", "ftp://alyx.example.org"),
        ("username", 7),
        ("password", ["pw"]),
        ("cache_dir", 3.5),
        ("http_data_server", 1),
        ("silent", "yes"),
        ("cache_rest", "POST"),
        ("timeout", 0),
    ],
)
def test_an_argument_of_the_wrong_kind_is_refused_naming_it_before_anything_is_saved(
    config_home: Path, argument: str, value: object
) -> None:
    keywords: dict[str, object] = {"base_url": "http://127.0.0.1:9", argument: value}
    with pytest.raises(ArgumentError) as refused:
        AlyxClient(**keywords)  # type: ignore[arg-type]
    assert refused.value.argument == argument
    assert not config_dir().exists()


def test_the_first_use_of_a_server_saves_its_settings(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    alyx = _client(replay, tmp_path / "data", http_data_server=replay.files_url + "/")
    alyx.close()
    assert alyx.http_data_server == replay.files_url
    assert load_settings(replay.alyx_url) == Settings(
        replay.alyx_url, "root", replay.files_url + "/", tmp_path / "data"
    )
    assert load_settings() == load_settings(replay.alyx_url)  # the first server is the default


def test_a_saved_servers_settings_are_not_rewritten(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    saved = Settings(replay.alyx_url, "someone", "https://files.example.org", tmp_path / "saved")
    path = save_settings(saved)
    before = path.read_bytes()
    alyx = _client(replay, tmp_path / "elsewhere", http_data_server=replay.files_url)
    assert alyx.cache_dir == tmp_path / "elsewhere"
    assert alyx.http_data_server == replay.files_url
    assert alyx.user == "root"
    alyx.close()
    assert path.read_bytes() == before
    assert load_settings(replay.alyx_url) == saved


def test_the_url_is_normalised_and_the_default_folder_is_the_servers(
    replay: ReplayServer, config_home: Path
) -> None:
    alyx = AlyxClient(replay.alyx_url + "/", "root", replay.password, silent=True)
    assert alyx.base_url == replay.alyx_url
    host = replay.alyx_url.split("://", 1)[1].replace(":", "_")
    assert alyx.cache_dir is not None
    assert alyx.cache_dir.name == host
    assert alyx.cache_dir.parent.name == "ONE"
    alyx.close()


def test_download_file_writes_into_the_clients_cache_dir(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    alyx = _client(replay, tmp_path / "cache", http_data_server=replay.files_url)
    path = alyx.download_file(FILE)
    alyx.close()
    assert path.parent == tmp_path / "cache"
    assert path.name == FILE.rsplit("/", 1)[1]
    assert path.read_bytes() == (replay.files_root / FILE).read_bytes()


def test_the_rest_cache_lives_in_cache_dir_and_only_with_get(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    with _client(replay, tmp_path / "a") as cached:
        cached.rest("sessions", "list", subject="KS051")
        assert cached.rest_cache_dir == tmp_path / "a" / ".rest"
        assert cached.cache_mode == "GET"
    assert any((tmp_path / "a" / ".rest").rglob("*.json"))
    with _client(replay, tmp_path / "b", cache_rest=None) as uncached:
        uncached.rest("sessions", "list", subject="KS051")
        assert uncached.rest_cache_dir is None
        assert uncached.cache_mode is None
    assert not (tmp_path / "b").exists()


def test_a_client_pickles_with_its_session_token_and_never_its_password(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    alyx = _client(replay, tmp_path / "cache", http_data_server=replay.files_url)
    alyx.rest("sessions", "list", subject="KS051")
    data = pickle.dumps(alyx)
    alyx.close()
    assert replay.password.encode() not in data
    FileTokenStore().delete(replay.alyx_url)  # the copy can only use the token it carries
    copy = pickle.loads(data)
    assert type(copy) is AlyxClient
    assert (copy.base_url, copy.user, copy.cache_dir, copy.http_data_server) == (
        replay.alyx_url,
        "root",
        tmp_path / "cache",
        replay.files_url,
    )
    assert copy.rest_cache_dir == tmp_path / "cache" / ".rest"
    assert copy.is_logged_in
    assert len(copy.rest("sessions", "list", subject="KS051", no_cache=True)) == 7
    assert _logins(replay) == 1
    copy.close()


def test_one_alyx_pickles_as_a_client_of_the_same_server_and_folder(
    replay: ReplayServer, config_home: Path, tmp_path: Path
) -> None:
    one = open_one_alyx(replay, tmp_path / "cache", cache_rest=None)
    copy = pickle.loads(pickle.dumps(one.alyx))
    one.close()
    assert type(copy) is AlyxClient
    assert (copy.base_url, copy.cache_dir, copy.cache_mode) == (
        replay.alyx_url,
        tmp_path / "cache",
        None,
    )
    assert copy.rest("sessions", "list", subject="KS051")
    copy.close()
