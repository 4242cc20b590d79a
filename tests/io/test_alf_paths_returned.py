"""onesdk.alf.io returns ALFPath where one-api 3.x does; its documented error classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from onesdk.alf import ALFPath
from onesdk.alf import io as alfio


def test_io_functions_return_alf_paths(tmp_path: Path) -> None:
    session = tmp_path / "subj" / "2020-01-01" / "001"
    alf = session / "alf"
    alf.mkdir(parents=True)
    written = alfio.save_object_npy(alf, {"times": np.arange(3.0)}, "spikes")
    assert [type(p) for p in written] == [ALFPath]
    assert written[0].object == "spikes"
    meta = alfio.save_metadata(written[0], {"unit": "s"})
    assert type(meta) is ALFPath
    (alf / "notes.unknown.xyz").write_text("x")
    assert type(alfio.load_file_content(alf / "notes.unknown.xyz")) is ALFPath
    files, _ = alfio.filter_by(alf)
    assert files
    assert all(type(f) is ALFPath for f in files)
    sessions = list(alfio.iter_sessions(tmp_path))
    assert sessions == [session]
    assert type(sessions[0]) is ALFPath
    assert sessions[0].subject == "subj"
    datasets = list(alfio.iter_datasets(session))
    assert datasets
    assert all(type(d) is ALFPath for d in datasets)
    assert "alf/spikes.times.npy" in [d.as_posix() for d in datasets]
    assert {d.object for d in datasets} >= {"spikes"}


def test_next_num_folder_after_session_999_raises_alf_error(tmp_path: Path) -> None:
    from onesdk.errors import AlfError

    (tmp_path / "999").mkdir()
    with pytest.raises(AlfError, match="three digits"):
        alfio.next_num_folder(tmp_path)


def test_append_of_a_bunch_with_other_keys_names_other(tmp_path: Path) -> None:
    from onesdk.errors import ArgumentError

    bunch = alfio.AlfBunch({"times": np.arange(3.0)})
    with pytest.raises(ArgumentError, match="other"):
        bunch.append({"amps": np.arange(3.0)})
