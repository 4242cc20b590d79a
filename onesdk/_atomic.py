"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

A reader sees the old file or the new one, never a half-written one; a failed write leaves the
target as it was. Every hand-written writer of onesdk goes through :func:`atomic_write`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_write_bytes"]

# O_NOFOLLOW: a link planted at the temporary name in a shared dir is never written through
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


def atomic_write(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write ``target`` through ``write(stream)`` into a temporary file, then rename it in place.

    The temporary file is created with mode 0o666 less the umask, as ``open`` would create the
    target (``mkstemp`` would leave data files readable by their owner only). ``OSError`` (a
    read-only or full disk) propagates for the caller to name; the temporary file is removed
    where the file system still allows it.
    """
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    fd = os.open(temp, _FLAGS, 0o666)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):  # on a read-only file system even this fails
            temp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_write`)."""
    atomic_write(target, lambda stream: stream.write(data))
