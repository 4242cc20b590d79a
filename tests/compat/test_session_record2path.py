"""``onesdk.alf.session_record2path``: the session path of a record, whatever its shape (a
sessions-table row, a REST dict, a ``Session``), as one-api's ``one.converters`` helper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from onesdk.alf import ALFPath, PurePosixALFPath, session_record2path
from onesdk.errors import ArgumentError


def test_a_record_without_lab_gives_a_relative_posix_session_path() -> None:
    path = session_record2path({"subject": "ALK01", "date": "2020-01-01", "number": 1})
    assert isinstance(path, PurePosixALFPath)
    assert path.as_posix() == "ALK01/2020-01-01/001"


def test_a_sessions_table_row_below_a_root_gives_an_alf_path(tmp_path: Path) -> None:
    row = pd.Series({"lab": "foo", "subject": "ALK01", "date": dt.date(2020, 1, 1), "number": 2})
    path = session_record2path(row, tmp_path)
    assert isinstance(path, ALFPath)
    assert path == tmp_path / "foo/Subjects/ALK01/2020-01-01/002"


def test_a_rest_record_with_a_start_time_and_a_padded_number() -> None:
    record = {"subject": "S", "start_time": "2021-03-04T10:00:00", "number": "003", "lab": ""}
    assert session_record2path(record).as_posix() == "S/2021-03-04/003"


def test_a_record_without_subject_is_an_argument_error_naming_it() -> None:
    with pytest.raises(ArgumentError, match="subject"):
        session_record2path({"date": "2020-01-01", "number": 1})
