"""Fixtures for the ALF loader tests."""

from __future__ import annotations

from tests.io import _alf_shim

_alf_shim.install()
