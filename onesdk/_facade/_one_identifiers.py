"""Session identifiers of the facade: an eid from a UUID, a path, an exp ref or a record.

Every method group resolves the ``eid`` arguments it takes through these methods.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, overload

from onesdk._convert import (
    is_exp_ref,
    is_uuid_string,
    ref2dict,
    session_parts,
)
from onesdk._facade._core import EidLike, EidList
from onesdk._facade._one_search import SearchMethods
from onesdk._validate import (
    eid_like,
    text_or_path,
)
from onesdk.errors import (
    ArgumentError,
)

if TYPE_CHECKING:
    from onesdk._models import Session


__all__ = ["IdentifierMethods"]


class IdentifierMethods(SearchMethods):
    """``to_eid``, ``path2eid`` and the eid arguments of every other method."""

    @overload
    def to_eid(self, id: Session, cache_dir: str | os.PathLike[str] | None = None) -> uuid.UUID: ...

    @overload
    def to_eid(
        self, id: EidLike | None = None, cache_dir: str | os.PathLike[str] | None = None
    ) -> uuid.UUID | None: ...

    @overload
    def to_eid(
        self, id: EidList, cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...

    @overload
    def to_eid(
        self, id: list[Session], cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...

    @overload
    def to_eid(
        self, id: Iterator[EidLike | Session], cache_dir: str | os.PathLike[str] | None = None
    ) -> list[uuid.UUID | None]: ...

    def to_eid(
        self,
        id: EidLike | EidList | Session | list[Session] | Iterator[EidLike | Session] | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of a session given in any form.

        Parameters
        ----------
        id : str, uuid.UUID, pathlib.Path, dict, onesdk.Session, or a list of them
            A UUID (or its string), an Alyx URL, a session path, an exp ref, or a record
            (a dict, or the ``Session`` models of ``search(details=True)``); several of them in
            a list, a tuple or an iterator (a generator, ``map``...).
        cache_dir : str or os.PathLike, optional
            Accepted for one-api compatibility.

        Returns
        -------
        uuid.UUID or None
            The eid; None when a path or exp ref names no session in the cache. Several give a
            list, in order.

        Raises
        ------
        onesdk.errors.ArgumentError
            ``id`` is no kind of session identifier.
        """
        if isinstance(id, list | tuple | Iterator):
            return [self._to_eid(one, "id") for one in id]
        return self._to_eid(id, "id")

    def _to_eid(self, id: EidLike | Session | None, argument: str) -> uuid.UUID | None:
        if id is None:
            return None
        if not isinstance(id, str | uuid.UUID | PurePath | Mapping):
            from onesdk._models import Session

            if isinstance(id, Session):  # a record from search(details=True), get_details...
                return id.id
        eid_like(id, argument)
        if isinstance(id, uuid.UUID):
            return id
        if isinstance(id, PurePath):
            return self.path2eid(id)
        if isinstance(id, Mapping):
            if is_exp_ref(id):
                return self._ref2eid_or_none(id)
            if {"subject", "number"} <= set(id) and ("date" in id or "start_time" in id):
                date = str(id.get("date") or str(id.get("start_time"))[:10])
                lab = id.get("lab")
                parts = [str(lab), "Subjects"] if lab else []
                number = str(id["number"])
                if not number.isdigit():
                    raise ArgumentError(argument, dict(id), "a session record with an int number")
                path = PurePath(*parts, str(id["subject"]), date, f"{int(number):03d}")
                try:
                    return self.path2eid(path)
                except ArgumentError as exc:
                    raise ArgumentError(argument, dict(id), exc.expected) from None
            raise ArgumentError(argument, dict(id), "a session record or experiment reference dict")
        if isinstance(id, str):
            if is_exp_ref(id):
                return self._ref2eid_or_none(id)
            if session_parts(id) is not None:
                return self.path2eid(id)
            text = id.strip()[-36:]
            if is_uuid_string(text):
                return uuid.UUID(text)
        raise ArgumentError(argument, id, "an experiment ID: UUID, session path, exp ref or dict")

    def _eid(self, id: EidLike, argument: str = "eid") -> str:
        """The canonical eid string of ``id``; raises if it cannot be parsed."""
        eid = self._to_eid(id, argument)
        if eid is None:
            raise ArgumentError(argument, id, "a session in the cache (none matches)")
        return str(eid)

    def _ref2eid_or_none(self, ref: str | Mapping[str, object]) -> uuid.UUID | None:
        parsed = ref2dict(ref)
        if not self.offline:  # the server's search: substring filters, a date range
            date = str(parsed["date"])
            rows = self.search(
                subject=str(parsed["subject"]), date_range=[date, date], number=parsed["sequence"]
            )
        else:
            rows = self.search(
                subject=f"^{parsed['subject']}$" if self.wildcards else parsed["subject"],
                date_range=parsed["date"],
                number=parsed["sequence"],
            )
        matches = [e for e in rows if self._session_record(str(e))["subject"] == parsed["subject"]]
        return matches[0] if len(matches) == 1 else None

    def _eids_arg(self, eid: EidLike | Sequence[EidLike] | None) -> tuple[str, ...] | None:
        if eid is None:
            return None
        if isinstance(eid, str) and not eid.strip():  # never "every session" by accident
            raise ArgumentError("eid", eid, "an experiment ID (an empty string names none)")
        if isinstance(eid, str | uuid.UUID | PurePath | Mapping) or not isinstance(eid, Sequence):
            found = self._to_eid(eid, "eid")  # a Session record is one eid too
            return (str(found),) if found is not None else ()
        return tuple(str(e) for e in (self._to_eid(x, "eid") for x in eid) if e is not None)

    def _remote_eid(self, eid: EidLike) -> str:
        """The eid of ``eid`` as the server knows it (a UUID need not be in the cache)."""
        if isinstance(eid, str | uuid.UUID):
            text = str(eid).strip()[-36:]
            try:
                return str(uuid.UUID(text))
            except ValueError:
                pass
        return self._eid(eid)

    @overload
    def path2eid(self, path_obj: str | PurePath) -> uuid.UUID | None: ...  # type: ignore[overload-overlap]

    @overload
    def path2eid(self, path_obj: Sequence[str | PurePath]) -> list[uuid.UUID | None]: ...

    def path2eid(
        self, path_obj: str | PurePath | Sequence[str | PurePath]
    ) -> uuid.UUID | list[uuid.UUID | None] | None:
        """The eid of the session folder a path is in.

        Parameters
        ----------
        path_obj : str, pathlib.PurePath, or a list of them
            A session folder or any path inside one (absolute, or starting at the subject).

        Returns
        -------
        uuid.UUID or None
            The eid; None when the session is not in the cache. A list gives a list, in order.
        """
        if isinstance(path_obj, list | tuple):
            return [self.path2eid(one) for one in path_obj]
        if not isinstance(path_obj, str | PurePath):
            raise ArgumentError("path_obj", path_obj, "a path (str or PurePath) or a list")
        import pyarrow as pa
        import pyarrow.compute as pc

        parts = session_parts(text_or_path(path_obj, "path_obj"))
        if parts is None:
            return None
        _, subject, date, number = parts
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:  # shaped like a date, but no such day: no session folder
            return None
        sessions = self.repository.sessions_table
        mask = pc.and_(
            pc.and_(
                pc.equal(sessions.column("subject"), pa.scalar(subject)),
                pc.equal(sessions.column("date"), pa.scalar(day)),
            ),
            pc.equal(sessions.column("number").cast(pa.int64()), pa.scalar(int(number))),
        )
        ids = sessions.filter(mask).column("id").to_pylist()
        return uuid.UUID(ids[0]) if len(ids) == 1 else None
