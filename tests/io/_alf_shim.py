"""A stand-in for ``onesdk.alf``'s name parsing, used only until that module is available.

Tests of the loaders need file names parsed; the library gets that from ``onesdk.alf``. This shim
is installed by ``conftest.py`` only when ``onesdk.alf`` does not provide the functions yet.
"""

from __future__ import annotations

import importlib
import os
import re

_FILE = re.compile(
    r"_?(?P<namespace>(?<=_)[a-zA-Z0-9]+)?_?(?P<object>\w+)\."
    r"(?P<attribute>(?:_[a-z]+_)?[a-zA-Z0-9]+(?:_times(?=[_.])|_intervals(?=[_.]))?)"
    r"(?:_(?P<timescale>\w+))?(?:\.(?P<extra>[.\w-]+))*\.(?P<extension>\w+)$"
)
_SESSION = re.compile(
    r"((?P<lab>\w+)/Subjects/)?(?P<subject>[\w.-]+)/(?P<date>\d{4}-\d{2}-\d{2})/(?P<number>\d{1,3})$"
)


def filename_parts(
    filename: str,
) -> tuple[str | None, str, str, str | None, str | None, str]:
    match = _FILE.match(filename)
    if match is None:
        raise ValueError(f"{filename!r} is not a valid ALF dataset file name")
    parts = match.groupdict()
    return (
        parts["namespace"],
        parts["object"],
        parts["attribute"],
        parts["timescale"],
        parts["extra"],
        parts["extension"],
    )


def is_session_path(path: str | os.PathLike[str]) -> bool:
    text = os.fspath(path).replace("\\", "/").strip("/")
    return _SESSION.search(text) is not None


def install() -> None:
    """Give ``onesdk.alf`` these functions if it does not have its own yet."""
    alf = importlib.import_module("onesdk.alf")
    for name in ("filename_parts", "is_session_path"):
        if not hasattr(alf, name):
            setattr(alf, name, globals()[name])
