"""docs/api.md is generated from the docstrings and must match them."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_committed_api_reference_matches_the_docstrings() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "api-doc"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        f"docs/api.md is stale; run tools/api-doc\n{result.stdout[-4000:]}{result.stderr}"
    )


def test_api_reference_documents_every_public_error() -> None:
    from onesdk import errors

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in errors.__all__ if f"`onesdk.errors.{name}" not in text]
    assert missing == []
