"""The experiment reference ``yyyy-mm-dd_N_subject``: a readable name for one session."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Self

from onesdk_gen import alf as _gen

from onesdk.alf._parts import StrPath, session_path_parts
from onesdk.errors import ALFInvalid


@dataclasses.dataclass(frozen=True, slots=True)
class ExpRef:
    """A session named by date, sequence number and subject, e.g. ``2020-01-01_1_KS005``.

    >>> ExpRef.parse("2020-01-01_001_KS005")
    ExpRef(date=datetime.date(2020, 1, 1), sequence=1, subject='KS005')
    >>> str(ExpRef(datetime.date(2020, 1, 1), 1, "KS005"))
    '2020-01-01_1_KS005'
    """

    date: datetime.date
    sequence: int
    subject: str

    def __post_init__(self) -> None:
        if not isinstance(self.date, datetime.date) or isinstance(self.date, datetime.datetime):
            raise ALFInvalid(repr(self.date), "experiment reference date: expected a date")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise ALFInvalid(repr(self.sequence), "experiment reference sequence: expected an int")
        number_ok = _gen.PART_RE["number"].fullmatch(str(self.sequence))
        if not number_ok:
            raise ALFInvalid(str(self.sequence), f"number: expected {_gen.PART_RULES['number']}")
        if not isinstance(self.subject, str) or not _gen.PART_RE["subject"].fullmatch(self.subject):
            raise ALFInvalid(str(self.subject), f"subject: expected {_gen.PART_RULES['subject']}")

    @classmethod
    def parse(cls, text: str) -> Self:
        """Parse ``yyyy-mm-dd_N_subject`` (N may be zero-padded); raises ``ALFInvalid``."""
        match = _gen.EXP_REF_RE.match(text) if isinstance(text, str) else None
        if match is None:
            rule = f"experiment reference: expected {_gen.READABLE['exp_ref']}"
            raise ALFInvalid(str(text), rule)
        return cls._from_parts(text, match["date"], match["number"], match["subject"])

    @classmethod
    def from_path(cls, path: StrPath) -> Self:
        """The reference of the session a path belongs to; raises ``ALFInvalid`` if none."""
        parts = session_path_parts(path)
        return cls._from_parts(str(path), parts.date, parts.number, parts.subject)

    @classmethod
    def _from_parts(cls, source: str, date: str, number: str, subject: str) -> Self:
        try:
            day = datetime.date.fromisoformat(date)
        except ValueError:
            raise ALFInvalid(source, f"date {date!r}: not a calendar date") from None
        return cls(day, int(number), subject)

    def __str__(self) -> str:
        return f"{self.date.isoformat()}_{self.sequence}_{self.subject}"

    def session_path(self, lab: str | None = None) -> str:
        """``[lab/Subjects/]subject/yyyy-mm-dd/NNN`` for this reference."""
        prefix = f"{lab}/Subjects/" if lab else ""
        return f"{prefix}{self.subject}/{self.date.isoformat()}/{self.sequence:03d}"
