"""No ``Any`` crosses the public surface of onesdk.alyx and onesdk._models."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from types import ModuleType

import pytest

import onesdk._models
import onesdk.alyx


def _contains_any(hint: object) -> bool:
    if hint is typing.Any:
        return True
    return any(_contains_any(arg) for arg in typing.get_args(hint))


def _public_functions(module: ModuleType) -> Iterator[tuple[str, object]]:
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value):
            yield name, value


@pytest.mark.parametrize("module", [onesdk.alyx, onesdk._models])
def test_public_functions_have_full_hints_without_any(module: ModuleType) -> None:
    checked = 0
    for name, function in _public_functions(module):
        hints = typing.get_type_hints(function, include_extras=True)
        parameters = inspect.signature(function).parameters  # type: ignore[arg-type]
        assert "return" in hints, name
        assert set(parameters) <= set(hints), f"{name}: unannotated parameters"
        assert not any(_contains_any(h) for h in hints.values()), f"{name} exposes Any"
        checked += 1
    assert checked >= 8


def test_domain_model_fields_have_no_any() -> None:
    for name in onesdk._models.__all__:
        value = getattr(onesdk._models, name)
        if isinstance(value, type) and hasattr(value, "model_fields"):
            for field, info in value.model_fields.items():
                assert not _contains_any(info.annotation), f"{name}.{field}"
