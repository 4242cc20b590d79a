"""The public surface: what ``import onesdk`` exposes, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import onesdk
from onesdk import errors


def test_all_is_pinned() -> None:
    assert sorted(onesdk.__all__) == sorted(
        [
            "ONE",
            "QC",
            "AlfPath",
            "Dataset",
            "Insertion",
            "Lock",
            "One",
            "OneAlyx",
            "Revision",
            "Session",
            "__version__",
        ]
    )


def test_unknown_attribute_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = onesdk.NoSuchThing


def test_import_does_not_pull_heavy_modules() -> None:
    code = "import sys, onesdk; print(sorted({'pandas','pyarrow','httpx'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_error_tree_keeps_builtin_bases() -> None:
    assert issubclass(errors.ArgumentError, ValueError)
    assert issubclass(errors.UnknownTermError, TypeError)
    assert issubclass(errors.ALFObjectNotFound, LookupError)
    assert issubclass(errors.ALFObjectNotFound, errors.ALFError)
    assert errors.ALFError is errors.AlfError


def test_unknown_term_suggests_closest() -> None:
    exc = errors.UnknownTermError("subjekt", ["subject", "lab", "date_range"])
    assert "did you mean 'subject'" in str(exc)
    assert exc.argument == "subjekt"


def test_argument_error_masks_secrets() -> None:
    exc = errors.ArgumentError("password", "hunter2", "a non-empty string")
    assert "hunter2" not in str(exc)
    assert "password" in str(exc)
