"""The examples in the onesdk.alf docstrings run and give what they show."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import onesdk.alf
from onesdk import converters
from onesdk.alf import _dataset_record, _ref, _spec, _value


@pytest.mark.parametrize(
    "module",
    [onesdk.alf, _value, _ref, _spec, _dataset_record, converters],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
