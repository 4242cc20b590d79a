"""Markers for reference names that onesdk does not have."""

from __future__ import annotations

from typing import NoReturn


class AbsentName(Exception):
    """A test used a one-api name that has no onesdk counterpart.

    Deliberately not a ``ValueError``/``TypeError``/``NotImplementedError``, so no
    ``assertRaises`` in the reference's tests can pass because a name is missing.
    """


class Absent:
    """Stands for a one-api name with no onesdk counterpart; any use raises ``AbsentName``."""

    def __init__(self, name: str, why: str) -> None:
        self._name = name
        self._why = why

    def _fail(self) -> NoReturn:
        raise AbsentName(f"{self._name} has no onesdk counterpart: {self._why}")

    def __call__(self, *args: object, **kwargs: object) -> NoReturn:
        self._fail()

    def __getattr__(self, attribute: str) -> NoReturn:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self._fail()

    def __repr__(self) -> str:
        return f"<absent {self._name}>"
