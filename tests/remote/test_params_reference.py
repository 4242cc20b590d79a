"""``onesdk.params`` against one-api's ``one.params``, each with a throw-away HOME: the same
parameter names in the same order, and the same default client with and without its scheme.

Deliberate differences (docs/differences.md, row '`one.params` module') are left out here:
one-api's ``ALYX_LOGIN`` is ``''`` where onesdk's is None, its ``CACHE_DIR`` a ``str`` below
``~/Downloads/ONE`` where onesdk's is a ``Path`` below the user cache folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from onesdk import params
from tests.reference import run_reference

pytestmark = pytest.mark.reference

# Runs in the reference venv: set up each server without prompts, then read them back.
REFERENCE = r"""
import json, sys
from one import params

call = json.load(sys.stdin)
for url in call["urls"]:
    params.setup(url, silent=True, username=call["username"])
par = params.get(call["urls"][-1], silent=True)
print(json.dumps({
    "names": list(par.as_dict()),
    "login": par.ALYX_LOGIN,
    "default": [params.get_default_client(), params.get_default_client(include_schema=False)],
    "public": [params.default().ALYX_URL, params.default().HTTP_DATA_SERVER],
}))
"""


def _reference(
    reference_python: Path, home: Path, monkeypatch: pytest.MonkeyPatch, call: dict[str, Any]
) -> Any:
    home.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("HOME", str(home))
        return run_reference(reference_python, REFERENCE, call, cwd=home, timeout=120)


@pytest.mark.parametrize(
    "urls",
    [
        ["https://openalyx.internationalbrainlab.org"],
        ["https://alyx.example.org", "http://localhost:8000"],
        ["https://Sub.Domain.org/db", "https://alyx.example.org"],
    ],
)
def test_parameter_names_and_default_client_match_one_api(
    reference_python: Path,
    config_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    urls: list[str],
) -> None:
    call = {"urls": urls, "username": "me"}
    theirs = _reference(reference_python, tmp_path / "reference-home", monkeypatch, call)

    for url in urls:
        params.setup(url, silent=True, username="me")
    par = params.get(urls[-1], silent=True)
    ours = {
        "names": list(par.as_dict()),
        "login": par.ALYX_LOGIN,
        "default": [params.get_default_client(), params.get_default_client(include_schema=False)],
        "public": [params.default().ALYX_URL, params.default().HTTP_DATA_SERVER],
    }
    assert ours == theirs
