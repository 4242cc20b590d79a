"""Static types of onesdk.util (checked by mypy --strict): a frame in, a frame out; a ``None``
date range gives ``None`` and any other a pair of timestamps, so ``start, end = ...`` needs no
cast; a method decorated with ``parse_id`` takes any experiment ID and keeps its return type."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import assert_type

import numpy as np
import pandas as pd
import pytest

from onesdk import QC
from onesdk.util import (
    autocomplete,
    filter_datasets,
    filter_revision_last_before,
    index_last_before,
    parse_id,
    validate_date_range,
)


class _Sessions:
    def to_eid(self, id: object) -> uuid.UUID | None:
        return uuid.UUID(int=0) if id == "known" else None

    @parse_id
    def count(self, eid: uuid.UUID, scale: int = 1) -> int:
        return scale * len(str(eid))


def typed_calls(frame: pd.DataFrame, day: dt.date) -> None:
    """Never called: mypy checks these."""
    assert_type(filter_datasets(frame), pd.DataFrame)
    assert_type(
        filter_datasets(frame, {"object": "trials"}, ["alf", ""], qc=QC.PASS, wildcards=True),
        pd.DataFrame,
    )
    assert_type(filter_revision_last_before(frame, "2024-01-01"), pd.DataFrame)
    assert_type(index_last_before(["", "2024-01-01"], None), int | None)
    assert_type(validate_date_range(None), None)
    assert_type(validate_date_range(day), tuple[pd.Timestamp, pd.Timestamp])
    assert_type(validate_date_range(["2024-01-01", None]), tuple[pd.Timestamp, pd.Timestamp])
    assert_type(validate_date_range(np.datetime64("2024-01-01")), tuple[pd.Timestamp, pd.Timestamp])
    assert_type(autocomplete("subj", ("subject", "lab")), str)
    assert_type(_Sessions().count("2024-01-02_1_SUB", scale=2), int)
    filter_datasets(frame, wildcard=True)  # type: ignore[call-arg]
    filter_datasets(frame, qc=1.5)  # type: ignore[arg-type]


def test_a_parse_id_method_gets_the_uuid_and_keeps_its_keywords() -> None:
    assert _Sessions().count("known", scale=2) == 2 * len(str(uuid.UUID(int=0)))
    with pytest.raises(TypeError, match="scal"):
        _Sessions().count("known", scal=2)  # type: ignore[call-arg]
