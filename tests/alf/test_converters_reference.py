"""Differential test: the pure exp-ref converters against one-api 3.6.1, lists included."""

from __future__ import annotations

from pathlib import Path

import pytest

from onesdk import One
from tests.reference import run_reference

pytestmark = pytest.mark.reference

REFS = ["2020-01-01_1_KS005", "2020-01-01_001_KS005", "2021-12-31_12_SWC_062", "nope", ""]
PATHS = [
    "/mnt/lab/Subjects/KS005/2020-01-01/001",
    "/mnt/Subjects/ZM_1085/2018-07-13/01",
    "/mnt/Subjects/ZM_1085/2018-07-13/1/alf/spikes.times.npy",
    "KS005/2020-01-01/001/raw_behavior_data",
    "not/a/session",
]
DICTS: list[dict[str, object]] = [
    {"subject": "KS005", "date": "2020-01-01", "sequence": "1"},
    {"subject": "KS005", "date": "2020-01-01", "number": "001"},
    {},
]

SCRIPT = r"""
import datetime, json, sys
from one.converters import ConversionMixin as C

def plain(value):
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value

p = json.load(sys.stdin)
good = [r for r in p["refs"] if C.is_exp_ref(r)]
print(json.dumps({
    "is_exp_ref": C.is_exp_ref(p["refs"]),
    "ref2dict": plain(C.ref2dict(good)),
    "dict2ref": C.dict2ref(p["dicts"]),
    "path2ref": plain(C.path2ref(p["paths"])),
    "path2ref_text": C.path2ref(p["paths"], as_dict=False),
}))
"""


def _plain(value: object) -> object:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else value


def test_list_converters_agree_with_the_reference(reference_python: Path) -> None:
    theirs = run_reference(reference_python, SCRIPT, {"refs": REFS, "paths": PATHS, "dicts": DICTS})
    good: list[str | dict[str, object]] = [r for r in REFS if One.is_exp_ref(r)]
    ours = {
        "is_exp_ref": One.is_exp_ref(list(REFS)),
        "ref2dict": _plain(One.ref2dict(good)),
        "dict2ref": One.dict2ref(list(DICTS)),
        "path2ref": _plain(One.path2ref(list(PATHS))),
        "path2ref_text": One.path2ref(list(PATHS), as_dict=False),
    }
    assert ours == theirs
    # one-api parses the items of a list even with parse=False; onesdk honours parse=False
    assert One.ref2dict(good, parse=False)[1]["sequence"] == "001"
