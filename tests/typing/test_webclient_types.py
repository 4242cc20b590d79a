"""Static types of onesdk.webclient (checked by mypy --strict): ``return_md5`` picks the return
type, so a script that unpacks ``path, md5`` or uses ``path.read_bytes()`` type-checks without a
cast, and ``chunks`` (refused at run time) is a type error."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

import pytest

from onesdk.errors import ArgumentError
from onesdk.webclient import http_download_file, http_download_file_list


def typed_calls(url: str, flag: bool) -> None:
    """Never called: mypy checks these."""
    assert_type(http_download_file(url), Path)
    assert_type(http_download_file(url, target_dir="meshes", clobber=True), Path)
    assert_type(http_download_file(url, return_md5=True), tuple[Path, str])
    assert_type(http_download_file(url, return_md5=flag), Path | tuple[Path, str])
    assert_type(http_download_file_list([url]), list[Path])
    assert_type(http_download_file_list([url], return_md5=True), tuple[list[Path], list[str]])
    assert_type(http_download_file_list(iter([url]), target_dir=[Path("a")]), list[Path])
    http_download_file(url, (0, 10))  # type: ignore[call-overload]


def test_a_misspelt_keyword_is_a_type_error_not_passed_on() -> None:
    with pytest.raises(TypeError, match="clober"):
        http_download_file_list([], clober=True)  # type: ignore[call-overload]


def test_one_url_for_a_list_is_refused() -> None:
    with pytest.raises(ArgumentError, match="links_to_file_list"):
        http_download_file_list("http://127.0.0.1:9/x.npy")
