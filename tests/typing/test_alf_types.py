"""Static types of the public ALF API: checked by mypy --strict, and run by pytest.

``assert_type`` fails type checking when a signature drifts (e.g. a result becomes ``Any`` or
a flag stops narrowing the return type); at run time the isinstance checks keep it honest.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import assert_type

import onesdk
from onesdk import alf
from onesdk.alf import (
    QC,
    AlfPath,
    EmptyFilenameParts,
    EmptyFilenamePartsDict,
    EmptyFolderParts,
    EmptyRelPathParts,
    EmptySessionParts,
    ExpRef,
    FilenameParts,
    FilenamePartsDict,
    FolderParts,
    FullPathParts,
    FullPathPartsDict,
    RelPathParts,
    RelPathPartsDict,
    SessionParts,
    SessionPartsDict,
)

FILE = "_ibl_trials.goCue_times_bpod.a976e418-c8b8-4d24-be47-d05120b18341.npy"
FULL = f"lab/Subjects/subj/2020-01-01/001/alf/#2021-01-01#/{FILE}"


def test_filename_parts_types() -> None:
    parts = assert_type(alf.filename_parts(FILE), FilenameParts)
    assert_type(parts.object, str)
    assert_type(parts.namespace, str | None)
    as_dict = assert_type(alf.filename_parts(FILE, as_dict=True), FilenamePartsDict)
    assert_type(as_dict["extension"], str)
    maybe = assert_type(
        alf.filename_parts("x", assert_valid=False), FilenameParts | EmptyFilenameParts
    )
    maybe_dict = assert_type(
        alf.filename_parts("x", as_dict=True, assert_valid=False),
        FilenamePartsDict | EmptyFilenamePartsDict,
    )
    assert isinstance(parts, FilenameParts)
    assert isinstance(maybe, EmptyFilenameParts)
    assert isinstance(as_dict, dict)
    assert maybe_dict["object"] is None


def test_path_parts_types() -> None:
    session = assert_type(alf.session_path_parts(FULL), SessionParts)
    assert_type(session.subject, str)
    assert_type(session.lab, str | None)
    assert_type(alf.session_path_parts(FULL, as_dict=True), SessionPartsDict)
    assert_type(alf.session_path_parts("x", assert_valid=False), SessionParts | EmptySessionParts)
    folder = assert_type(alf.folder_parts(Path(FULL).parent), FolderParts)
    assert_type(folder.collection, str | None)
    assert_type(alf.folder_parts("x", assert_valid=False), FolderParts | EmptyFolderParts)
    rel = assert_type(alf.rel_path_parts(f"alf/{FILE}"), RelPathParts)
    assert_type(rel.attribute, str)
    assert_type(alf.rel_path_parts(f"alf/{FILE}", as_dict=True), RelPathPartsDict)
    assert_type(alf.rel_path_parts("x", assert_valid=False), RelPathParts | EmptyRelPathParts)
    full = assert_type(alf.full_path_parts(FULL), FullPathParts)
    assert_type(full.object, str | None)
    assert_type(alf.full_path_parts(FULL, as_dict=True), FullPathPartsDict)
    assert isinstance(session, SessionParts)
    assert isinstance(folder, FolderParts)
    assert isinstance(rel, RelPathParts)
    assert isinstance(full, FullPathParts)


def test_predicates_are_bools() -> None:
    checks = [
        assert_type(alf.is_valid(FILE), bool),
        assert_type(alf.is_session_path("subj/2020-01-01/001"), bool),
        assert_type(alf.is_uuid_string("a976e418-c8b8-4d24-be47-d05120b18341"), bool),
        assert_type(alf.is_uuid("a976e418-c8b8-4d24-be47-d05120b18341"), bool),
    ]
    assert checks == [True, True, True, True]


def test_path_helpers_keep_the_path_class() -> None:
    session = assert_type(alf.get_session_path(FULL), Path | None)
    pure = assert_type(alf.get_session_path(PurePosixPath(FULL)), PurePosixPath | None)
    windows = assert_type(alf.get_session_path(PureWindowsPath(FULL)), PureWindowsPath | None)
    assert_type(alf.get_alf_path(FULL), str | None)
    no_uuid = assert_type(alf.remove_uuid_string(FILE), Path)
    same = assert_type(alf.remove_uuid_string(PurePosixPath(FILE)), PurePosixPath)
    added = assert_type(
        alf.add_uuid_string(PurePosixPath("a.b.npy"), "a976e418-c8b8-4d24-be47-d05120b18341"),
        PurePosixPath,
    )
    assert_type(alf.padded_sequence("subj/2020-01-01/1"), alf.ALFPath)
    assert_type(alf.without_revision(PurePosixPath(FULL)), PurePosixPath)
    assert isinstance(session, Path)
    assert type(pure) is PurePosixPath
    assert type(windows) is PureWindowsPath
    assert type(no_uuid) is type(Path())
    assert type(same) is PurePosixPath
    assert type(added) is PurePosixPath


def test_builders_and_regex() -> None:
    name = assert_type(alf.to_alf("trials", "intervals", "npy", namespace="ibl"), str)
    pattern = assert_type(alf.regex(alf.FILE_SPEC, object="trials"), re.Pattern[str])
    assert pattern.match(name) is not None


def test_value_types() -> None:
    path = assert_type(AlfPath.parse(FULL), AlfPath)
    assert alf.parse(Path(FULL)) == assert_type(alf.parse(FULL), AlfPath) == path
    assert_type(path.subject, str | None)
    assert_type(path.extra, tuple[str, ...])
    assert_type(path.with_collection("raw"), AlfPath)
    assert_type(path.with_extra(None), AlfPath)
    assert_type(path.is_valid(), bool)
    assert_type(str(path), str)
    qc = assert_type(QC.parse("pass"), QC)
    assert_type(QC.validate(40), QC)
    ref = assert_type(ExpRef.parse("2020-01-01_1_subj"), ExpRef)
    assert_type(ref.date, datetime.date)
    assert_type(ref.sequence, int)
    assert qc is QC.PASS
    assert ref.sequence == 1


def test_top_level_exports_are_the_alf_types() -> None:
    assert_type(onesdk.AlfPath.parse(FILE), AlfPath)
    assert_type(onesdk.QC.parse(10), QC)
    assert onesdk.AlfPath is AlfPath
    assert onesdk.QC is QC


USER_SCRIPT = """
from pathlib import Path
from onesdk import alf

p = alf.parse("lab/Subjects/subj/2020-01-01/001/alf/_ibl_trials.intervals.npy")
name = alf.filename_parts(p.name or "")
folders = alf.full_path_parts(Path(str(p)), as_dict=True)
qc = alf.QC.parse("pass")
session = alf.get_session_path(str(p))
print(p.with_revision("v1").object, name.attribute, folders["collection"], qc.name, session)
"""


def test_user_script_sees_no_any(tmp_path: Path) -> None:
    """A user script using onesdk.alf type-checks with every Any expression forbidden."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--disallow-any-expr", str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_alfpath_types() -> None:
    path = alf.ALFPath(FULL)
    assert_type(path, alf.ALFPath)
    assert_type(path.parent, alf.ALFPath)
    assert_type(path.session_path(), alf.ALFPath | None)
    assert_type(path.relative_to_session(), alf.ALFPath)
    assert_type(path.with_revision("v1"), alf.ALFPath)
    assert_type(path.with_sequence(1), alf.ALFPath)
    assert_type(path.with_uuid("a976e418-c8b8-4d24-be47-d05120b18341"), alf.ALFPath)
    assert_type(path.sequence, str)
    assert_type(path.object, str)
    assert_type(path.parse_alf_path(), FullPathPartsDict)
    assert_type(path.parse_alf_path(as_dict=False), FullPathParts)
    assert_type(path.parse_alf_name(as_dict=False), FilenameParts | EmptyFilenameParts)
    assert_type(path.is_dataset(), bool)
    assert_type(list(path.iter_datasets()), list[alf.ALFPath])
    assert_type(alf.ensure_alf_path("x"), alf.ALFPath)
    assert_type(alf.ensure_alf_path(["x"]), list[alf.ALFPath])
    assert_type(alf.ensure_alf_path(PurePosixPath("x")), alf.PureALFPath)
    pure = alf.PurePosixALFPath("subj/2020-01-01/001/alf/obj.attr.npy")
    assert_type(alf.ensure_alf_path(pure), alf.PurePosixALFPath)
    assert_type(pure.with_collection("raw"), alf.PurePosixALFPath)
    assert_type(alf.AlfPath("subj/2020-01-01/001"), AlfPath)
    assert isinstance(path, Path)
    assert path.with_revision("v1").revision == "v1"
