"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

A reader sees the old file or the new one, never a half-written one; a failed write leaves the
target as it was. Every hand-written writer of onesdk goes through this module: a writer of a
stream through :func:`atomic_write`; a writer that opens a path itself (pyarrow's), or files
that must replace their targets together (the two cache tables), through :func:`staged`.

A temporary file is named ``.<target name>.<random hex>.part``; :func:`leftovers` finds those
that a killed writer left beside a target.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_write_bytes", "leftovers", "staged"]

_SUFFIX = ".part"
# O_NOFOLLOW: a link planted at the temporary name in a shared dir is never written through
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


def _create(target: Path, mode: int | None) -> tuple[int, Path]:
    """A new, empty temporary file beside ``target``, open for writing.

    By default it is created with mode 0o666 less the umask, as ``open`` would create the
    target (``mkstemp`` would leave data files readable by their owner only). With ``mode`` it
    is created with no permission ``mode`` lacks (a private file is never readable by others,
    not even while written), but writable by its owner until :func:`_commit` sets ``mode``.
    """
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}{_SUFFIX}")
    return os.open(temp, _FLAGS, 0o666 if mode is None else mode | 0o200), temp


def _discard(temps: Iterable[Path]) -> None:
    for temp in temps:
        with contextlib.suppress(OSError):  # on a read-only file system even this fails
            temp.unlink(missing_ok=True)


def _commit(temps: Iterable[Path], targets: Iterable[Path], mode: int | None) -> None:
    for temp, target in zip(temps, targets, strict=True):
        if mode is not None:  # set on the whole file: a read-only mode cannot block the write
            os.chmod(temp, mode)
        os.replace(temp, target)


def atomic_write(
    target: Path, write: Callable[[BinaryIO], object], *, mode: int | None = None
) -> None:
    """Write ``target`` through ``write(stream)`` into a temporary file, then rename it in place.

    ``mode``: the permission bits of the new file (default: 0o666 less the umask). ``OSError``
    (a read-only or full disk) propagates for the caller to name; the temporary file is removed
    where the file system still allows it.
    """
    fd, temp = _create(target, mode)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        _commit([temp], [target], mode)
    except BaseException:
        _discard([temp])
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_write`)."""
    atomic_write(target, lambda stream: stream.write(data))


@contextlib.contextmanager
def staged(*targets: Path, mode: int | None = None) -> Iterator[tuple[Path, ...]]:
    """Temporary files for ``targets``, one beside each, for the block to write by path.

    When the block ends without an error, each is renamed over its target in the order given;
    a reader may see the first target new and the next one old in between (the cache tables
    stamp both files to tell). On an error, in the block or in a rename, the temporary files
    still there are removed and the error propagates; targets not yet renamed are as they were.
    ``mode`` as for :func:`atomic_write`.
    """
    temps: list[Path] = []
    try:
        for target in targets:
            fd, temp = _create(target, mode)
            temps.append(temp)
            os.close(fd)
        yield tuple(temps)
        _commit(temps, targets, mode)
    except BaseException:
        _discard(temps)
        raise


def leftovers(target: Path) -> list[Path]:
    """The temporary files of ``target`` that writers left behind (killed before their
    rename), in name order. Only a caller that knows no writer is alive may remove them."""
    return sorted(target.parent.glob(f".{glob.escape(target.name)}.*{_SUFFIX}"))
