"""The command line's view of the library: open a ONE instance and call it.

The CLI only needs a handful of calls and prints whatever comes back, so this adapter gives
it one stable shape (lists of strings, records, mappings of arrays) whatever the facade's
overloads return.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from onesdk import errors

if TYPE_CHECKING:
    import pandas as pd

    from onesdk import One, Session
    from onesdk._settings import Secret
    from onesdk.alf.io import AlfBunch

__all__ = [
    "Facade",
    "SearchFilters",
    "build_cache",
    "describe_cache",
    "login",
    "logout",
    "open_one",
    "record_field",
    "save_file_server",
]

_TABLES = ("sessions.pqt", "datasets.pqt")


def record_field(record: object, name: str) -> object:
    """A field of a search/details record, whether it is a model or a mapping."""
    if isinstance(record, Mapping):
        value: object = record.get(name)
        return value
    attr: object = getattr(record, name, None)
    return attr


class SearchFilters(TypedDict, total=False):
    """The search filters the command line offers; only the given ones are passed on."""

    subject: str
    lab: str
    date_range: str | list[str]
    number: int
    task_protocol: str
    projects: str
    datasets: list[str]
    dataset_qc_lte: str


class Facade:
    """The calls the CLI makes on a ``One``/``OneAlyx`` instance, with CLI-friendly results."""

    def __init__(self, one: One) -> None:
        self._one = one

    def __enter__(self) -> Facade:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the instance's connections (a remote instance holds an HTTP client)."""
        close = getattr(self._one, "close", None)
        if callable(close):
            close()

    @property
    def one(self) -> One:
        """The instance behind the facade (for commands that call it directly)."""
        return self._one

    @property
    def cache_dir(self) -> Path:
        return self._one.cache_dir

    def search(self, filters: SearchFilters) -> tuple[list[str], list[Session]]:
        """The matching eids (as strings) and their records."""
        eids, records = self._one.search(True, **filters)
        return [str(e) for e in eids], records

    def list_datasets(
        self,
        session: str,
        *,
        filename: str | None,
        collection: str | None,
        revision: str | None,
        qc: str | None,
        default_revisions_only: bool,
        ignore_qc_not_set: bool = False,
    ) -> list[str]:
        return self._one.list_datasets(
            session,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc if qc is not None else "FAIL",
            ignore_qc_not_set=ignore_qc_not_set,
            default_revisions_only=default_revisions_only,
        )

    def list_datasets_frame(
        self,
        session: str,
        *,
        filename: str | None,
        collection: str | None,
        revision: str | None,
        qc: str | None,
        default_revisions_only: bool,
        ignore_qc_not_set: bool = False,
    ) -> pd.DataFrame:
        return self._one.list_datasets(
            session,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc if qc is not None else "FAIL",
            ignore_qc_not_set=ignore_qc_not_set,
            default_revisions_only=default_revisions_only,
            details=True,
        )

    def list_collections(
        self, session: str, *, filename: str | None, collection: str | None, revision: str | None
    ) -> list[str]:
        return self._one.list_collections(
            session, filename=filename, collection=collection, revision=revision
        )

    def list_revisions(
        self, session: str, *, filename: str | None, collection: str | None, revision: str | None
    ) -> list[str]:
        return self._one.list_revisions(
            session, filename=filename, collection=collection, revision=revision
        )

    def get_details(self, session: str, *, full: bool) -> Session | pd.DataFrame:
        if full:
            return self._one.get_details(session, full=True)
        return self._one.get_details(session)

    def load_object(
        self,
        session: str,
        obj: str,
        *,
        collection: str | None,
        revision: str | None,
        attribute: Sequence[str] | None,
    ) -> AlfBunch:
        if attribute:
            return self._one.load_object(
                session, obj, collection=collection, revision=revision, attribute=attribute
            )
        return self._one.load_object(session, obj, collection=collection, revision=revision)

    def dataset_path(
        self, session: str, name: str, *, collection: str, revision: str | None
    ) -> Path:
        path = self._one.load_dataset(
            session, name, collection=collection, revision=revision, download_only=True
        )
        if path is None:
            raise errors.ALFObjectNotFound(f"{collection}/{name} of {session} is not available")
        return path

    def load_remote_cache(self, *, tag: str | None) -> Path:
        """Download the server's tables (a tag's into ``<cache_dir>/<tag>``); returns their dir."""
        loader = getattr(self._one, "load_cache", None)
        if not callable(loader):
            raise errors.OfflineError("this instance has no server to load tables from")
        loader(clobber=True, tag=tag)
        return self.cache_dir / tag if tag else self.cache_dir


def open_one(
    *,
    base_url: str | None,
    cache_dir: Path | None,
    mode: str | None,
    http_data_server: str | None = None,
) -> Facade:
    """``onesdk.ONE(...)`` with the command-line options that were given."""
    import onesdk

    server = http_data_server
    if mode == "local" or (mode is None and base_url is None):
        if base_url is not None:
            raise errors.ArgumentError("--mode", mode, "'remote' when --base-url is given")
        return Facade(
            onesdk.ONE(cache_dir=cache_dir, mode="local", silent=True, http_data_server=server)
        )
    return Facade(
        onesdk.ONE(
            base_url, cache_dir=cache_dir, mode="remote", silent=True, http_data_server=server
        )
    )


def build_cache(folder: Path, *, hash_files: bool) -> tuple[Path, Path]:
    """Index ``folder`` into cache tables written into it."""
    from onesdk._cache import make_cache

    return make_cache(folder, hash_files=hash_files)


def describe_cache(cache_dir: Path) -> dict[str, object]:
    """Where the tables are, how many rows they hold and when they were made."""
    import pyarrow.parquet as pq

    info: dict[str, object] = {"cache_dir": str(cache_dir)}
    for name in _TABLES:
        path = cache_dir / name
        if not path.is_file():
            raise errors.CacheError(
                f"{path}: no cache table here (build one with: onesdk cache build FOLDER)"
            )
        info[name.removesuffix(".pqt")] = pq.read_metadata(path).num_rows
    info_file = cache_dir / "cache_info.json"
    if info_file.is_file():
        meta = json.loads(info_file.read_text(encoding="utf-8"))
        if isinstance(meta, dict):
            for key in ("date_created", "date_modified", "origin", "min_api_version"):
                if key in meta:
                    info[key] = meta[key]
    return info


def login(
    base_url: str,
    username: str | None,
    password: str | None,
    *,
    http_data_server: str | None = None,
) -> str:
    """Log in to ``base_url``, store the token and remember the server; returns the user name.

    Missing credentials come from ``ONE_ALYX_USERNAME``/``ONE_ALYX_PASSWORD``, the saved
    settings, or a prompt on a terminal. The password is never stored.
    """
    from onesdk._http._auth import login as request_token
    from onesdk._http._auth import resolve_credentials
    from onesdk._settings import load_settings, normalise_base_url

    url = normalise_base_url(base_url)
    saved = load_settings(url)
    credentials = resolve_credentials(
        username, password, saved_username=saved.username if saved else None
    )
    if credentials is None:
        raise errors.AuthenticationError(
            f"no user name for {url}: pass --username or set ONE_ALYX_USERNAME"
        )
    token = request_token(url, credentials)
    _remember_login(url, credentials.username, token, http_data_server)
    return credentials.username


def login_with_token(
    base_url: str, username: str | None, token: str, *, http_data_server: str | None = None
) -> str:
    """Check ``token`` with the server's ``/me``, store it under the user that names (else
    ``username``) and remember the server, as :func:`login` does; returns the user name."""
    from onesdk._http._token import token_argument, token_user
    from onesdk._settings import normalise_base_url

    url = normalise_base_url(base_url)
    secret = token_argument(token)
    if secret is None:
        raise errors.ArgumentError("token", None, "an Alyx API token")
    user = token_user(url, secret, username)
    _remember_login(url, user, secret, http_data_server)
    return user


def _remember_login(url: str, username: str, token: Secret, http_data_server: str | None) -> None:
    """Store the token and save the server (made the default) with this user."""
    from onesdk._settings import Settings, default_token_store, load_settings, save_settings

    saved = load_settings(url)
    default_token_store().set(url, username, token)
    save_settings(
        Settings(
            base_url=url,
            username=username,
            http_data_server=http_data_server or (saved.http_data_server if saved else None),
            cache_dir=saved.cache_dir if saved else None,
            http_data_server_login=saved.http_data_server_login if saved else None,
        )
    )


def alyx_user(base_url: str, username: str | None) -> str | None:
    """The Alyx user name a login would use (the argument, ``ONE_ALYX_USERNAME``, the saved
    one), None when there is none; nothing is asked."""
    import os

    from onesdk._http._auth import ENV_USERNAME
    from onesdk._settings import load_settings, normalise_base_url

    saved = load_settings(normalise_base_url(base_url))
    return username or os.environ.get(ENV_USERNAME) or (saved.username if saved else None)


def save_file_server(
    base_url: str, login: str, password: Secret, *, http_data_server: str | None = None
) -> None:
    """Save ``login`` as the file-server login of ``base_url`` (in its settings, which become
    the default) and ``password`` where the tokens are kept, never in the settings file."""
    from onesdk._http._file_auth import save_file_server_password
    from onesdk._settings import Settings, load_settings, normalise_base_url, save_settings

    url = normalise_base_url(base_url)
    saved = load_settings(url)
    save_settings(
        Settings(
            base_url=url,
            username=saved.username if saved else None,
            http_data_server=http_data_server or (saved.http_data_server if saved else None),
            cache_dir=saved.cache_dir if saved else None,
            http_data_server_login=login,
        )
    )
    save_file_server_password(url, login, password)


def logout(base_url: str | None, *, file_server: bool = False) -> str:
    """Forget the stored token of ``base_url`` (default: the last server), and with
    ``file_server`` its file server's saved login and password; returns its URL."""
    import dataclasses

    from onesdk._settings import (
        default_token_store,
        file_server_password_store,
        load_settings,
        normalise_base_url,
        save_settings,
    )

    if base_url is None:
        saved = load_settings()
        if saved is None:
            raise errors.ArgumentError("--base-url", None, "a server URL (none is saved)")
        base_url = saved.base_url
    url = normalise_base_url(base_url)
    default_token_store().delete(url)
    if file_server:
        file_server_password_store().delete(url)
        saved = load_settings(url)
        if saved is not None and saved.http_data_server_login is not None:
            forgotten = dataclasses.replace(saved, http_data_server_login=None)
            save_settings(forgotten, make_default=False)
    return url
