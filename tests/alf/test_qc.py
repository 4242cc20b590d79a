"""QC levels: ordering by severity and parsing from ints, names and digits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk.alf import QC, AlfSpecError

LEVELS = {"NOT_SET": 0, "PASS": 10, "WARNING": 30, "FAIL": 40, "CRITICAL": 50}


def test_levels_and_order() -> None:
    assert {q.name: q.value for q in QC} == LEVELS
    assert QC.NOT_SET < QC.PASS < QC.WARNING < QC.FAIL < QC.CRITICAL
    assert sorted(QC, reverse=True)[0] is QC.CRITICAL


@given(st.sampled_from(list(QC)))
def test_parse_accepts_member_value_name_and_digits(level: QC) -> None:
    assert QC.parse(level) is level
    assert QC.parse(level.value) is level
    assert QC.parse(str(level.value)) is level
    assert QC.parse(level.name.lower()) is level
    assert QC.validate(level.name) is level


@given(st.integers().filter(lambda n: n not in LEVELS.values()))
def test_parse_rejects_other_ints(number: int) -> None:
    with pytest.raises(ValueError, match="QC") as info:
        QC.parse(number)
    assert repr(number) in str(info.value)


@pytest.mark.parametrize("value", ["", "passed", "1O", "-10", " PASS", True, 10.5, None])
def test_parse_rejects_other_values(value: object) -> None:
    with pytest.raises(AlfSpecError, match="not a valid ALF QC level") as info:
        QC.parse(value)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    assert info.value.value == value


def test_every_qc_table_derives_from_the_one_qc_enum() -> None:
    """QC levels are defined once (the ALF spec); the contract's wire enums must agree."""
    from onesdk_gen.alyx_client.models.qc_name import QCName
    from onesdk_gen.alyx_client.models.qc_value import QCValue

    from onesdk._cache._schema import QC_NAMES, QC_VALUES

    assert tuple(q.name for q in sorted(QC)) == QC_NAMES
    assert tuple(int(q) for q in sorted(QC)) == QC_VALUES
    assert {str(name) for name in QCName} == set(QC_NAMES)
    assert {int(value) for value in QCValue} == set(QC_VALUES)
