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

import numpy as np

from onesdk import errors

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
    """A field of a search/details record, whether it is a model, a mapping or a Series."""
    if isinstance(record, Mapping):
        value: object = record.get(name)
        return value
    getter = getattr(record, "get", None)
    if callable(getter):
        got: object = getter(name)
        return got
    attr: object = getattr(record, name, None)
    return attr


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence | np.ndarray) or hasattr(value, "__iter__"):
        return [str(v) for v in value]
    raise errors.OneSdkError(f"expected a list of names, got {type(value).__name__}")


class Facade:
    """The calls the CLI makes on a ``One``/``OneAlyx`` instance."""

    def __init__(self, one: object) -> None:
        self._one = one

    @property
    def cache_dir(self) -> Path:
        return Path(str(getattr(self._one, "cache_dir", ".")))

    def search(self, *, details: bool, **filters: object) -> tuple[list[str], list[object]]:
        result = _call(self._one, "search", details=details, **filters)
        if details and isinstance(result, tuple) and len(result) == 2:
            eids, records = result
            return _strings(eids), list(records)
        eids = _strings(result)
        return eids, [None] * len(eids)

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
        kwargs = _dataset_filters(filename, collection, revision, qc, default_revisions_only)
        return _strings(_call(self._one, "list_datasets", session, details=False, **kwargs))

    def list_datasets_frame(
        self,
        session: str,
        *,
        filename: str | None,
        collection: str | None,
        revision: str | None,
        qc: str | None,
        default_revisions_only: bool,
    ) -> object:
        kwargs = _dataset_filters(filename, collection, revision, qc, default_revisions_only)
        return _call(self._one, "list_datasets", session, details=True, **kwargs)

    def list_collections(
        self,
        session: str,
        *,
        filename: str | None,
        collection: str | None,
        revision: str | None,
    ) -> list[str]:
        kwargs = _dataset_filters(filename, collection, revision, None, False)
        return _strings(_call(self._one, "list_collections", session, **kwargs))

    def list_revisions(
        self,
        session: str,
        *,
        filename: str | None,
        collection: str | None,
        revision: str | None,
    ) -> list[str]:
        kwargs = _dataset_filters(filename, collection, revision, None, False)
        return _strings(_call(self._one, "list_revisions", session, **kwargs))

    def get_details(self, session: str, *, full: bool) -> object:
        return _call(self._one, "get_details", session, full=full)

    def load_object(
        self,
        session: str,
        obj: str,
        *,
        collection: str | None,
        revision: str | None,
        attribute: Sequence[str] | None,
    ) -> Mapping[str, object]:
        kwargs: dict[str, object] = {"collection": collection, "revision": revision}
        if attribute:
            kwargs["attribute"] = list(attribute)
        bunch = _call(self._one, "load_object", session, obj, **kwargs)
        if not isinstance(bunch, Mapping):
            raise errors.OneSdkError(f"load_object returned {type(bunch).__name__}")
        return {str(k): v for k, v in bunch.items()}

    def dataset_path(
        self, session: str, name: str, *, collection: str, revision: str | None
    ) -> Path:
        path = _call(
            self._one,
            "load_dataset",
            session,
            name,
            collection=collection,
            revision=revision,
            download_only=True,
        )
        if path is None:
            raise errors.ALFObjectNotFound(f"{collection}/{name} of {session} is not available")
        return Path(str(path))

    def load_remote_cache(self, *, tag: str | None) -> None:
        _call(self._one, "load_cache", clobber=True, tag=tag)


def _dataset_filters(
    filename: str | None,
    collection: str | None,
    revision: str | None,
    qc: str | None,
    default_revisions_only: bool,
) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    for key, value in (("filename", filename), ("collection", collection)):
        if value is not None:
            kwargs[key] = value
    if revision is not None:
        kwargs["revision"] = revision
    if qc is not None:
        kwargs["qc"] = qc
        kwargs["ignore_qc_not_set"] = False
    if default_revisions_only:
        kwargs["default_revisions_only"] = True
    return kwargs


def open_one(*, base_url: str | None, cache_dir: Path | None, mode: str | None) -> Facade:
    """``onesdk.ONE(...)`` with the command-line options that were given."""
    import onesdk

    kwargs: dict[str, object] = {"silent": True}
    if cache_dir is not None:
        kwargs["cache_dir"] = cache_dir
    if mode is not None:
        kwargs["mode"] = mode
    elif base_url is None:
        kwargs["mode"] = "local"
    factory = getattr(onesdk, "ONE")  # noqa: B009 - lazily exported
    return Facade(factory(base_url, **kwargs))


def build_cache(folder: Path, *, hash_files: bool) -> tuple[Path, Path]:
    """Index ``folder`` into cache tables written into it."""
    cache = importlib.import_module("onesdk._cache")
    result = _call(cache, "make_cache", folder, hash_files=hash_files)
    if not isinstance(result, tuple) or len(result) != 2:
        raise errors.CacheError(f"{folder}: building the cache tables returned {result!r}")
    return Path(str(result[0])), Path(str(result[1]))


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
