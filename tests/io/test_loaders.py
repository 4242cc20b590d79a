"""Each file format loads what was written, and a file that does not parse raises LoadError."""

from __future__ import annotations

import datetime
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from onesdk.alf import io as alfio
from onesdk.errors import ArgumentError, LoadError

_DTYPES = st.one_of(
    hnp.integer_dtypes(endianness="="),
    hnp.unsigned_integer_dtypes(endianness="="),
    hnp.floating_dtypes(endianness="=", sizes=(32, 64)),
    hnp.boolean_dtypes(),
)
_ARRAYS = hnp.arrays(
    dtype=_DTYPES,
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6).filter(
        lambda s: not (len(s) == 2 and s[1] == 1)
    ),
)
_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_NAMES, children, max_size=4),
    max_leaves=20,
)


def _dir(factory: pytest.TempPathFactory) -> Path:
    return factory.mktemp("alf")


@st.composite
def _tables(draw: st.DrawFn, text_safe: bool = False) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=8))
    names = draw(st.lists(_NAMES, min_size=1, max_size=4, unique=True))
    columns: dict[str, object] = {}
    for name in names:
        kind = draw(st.sampled_from(["int", "float", "bool", "str"]))
        if kind == "int":
            columns[name] = np.array(
                draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)), dtype=np.int64
            )
        elif kind == "float":
            values = st.floats(allow_nan=False, allow_infinity=False, width=64)
            if text_safe:
                values = st.integers(-1000, 1000).map(lambda i: i / 4)
            columns[name] = np.array(draw(st.lists(values, min_size=n, max_size=n)))
        elif kind == "bool":
            columns[name] = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        else:
            # text that pandas would not read as a number, a boolean or a missing value
            text = _NAMES.map(lambda t: f"s{t}") if text_safe else st.text(max_size=10)
            columns[name] = draw(st.lists(text, min_size=n, max_size=n))
    return pd.DataFrame(columns)


# ------------------------------------------------------------------------------------ npy / npz


@given(array=_ARRAYS, mmap=st.booleans())
def test_npy_round_trip(tmp_path_factory: pytest.TempPathFactory, array: Any, mmap: bool) -> None:
    path = _dir(tmp_path_factory) / "obj.attr.npy"
    np.save(path, array)
    loaded = alfio.load_file_content(path, mmap=mmap)
    assert isinstance(loaded, np.ndarray)
    assert loaded.dtype == array.dtype
    np.testing.assert_array_equal(loaded, array)
    assert isinstance(loaded, np.memmap) == mmap


def test_npy_single_column_becomes_a_vector(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.npy"
    np.save(path, np.arange(5).reshape(5, 1))
    for mmap in (False, True):
        loaded = alfio.load_npy(path, mmap=mmap)
        assert loaded.shape == (5,)
        np.testing.assert_array_equal(loaded, np.arange(5))


def test_npy_mmap_does_not_read_the_data(tmp_path: Path) -> None:
    path = tmp_path / "obj.big.npy"
    np.save(path, np.zeros((2_000_000,), dtype=np.float64))
    loaded = alfio.load_npy(path, mmap=True)
    assert isinstance(loaded, np.memmap)
    assert loaded.filename is not None
    assert Path(loaded.filename) == path
    assert not loaded.flags.writeable


def test_npy_object_arrays_need_allow_pickle(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.npy"
    np.save(path, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(LoadError, match=r"obj\.attr\.npy.*allow_pickle=True"):
        alfio.load_file_content(path)
    loaded = alfio.load_file_content(path, allow_pickle=True)
    assert isinstance(loaded, np.ndarray)
    assert loaded[0] == {"a": 1}


@given(arrays=st.dictionaries(_NAMES, _ARRAYS, min_size=1, max_size=3))
def test_npz_round_trip(
    tmp_path_factory: pytest.TempPathFactory, arrays: dict[str, npt.NDArray[Any]]
) -> None:
    path = _dir(tmp_path_factory) / "obj.attr.npz"
    np.savez(path, **arrays)  # type: ignore[arg-type]
    loaded = alfio.load_file_content(path)
    assert isinstance(loaded, dict)
    assert set(loaded) == set(arrays)
    for key, array in arrays.items():
        np.testing.assert_array_equal(loaded[key], array)


def test_npz_with_one_default_array_gives_the_array(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.npz"
    np.savez(path, np.arange(3))
    loaded = alfio.load_npz(path)
    assert isinstance(loaded, np.ndarray)
    np.testing.assert_array_equal(loaded, np.arange(3))


# ---------------------------------------------------------------------------------- tables


@given(table=_tables())
def test_parquet_round_trip(tmp_path_factory: pytest.TempPathFactory, table: pd.DataFrame) -> None:
    folder = _dir(tmp_path_factory)
    for name in ("obj.table.pqt", "obj.table.parquet"):
        table.to_parquet(folder / name)
        loaded = alfio.load_file_content(folder / name)
        assert isinstance(loaded, pd.DataFrame)
        pd.testing.assert_frame_equal(loaded, table)


@pytest.mark.parametrize(("extension", "sep"), [("csv", ","), ("tsv", "\t"), ("htsv", "\t")])
@given(table=_tables(text_safe=True))
def test_delimited_round_trip(
    tmp_path_factory: pytest.TempPathFactory, table: pd.DataFrame, extension: str, sep: str
) -> None:
    path = _dir(tmp_path_factory) / f"obj.table.{extension}"
    table.to_csv(path, sep=sep, index=False)
    loaded = alfio.load_file_content(path)
    assert isinstance(loaded, pd.DataFrame)
    pd.testing.assert_frame_equal(loaded, table, check_dtype=False)


def test_ssv_and_single_column_stay_dataframes(tmp_path: Path) -> None:
    path = tmp_path / "obj.table.ssv"
    path.write_text("a b\n1 2\n3 4\n")
    loaded = alfio.load_table(path)
    assert list(loaded.columns) == ["a", "b"]
    assert loaded["b"].tolist() == [2, 4]
    single = tmp_path / "obj.single.csv"
    single.write_text("x\n1\n2\n")
    assert isinstance(alfio.load_file_content(single), pd.DataFrame)


def test_parquet_can_be_memory_mapped(tmp_path: Path) -> None:
    path = tmp_path / "obj.table.pqt"
    pd.DataFrame({"a": np.arange(10)}).to_parquet(path)
    assert alfio.load_table(path, mmap=True)["a"].tolist() == list(range(10))


# ------------------------------------------------------------------------ documents


@given(document=_JSON)
def test_json_round_trip(tmp_path_factory: pytest.TempPathFactory, document: object) -> None:
    path = _dir(tmp_path_factory) / "obj.attr.json"
    path.write_text(json.dumps(document))
    assert alfio.load_file_content(path) == document


@given(records=st.lists(_JSON, max_size=6))
def test_jsonable_round_trip(
    tmp_path_factory: pytest.TempPathFactory, records: list[object]
) -> None:
    path = _dir(tmp_path_factory) / "obj.attr.jsonable"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert alfio.load_file_content(path) == records


@given(document=_JSON)
def test_yaml_round_trip(tmp_path_factory: pytest.TempPathFactory, document: object) -> None:
    folder = _dir(tmp_path_factory)
    for name in ("obj.attr.yaml", "obj.attr.yml"):
        (folder / name).write_text(yaml.safe_dump(document))
        assert alfio.load_file_content(folder / name) == document


def test_yaml_dates_load_as_dates(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.yaml"
    path.write_text("when: 2024-01-02\n")
    assert alfio.load_yaml(path) == {"when": datetime.date(2024, 1, 2)}


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.yaml"
    path.write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(LoadError, match=r"obj\.attr\.yaml"):
        alfio.load_file_content(path)


# --------------------------------------------------------------------- unknown and missing


def test_unknown_extension_gives_the_path_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "_spikeglx_ephysData_g0_t0.imec0.ap.meta"
    path.write_text("nSavedChans=385\n")
    with caplog.at_level(logging.INFO, logger="onesdk.alf.io"):
        loaded = alfio.load_file_content(path)
    assert loaded == path
    assert isinstance(loaded, Path)
    assert any(".meta" in r.getMessage() and path.name in r.getMessage() for r in caplog.records)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"obj\.attr\.npy"):
        alfio.load_file_content(tmp_path / "obj.attr.npy")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "obj.attr.npy"
    folder.mkdir()
    with pytest.raises(LoadError, match="directory"):
        alfio.load_file_content(folder)


def test_load_table_refuses_other_extensions(tmp_path: Path) -> None:
    path = tmp_path / "obj.attr.npy"
    np.save(path, np.arange(2))
    with pytest.raises(ArgumentError, match="path"):
        alfio.load_table(path)


@pytest.mark.skipif("sparse" in sys.modules, reason="the sparse package is installed")
def test_sparse_without_the_package_says_what_to_install(tmp_path: Path) -> None:
    try:
        import sparse  # type: ignore[import-not-found, unused-ignore]  # noqa: F401
    except ModuleNotFoundError:
        pass
    else:
        pytest.skip("the sparse package is installed")
    path = tmp_path / "obj.attr.sparse_npz"
    with open(path, "wb") as stream:
        np.savez(stream, data=np.arange(3))
    with pytest.raises(LoadError, match=r"obj\.attr\.sparse_npz.*pip install"):
        alfio.load_file_content(path)


def test_sparse_round_trip_when_installed(tmp_path: Path) -> None:
    sparse = pytest.importorskip("sparse")
    array = sparse.COO.from_numpy(np.eye(4))
    path = tmp_path / "obj.attr.sparse_npz"
    with open(path, "wb") as stream:
        sparse.save_npz(stream, array)
    loaded = alfio.load_file_content(path)
    assert not isinstance(loaded, Path | np.ndarray | pd.DataFrame | dict | list)
    np.testing.assert_array_equal(alfio.load_sparse(path).todense(), np.eye(4))


# ---------------------------------------------------------------------------- corrupt files


def _truncated_npy(path: Path) -> None:
    np.save(path, np.arange(1000))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _bad_npy_header(path: Path) -> None:
    path.write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<i8',}\n" + b"\0" * 16)


def _not_npy(path: Path) -> None:
    path.write_bytes(b"this is not numpy data at all")


def _npz_as_npy(path: Path) -> None:
    with open(path, "wb") as stream:
        np.savez(stream, a=np.arange(2))


def _truncated_npz(path: Path) -> None:
    with open(path, "wb") as stream:
        np.savez(stream, a=np.arange(100), b=np.arange(5))
    path.write_bytes(path.read_bytes()[:60])


def _corrupt_compressed_npz(path: Path) -> None:
    with open(path, "wb") as stream:
        np.savez_compressed(stream, a=np.arange(10_000))
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    path.write_bytes(bytes(data))


def _truncated_parquet(path: Path) -> None:
    pq.write_table(pa.table({"a": list(range(100))}), path)
    path.write_bytes(path.read_bytes()[:-20])


def _garbage_parquet(path: Path) -> None:
    path.write_bytes(b"PAR1 but not really a parquet file")


def _invalid_json(path: Path) -> None:
    path.write_text('{"a": 1,')


def _invalid_jsonable(path: Path) -> None:
    path.write_text('{"a": 1}\n{"b": \n')


def _invalid_yaml(path: Path) -> None:
    path.write_text("a: [1, 2\nb: }\n")


def _ragged_csv(path: Path) -> None:
    path.write_text("a,b\n1,2\n3,4,5,6\n")


def _binary_csv(path: Path) -> None:
    path.write_bytes(b"a,b\n\xff\xfe\x00\x81,2\n")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("name", "corrupt", "what"),
    [
        ("obj.attr.npy", _truncated_npy, "npy"),
        ("obj.attr.npy", _bad_npy_header, "npy"),
        ("obj.attr.npy", _not_npy, "npy"),
        ("obj.attr.npy", _npz_as_npy, "npz archive"),
        ("obj.attr.npy", _empty, "empty"),
        ("obj.attr.npz", _truncated_npz, "npz"),
        ("obj.attr.npz", _not_npy, "npz"),
        ("obj.attr.npz", _corrupt_compressed_npz, "npz"),
        ("obj.table.pqt", _truncated_parquet, "parquet"),
        ("obj.table.pqt", _garbage_parquet, "parquet"),
        ("obj.table.pqt", _empty, "empty"),
        ("obj.attr.json", _invalid_json, "JSON"),
        ("obj.attr.json", _empty, "empty"),
        ("obj.attr.jsonable", _invalid_jsonable, "line 2"),
        ("obj.attr.yaml", _invalid_yaml, "YAML"),
        ("obj.table.csv", _ragged_csv, "csv"),
        ("obj.table.csv", _binary_csv, "csv"),
        ("obj.table.tsv", _empty, "empty"),
    ],
)
@pytest.mark.parametrize("mmap", [False, True])
def test_corrupt_file_raises_load_error_naming_it(
    tmp_path: Path, name: str, corrupt: Any, what: str, mmap: bool
) -> None:
    path = tmp_path / name
    corrupt(path)
    with pytest.raises(LoadError) as info:
        alfio.load_file_content(path, mmap=mmap)
    assert str(path) in str(info.value)
    assert what in str(info.value)


def test_corrupt_file_inside_an_object_names_the_file(tmp_path: Path) -> None:
    np.save(tmp_path / "spikes.times.npy", np.arange(5.0))
    _truncated_npy(tmp_path / "spikes.amps.npy")
    with pytest.raises(LoadError, match=r"spikes\.amps\.npy"):
        alfio.load_object(tmp_path, "spikes")


def test_importing_onesdk_does_not_import_the_loaders() -> None:
    import subprocess

    code = (
        "import sys, onesdk, onesdk.alf, onesdk.errors; "
        "print(sorted({'onesdk.alf.io', 'pandas', 'pyarrow'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_format_of_the_alf_spec_has_a_loader(tmp_path: Path) -> None:
    from onesdk.alf import LOADER_FORMATS

    for extension in LOADER_FORMATS:
        path = tmp_path / f"obj.attr.{extension}"
        path.write_bytes(b"\xff\xfe\x00\x81 not utf-8\n1,2\n3,4,5\n")
        with pytest.raises(LoadError, match=rf"obj\.attr\.{extension}"):
            alfio.load_file_content(path)
