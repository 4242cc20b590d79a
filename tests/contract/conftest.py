"""Fixtures of the contract tests: the contract, the reference schema, the tools package."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))

from onesdk_tools import schema_diff  # noqa: E402

CONTRACT_PATH = ROOT / "schema" / "alyx-openapi.yaml"


@pytest.fixture(scope="session")
def contract() -> dict[str, Any]:
    """schema/alyx-openapi.yaml, loaded."""
    return schema_diff.load(CONTRACT_PATH)


@pytest.fixture(scope="session")
def reference_path(shared_alyx: Path) -> Path:
    return shared_alyx / "openapi-3.6.1.json"


@pytest.fixture(scope="session")
def reference(reference_path: Path) -> dict[str, Any]:
    """The schema a real Alyx 3.6.1 serves at /api/schema."""
    return schema_diff.load(reference_path)
