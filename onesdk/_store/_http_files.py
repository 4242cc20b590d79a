"""Any HTTP(S) file into a folder, without an Alyx: the downloads behind
``onesdk.webclient.http_download_file`` and ``http_download_file_list`` (one-api's
``one.webclient`` functions) and ``one.alyx.download_file`` (:func:`fetch_links`).

What they promise (atomic writes, retries, decoded file names that stay in ``target_dir``,
credentials and headers for the URL's own origin only) is written once, in the module
documentation of :mod:`onesdk.webclient`.
"""

from __future__ import annotations

import hashlib
import os
import re
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final, Literal, NamedTuple, overload

import httpx
import platformdirs

from onesdk._hashing import file_md5
from onesdk._http._runtime import RetryPolicy, public_url
from onesdk._log import get_logger, register_secret
from onesdk._store._download import Downloader, DownloadTask, download_client, plain_file_name
from onesdk.errors import ArgumentError

__all__ = ["fetch_links", "http_download_file", "http_download_file_list"]

_log = get_logger("onesdk.download")
#: the workers of :func:`http_download_file_list` (one-api uses four)
_THREADS: Final = 4
#: characters a URL path keeps as they are; ``%`` too, so an encoded URL is not encoded twice
_PATH_SAFE: Final = "/%:@!$&'()*+,;=~"


class _Link(NamedTuple):
    """A URL taken apart: what goes on the wire, the file name, the credentials it carried."""

    url: str
    name: str
    username: str
    password: str


def _refuse(argument: str, link: object, expected: str, problem: str = "") -> ArgumentError:
    shown = public_url(link) if isinstance(link, str) else link
    return ArgumentError(argument, shown, expected, problem=problem)


def _parse_link(link: object, argument: str) -> _Link:
    """``link`` without ``user:password@``, its path percent-encoded (``#`` included, as the
    ALF revision folders need), and the decoded file name it ends with."""
    expected = "an http(s) URL of a file"
    if not isinstance(link, str) or not link.lower().startswith(("http://", "https://")):
        raise _refuse(argument, link, expected)
    try:
        parts = urllib.parse.urlsplit(link, allow_fragments=False)
    except ValueError:
        raise _refuse(argument, link, expected) from None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    if not hostport:
        raise _refuse(argument, link, expected, problem="it names no host")
    username, _, password = userinfo.partition(":")
    path = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", parts.path)
    path = urllib.parse.quote(path, safe=_PATH_SAFE)
    query = parts.query.replace("#", "%23")
    wire = urllib.parse.urlunsplit((parts.scheme, hostport, path, query, ""))
    name = urllib.parse.unquote(path.rsplit("/", 1)[-1])
    if not plain_file_name(name):
        raise _refuse(
            argument,
            link,
            "a URL ending with a file name",
            problem=f"its last part {name!r} is no file name that stays in target_dir",
        )
    return _Link(wire, name, urllib.parse.unquote(username), urllib.parse.unquote(password))


def _credentials(link: _Link, username: str | None, password: str | None) -> tuple[str, str]:
    """The basic-auth pair: the arguments, else the URL's ``user:password@``; ``('', '')``
    for none."""
    if username or password:
        if not (username and password):
            missing = "password" if username else "username"
            raise ArgumentError(missing, None, f"a {missing} too: basic authentication needs both")
        return username, password
    return link.username, link.password


def _check_chunks(chunks: object) -> None:
    if chunks is not None:
        raise ArgumentError(
            "chunks",
            chunks,
            "None",
            problem=(
                "byte ranges are not downloaded: onesdk saves a file under its URL's name only "
                "when it holds the whole file, so a part is never taken for the whole later "
                "(clobber=False keeps an existing file); fetch a range with httpx and a Range "
                "header"
            ),
        )


def _target_dir(target_dir: str | os.PathLike[str] | None) -> Path:
    """``target_dir``, or the user's Downloads folder when it is None or empty (as one-api)."""
    if target_dir is None or (isinstance(target_dir, str) and not target_dir):
        return Path.home() / "Downloads"
    if not isinstance(target_dir, str | os.PathLike):
        raise ArgumentError("target_dir", target_dir, "a folder (str or path)")
    return Path(target_dir)


def _lock_for(target: Path) -> Path | None:
    """Where the download lock of ``target`` lives: in onesdk's user cache dir, keyed by the
    resolved path (so every process finds the same lock), never in the user's folder; None
    (a lock beside the file) when that dir cannot be made."""
    key = hashlib.sha256(os.fsencode(target.resolve())).hexdigest()[:32]
    locks = Path(platformdirs.user_cache_dir("onesdk")) / "download-locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return locks / f"{key}.lock"


Origin = tuple[str, str, int | None]


def _origin(url: str | httpx.URL) -> Origin:
    parsed = httpx.URL(str(url))
    return parsed.scheme, parsed.host, parsed.port


def _trusted(url: httpx.URL, origins: set[Origin]) -> bool:
    """Whether ``url`` is on one of ``origins``, or is the https upgrade of one (same host,
    default ports), which httpx too lets keep ``Authorization``."""
    scheme, host, port = _origin(url)
    if (scheme, host, port) in origins:
        return True
    return scheme == "https" and port in (None, 443) and ("http", host, None) in origins


def _home_only(origins: set[Origin], names: Iterable[str]) -> Callable[[httpx.Request], None]:
    """A request hook removing the credentials and the caller's extra headers (which may carry
    a token too) from a request that a redirect sends to another origin."""
    dropped = sorted({name.lower() for name in names} | {"authorization"})

    def strip(request: httpx.Request) -> None:
        if not _trusted(request.url, origins):
            for name in dropped:
                request.headers.pop(name, None)

    return strip


def _download(
    links: Sequence[_Link],
    folders: Sequence[Path],
    *,
    clobber: bool,
    silent: bool,
    credentials: tuple[str, str],
    headers: Mapping[str, str] | None,
    auth: httpx.Auth | None = None,
) -> list[Path]:
    extra = dict(headers or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in extra.items()):
        raise ArgumentError("headers", "<headers>", "a mapping of str names to str values")
    user, secret = credentials
    if user:
        auth = httpx.BasicAuth(user, secret)
    if secret:
        register_secret(secret)
    tasks = [
        DownloadTask(link.url, target, replace=clobber, lock=_lock_for(target))
        for link, folder in zip(links, folders, strict=True)
        for target in [folder / link.name]
    ]
    # a file appears under its name only once complete, so one there is whole: keep it, as
    # one-api does, without a lock file or a request
    todo = [task for task in tasks if clobber or not task.target.is_file()]
    fetched = iter(_fetch(todo, auth, extra, silent) if todo else [])
    return [next(fetched) if task in todo else task.target for task in tasks]


def fetch_links(
    urls: Sequence[str],
    target_dir: Path,
    *,
    clobber: bool,
    silent: bool,
    headers: Mapping[str, str] | None,
    auth: httpx.Auth | None,
    chunks: None = None,
    argument: str = "url",
) -> list[Path]:
    """Download ``urls`` into ``target_dir`` as :func:`http_download_file_list` does, signed by
    ``auth`` (which decides itself which requests it signs); errors name ``argument``."""
    _check_chunks(chunks)
    links = [_parse_link(url, argument) for url in urls]
    return _download(
        links,
        [target_dir] * len(links),
        clobber=clobber,
        silent=silent,
        credentials=("", ""),
        headers=headers,
        auth=auth,
    )


def _fetch(
    tasks: Sequence[DownloadTask], auth: httpx.Auth | None, headers: dict[str, str], silent: bool
) -> list[Path]:
    policy = RetryPolicy()
    n_threads = max(1, min(_THREADS, len(tasks)))
    hook = _home_only({_origin(task.url) for task in tasks}, headers)
    for task in tasks:
        _log.info("downloading %s to %s", public_url(task.url), task.target)
    with (
        download_client(
            policy, n_threads, auth=auth, headers=headers, request_hooks=[hook]
        ) as client,
        Downloader(
            client=client, n_threads=n_threads, policy=policy, silent=silent, auth=auth
        ) as downloader,
    ):
        return downloader.fetch_all(tasks)


@overload
def http_download_file(
    full_link_to_file: str,
    chunks: None = None,
    *,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | None = None,
    return_md5: Literal[False] = False,
    headers: Mapping[str, str] | None = None,
) -> Path: ...
@overload
def http_download_file(
    full_link_to_file: str,
    chunks: None = None,
    *,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | None = None,
    return_md5: Literal[True],
    headers: Mapping[str, str] | None = None,
) -> tuple[Path, str]: ...
@overload
def http_download_file(
    full_link_to_file: str,
    chunks: None = None,
    *,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | None = None,
    return_md5: bool,
    headers: Mapping[str, str] | None = None,
) -> Path | tuple[Path, str]: ...
def http_download_file(
    full_link_to_file: str,
    chunks: None = None,
    *,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | None = None,
    return_md5: bool = False,
    headers: Mapping[str, str] | None = None,
) -> Path | tuple[Path, str]:
    """Download one file over HTTP(S) into ``target_dir``.

    Parameters
    ----------
    full_link_to_file : str
        The file's http(s) URL. It may carry ``user:password@`` (used as ``username`` and
        ``password`` when those are not given); characters a URL path cannot hold, ``#``
        included, are percent-encoded, and an encoded URL is not encoded twice.
    chunks : None
        one-api's byte range; not supported (see Raises).
    clobber : bool
        Download even when the file exists (it is replaced once the new one is complete).
        When False an existing file is returned as it is, without asking the server.
    silent : bool
        No progress bar.
    username, password : str, optional
        HTTP basic authentication, sent to the URL's origin only (never after a redirect to
        another host). Both or neither.
    target_dir : str or os.PathLike, optional
        The folder the file goes to (made when missing); None or ``''``: the user's
        ``~/Downloads``, as in one-api.
    return_md5 : bool
        Also return the md5 of the file's bytes.
    headers : Mapping[str, str], optional
        Extra request headers (an API token, say), sent to the URL's origin only.

    Returns
    -------
    pathlib.Path or tuple of (pathlib.Path, str)
        ``target_dir / name``, where ``name`` is the decoded last part of the URL's path; with
        ``return_md5=True``, that path and the md5 (hexadecimal) of its bytes.

    Raises
    ------
    onesdk.errors.ArgumentError
        The URL is not http(s), or its last part is no file name that stays in
        ``target_dir`` (``..``, a separator, empty); only one of ``username`` and
        ``password``; ``chunks`` given: onesdk writes a file under its URL's name only when it
        holds the whole file, so a byte range is never taken for the whole file later.
    onesdk.errors.DownloadError
        The server answered an error status (the message names the URL, without
        credentials), or still failed after the retries, or the file cannot be written.

    Examples
    --------
    >>> from onesdk.webclient import http_download_file
    >>> url = "https://example.org/meshes/997.obj"
    >>> http_download_file(url, target_dir="meshes", silent=True)  # doctest: +SKIP
    PosixPath('meshes/997.obj')
    >>> http_download_file(url, target_dir="meshes", return_md5=True)  # doctest: +SKIP
    (PosixPath('meshes/997.obj'), '5eb63bbbe01eeed093cb22bb8f5acdc3')
    """
    _check_chunks(chunks)
    link = _parse_link(full_link_to_file, "full_link_to_file")
    credentials = _credentials(link, username, password)
    folder = _target_dir(target_dir)
    (path,) = _download(
        [link],
        [folder],
        clobber=clobber,
        silent=silent,
        credentials=credentials,
        headers=headers,
    )
    return (path, file_md5(path)) if return_md5 else path


def _folders(
    target_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None, count: int
) -> list[Path]:
    if target_dir is None or isinstance(target_dir, str | os.PathLike):
        return [_target_dir(target_dir)] * count
    if not isinstance(target_dir, Sequence) or len(target_dir) != count:
        raise ArgumentError(
            "target_dir", target_dir, f"a folder, or a sequence of {count} folders (one a link)"
        )
    return [_target_dir(each) for each in target_dir]


@overload
def http_download_file_list(
    links_to_file_list: Iterable[str],
    *,
    chunks: None = None,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None = None,
    return_md5: Literal[False] = False,
    headers: Mapping[str, str] | None = None,
) -> list[Path]: ...
@overload
def http_download_file_list(
    links_to_file_list: Iterable[str],
    *,
    chunks: None = None,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None = None,
    return_md5: Literal[True],
    headers: Mapping[str, str] | None = None,
) -> tuple[list[Path], list[str]]: ...
@overload
def http_download_file_list(
    links_to_file_list: Iterable[str],
    *,
    chunks: None = None,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None = None,
    return_md5: bool,
    headers: Mapping[str, str] | None = None,
) -> list[Path] | tuple[list[Path], list[str]]: ...
def http_download_file_list(
    links_to_file_list: Iterable[str],
    *,
    chunks: None = None,
    clobber: bool = False,
    silent: bool = False,
    username: str | None = None,
    password: str | None = None,
    target_dir: str | os.PathLike[str] | Sequence[str | os.PathLike[str] | None] | None = None,
    return_md5: bool = False,
    headers: Mapping[str, str] | None = None,
) -> list[Path] | tuple[list[Path], list[str]]:
    """Download several files over HTTP(S), four at a time, as :func:`http_download_file`.

    Every URL is checked before the first download starts; the downloads all run, then the
    first error (in the order of the links) is raised.

    Parameters
    ----------
    links_to_file_list : Iterable[str]
        The files' http(s) URLs (a generator is fine).
    chunks : None
        Not supported, as in :func:`http_download_file`.
    clobber, silent, username, password, return_md5, headers
        As in :func:`http_download_file`; the credentials and headers go to the origins of
        these links only.
    target_dir : str, os.PathLike, None, or a sequence of them
        One folder for every file, or one folder a link; None or ``''``: ``~/Downloads``.

    Returns
    -------
    list of pathlib.Path, or tuple of (list of pathlib.Path, list of str)
        The paths in the order of the links; with ``return_md5=True``, the paths and their
        md5s, so ``paths, md5s = http_download_file_list(..., return_md5=True)`` works (for
        no links too).

    Raises
    ------
    onesdk.errors.ArgumentError
        As :func:`http_download_file`, naming ``links_to_file_list``; ``target_dir`` is a
        sequence of another length than the links.
    onesdk.errors.DownloadError
        As :func:`http_download_file`, for the first link that failed.

    Examples
    --------
    >>> from onesdk.webclient import http_download_file_list
    >>> urls = [f"https://example.org/meshes/{n}.obj" for n in (997, 8)]
    >>> http_download_file_list(urls, target_dir="meshes", silent=True)  # doctest: +SKIP
    [PosixPath('meshes/997.obj'), PosixPath('meshes/8.obj')]
    >>> paths, md5s = http_download_file_list(urls, return_md5=True)  # doctest: +SKIP
    """
    _check_chunks(chunks)
    if isinstance(links_to_file_list, str):
        raise ArgumentError("links_to_file_list", links_to_file_list, "a list of URLs, not one")
    links = [_parse_link(link, "links_to_file_list") for link in links_to_file_list]
    folders = _folders(target_dir, len(links))
    pairs = {_credentials(link, username, password) for link in links}
    if len(pairs) > 1:
        raise ArgumentError(
            "links_to_file_list",
            "<links>",
            "links carrying the same user:password@ (or none), or username and password",
        )
    paths = _download(
        links,
        folders,
        clobber=clobber,
        silent=silent,
        credentials=pairs.pop() if pairs else ("", ""),
        headers=headers,
    )
    if return_md5:
        return paths, [file_md5(path) for path in paths]
    return paths
