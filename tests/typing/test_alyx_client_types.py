"""Static types of ``onesdk.webclient.AlyxClient`` (checked by mypy --strict), and its
signature: one-api's positional arguments in one-api's order, onesdk's extras keyword-only."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import assert_type

import onesdk.alyx_types as t
from onesdk.webclient import AlyxClient


def typed_calls(password: str) -> None:
    """Never called: mypy checks these."""
    alyx = AlyxClient("https://alyx.example.org", "me", password, "data", True, None)
    assert_type(alyx, AlyxClient)
    with AlyxClient(silent=True, http_data_server="https://files.example.org", timeout=5) as c:
        assert_type(c, AlyxClient)
        assert_type(c.rest("weighings", "list", subject="KS051"), list[t.WeighingDetail])
    assert_type(alyx.base_url, str)
    assert_type(alyx.cache_dir, Path | None)
    assert_type(alyx.user, str | None)
    assert_type(alyx.is_logged_in, bool)
    AlyxClient(cache_rest="POST")  # type: ignore[arg-type]
    AlyxClient("https://alyx.example.org", None, None, "data", True, None, {"token": password})
    AlyxClient("https://alyx.example.org", "me", None, "data", True, None, password, "files")  # type: ignore[call-arg]
    AlyxClient(token=5)  # type: ignore[arg-type]


def test_one_apis_arguments_keep_their_positions_and_the_extras_are_keyword_only() -> None:
    parameters = inspect.signature(AlyxClient).parameters
    positional = [name for name, p in parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    one_api = ["base_url", "username", "password", "cache_dir", "silent", "cache_rest", "token"]
    assert positional == one_api
    assert parameters["http_data_server"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["timeout"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["cache_rest"].default == "GET"
