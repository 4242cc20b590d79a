"""PureALFPath: the ALF properties and replacers on a pure path, which never looks at the disk."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from onesdk.alf import (
    ALFPath,
    PureALFPath,
    PurePosixALFPath,
    PureWindowsALFPath,
    ensure_alf_path,
)

SESSION = ("lab", "Subjects", "KS005", "2020-01-01", "001")
DATASET = (*SESSION, "alf", "#2021-01-01#", "_ibl_trials.goCue_times_bpod.npy")


def test_pure_alfpath_is_the_pure_path_flavour_of_this_system() -> None:
    path = PureALFPath(*DATASET)
    expected = PureWindowsALFPath if os.name == "nt" else PurePosixALFPath
    assert type(path) is expected
    assert isinstance(path, PurePath)
    assert not isinstance(path, Path)
    assert type(path.parent) is expected


def test_alfpath_is_a_pure_alfpath() -> None:
    assert isinstance(ALFPath(*DATASET), PureALFPath)
    assert not isinstance(PureALFPath(*DATASET), ALFPath)


def test_pure_alfpath_reads_and_replaces_parts_like_alfpath() -> None:
    pure, concrete = PureALFPath(*DATASET), ALFPath(*DATASET)
    assert pure.alf_parts == concrete.alf_parts
    assert pure.with_subject("KS006").subject == "KS006"
    assert type(pure.with_revision("v2")) is type(pure)
    assert pure.relative_to_session().as_posix() == concrete.relative_to_session().as_posix()
    assert pure.with_collection("raw").collection == "raw"


def test_pure_alfpath_checks_never_look_at_the_disk(tmp_path: Path) -> None:
    folder_named_like_a_file = tmp_path.joinpath(*SESSION, "obj.attr.ext")
    folder_named_like_a_file.mkdir(parents=True)
    file_named_like_a_session = tmp_path / "KS005" / "2020-01-01" / "002"
    file_named_like_a_session.parent.mkdir(parents=True)
    file_named_like_a_session.touch()

    assert PureALFPath(folder_named_like_a_file).is_dataset()
    assert PureALFPath(folder_named_like_a_file).is_valid_alf()
    assert PureALFPath(folder_named_like_a_file).with_object("x").name == "x.attr.ext"
    assert PureALFPath(file_named_like_a_session).is_session_path()
    # the concrete class looks: a folder is not a dataset, a file is not a session
    assert not ALFPath(folder_named_like_a_file).is_dataset()
    assert not ALFPath(folder_named_like_a_file).is_valid_alf()
    assert not ALFPath(file_named_like_a_session).is_session_path()


def test_pure_alfpath_checks_work_called_on_the_class_with_text() -> None:
    # the reference's spelling; typed as a method, so the checker is told it is called unbound
    check: Callable[[object], bool] = PureALFPath.is_valid_alf  # type: ignore[assignment]
    assert check("/".join(DATASET))
    assert not check("abc-@/2020-01-01/001")
    session_check: Callable[[object], bool] = PureALFPath.is_session_path  # type: ignore[assignment]
    assert session_check("/".join(SESSION))


def test_ensure_alf_path_keeps_the_flavour_of_a_pure_path() -> None:
    text = "/".join(DATASET)
    windows = ensure_alf_path(PureWindowsPath(text))
    assert isinstance(windows, PureWindowsALFPath)
    posix = ensure_alf_path(PurePosixPath(text))
    assert isinstance(posix, PurePosixALFPath)
    assert not isinstance(posix, ALFPath)
    assert type(ensure_alf_path(Path(text))) is ALFPath
    assert type(ensure_alf_path(text)) is ALFPath
    pure = PureALFPath(text)
    assert ensure_alf_path(pure) is pure
    assert ensure_alf_path([PurePosixPath(text)]) == [PurePosixALFPath(text)]
