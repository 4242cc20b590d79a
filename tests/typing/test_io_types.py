"""Static types of onesdk.alf.io and onesdk._hashing, checked by mypy --strict (and run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, assert_type

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk import _hashing
from onesdk.alf import ALFPath
from onesdk.alf import io as alfio


def test_hashing_types(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"abc")
    assert_type(_hashing.file_md5(path), str)
    assert_type(_hashing.file_md5(str(path), chunk_size=2), str)
    assert_type(_hashing.check_file(path, size=3, md5=None), bool)


def test_loader_types(tmp_path: Path) -> None:
    npy = tmp_path / "obj.attr.npy"
    np.save(npy, np.arange(3))
    pqt = tmp_path / "obj.table.pqt"
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(pqt)
    doc = tmp_path / "obj.doc.json"
    doc.write_text('{"a": 1}')
    lines = tmp_path / "obj.lines.jsonable"
    lines.write_text('{"a": 1}\n')
    yml = tmp_path / "obj.doc.yaml"
    yml.write_text("a: 1\n")
    npz = tmp_path / "obj.arrays.npz"
    with open(npz, "wb") as stream:
        np.savez(stream, a=np.arange(2))

    assert_type(alfio.load_npy(npy, mmap=True), npt.NDArray[Any])
    assert_type(alfio.load_npz(npz), npt.NDArray[Any] | dict[str, npt.NDArray[Any]])
    assert_type(alfio.load_table(pqt), pd.DataFrame)
    assert_type(alfio.load_json(doc), alfio.Document)
    assert_type(alfio.load_jsonable(lines), list[alfio.Document])
    assert_type(alfio.load_yaml(yml), alfio.Document)
    assert_type(alfio.load_file_content(npy), alfio.FileContent)

    content = alfio.load_file_content(npy)
    if isinstance(content, np.ndarray):
        assert_type(content, npt.NDArray[Any])
    assert isinstance(content, np.ndarray)


def test_object_types(tmp_path: Path) -> None:
    np.save(tmp_path / "spikes.times.npy", np.arange(3.0))
    np.save(tmp_path / "spikes.amps.npy", np.ones(3))
    spikes = alfio.load_object(tmp_path, "spikes", attribute=["times", "amps"], namespace=None)
    assert_type(spikes, alfio.AlfBunch)
    assert_type(spikes["times"], alfio.FileContent)
    assert_type(spikes.times, alfio.FileContent)
    assert_type(spikes.array("times"), npt.NDArray[Any])
    assert_type(spikes.check_dimensions, int)
    assert_type(spikes.to_df(), pd.DataFrame)
    assert_type(spikes.inconsistent_attributes(), dict[str, int])
    assert_type(alfio.load_object([tmp_path / "spikes.times.npy"]), alfio.AlfBunch)
    assert_type(alfio.exists(tmp_path, "spikes", "times"), bool)
    assert_type(alfio.filter_by(tmp_path), tuple[list[ALFPath], list[tuple[str | None, ...]]])
    assert_type(
        alfio.read_ts(tmp_path / "spikes.amps.npy"), tuple[npt.NDArray[Any], npt.NDArray[Any]]
    )
    assert_type(alfio.save_object_npy(tmp_path, {"depths": [1, 2]}, "clusters"), list[ALFPath])
    assert_type(alfio.save_metadata(tmp_path / "spikes.amps.npy", {"unit": "uV"}), ALFPath)
    assert_type(list(alfio.iter_sessions(tmp_path)), list[ALFPath])
    assert_type(list(alfio.iter_datasets(tmp_path)), list[ALFPath])
    assert_type(alfio.next_num_folder(tmp_path), str)
    assert_type(alfio.check_dimensions(spikes), int)
    assert_type(alfio.ts2vec(np.arange(3.0), 3), npt.NDArray[Any])
    assert spikes.array("amps").shape == (3,)
