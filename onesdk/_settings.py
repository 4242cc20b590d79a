"""Per-server settings and stored tokens, in the user's config directory.

Layout below :func:`config_dir` (``platformdirs``, so ``HOME`` / ``XDG_CONFIG_HOME`` move it)::

    alyx/<server-key>.json    ALYX_URL, ALYX_LOGIN, HTTP_DATA_SERVER, HTTP_DATA_SERVER_LOGIN,
                              CACHE_DIR for one base URL (never a password or token)
    alyx/<server-key>.token   {"username": ..., "token": ...}  created with mode 0600
    alyx/<server-key>.file-server
                              {"username": <file-server login>, "token": <its password>}, 0600
    default.json              {"ALYX_URL": ...}  the default server: the first one saved, or
                              the last made so by ``make_default=True`` or ``onesdk login``

Token and password files are never placed in a cache dir (cache dirs get shared and synced).
When the ``keyring`` package is importable and ``ONESDK_KEYRING`` is not ``0``, they go to the
system keyring instead (services ``onesdk-alyx`` and ``onesdk-file-server``). Every write is a
temp file renamed into place; secrets are :class:`Secret` objects whose ``repr``/``str`` are
masked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
import re
import urllib.parse
from pathlib import Path
from typing import BinaryIO, Final, Protocol

import platformdirs

from onesdk._atomic import atomic_write
from onesdk._log import MASK, get_logger, register_secret
from onesdk.errors import ArgumentError, CacheError

__all__ = [
    "FileTokenStore",
    "KeyringTokenStore",
    "Secret",
    "Settings",
    "TokenStore",
    "config_dir",
    "default_cache_dir",
    "default_token_store",
    "file_server_password_store",
    "forget_server",
    "load_settings",
    "normalise_base_url",
    "save_server",
    "save_settings",
    "saved_servers",
    "server_key",
    "settings_for_cache_dir",
]

_log = get_logger("onesdk.settings")
APP_NAME: Final = "onesdk"
_KEYRING_SERVICE: Final = "onesdk-alyx"
_FILE_SERVER_SERVICE: Final = "onesdk-file-server"


class Secret:
    """A string that never shows itself in ``repr``, ``str``, f-strings or logs.

    ``reveal()`` is the only way to the value; constructing one also registers the value with
    the log filter, so even a deliberate ``log(secret.reveal())`` is masked.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise ArgumentError("secret", type(value).__name__, "a str")
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        """The value itself: pass it on, never log or print it."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


def config_dir() -> Path:
    """The onesdk user config directory (not created)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def default_cache_dir(base_url: str | None = None) -> Path:
    """Where the data of ``base_url`` go when no cache dir is saved for it (not created).

    The user cache folder ``ONE`` for local use (``base_url`` None), a folder per server host
    below it for a server.
    """
    root = platformdirs.user_cache_path("ONE")
    if base_url is None:
        return root
    host = urllib.parse.urlsplit(normalise_base_url(base_url)).netloc
    return root / host.replace(":", "_")


def normalise_base_url(base_url: str) -> str:
    """``base_url`` checked (http/https with a host) and without trailing slash."""
    if not isinstance(base_url, str):
        raise ArgumentError("base_url", base_url, "an http(s) URL string")
    split = urllib.parse.urlsplit(base_url.strip())
    if split.scheme not in ("http", "https") or not split.netloc:
        raise ArgumentError("base_url", base_url, "an http(s) URL such as https://alyx.example.org")
    if split.username or split.password:
        raise ArgumentError("base_url", "<URL with credentials>", "a URL without user:password@")
    return urllib.parse.urlunsplit((split.scheme, split.netloc, split.path.rstrip("/"), "", ""))


def server_key(base_url: str) -> str:
    """A file-name-safe key for one server: readable host part plus a short hash of the URL."""
    url = normalise_base_url(base_url)
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urllib.parse.urlsplit(url).netloc)
    return f"{host}-{hashlib.sha256(url.encode()).hexdigest()[:10]}"


@dataclasses.dataclass(frozen=True)
class Settings:
    """The saved parameters for one Alyx server (one-api's ALYX_URL, ALYX_LOGIN, ...).

    ``http_data_server_login`` is the file server's user name; its password is never here
    (see :func:`file_server_password_store`).
    """

    base_url: str
    username: str | None = None
    http_data_server: str | None = None
    cache_dir: Path | None = None
    http_data_server_login: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "ALYX_URL": self.base_url,
            "ALYX_LOGIN": self.username,
            "HTTP_DATA_SERVER": self.http_data_server,
            "HTTP_DATA_SERVER_LOGIN": self.http_data_server_login,
            "CACHE_DIR": str(self.cache_dir) if self.cache_dir is not None else None,
        }

    @classmethod
    def from_json(cls, data: object, *, source: Path) -> Settings:
        if not isinstance(data, dict) or not isinstance(data.get("ALYX_URL"), str):
            raise CacheError(f"{source}: not a onesdk settings file (no ALYX_URL)")
        cache_dir = data.get("CACHE_DIR")
        username = data.get("ALYX_LOGIN")
        server = data.get("HTTP_DATA_SERVER")
        login = data.get("HTTP_DATA_SERVER_LOGIN")
        return cls(
            base_url=normalise_base_url(data["ALYX_URL"]),
            username=username if isinstance(username, str) else None,
            http_data_server=server if isinstance(server, str) else None,
            cache_dir=Path(cache_dir) if isinstance(cache_dir, str) else None,
            http_data_server_login=login if isinstance(login, str) and login else None,
        )


def _settings_path(base_url: str) -> Path:
    return config_dir() / "alyx" / f"{server_key(base_url)}.json"


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; the file is created 0600 and never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    def write_synced(stream: BinaryIO) -> None:  # a token must survive a crash once saved
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())

    atomic_write(path, write_synced, mode=0o600)


def load_settings(base_url: str | None = None) -> Settings | None:
    """The saved settings for ``base_url`` (default: the default server); None if none saved."""
    if base_url is None:
        default = config_dir() / "default.json"
        if not default.is_file():
            return None
        try:
            base_url = json.loads(default.read_text(encoding="utf-8"))["ALYX_URL"]
        except (ValueError, KeyError, TypeError) as exc:
            raise CacheError(f"{default}: unreadable default-server file ({exc})") from exc
        if not isinstance(base_url, str):
            raise CacheError(f"{default}: ALYX_URL is not a string")
    path = _settings_path(base_url)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CacheError(f"{path}: settings file is not JSON ({exc})") from exc
    return Settings.from_json(data, source=path)


def settings_for_cache_dir(cache_dir: Path) -> Settings | None:
    """The saved settings of the server whose cache dir is ``cache_dir`` (None if none is)."""
    wanted = Path(cache_dir).expanduser().resolve()
    for saved in saved_servers():
        if saved.cache_dir is not None and saved.cache_dir.expanduser().resolve() == wanted:
            return saved
    return None


def save_settings(settings: Settings, *, make_default: bool = True) -> Path:
    """Save ``settings`` for its base URL (and remember it as the default server)."""
    path = _settings_path(settings.base_url)
    write_private(path, json.dumps(settings.to_json(), indent=1).encode())
    if make_default:
        payload = json.dumps({"ALYX_URL": normalise_base_url(settings.base_url)}).encode()
        write_private(config_dir() / "default.json", payload)
    _log.debug("saved settings for %s", settings.base_url)
    return path


def saved_servers() -> list[Settings]:
    """The settings of every saved server (unreadable settings files are skipped)."""
    folder = config_dir() / "alyx"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            found.append(Settings.from_json(json.loads(path.read_text("utf-8")), source=path))
        except (ValueError, CacheError):
            _log.warning("skipping an unreadable settings file %s", path.name)
    return found


def forget_server(base_url: str) -> bool:
    """Remove the saved settings of ``base_url``, its stored token and its file server's
    password, and the default-server mark when it names that server; whether settings were
    saved for it."""
    url = normalise_base_url(base_url)
    default_stored = load_settings()
    default_url = default_stored.base_url if default_stored is not None else None
    default_token_store().delete(url)
    file_server_password_store().delete(url)
    path = _settings_path(url)
    existed = path.is_file()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    if default_url == url:
        with contextlib.suppress(FileNotFoundError):
            (config_dir() / "default.json").unlink()
    _log.debug("forgot the settings of %s", url)
    return existed


def save_server(
    base_url: str,
    *,
    username: str | None = None,
    http_data_server: str | None = None,
    cache_dir: Path | None = None,
    make_default: bool | None = None,
    http_data_server_login: str | None = None,
) -> Settings:
    """Save these settings for ``base_url``, as ``ONE.setup`` does, and return them.

    The server becomes the default when ``make_default`` is true or when no server is saved
    yet, so setting up a second server leaves the default as it was.
    """
    settings = Settings(
        normalise_base_url(base_url), username, http_data_server, cache_dir, http_data_server_login
    )
    save_settings(settings, make_default=bool(make_default) or load_settings() is None)
    return settings


class TokenStore(Protocol):
    """Where tokens live between runs, one per (base URL, user)."""

    def get(self, base_url: str, username: str) -> Secret | None: ...

    def set(self, base_url: str, username: str, token: Secret) -> None: ...

    def delete(self, base_url: str) -> None: ...


class FileTokenStore:
    """Tokens in ``<config>/alyx/<server-key>.token`` (mode 0600, written atomically).

    ``suffix`` names another kind of secret kept the same way (``.file-server``: the file
    server's password).
    """

    def __init__(self, root: Path | None = None, *, suffix: str = ".token") -> None:
        self.root = root if root is not None else config_dir() / "alyx"
        self.suffix = suffix

    def path(self, base_url: str) -> Path:
        return self.root / f"{server_key(base_url)}{self.suffix}"

    def get(self, base_url: str, username: str) -> Secret | None:
        path = self.path(base_url)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError:
            _log.warning("ignoring an unreadable token file for %s", base_url)
            return None
        if not isinstance(data, dict) or data.get("username") != username:
            return None
        token = data.get("token")
        return Secret(token) if isinstance(token, str) and token else None

    def set(self, base_url: str, username: str, token: Secret) -> None:
        payload = json.dumps({"username": username, "token": token.reveal()}).encode()
        write_private(self.path(base_url), payload)

    def delete(self, base_url: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(base_url).unlink()

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.root)!r}, suffix={self.suffix!r})"


class KeyringTokenStore:
    """Tokens in the system keyring (service ``onesdk-alyx``, one entry per base URL).

    ``service`` names another kind of secret kept the same way.
    """

    def __init__(self, service: str = _KEYRING_SERVICE) -> None:
        self._keyring = importlib.import_module("keyring")
        self.service = service

    def get(self, base_url: str, username: str) -> Secret | None:
        stored = self._keyring.get_password(self.service, normalise_base_url(base_url))
        if not isinstance(stored, str):
            return None
        user, _, token = stored.partition("\n")
        return Secret(token) if user == username and token else None

    def set(self, base_url: str, username: str, token: Secret) -> None:
        value = f"{username}\n{token.reveal()}"
        self._keyring.set_password(self.service, normalise_base_url(base_url), value)

    def delete(self, base_url: str) -> None:
        with contextlib.suppress(Exception):
            self._keyring.delete_password(self.service, normalise_base_url(base_url))

    def __repr__(self) -> str:
        return f"KeyringTokenStore({self.service!r})"


def default_token_store() -> TokenStore:
    """The keyring when the ``keyring`` package is importable (and not disabled), else files."""
    return _secret_store(_KEYRING_SERVICE, ".token")


def file_server_password_store() -> TokenStore:
    """Where the file server's password lives, keyed by Alyx URL and file-server login: the
    same place as the tokens (keyring, else a 0600 file), never the settings file."""
    return _secret_store(_FILE_SERVER_SERVICE, ".file-server")


def _secret_store(service: str, suffix: str) -> TokenStore:
    if os.environ.get("ONESDK_KEYRING", "1") != "0":
        try:
            return KeyringTokenStore(service)
        except ImportError:
            pass
    return FileTokenStore(suffix=suffix)
