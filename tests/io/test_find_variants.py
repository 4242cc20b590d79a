"""find_variants: the other files of the same dataset in other revisions (or with other parts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onesdk.alf import ALFPath
from onesdk.alf.io import find_variants
from onesdk.errors import ALFInvalid


@pytest.fixture
def session(tmp_path: Path) -> Path:
    root = tmp_path / "subj" / "2020-10-01" / "001"
    for rel in (
        "alf/obj.attr.npy",
        "alf/#2020-01-01#/obj.attr.npy",
        "alf/#2021-01-01#/_ns_obj.attr.npy",
        "alf/obj.attr.pqt",
        "alf/obj.attr_bpod.npy",
        "alf/obj.other.npy",
        "raw/obj.attr.npy",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"")
    return root


def test_find_variants_lists_the_same_dataset_in_other_revisions(session: Path) -> None:
    file = session / "alf" / "#2020-01-01#" / "obj.attr.npy"
    found = find_variants([file])
    assert list(found) == [ALFPath(file)]
    assert found[ALFPath(file)] == [ALFPath(session / "alf" / "obj.attr.npy")]
    assert all(type(p) is ALFPath for p in found[ALFPath(file)])


def test_find_variants_lets_unflagged_parts_differ(session: Path) -> None:
    file = ALFPath(session / "alf" / "obj.attr.npy")
    loose = find_variants([file], namespace=False, timescale=False, extension=False)[file]
    names = sorted(p.relative_to(session).as_posix() for p in loose)
    assert names == [
        "alf/#2020-01-01#/obj.attr.npy",
        "alf/#2021-01-01#/_ns_obj.attr.npy",
        "alf/obj.attr.pqt",
        "alf/obj.attr_bpod.npy",
    ]


def test_find_variants_refuses_a_path_that_is_not_a_dataset(session: Path) -> None:
    with pytest.raises(ALFInvalid):
        find_variants([session / "alf"])


@pytest.mark.reference
def test_find_variants_agrees_with_the_reference(session: Path, reference_python: Path) -> None:
    from tests.reference import run_reference

    script = r"""
import json, sys
from one.alf.io import find_variants
p = json.load(sys.stdin)
out = {}
for flags in p["flags"]:
    found = find_variants(p["files"], **flags)
    out[json.dumps(flags)] = {str(k): sorted(str(v) for v in vs) for k, vs in found.items()}
print(json.dumps(out))
"""
    files = [str(session / "alf" / "obj.attr.npy"), str(session / "alf/#2020-01-01#/obj.attr.npy")]
    flags: list[dict[str, bool]] = [{}, {"namespace": False, "extension": False}, {"extra": False}]
    theirs = run_reference(reference_python, script, {"files": files, "flags": flags})
    for flag in flags:
        found = find_variants(files, **flag)
        ours = {str(k): sorted(str(v) for v in vs) for k, vs in found.items()}
        assert ours == theirs[json.dumps(flag)]
