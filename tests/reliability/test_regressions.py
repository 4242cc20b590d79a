"""One test per defect the fuzzers found, named after the behaviour it guarantees."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

import onesdk.alf as alf
from onesdk import One
from onesdk._cache import make_cache
from onesdk.alf import io as alfio
from onesdk.errors import ALFObjectNotFound, ArgumentError, UnknownTermError
from tests.reliability.conftest import Cache


@pytest.fixture(scope="module")
def one(cache: Cache) -> One:
    return One(cache.root)


@pytest.fixture(scope="module")
def regex_one(cache: Cache) -> One:
    return One(cache.root, wildcards=False)


def _argument(exc: pytest.ExceptionInfo[ArgumentError]) -> str:
    assert exc.value.argument in str(exc.value)
    return exc.value.argument


def test_a_malformed_eid_is_reported_under_the_eid_argument(one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.list_datasets("00000000-0000-0000-0000-00000000000")
    assert _argument(exc) == "eid"


def test_a_session_dict_with_a_non_numeric_number_is_an_argument_error(one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.eid2path({"subject": "KS001", "number": None, "date": "2020-01-01"})
    assert _argument(exc) == "eid"


def test_an_eid_that_is_neither_an_id_nor_a_list_is_an_argument_error(one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.list_datasets(eid=False)  # type: ignore[call-overload]
    assert _argument(exc) == "eid"


@pytest.mark.parametrize("value", [[0], False, object()])
def test_a_filename_filter_of_the_wrong_type_is_an_argument_error(one: One, value: object) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.list_datasets(filename=value)  # type: ignore[call-overload]
    assert _argument(exc) == "filename"


def test_an_unknown_filename_part_names_the_filename_argument(one: One) -> None:
    with pytest.raises(UnknownTermError, match="filename part"):
        one.list_datasets(filename={"subjet": "x"})


def test_a_regex_that_does_not_compile_is_reported_under_obj(regex_one: One, cache: Cache) -> None:
    with pytest.raises(ArgumentError) as exc:
        regex_one.load_object(cache.eids[0], "(")
    assert _argument(exc) == "obj"


def test_a_collection_regex_that_does_not_compile_names_collection(regex_one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        regex_one.list_datasets(collection="[")
    assert _argument(exc) == "collection"


@pytest.mark.parametrize(("key", "value"), [("date", "2020-13-01"), ("laboratory", False)])
def test_search_names_the_keyword_the_caller_used(one: One, key: str, value: object) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.search(**{key: value})  # type: ignore[call-overload]
    assert _argument(exc) == key


@pytest.mark.parametrize("value", ["not-a-dict", uuid.uuid4()])
def test_dict2ref_of_a_non_dict_names_ref(value: object) -> None:
    with pytest.raises(ArgumentError) as exc:
        One.dict2ref(value)  # type: ignore[call-overload]
    assert _argument(exc) == "ref"


def test_path2eid_of_a_dict_names_path_obj(one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.path2eid({})  # type: ignore[call-overload]
    assert _argument(exc) == "path_obj"


@pytest.mark.parametrize(
    ("method", "argument"), [("record2path", "dataset"), ("record2url", "record")]
)
def test_a_record_method_given_no_record_names_its_argument(
    one: One, method: str, argument: str
) -> None:
    with pytest.raises(ArgumentError) as exc:
        getattr(one, method)(None)
    assert _argument(exc) == argument


@pytest.mark.parametrize("value", [{}, object()])
def test_load_datasets_of_a_dict_or_object_names_datasets(
    one: One, cache: Cache, value: object
) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.load_datasets(cache.eids[0], value)  # type: ignore[arg-type]
    assert _argument(exc) == "datasets"


def test_per_dataset_collections_of_the_wrong_type_name_collections(one: One, cache: Cache) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.load_datasets(cache.eids[0], ["spikes.times"], collections=0j)  # type: ignore[arg-type]
    assert _argument(exc) == "collections"


@pytest.mark.parametrize("spec", ["(x", "a\\C", "+{subject}"])
def test_an_alf_template_that_does_not_compile_names_spec(spec: str) -> None:
    with pytest.raises(ArgumentError) as exc:
        alf.regex(spec)
    assert _argument(exc) == "spec"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"object": None, "attribute": "a", "extension": "npy"}, "object"),
        ({"object": "a", "attribute": "b", "extension": 1j}, "extension"),
        ({"object": "a", "attribute": "b", "extension": "npy", "extra": 1.0}, "extra"),
        ({"object": "a", "attribute": "b", "extension": "npy", "timescale": object()}, "timescale"),
    ],
)
def test_to_alf_of_a_part_of_the_wrong_type_names_the_part(
    kwargs: dict[str, object], argument: str
) -> None:
    with pytest.raises(ArgumentError) as exc:
        alf.to_alf(**kwargs)  # type: ignore[arg-type]
    assert _argument(exc) == argument


def test_readable_alf_and_parse_of_none_name_their_argument() -> None:
    with pytest.raises(ArgumentError) as exc:
        alf.readable_alf(None)  # type: ignore[arg-type]
    assert _argument(exc) == "name"
    with pytest.raises(ArgumentError) as exc:
        alf.parse(None)  # type: ignore[arg-type]
    assert _argument(exc) == "path"


def test_is_uuid_with_versions_that_are_not_a_list_is_an_argument_error() -> None:
    with pytest.raises(ArgumentError) as exc:
        alf.is_uuid(0, versions=None)  # type: ignore[arg-type]
    assert _argument(exc) == "versions"


def test_io_functions_of_the_wrong_type_name_their_argument(tmp_path: Path) -> None:
    for call, argument in (
        (lambda: alfio.check_dimensions(None), "data"),  # type: ignore[arg-type]
        (lambda: alfio.dataframe(None), "data"),  # type: ignore[arg-type]
        (lambda: alfio.ts2vec(None, 3), "ts"),  # type: ignore[arg-type]
        (lambda: alfio.ts2vec(np.ones((2, 2)), None), "n_samples"),  # type: ignore[arg-type]
        (lambda: list(alfio.iter_sessions(tmp_path, pattern=[0])), "pattern"),  # type: ignore[arg-type]
        (lambda: list(alfio.iter_sessions(tmp_path, pattern="/abs/*")), "pattern"),
    ):
        with pytest.raises(ArgumentError) as exc:
            call()
        assert _argument(exc) == argument


def test_a_cache_dir_with_a_nul_or_of_the_wrong_type_names_cache_dir(tmp_path: Path) -> None:
    for value in ("a\0b", object(), b"\0"):
        with pytest.raises(ArgumentError) as exc:
            One(value)  # type: ignore[arg-type]
        assert _argument(exc) == "cache_dir"
    with pytest.raises(ArgumentError) as exc:
        One(tmp_path, http_data_server=1)  # type: ignore[arg-type]
    assert _argument(exc) == "http_data_server"


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [({"workers": 0}, "workers"), ({"root_dir": False}, "root_dir"), ({"lab": 3}, "lab")],
)
def test_make_cache_of_bad_arguments_names_them(
    tmp_path: Path, kwargs: dict[str, object], argument: str
) -> None:
    arguments: dict[str, object] = {"root_dir": tmp_path, **kwargs}
    with pytest.raises(ArgumentError) as exc:
        make_cache(**arguments)  # type: ignore[arg-type]
    assert _argument(exc) == argument


def test_setup_of_an_empty_folder_builds_an_empty_cache(tmp_path: Path) -> None:
    one = One.setup(tmp_path)
    assert one.search() == []


def test_a_session_dict_with_a_date_that_does_not_exist_finds_no_session(one: One) -> None:
    assert one.to_eid({"subject": "KS001", "number": 1, "date": "2020-13-01"}) is None
    assert one.path2eid("KS001/2020-02-30/001") is None


def test_a_session_dict_with_a_nul_in_the_subject_names_the_eid_argument(one: One) -> None:
    with pytest.raises(ArgumentError) as exc:
        one.eid2path({"subject": "\0", "number": 0, "date": "2020-01-01"})
    assert _argument(exc) == "eid"


@pytest.mark.parametrize("where", ["folder", "object"])
def test_a_name_too_long_for_the_file_system_is_an_alf_error_not_an_os_error(
    tmp_path: Path, where: str
) -> None:
    long = "x" * 300  # past NAME_MAX (255) of the usual file systems
    folder, obj = (tmp_path / long, "spikes") if where == "folder" else (tmp_path, long)
    with pytest.raises(ALFObjectNotFound, match="x" * 20):
        alfio.load_object(folder, obj)


def test_with_wildcards_off_load_object_takes_the_object_name_as_a_regex(
    one: One, regex_one: One, cache: Cache
) -> None:
    # the pattern built around a user regex runs on RE2, so it must hold no lookaround itself
    eid = one.search(datasets="spikes.times.npy")[0]
    expected = sorted(one.load_object(eid, "spikes", collection="alf").keys())
    assert expected
    assert sorted(regex_one.load_object(eid, "spikes", collection="alf").keys()) == expected
    assert sorted(regex_one.load_object(eid, "sp.kes", collection="alf").keys()) == expected
    assert regex_one.list_datasets(filename={"namespace": "ibl", "object": "trials"})


def test_a_backtracking_object_regex_answers_at_once_with_wildcards_off(
    regex_one: One, cache: Cache
) -> None:
    from tests.reliability._harness import time_bound

    with time_bound(10), pytest.raises(ALFObjectNotFound):
        regex_one.load_object(cache.eids[0], r"(\w|\w)*!")
