"""The session path of a session record: a cache row, a REST dict or a ``Session`` model."""

from __future__ import annotations

import datetime as dt
import os
from typing import Protocol, overload

from onesdk.alf._alfpath import ALFPath, PurePosixALFPath
from onesdk.errors import ArgumentError

__all__ = ["SessionRecordLike", "session_record2path"]


class SessionRecordLike(Protocol):
    """Anything read by key: a mapping, a ``pandas.Series``, a ``Session`` record."""

    def get(self, key: str, /) -> object: ...


@overload
def session_record2path(session: SessionRecordLike, root_dir: None = None) -> PurePosixALFPath: ...
@overload
def session_record2path(
    session: SessionRecordLike, root_dir: str | os.PathLike[str]
) -> ALFPath: ...
def session_record2path(
    session: SessionRecordLike, root_dir: str | os.PathLike[str] | None = None
) -> PurePosixALFPath | ALFPath:
    """``lab/Subjects/subject/yyyy-mm-dd/NNN`` of a session record (``subject/yyyy-mm-dd/NNN``
    without a lab), below ``root_dir`` when given.

    Parameters
    ----------
    session : Mapping or pandas.Series
        Anything read by key with ``subject``, ``number`` and ``date`` (or ``start_time``), and
        optionally ``lab``: a row of the sessions table (``pandas.Series``), a REST dict, a
        ``Session`` record.
    root_dir : str or os.PathLike, optional
        The folder the session path is relative to.

    Returns
    -------
    onesdk.alf.PurePosixALFPath
        The relative session path, without ``root_dir``.
    onesdk.alf.ALFPath
        The session path below ``root_dir``.

    Raises
    ------
    onesdk.errors.ArgumentError
        A key is missing or holds no value of the expected kind.
    """
    if not callable(getattr(session, "get", None)):
        raise ArgumentError("session", session, "a session record (mapping)")
    date = session.get("date") or session.get("start_time")
    if isinstance(date, dt.date):
        date = date.isoformat()
    subject, number = session.get("subject"), session.get("number")
    if not isinstance(date, str) or len(date) < 10:
        raise ArgumentError("session", session, "a record with a 'date' (or 'start_time')")
    if not isinstance(subject, str) or not subject:
        raise ArgumentError("session", session, "a record with a 'subject'")
    try:
        sequence = int(str(number))
    except ValueError:
        raise ArgumentError("session", session, "a record with a 'number'") from None
    lab = session.get("lab")
    parts = [lab, "Subjects"] if isinstance(lab, str) and lab else []
    relative = PurePosixALFPath(*parts, subject, date[:10], f"{sequence:03d}")
    if root_dir is None:
        return relative
    return ALFPath(root_dir).joinpath(*relative.parts)
