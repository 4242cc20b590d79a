"""ALF objects: keys, filters, tables, timestamps, metadata, length checks, writing, walking."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from onesdk.alf import io as alfio
from onesdk.errors import (
    ALFInvalid,
    ALFMultipleObjectsFound,
    ALFObjectNotFound,
    ALFWarning,
    ArgumentError,
    LoadError,
)


def _save(folder: Path, name: str, value: object) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.asarray(value))
    return path


@pytest.fixture
def trials(tmp_path: Path) -> Path:
    """A trials object with a namespace, a timescale and extras."""
    _save(tmp_path, "_ibl_trials.choice.npy", [1, -1, 1, 1])
    _save(tmp_path, "_ibl_trials.intervals.npy", np.arange(8.0).reshape(4, 2))
    _save(tmp_path, "_ibl_trials.intervals_bpod.npy", np.arange(8.0).reshape(4, 2) + 0.5)
    _save(tmp_path, "_ibl_trials.stimOn_times.extra.npy", np.arange(4.0))
    _save(tmp_path, "_ibl_wheel.position.npy", np.arange(10.0))
    (tmp_path / "not_alf.txt").write_text("ignored")
    return tmp_path


def test_keys_carry_timescale_and_extra(trials: Path) -> None:
    obj = alfio.load_object(trials, "trials")
    assert set(obj) == {"choice", "intervals", "intervals_bpod", "stimOn_times.extra"}
    np.testing.assert_array_equal(obj.array("intervals_bpod"), np.arange(8.0).reshape(4, 2) + 0.5)
    short = alfio.load_object(trials, "trials", short_keys=True)
    assert set(short) == {"choice", "intervals", "intervals_bpod", "stimOn_times"}


def test_attribute_access_and_typed_getters(trials: Path) -> None:
    obj = alfio.load_object(trials, "trials")
    assert obj.choice is obj["choice"]
    with pytest.raises(AttributeError, match="nothing"):
        _ = obj.nothing
    with pytest.raises(ALFObjectNotFound, match="choice"):
        obj.array("nothing")
    with pytest.raises(ArgumentError, match="table"):
        obj.table("choice")
    obj.extra_attr = np.zeros(4)
    assert "extra_attr" in obj
    del obj.extra_attr
    assert "extra_attr" not in obj
    assert "choice" in dir(obj)


def test_bunch_survives_pickle_and_copy(trials: Path) -> None:
    import copy

    obj = alfio.load_object(trials, "trials")
    for other in (pickle.loads(pickle.dumps(obj)), copy.deepcopy(obj), copy.copy(obj)):
        assert isinstance(other, alfio.AlfBunch)
        assert set(other) == set(obj)


def test_filters_select_files(trials: Path) -> None:
    assert set(alfio.load_object(trials, "trials", timescale="bpod")) == {"intervals_bpod"}
    assert set(alfio.load_object(trials, "trials", timescale=None)) == {
        "choice",
        "intervals",
        "stimOn_times.extra",
    }
    assert set(alfio.load_object(trials, "trials", attribute=["choice", "stim*"])) == {
        "choice",
        "stimOn_times.extra",
    }
    assert set(alfio.load_object(trials, "trials", extra="extra")) == {"stimOn_times.extra"}
    assert set(alfio.load_object(trials, "trials", extra=None)) == {
        "choice",
        "intervals",
        "intervals_bpod",
    }
    assert set(alfio.load_object(trials, "tri.*", attribute="^int", wildcards=False)) == {
        "intervals",
        "intervals_bpod",
    }
    assert alfio.load_object(trials, "trials", namespace="ibl")
    with pytest.raises(ALFObjectNotFound, match=r"trials.*'namespace': None.*objects there"):
        alfio.load_object(trials, "trials", namespace=None)


def test_bad_regex_names_the_argument(trials: Path) -> None:
    with pytest.raises(ArgumentError, match="attribute"):
        alfio.load_object(trials, "trials", attribute="(", wildcards=False)


def test_unknown_filter_is_a_type_error(trials: Path) -> None:
    with pytest.raises(TypeError):
        alfio.load_object(trials, "trials", atribute="choice")  # type: ignore[call-arg]


def test_object_from_one_of_its_files(trials: Path) -> None:
    obj = alfio.load_object(trials / "_ibl_trials.choice.npy")
    assert set(obj) == {"choice", "intervals", "intervals_bpod", "stimOn_times.extra"}


def test_folder_without_object_is_refused(trials: Path) -> None:
    with pytest.raises(ArgumentError, match="object"):
        alfio.load_object(trials)


def test_missing_object_lists_what_exists(trials: Path) -> None:
    with pytest.raises(ALFObjectNotFound, match=r"spikes.*trials, wheel"):
        alfio.load_object(trials, "spikes")
    with pytest.raises(ALFObjectNotFound):
        alfio.load_object(trials / "nowhere", "spikes")


def test_explicit_list_of_files_across_revisions(tmp_path: Path) -> None:
    old = _save(tmp_path / "#2020-01-01#", "spikes.times.npy", np.arange(3.0))
    new = _save(tmp_path, "spikes.amps.npy", np.ones(3))
    obj = alfio.load_object([old, str(new)])
    assert set(obj) == {"times", "amps"}
    other = _save(tmp_path, "clusters.depths.npy", np.ones(3))
    with pytest.raises(ArgumentError, match="one ALF object"):
        alfio.load_object([old, other])
    with pytest.raises(ALFInvalid):
        alfio.load_object([tmp_path / "no_dots"])


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    _save(tmp_path, "spikes.times.a.npy", np.arange(3.0))
    _save(tmp_path, "spikes.times.b.npy", np.arange(3.0))
    assert set(alfio.load_object(tmp_path, "spikes")) == {"times.a", "times.b"}
    with pytest.raises(ALFMultipleObjectsFound, match="times"):
        alfio.load_object(tmp_path, "spikes", short_keys=True)


def test_length_mismatch_warns_naming_the_attribute(tmp_path: Path) -> None:
    _save(tmp_path, "trials.choice.npy", np.ones(10))
    _save(tmp_path, "trials.feedbackType.npy", np.ones(9))
    _save(tmp_path, "trials.intervals.npy", np.ones((10, 2)))
    _save(tmp_path, "trials.probability.npy", np.ones(1))
    with pytest.warns(ALFWarning, match=r"'feedbackType' has 9.*expected 10") as record:
        obj = alfio.load_object(tmp_path, "trials")
    message = str(record[0].message)
    assert "'choice'" not in message.split("Sizes")[0]
    assert "'intervals'" not in message.split("Sizes")[0]
    assert obj.check_dimensions == 1
    assert obj.inconsistent_attributes() == {"feedbackType": 9}


def test_consistent_object_does_not_warn(trials: Path) -> None:
    # warnings are errors under pytest: loading must be silent
    assert alfio.load_object(trials, "trials").check_dimensions == 0


@given(
    lengths=st.dictionaries(
        st.sampled_from(["a", "b", "c", "d", "e"]), st.integers(0, 6), min_size=1
    )
)
def test_check_dimensions_follows_alf_broadcasting(lengths: dict[str, int]) -> None:
    data = {k: np.zeros(n) for k, n in lengths.items()}
    sizes = {n for n in lengths.values() if n != 1}
    assert alfio.check_dimensions(data) == int(len(sizes) > 1)


def test_table_columns_become_attributes(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "choice": [1, -1, 1],
            "intervals_0": [0.0, 1.0, 2.0],
            "intervals_1": [0.5, 1.5, 2.5],
            "stimOn_times": [0.1, 1.1, 2.1],
            "flag": [True, False, True],
        }
    )
    table.to_parquet(tmp_path / "_ibl_trials.table.pqt")
    _save(tmp_path, "_ibl_trials.goCue_times_bpod.npy", np.arange(3.0))
    obj = alfio.load_object(tmp_path, "trials")
    assert set(obj) == {"choice", "intervals", "stimOn_times", "flag", "goCue_times_bpod"}
    np.testing.assert_array_equal(obj.array("intervals"), table[["intervals_0", "intervals_1"]])
    assert obj.array("choice").dtype == np.int64
    assert obj.array("flag").dtype == np.bool_


def test_table_timescale_and_extra_carry_to_columns(tmp_path: Path) -> None:
    table = pd.DataFrame({"a": [1, 2], "b_0": [1, 2], "b_1": [3, 4]})
    table.to_parquet(tmp_path / "obj.table_bpod.raw.pqt")
    assert set(alfio.load_object(tmp_path, "obj")) == {"a_bpod.raw", "b_bpod.raw"}


def test_table_expansion_round_trips_to_df(tmp_path: Path) -> None:
    table = pd.DataFrame({"a": [1.0, 2.0], "b_0": [1.0, 2.0], "b_1": [3.0, 4.0]})
    table.to_parquet(tmp_path / "obj.table.pqt")
    obj = alfio.load_object(tmp_path, "obj")
    pd.testing.assert_frame_equal(obj.to_df(), table)


def test_two_by_two_timestamps_are_interpolated(tmp_path: Path) -> None:
    _save(tmp_path, "wheel.position.npy", np.arange(11.0))
    _save(tmp_path, "wheel.timestamps.npy", [[0, 100.0], [10, 110.0]])
    obj = alfio.load_object(tmp_path, "wheel")
    np.testing.assert_allclose(obj.array("timestamps"), np.arange(100.0, 111.0))


def test_metadata_columns_split_an_array(tmp_path: Path) -> None:
    _save(tmp_path, "clusters.ccf.npy", np.arange(6).reshape(3, 2))
    (tmp_path / "clusters.ccf.metadata.json").write_text(
        json.dumps({"columns": ["x", "y"], "unit": "um"})
    )
    obj = alfio.load_object(tmp_path, "clusters")
    assert set(obj) == {"x", "y", "ccfmetadata"}
    np.testing.assert_array_equal(obj.array("y"), [1, 3, 5])
    assert obj["ccfmetadata"] == {"unit": "um"}


def test_metadata_with_too_many_columns_is_a_load_error(tmp_path: Path) -> None:
    _save(tmp_path, "clusters.ccf.npy", np.arange(6).reshape(3, 2))
    (tmp_path / "clusters.ccf.metadata.json").write_text(json.dumps({"columns": ["x", "y", "z"]}))
    with pytest.raises(LoadError, match=r"clusters\.ccf\.metadata\.json.*3 columns"):
        alfio.load_object(tmp_path, "clusters")


def test_unknown_extension_in_object_is_its_path(tmp_path: Path) -> None:
    meta = tmp_path / "_spikeglx_ephysData_g0_t0.imec0.ap.meta"
    meta.write_text("x=1")
    obj = alfio.load_object(tmp_path, "ephysData_g0_t0")
    assert obj["imec0.ap"] == meta


def test_mmap_gives_memory_maps(trials: Path) -> None:
    obj = alfio.load_object(trials, "trials", mmap=True)
    assert all(isinstance(v, np.memmap) for v in obj.values())


def test_read_ts_uses_the_times_file(tmp_path: Path) -> None:
    _save(tmp_path, "wheel.position.npy", np.arange(11.0).reshape(11, 1))
    _save(tmp_path, "wheel.timestamps.npy", [[0, 100.0], [10, 110.0]])
    times, values = alfio.read_ts(tmp_path / "wheel.position.npy")
    np.testing.assert_allclose(times, np.arange(100.0, 111.0))
    assert values.shape == (11,)
    _save(tmp_path, "licks.side.npy", np.arange(3))
    with pytest.raises(FileNotFoundError, match=r"licks\.times"):
        alfio.read_ts(tmp_path / "licks.side.npy")


def test_save_object_npy_round_trip(tmp_path: Path) -> None:
    data = {"times": np.arange(5.0), "amps": np.ones((5, 3))}
    files = alfio.save_object_npy(tmp_path, data, "spikes", parts="raw", namespace="ibl")
    assert sorted(f.name for f in files) == [
        "_ibl_spikes.amps.raw.npy",
        "_ibl_spikes.times.raw.npy",
    ]
    obj = alfio.load_object(tmp_path, "spikes", short_keys=True)
    np.testing.assert_array_equal(obj.array("amps"), data["amps"])
    assert not list(tmp_path.glob("*.part"))


def test_saved_files_get_the_usual_permissions(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    (written,) = alfio.save_object_npy(tmp_path, {"times": np.arange(3.0)}, "spikes")
    meta = alfio.save_metadata(written, {"unit": "s"})
    assert written.stat().st_mode == plain.stat().st_mode
    assert meta.stat().st_mode == plain.stat().st_mode


def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    good = _save(tmp_path, "spikes.times.npy", np.arange(5.0))
    before = good.read_bytes()
    monkeypatch.setattr(np, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        alfio.save_object_npy(tmp_path, {"times": np.arange(3.0)}, "spikes")
    assert list(tmp_path.iterdir()) == [good]
    assert good.read_bytes() == before


def test_save_object_npy_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ArgumentError, match="b"):
        alfio.save_object_npy(tmp_path, {"a": np.ones(3), "b": np.ones(4)}, "obj")
    with pytest.raises(ALFInvalid):
        alfio.save_object_npy(tmp_path, {"a.b": np.ones(3)}, "obj")
    with pytest.raises(ArgumentError, match="objects"):
        alfio.save_object_npy(tmp_path, {"a": np.array([None, 1], dtype=object)}, "obj")
    assert list(tmp_path.iterdir()) == []


def test_save_metadata_is_found_by_load_object(tmp_path: Path) -> None:
    file = _save(tmp_path, "clusters.ccf.npy", np.arange(6).reshape(3, 2))
    meta = alfio.save_metadata(file, {"columns": ["x", "y"]})
    assert meta.name == "clusters.ccf.metadata.json"
    assert set(alfio.load_object(tmp_path, "clusters")) == {"x", "y"}
    with pytest.raises(ALFInvalid):
        alfio.save_metadata(tmp_path / "nodots", {})


def test_exists(trials: Path) -> None:
    assert alfio.exists(trials, "trials")
    assert alfio.exists(trials, "trials", "choice")
    assert alfio.exists(trials, "trials", ["choice", "intervals"], namespace="ibl")
    assert not alfio.exists(trials, "trials", ["choice", "nothing"])
    assert not alfio.exists(trials, "spikes")
    assert not alfio.exists(trials / "missing", "trials")


def test_filter_by_lists_names_and_parts(trials: Path) -> None:
    files, parts = alfio.filter_by(trials, object="wheel")
    assert files == [Path("_ibl_wheel.position.npy")]
    assert parts == [("ibl", "wheel", "position", None, None, "npy")]
    assert alfio.filter_by(trials / "missing") == ([], [])


def test_iter_sessions_and_datasets(tmp_path: Path) -> None:
    first = tmp_path / "lab" / "Subjects" / "sub" / "2024-01-01" / "001"
    second = tmp_path / "sub2" / "2024-01-02" / "002"
    _save(first / "alf", "spikes.times.npy", [1.0])
    _save(first / "alf" / "#2024-01-01#", "spikes.times.npy", [1.0])
    (first / "alf" / "readme.txt").write_text("not ALF")
    _save(second, "trials.choice.npy", [1])
    assert list(alfio.iter_sessions(tmp_path)) == [first, second]
    assert list(alfio.iter_sessions(first)) == [first]
    assert list(alfio.iter_datasets(first)) == [
        Path("alf/#2024-01-01#/spikes.times.npy"),
        Path("alf/spikes.times.npy"),
    ]


def test_next_num_folder_and_remove_empty_folders(tmp_path: Path) -> None:
    assert alfio.next_num_folder(tmp_path / "missing") == "001"
    (tmp_path / "001").mkdir()
    (tmp_path / "007" / "a" / "b").mkdir(parents=True)
    assert alfio.next_num_folder(tmp_path) == "008"
    alfio.remove_empty_folders(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_append_concatenates(trials: Path) -> None:
    obj = alfio.load_object(trials, "trials", attribute="choice")
    both = obj.append(obj)
    assert both.array("choice").shape == (8,)
    assert obj.array("choice").shape == (4,)
    with pytest.raises(ArgumentError, match="other"):
        obj.append({"x": np.ones(1)})


def test_dataframe_splits_2d_arrays() -> None:
    df = alfio.dataframe({"a": np.arange(3), "b": np.ones((3, 2)), "c": np.ones((3, 1))})
    assert list(df.columns) == ["a", "b_0", "b_1", "c"]
    with pytest.raises(ArgumentError, match=r"length \(4\).*'a': 3"):
        alfio.dataframe({"a": np.arange(3), "b": np.arange(4)})


def test_ts2vec_rejects_bad_shapes() -> None:
    np.testing.assert_array_equal(alfio.ts2vec(np.arange(3.0), 3), np.arange(3.0))
    with pytest.raises(ArgumentError, match="ts"):
        alfio.ts2vec(np.ones((3, 3)), 3)


_ATTRIBUTES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6)


@given(
    n=st.integers(min_value=0, max_value=5),
    attributes=st.lists(_ATTRIBUTES, min_size=1, max_size=4, unique=True),
    width=st.integers(min_value=2, max_value=3),
    timescale=st.none() | st.sampled_from(["bpod", "ephys"]),
)
def test_saved_objects_load_back(
    tmp_path_factory: pytest.TempPathFactory,
    n: int,
    attributes: list[str],
    width: int,
    timescale: str | None,
) -> None:
    folder = tmp_path_factory.mktemp("obj")
    rng = np.random.default_rng(n)
    data = {a: rng.random((n, width)) if i % 2 else rng.random(n) for i, a in enumerate(attributes)}
    alfio.save_object_npy(folder, data, "thing", namespace="lab", timescale=timescale)
    loaded = alfio.load_object(folder, "thing")
    suffix = f"_{timescale}" if timescale else ""
    assert set(loaded) == {f"{a}{suffix}" for a in attributes}
    for attribute, array in data.items():
        np.testing.assert_array_equal(loaded.array(f"{attribute}{suffix}"), array)
