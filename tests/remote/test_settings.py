"""Settings and stored tokens: where they live, file modes, atomic writes, masked reprs."""

from __future__ import annotations

import pickle
import stat
from pathlib import Path

import pytest

from onesdk._settings import (
    FileTokenStore,
    Secret,
    Settings,
    config_dir,
    load_settings,
    normalise_base_url,
    save_settings,
    server_key,
)
from onesdk.errors import ArgumentError, CacheError

URL = "https://alyx.example.org"


def test_config_dir_follows_xdg_config_home(config_home: Path) -> None:
    assert config_dir().is_relative_to(config_home / ".config")


def test_settings_round_trip_per_base_url(config_home: Path) -> None:
    first = Settings(URL, "root", "https://files.example.org", config_home / "cache")
    second = Settings("http://other.example.org/", "miles")
    save_settings(first)
    save_settings(second, make_default=False)
    assert load_settings(URL) == first
    assert load_settings("http://other.example.org") == Settings(
        "http://other.example.org", "miles"
    )
    assert load_settings() == first
    assert load_settings("https://never.example.org") is None


def test_corrupt_settings_file_names_the_file(config_home: Path) -> None:
    path = save_settings(Settings(URL, "root"))
    path.write_text("{not json")
    with pytest.raises(CacheError, match=str(path.name)):
        load_settings(URL)


@pytest.mark.parametrize("bad", ["", "alyx.org", "ftp://x.org", "http://user:pw@x.org", 3])
def test_bad_base_url_is_rejected_naming_the_argument(bad: object) -> None:
    with pytest.raises(ArgumentError, match="base_url") as info:
        normalise_base_url(bad)  # type: ignore[arg-type]
    assert "pw@" not in str(info.value)


def test_server_keys_differ_per_url_and_are_file_safe() -> None:
    keys = {server_key(u) for u in (URL, "http://alyx.example.org", "http://127.0.0.1:8000")}
    assert len(keys) == 3
    assert all("/" not in k and ":" not in k for k in keys)
    assert server_key(URL + "/") == server_key(URL)


def test_token_file_is_private_and_outside_any_cache(config_home: Path) -> None:
    store = FileTokenStore()
    store.set(URL, "root", Secret("token-value-123456"))
    path = store.path(URL)
    assert path.is_relative_to(config_dir())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.get(URL, "root") == Secret("token-value-123456")
    assert store.get(URL, "miles") is None
    assert [p.name for p in path.parent.iterdir() if p.name.endswith((".part", ".tmp"))] == []
    store.delete(URL)
    assert not path.exists()
    assert store.get(URL, "root") is None


def test_secret_never_shows_itself() -> None:
    secret = Secret("hunter2-hunter2")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])]
    assert all("hunter2" not in s for s in shown)
    assert secret.reveal() == "hunter2-hunter2"
    assert pickle.loads(pickle.dumps(secret)) == secret
    assert "hunter2" not in repr(Settings(URL, "root"))


class _MemoryKeyring:
    """A stand-in for the ``keyring`` package: the same three functions, kept in memory."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, name: str) -> str | None:
        return self.entries.get((service, name))

    def set_password(self, service: str, name: str, value: str) -> None:
        self.entries[(service, name)] = value

    def delete_password(self, service: str, name: str) -> None:
        del self.entries[(service, name)]


def test_keyring_is_used_when_importable(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from onesdk._settings import KeyringTokenStore, default_token_store

    fake = _MemoryKeyring()
    monkeypatch.setitem(sys.modules, "keyring", fake)
    monkeypatch.setenv("ONESDK_KEYRING", "1")
    store = default_token_store()
    assert isinstance(store, KeyringTokenStore)
    store.set(URL, "root", Secret("kept-in-the-keyring-1"))
    assert store.get(URL, "root") == Secret("kept-in-the-keyring-1")
    assert store.get(URL, "miles") is None
    assert not config_dir().exists()  # nothing on disk
    store.delete(URL)
    assert fake.entries == {}
    monkeypatch.setenv("ONESDK_KEYRING", "0")
    assert isinstance(default_token_store(), FileTokenStore)
