"""A path argument that is no path at all (an int, bytes) is a TypeError, as os.fspath and one-api
raise it, and still an ArgumentError naming the argument."""

from __future__ import annotations

import pytest

from onesdk import alf
from onesdk.errors import ArgumentError, ArgumentTypeError


@pytest.mark.parametrize("value", [20, b"subj/2020-01-01/001"])
def test_ensure_alf_path_of_a_non_path_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="path") as caught:
        alf.ensure_alf_path(value)  # type: ignore[call-overload]
    assert isinstance(caught.value, ArgumentTypeError)
    assert isinstance(caught.value, ArgumentError)


def test_alf_parsers_refuse_a_non_path_with_a_type_error() -> None:
    with pytest.raises(TypeError):
        alf.session_path_parts(3.5)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="path"):  # `except ValueError` keeps working
        alf.get_session_path(3.5)  # type: ignore[call-overload]
