"""Fixtures for the ALF loader tests."""

from __future__ import annotations

import importlib

from tests.io import _alf_shim

_alf = importlib.import_module("onesdk.alf")
for _name in ("filename_parts", "is_session_path"):
    if not hasattr(_alf, _name):
        setattr(_alf, _name, getattr(_alf_shim, _name))
