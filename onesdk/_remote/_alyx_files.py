"""``one.alyx.download_file`` and ``download_cache_tables``: files of the server's file store.

:class:`AlyxFiles` is mixed into the object behind ``one.alyx``. ``download_file`` takes the
keywords of one-api's (those of ``http_download_file``: ``clobber``, ``return_md5``,
``headers``, ``silent``, ``target_dir``) and runs on :mod:`onesdk.webclient`, so a file is
written atomically, an existing one is kept unless ``clobber``, and the extra headers never
follow a redirect to another host. A URL must be on the instance's file server (or relative to
it), which keeps the files of one server in its own cache dir. The file server's credentials
(``HTTP_DATA_SERVER_LOGIN`` and its password, see :mod:`onesdk._http._file_auth`) are sent as
basic authentication, to the file server only.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from onesdk.errors import ArgumentError, ContractError

if TYPE_CHECKING:
    import httpx

    from onesdk._http._file_auth import FileServerAuth
    from onesdk._remote._rest import AlyxHttp, JsonValue

__all__ = ["AlyxFiles", "json_answer"]

Folder = str | os.PathLike[str]


class AlyxFiles:
    """The reference's file helpers of ``one.alyx``, over :class:`AlyxHttp` (``self.http``)."""

    http: AlyxHttp
    #: where :meth:`download_file` and :meth:`download_cache_tables` write (the cache dir)
    cache_dir: Path | None = None
    #: the file server root (the reference's ``HTTP_DATA_SERVER``)
    http_data_server: str | None = None
    #: no progress bars when True
    silent: bool = False
    #: the file server's basic authentication (None: send none)
    file_auth: FileServerAuth | None = None

    @overload
    def download_file(
        self,
        url: str,
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: Literal[False] = False,
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> Path: ...
    @overload
    def download_file(
        self,
        url: str,
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: Literal[True],
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> tuple[Path, str]: ...
    @overload
    def download_file(
        self,
        url: list[str] | tuple[str, ...],
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: Literal[False] = False,
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> list[Path]: ...
    @overload
    def download_file(
        self,
        url: list[str] | tuple[str, ...],
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: Literal[True],
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> tuple[list[Path], list[str]]: ...
    @overload
    def download_file(
        self,
        url: str,
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: bool,
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> Path | tuple[Path, str]: ...
    @overload
    def download_file(
        self,
        url: list[str] | tuple[str, ...],
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: bool,
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> list[Path] | tuple[list[Path], list[str]]: ...
    def download_file(
        self,
        url: str | Iterable[str],
        *,
        target_dir: Folder | None = None,
        silent: bool | None = None,
        clobber: bool = False,
        return_md5: bool = False,
        headers: Mapping[str, str] | None = None,
        chunks: None = None,
    ) -> Path | tuple[Path, str] | list[Path] | tuple[list[Path], list[str]]:
        """Download file(s) of the file server into ``target_dir``.

        Parameters
        ----------
        url : str or Iterable[str]
            A full URL on the file server, or a path relative to it; or several (a list,
            tuple or generator). Each file keeps the name its URL ends with.
        target_dir : str or os.PathLike, optional
            The folder the files go to (default: this client's cache dir).
        silent : bool, optional
            No progress bar (default: the instance's ``silent``).
        clobber : bool
            Download even when the file exists (it is replaced once the new one is whole).
            When False an existing file is returned as it is, without asking the server.
        return_md5 : bool
            Also return the md5 (hexadecimal) of each file's bytes.
        headers : Mapping[str, str], optional
            Extra request headers, sent to the file server only (never after a redirect to
            another host).
        chunks : None
            one-api's byte range; refused, as by :func:`onesdk.webclient.http_download_file`.

        Returns
        -------
        pathlib.Path, tuple, list of pathlib.Path
            For one URL its path, or ``(path, md5)`` with ``return_md5``; for several, the
            paths in order, or ``(paths, md5s)`` with ``return_md5``.

        Raises
        ------
        onesdk.errors.ArgumentError
            A URL on another server, or whose last part is no file name that stays in
            ``target_dir``; no ``target_dir`` and no cache dir; ``chunks`` given.
        onesdk.errors.FileServerAuthError
            The file server answered HTTP 401; the message says which credentials to set.
        onesdk.errors.DownloadError
            The file server answered another error status, or still failed after the retries.

        Examples
        --------
        >>> path = one.alyx.download_file(url, target_dir="tables")  # doctest: +SKIP
        >>> path, md5 = one.alyx.download_file(url, return_md5=True)  # doctest: +SKIP
        >>> paths = one.alyx.download_file([url, other], clobber=True)  # doctest: +SKIP
        """
        from onesdk._hashing import file_md5
        from onesdk._store._http_files import fetch_links

        if isinstance(url, str):
            urls = [url]
        elif isinstance(url, Iterable) and not isinstance(url, bytes | Mapping):
            urls = list(url)
            if not all(isinstance(each, str) for each in urls):
                raise ArgumentError("url", url, "a URL (str) or an iterable of them")
        else:
            raise ArgumentError("url", url, "a URL (str) or an iterable of them")
        links = [self._file_url(each) for each in urls]
        root = Path(target_dir) if target_dir is not None else self._cache_dir("target_dir")
        quiet = self.silent if silent is None else silent
        # the file-server login goes to the URLs' origin, the file server (checked above)
        paths = fetch_links(
            links,
            root,
            clobber=clobber,
            silent=quiet,
            headers=headers,
            auth=self.file_auth,
            chunks=chunks,
        )
        md5s = [file_md5(path) for path in paths] if return_md5 else []
        if isinstance(url, str):
            return (paths[0], md5s[0]) if return_md5 else paths[0]
        return (paths, md5s) if return_md5 else paths

    def download_cache_tables(
        self, source: str | None = None, destination: str | Path | None = None
    ) -> list[Path]:
        """Download the server's cache tables (``cache.zip``) and unpack them into
        ``destination`` (default: the cache dir); the paths of the tables.

        Without ``source``, the archive is fetched from where ``/cache.zip`` points (the
        location in ``/cache/info/``), so the Alyx token never leaves the Alyx server.
        """
        from onesdk._remote._tables import install_cache_zip
        from onesdk._store._download import Downloader

        root = Path(destination) if destination is not None else self._cache_dir("destination")
        location = source
        if location is None:
            info = self._cache_location()
            location = info or f"{self.http.base_url}/cache.zip"
        with Downloader(silent=self.silent, n_threads=1, auth=self.file_auth) as downloader:
            return install_cache_zip(downloader, str(location), root)

    def _cache_location(self) -> str | None:
        response = self.http.request("GET", "cache/info/", cache="skip")
        answer = json_answer(response, "GET /cache/info/")
        location = answer.get("location") if isinstance(answer, dict) else None
        return location if isinstance(location, str) and location else None

    def _cache_dir(self, argument: str) -> Path:
        if self.cache_dir is None:
            raise ArgumentError(argument, None, "a folder (this client has no cache dir)")
        return self.cache_dir

    def _file_url(self, url: str) -> str:
        """``url`` as a full URL on the file server, its file name checked."""
        from onesdk._store._download import plain_file_name

        server = (self.http_data_server or "").rstrip("/")
        if url.startswith(("http://", "https://")):
            if server and not url.startswith(server + "/"):
                raise ArgumentError("url", url, f"a URL on the file server {server}")
            full = url
        elif not server:
            raise ArgumentError("url", url, "a full URL (no file server is configured)")
        else:
            full = f"{server}/{url.lstrip('/')}"
        name = urllib.parse.unquote(urllib.parse.urlsplit(full).path.rsplit("/", 1)[-1])
        if not plain_file_name(name):
            raise ArgumentError("url", url, "the URL of a file whose name stays in target_dir")
        return full


def json_answer(response: httpx.Response, shown: str) -> JsonValue:
    """The JSON of ``response`` (None for an empty answer); a :class:`ContractError` naming
    ``shown`` when it is not JSON."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        value: JsonValue = response.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
        kind = response.headers.get("content-type", "no content type")
        raise ContractError(f"{shown}: expected JSON, got {kind}") from None
    return value
