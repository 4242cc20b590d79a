"""Shared fixtures: where the reference corpus and the one-api reference interpreter are.

Tests that need ../shared/alyx or the one-api venv skip with a reason when they are absent, and
fail instead when ``CI=true``: CI must never pass by skipping the tests that matter.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]

# CI is derandomized: the same examples every run, so a red CI always reproduces and a green one
# cannot turn red on a lucky draw. The nightly profile explores with fresh random examples.
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile(
    "nightly", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false, or fail under CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def shared_alyx_dir() -> Path:
    return Path(os.environ.get("ONESDK_SHARED_ALYX", ROOT.parent / "shared" / "alyx"))


@pytest.fixture(scope="session")
def shared_alyx() -> Path:
    """The Alyx 3.6.1 reference corpus (schema, exchanges, files, cache, expected results)."""
    path = shared_alyx_dir()
    require((path / "README.md").is_file(), f"reference corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def reference_python() -> Path:
    """The interpreter of the separate venv holding one-api 3.6.1 (``make reference``)."""
    configured = os.environ.get("ONESDK_REFERENCE_PYTHON")
    path = Path(configured) if configured else ROOT / ".venvs" / "one-api-3.6.1" / "bin" / "python"
    require(path.is_file(), f"one-api 3.6.1 reference venv not found at {path} (make reference)")
    return path
