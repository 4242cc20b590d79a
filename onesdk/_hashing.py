"""Streaming file checks: md5 and size, without ever holding a whole file in memory.

Files are read in fixed-size chunks into one reused buffer, so memory stays at ``CHUNK_SIZE``
whatever the file size; hashlib releases the GIL while digesting, so several files can be hashed
in parallel threads.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from onesdk.errors import ArgumentError

__all__ = ["CHUNK_SIZE", "check_file", "file_md5", "files_md5", "md5_and_size"]

CHUNK_SIZE = 1 << 20
"""Bytes read per call: large enough to amortise syscalls, small enough to stay in cache."""

_MD5_HEX = frozenset("0123456789abcdef")


def path_argument(value: object, argument: str) -> Path:
    """``value`` as a Path, or an ArgumentError naming ``argument`` (empty paths and NULs too)."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str) or not value or "\0" in value:
        raise ArgumentError(argument, value, "a non-empty path (str or os.PathLike[str])")
    return Path(value)


def _existing_file(path: str | os.PathLike[str]) -> Path:
    file = path_argument(path, "path")
    if not file.is_file():
        what = "a directory, not a file" if file.is_dir() else "no such file"
        raise FileNotFoundError(errno.ENOENT, f"cannot check: {what}", str(file))
    return file


def file_md5(path: str | os.PathLike[str], *, chunk_size: int = CHUNK_SIZE) -> str:
    """The md5 hex digest of the file at ``path``, read in chunks of ``chunk_size`` bytes.

    Raises ``FileNotFoundError`` naming the path when there is no such file.
    """
    if chunk_size <= 0:
        raise ArgumentError("chunk_size", chunk_size, "a positive number of bytes")
    return md5_and_size(_existing_file(path), chunk_size=chunk_size)[0]


def md5_and_size(file: Path, *, chunk_size: int = CHUNK_SIZE) -> tuple[str, int]:
    """The md5 hex digest of ``file`` and the number of bytes read, in one streaming pass."""
    digest = hashlib.md5(usedforsecurity=False)
    view = memoryview(bytearray(chunk_size))
    size = 0
    with open(file, "rb", buffering=0) as stream:
        while n := stream.readinto(view):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def check_file(
    path: str | os.PathLike[str], size: int | None = None, md5: str | None = None
) -> bool:
    """Whether the file at ``path`` has the expected ``size`` (bytes) and ``md5`` (hex digest).

    The size is compared first, so a wrong size never costs a hash pass. A check that is not
    given (``None``) is not made; with neither, this only asserts that the file exists. Raises
    ``FileNotFoundError`` naming the path when the file is missing.
    """
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
        raise ArgumentError("size", size, "a non-negative int or None")
    expected_md5 = None
    if md5 is not None:
        expected_md5 = md5.strip().lower() if isinstance(md5, str) else md5
        if (
            not isinstance(expected_md5, str)
            or len(expected_md5) != 32
            or not _MD5_HEX.issuperset(expected_md5)
        ):
            raise ArgumentError("md5", md5, "a 32-character hexadecimal md5 digest or None")
    file = _existing_file(path)
    if size is not None and file.stat().st_size != size:
        return False
    return expected_md5 is None or file_md5(file) == expected_md5


def files_md5(
    paths: Iterable[str | os.PathLike[str]], *, max_workers: int | None = None
) -> list[str]:
    """The md5 hex digests of ``paths``, in order, hashed by ``max_workers`` threads.

    hashlib releases the GIL while it digests, so threads use several cores. The default is
    one thread per CPU (at most 8); ``max_workers=1`` hashes in the calling thread.
    """
    files = [path_argument(p, "paths") for p in paths]
    if max_workers is None:
        max_workers = min(8, os.cpu_count() or 1)
    if max_workers < 1:
        raise ArgumentError("max_workers", max_workers, "a positive number of threads or None")
    if max_workers == 1 or len(files) < 2:
        return [file_md5(f) for f in files]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(files))) as pool:
        return list(pool.map(file_md5, files))
