"""The raw verbs, ``rel_path2url`` and retry settings of the reference's ``one.alyx``.

``get``, ``post``, ``put``, ``patch`` and ``delete`` send one request to a path of the Alyx
server (or a URL on it) through the same :class:`~onesdk._http._alyx.AlyxHttp` as ``rest()``:
its token auth, retries, REST cache and error mapping. A URL on another origin is refused
before anything is sent, so the Alyx token never leaves its server.

As one-api's client, they ask the server whatever the instance's mode: ``mode='local'`` keeps
ONE's own queries on the cache tables, while a script that calls ``one.alyx`` asks Alyx on
purpose (:mod:`onesdk._remote._alyx_fields` adds the JSON-field helpers on top).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, cast

import httpx

from onesdk._http._auth import origin
from onesdk._http._runtime import public_url
from onesdk._remote._alyx_files import json_answer
from onesdk._remote._alyx_rest import AlyxRestSurface, _expiry, _wire
from onesdk.errors import ArgumentError

if TYPE_CHECKING:
    from onesdk._http._rest_cache import CacheControl
    from onesdk._remote._rest import JsonValue, QueryParams

__all__ = ["AlyxVerbs"]


class AlyxVerbs(AlyxRestSurface):
    """``get``/``post``/``put``/``patch``/``delete``, ``rel_path2url`` and the retry
    settings of the reference's ``AlyxClient``."""

    # raw verbs -------------------------------------------------------------------------------
    def get(
        self,
        rest_query: str,
        *,
        expires: dt.timedelta | bool | None = None,
        clobber: bool = False,
    ) -> JsonValue:
        """Send a GET request to the Alyx server and return its JSON answer.

        Parameters
        ----------
        rest_query : str
            A path relative to the base URL, with its query, e.g. ``'/sessions?subject=KS051'``
            or ``'sessions/<eid>'``; or a full URL on the base URL's server.
        expires : datetime.timedelta or bool, optional
            How long the answer stays in the REST cache; True: it is not reused; None: the
            client's ``default_expiry``.
        clobber : bool
            Ask the server even if a cached answer is fresh (the new answer replaces it).

        Returns
        -------
        list of dict, dict or None
            For a paginated list, every record of every page, in order; any other answer as
            the server sent it (None for an empty one).

        Raises
        ------
        ArgumentError
            ``rest_query`` is a URL on another server (scheme, host or port): nothing is sent.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server answered with an error status (401/403: ``AuthenticationError``).

        Examples
        --------
        >>> sessions = one.alyx.get("/sessions?subject=KS051")  # doctest: +SKIP
        >>> [s["number"] for s in sessions]  # doctest: +SKIP
        [1, 2]
        """
        path, params = self._relative(rest_query)
        cache: CacheControl = "refresh" if clobber else "use"
        return self._get_all(path, params, cache, _expiry(expires, False))

    def post(
        self,
        rest_query: str,
        data: Mapping[str, object] | list[object] | str | None = None,
        files: object = None,
    ) -> JsonValue:
        """Send a POST request (create a record) and return the server's JSON answer.

        Parameters
        ----------
        rest_query : str
            A path relative to the base URL (e.g. ``'/subjects'``) or a URL on its server.
        data : dict, list or str, optional
            The body, sent as JSON (UUIDs as their text); a ``str`` must be JSON text. Beside
            ``files``, a dict of form fields.
        files : dict, optional
            Files to upload (a multipart request), e.g. ``{'image': open(path, 'rb')}``.

        Returns
        -------
        dict, list or None
            The server's answer (usually the created record); None for an empty answer.

        Raises
        ------
        ArgumentError
            ``rest_query`` on another server, or ``data``/``files`` that cannot be sent.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server answered with an error status (401/403: ``AuthenticationError``).

        Examples
        --------
        >>> one.alyx.post("/tags", data={"name": "my-tag"})  # doctest: +SKIP
        {'id': '...', 'name': 'my-tag', ...}
        """
        return self._write("POST", rest_query, data, files)

    def put(
        self,
        rest_query: str,
        data: Mapping[str, object] | list[object] | str | None = None,
        files: object = None,
    ) -> JsonValue:
        """Send a PUT request (replace a record) and return the server's JSON answer.

        Parameters
        ----------
        rest_query : str
            The record's path relative to the base URL (e.g. ``'/tags/my-tag'``) or its URL.
        data : dict, list or str, optional
            The whole record, sent as JSON (see :meth:`post`).
        files : dict, optional
            Files to upload (a multipart request).

        Returns
        -------
        dict, list or None
            The server's answer (usually the record); None for an empty answer.

        Raises
        ------
        ArgumentError
            ``rest_query`` on another server, or ``data``/``files`` that cannot be sent.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server answered with an error status (401/403: ``AuthenticationError``).

        Examples
        --------
        >>> tag = {"name": "my-tag", "protected": True}  # doctest: +SKIP
        >>> one.alyx.put("/tags/my-tag", data=tag)  # doctest: +SKIP
        {'id': '...', 'name': 'my-tag', 'protected': True, ...}
        """
        return self._write("PUT", rest_query, data, files)

    def patch(
        self,
        rest_query: str,
        data: Mapping[str, object] | list[object] | str | None = None,
        files: object = None,
    ) -> JsonValue:
        """Send a PATCH request (change some fields of a record) and return the JSON answer.

        Parameters
        ----------
        rest_query : str
            The record's path relative to the base URL (e.g. ``'/sessions/<eid>'``) or its URL.
        data : dict, list or str, optional
            The fields to change, sent as JSON (see :meth:`post`).
        files : dict, optional
            Files to upload (a multipart request).

        Returns
        -------
        dict, list or None
            The server's answer (usually the whole record); None for an empty answer.

        Raises
        ------
        ArgumentError
            ``rest_query`` on another server, or ``data``/``files`` that cannot be sent.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server answered with an error status (401/403: ``AuthenticationError``).

        Examples
        --------
        >>> one.alyx.patch(f"/sessions/{eid}", data={"qc": "PASS"})["qc"]  # doctest: +SKIP
        'PASS'
        """
        return self._write("PATCH", rest_query, data, files)

    def delete(self, rest_query: str) -> JsonValue:
        """Send a DELETE request (remove a record); None when the server answers without body.

        Parameters
        ----------
        rest_query : str
            The record's path relative to the base URL (e.g. ``'/weighings/<id>'``) or its URL.

        Returns
        -------
        dict, list or None
            None for Alyx's usual empty answer (HTTP 204), else the server's JSON answer.

        Raises
        ------
        ArgumentError
            ``rest_query`` is a URL on another server: nothing is sent.
        OfflineError
            The server cannot be reached.
        HTTPError
            The server answered with an error status (404: no such record).

        Examples
        --------
        >>> one.alyx.delete("/tags/my-tag")  # doctest: +SKIP
        """
        return self._write("DELETE", rest_query, None, None)

    def _write(self, method: str, rest_query: str, data: object, files: object) -> JsonValue:
        path, params = self._relative(rest_query)
        body = _body(data, files is not None)
        if files is not None and not isinstance(files, Mapping):
            raise ArgumentError("files", "...", "a dict of files to upload, e.g. {'image': f}")
        response = self.http.request(
            method, path, params, body=body, cache="skip",
            files=cast("Mapping[str, Any] | None", files),
        )  # fmt: skip
        return json_answer(response, f"{method} {self.http.url(path, params)}")

    def _relative(self, rest_query: object) -> tuple[str, QueryParams]:
        """The path (relative to the base URL) and query of ``rest_query``; refused when it
        names another server (nothing is sent then)."""
        base = self.http.base_url
        expected = f"a path relative to {base} (e.g. '/sessions?subject=x') or a URL on it"
        if not isinstance(rest_query, str) or not rest_query.strip():
            raise ArgumentError("rest_query", rest_query, expected)
        split = urllib.parse.urlsplit(rest_query.strip())
        relative = split.path
        if split.scheme or split.netloc:
            try:
                target = httpx.URL(rest_query.strip())
            except (httpx.InvalidURL, TypeError, ValueError):
                target = None
            home = httpx.URL(base)
            prefix = home.path.rstrip("/")
            if (
                target is None
                or origin(target) != origin(home)
                or not (target.path == prefix or target.path.startswith(prefix + "/"))
            ):
                raise ArgumentError(
                    "rest_query", public_url(rest_query)[:200], expected,
                    problem="a request with the Alyx token goes to its own server only",
                )  # fmt: skip
            relative = target.path[len(prefix) :]
        params = urllib.parse.parse_qsl(split.query, keep_blank_values=True)
        return relative.lstrip("/"), params

    # files and settings ----------------------------------------------------------------------
    def rel_path2url(self, path: str | os.PathLike[str]) -> str:
        """The file server URL of ``path``, a path relative to the file server root.

        Parameters
        ----------
        path : str or os.PathLike
            A relative ALF path, e.g. ``'lab/Subjects/KS051/2024-01-01/001/alf/x.npy'``.

        Returns
        -------
        str
            ``http_data_server`` + ``/`` + ``path`` (leading/trailing slashes dropped).

        Raises
        ------
        ArgumentError
            ``path`` is already a URL, or no file server is configured.

        Examples
        --------
        >>> one.alyx.rel_path2url("lab/Subjects/KS051/2024-01-01/001/alf/x.npy")  # doctest: +SKIP
        'https://files.example.org/lab/Subjects/KS051/2024-01-01/001/alf/x.npy'
        """
        if isinstance(path, PurePath):
            text = path.as_posix()
        elif isinstance(path, str | os.PathLike):
            text = os.fspath(path)
        else:
            raise ArgumentError("path", path, "a path relative to the file server (str)")
        text = str(text).strip("/")
        if urllib.parse.urlsplit(text).scheme in ("http", "https"):
            raise ArgumentError("path", text, "a path relative to the file server, not a URL")
        server = (self.http_data_server or "").rstrip("/")
        if not server:
            raise ArgumentError("path", text, "a path, with a file server configured")
        return f"{server}/{text}"

    @property
    def rest_cache_dir(self) -> Path | None:
        """The folder of the REST cache (``<cache_dir>/.rest``); None when there is none."""
        cache = self.http.rest_cache
        return cache.root if cache is not None else None

    @property
    def max_retry_attempts(self) -> int:
        """How many times a request is sent again after a 429/502/503/504 answer or a
        connection failure (the first request not counted)."""
        return self.http.policy.attempts - 1

    @max_retry_attempts.setter
    def max_retry_attempts(self, value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ArgumentError("max_retry_attempts", value, "a non-negative int")
        self.http.policy = dataclasses.replace(self.http.policy, attempts=value + 1)

    @property
    def max_retry_wait_seconds(self) -> float:
        """The longest wait before a retry, in seconds: a longer ``Retry-After`` is cut to it."""
        return self.http.policy.max_retry_after

    @max_retry_wait_seconds.setter
    def max_retry_wait_seconds(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ArgumentError("max_retry_wait_seconds", value, "a non-negative number")
        self.http.policy = dataclasses.replace(self.http.policy, max_retry_after=float(value))


def _body(data: object, multipart: bool) -> object:
    """``data`` as the JSON value (or form fields, beside files) to send."""
    if data is None:
        return None
    if isinstance(data, str):
        if multipart:
            raise ArgumentError("data", data, "a dict of form fields beside files")
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise ArgumentError("data", data, "JSON text, a dict or a list") from None
    if isinstance(data, Mapping):
        return {key: _wire(value) for key, value in data.items()}
    if isinstance(data, list | tuple) and not multipart:
        return _wire(data)
    raise ArgumentError("data", type(data).__name__, "a dict, a list or JSON text")
