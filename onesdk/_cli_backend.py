"""The command line's view of the library: open a ONE instance and call it.

The CLI only needs a handful of calls and prints whatever comes back, so this adapter gives
it one stable shape (lists of strings, records, mappings of arrays) whatever the facade's
overloads return.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onesdk import errors

if TYPE_CHECKING:
    import pandas as pd

    from onesdk import One, Session
    from onesdk.alf.io import AlfBunch

__all__ = [
    "Facade",
    "build_cache",
    "describe_cache",
    "login",
    "logout",
    "open_one",
    "record_field",
]

_TABLES = ("sessions.pqt", "datasets.pqt")


def _call(target: object, name: str, *args: object, **kwargs: object) -> object:
    method = getattr(target, name, None)
    if not callable(method):
        raise errors.OneSdkError(f"{type(target).__name__} has no method {name!r}")
    result: object = method(*args, **kwargs)
    return result


def record_field(record: object, name: str) -> object:
    """A field of a search/details record, whether it is a model or a mapping."""
    if isinstance(record, Mapping):
        value: object = record.get(name)
        return value
    attr: object = getattr(record, name, None)
    return attr


class Facade:
    """The calls the CLI makes on a ``One``/``OneAlyx`` instance, with CLI-friendly results."""

    def __init__(self, one: One) -> None:
        self._one = one

    @property
    def cache_dir(self) -> Path:
        return self._one.cache_dir

    def search(
        self,
        *,
        subject: str | None = None,
        lab: str | None = None,
        date_range: str | list[str] | None = None,
        number: int | None = None,
        task_protocol: str | None = None,
        projects: str | None = None,
        datasets: list[str] | None = None,
        dataset_qc_lte: str | None = None,
    ) -> tuple[list[str], list[Session]]:
        """The matching eids (as strings) and their records; None means no filter."""
        eids, records = self._one.search(
            True,
            subject=subject,
            lab=lab,
            date_range=date_range,
            number=number,
            task_protocol=task_protocol,
            projects=projects,
            datasets=datasets,
            dataset_qc_lte=dataset_qc_lte,
        )
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
    ) -> list[str]:
        return self._one.list_datasets(
            session,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc if qc is not None else "FAIL",
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
    ) -> pd.DataFrame:
        return self._one.list_datasets(
            session,
            filename=filename,
            collection=collection,
            revision=revision,
            qc=qc if qc is not None else "FAIL",
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

    def load_remote_cache(self, *, tag: str | None) -> None:
        loader = getattr(self._one, "load_cache", None)
        if not callable(loader):
            raise errors.OfflineError("this instance has no server to load tables from")
        loader(clobber=True, tag=tag)


def open_one(*, base_url: str | None, cache_dir: Path | None, mode: str | None) -> Facade:
    """``onesdk.ONE(...)`` with the command-line options that were given."""
    import onesdk

    if mode == "local" or (mode is None and base_url is None):
        if base_url is not None:
            raise errors.ArgumentError("--mode", mode, "'remote' when --base-url is given")
        return Facade(onesdk.ONE(cache_dir=cache_dir, mode="local", silent=True))
    return Facade(onesdk.ONE(base_url, cache_dir=cache_dir, mode="remote", silent=True))


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


def _remote_module(name: str) -> object:
    try:
        return importlib.import_module(f"onesdk.{name}")
    except ModuleNotFoundError as exc:
        raise errors.AuthenticationError(
            "login is not available in this build of onesdk (no remote support installed)"
        ) from exc


def login(base_url: str, username: str | None, password: str | None) -> str:
    """Log in to ``base_url``, store the token and remember the server; returns the user name.

    Missing credentials come from ``ONE_ALYX_USERNAME``/``ONE_ALYX_PASSWORD``, the saved
    settings, or a prompt on a terminal.
    """
    auth = _remote_module("_auth")
    settings = _remote_module("_settings")
    url = str(_call(settings, "normalise_base_url", base_url))
    saved = _call(settings, "load_settings", url)
    saved_username = getattr(saved, "username", None)
    credentials = _call(
        auth, "resolve_credentials", username, password, saved_username=saved_username
    )
    if credentials is None:
        raise errors.AuthenticationError(
            f"no user name for {url}: pass --username or set ONE_ALYX_USERNAME"
        )
    user = str(getattr(credentials, "username", ""))
    token = _call(auth, "login", url, credentials)
    _call(_call(settings, "default_token_store"), "set", url, user, token)
    fields = {
        "base_url": url,
        "username": user,
        "http_data_server": getattr(saved, "http_data_server", None),
        "cache_dir": getattr(saved, "cache_dir", None),
    }
    _call(settings, "save_settings", _call(settings, "Settings", **fields))
    return user


def logout(base_url: str | None) -> str:
    """Forget the stored token of ``base_url`` (default: the last server); returns its URL."""
    settings = _remote_module("_settings")
    if base_url is None:
        saved = _call(settings, "load_settings")
        if saved is None:
            raise errors.ArgumentError("--base-url", None, "a server URL (none is saved)")
        base_url = str(getattr(saved, "base_url", ""))
    url = str(_call(settings, "normalise_base_url", base_url))
    _call(_call(settings, "default_token_store"), "delete", url)
    return url
