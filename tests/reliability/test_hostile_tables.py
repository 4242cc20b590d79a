"""Session folders from cache tables are not trusted: lab and subject must be folder names.

A sessions table whose ``subject`` is an absolute path, or whose ``lab`` is ``..``, would make a
load read a planted file outside the cache dir. Every such row ends in ``UnsafePathError``, and
the planted file is never returned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onesdk import One
from onesdk._validate import path_part
from onesdk.errors import UnsafePathError
from tests.reliability.conftest import build_cache

FILE = "alf/spikes.times.npy"


def _rewrite_sessions(root: Path, column: str, value: str) -> None:
    path = root / "sessions.pqt"
    table = pq.read_table(path)
    index = table.column_names.index(column)
    table = table.set_column(index, column, pa.array([value] * len(table)))
    pq.write_table(table, path)


def _plant(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, np.array([666.0]))


@pytest.mark.parametrize("case", ["absolute_subject", "dotdot_lab", "slash_subject"])
def test_a_hostile_session_folder_in_the_tables_is_refused(tmp_path: Path, case: str) -> None:
    cache = build_cache(tmp_path / "cache")
    outside = tmp_path / "outside"
    if case == "absolute_subject":
        _rewrite_sessions(cache.root, "subject", str(outside))
        planted = outside / "2020-01-01" / "001" / FILE
    elif case == "dotdot_lab":
        _rewrite_sessions(cache.root, "lab", "..")
        planted = tmp_path / "Subjects" / "KS001" / "2020-01-01" / "001" / FILE
    else:
        _rewrite_sessions(cache.root, "subject", "../../outside")
        planted = outside / "2020-01-01" / "001" / FILE
    _plant(planted)
    one = One(cache.root, mode="local")
    eid = cache.eids[0]
    with pytest.raises(UnsafePathError):
        one.eid2path(eid)
    for dataset_id in cache.dataset_ids:
        with pytest.raises(UnsafePathError):
            one.load_dataset_from_id(dataset_id)


@pytest.mark.parametrize("value", ["", ".", "..", "a/b", "a\\b", "a\0b", "C:x", "x" * 300])
def test_a_path_part_that_is_not_one_folder_name_is_unsafe(value: str) -> None:
    with pytest.raises(UnsafePathError, match="subject"):
        path_part(value, "subject")


def test_an_ordinary_folder_name_is_a_path_part() -> None:
    assert path_part("KS051", "subject") == "KS051"
    assert path_part(None, "lab", optional=True) == ""


def test_a_catastrophic_regex_filter_returns_at_once(tmp_path: Path) -> None:
    from tests.reliability._harness import time_bound

    cache = build_cache(tmp_path / "cache")
    _rewrite_sessions(cache.root, "task_protocol", "a" * 64)
    one = One(cache.root, mode="local")  # wildcards on: search filters are regexes
    raw = One(cache.root, mode="local", wildcards=False)  # dataset names are regexes
    with time_bound(10.0):
        assert one.search(task_protocol=r"(\w|\w)*!") == []
        assert len(one.search(task_protocol=r"(a|a)*")) == len(cache.eids)
        assert len(raw.list_datasets(cache.eids[0], filename=r"(\w|\w)*!")) == 0


def test_a_regex_the_linear_engine_cannot_run_names_the_argument(tmp_path: Path) -> None:
    from onesdk.errors import ArgumentError

    one = One(build_cache(tmp_path / "cache").root, mode="local")
    with pytest.raises(ArgumentError, match="task_protocol"):
        one.search(task_protocol=r"(a)\1")


@pytest.mark.parametrize("number", [b"1", bytearray(b"1"), 2**70, -1, True, {"1": 1}, [1.5]])
def test_a_session_number_that_is_not_a_count_is_an_argument_error(
    tmp_path: Path, number: object
) -> None:
    from onesdk.errors import ArgumentError

    one = One(build_cache(tmp_path / "cache").root, mode="local")
    with pytest.raises(ArgumentError, match="number"):
        one.search(number=number)  # type: ignore[call-overload]


def test_an_empty_eid_lists_no_session_instead_of_every_one(tmp_path: Path) -> None:
    from onesdk.errors import ArgumentError

    one = One(build_cache(tmp_path / "cache").root, mode="local")
    with pytest.raises(ArgumentError, match="eid"):
        one.list_datasets(eid="")
    with pytest.raises(ArgumentError, match="eid"):
        one.list_datasets(eid="  ")


def test_a_dict_subject_is_an_argument_error_not_its_keys(tmp_path: Path) -> None:
    from onesdk.errors import ArgumentError

    one = One(build_cache(tmp_path / "cache").root, mode="local")
    with pytest.raises(ArgumentError, match="subject"):
        one.search(subject={"KS001": 1})  # type: ignore[call-overload]


def test_an_integer_rel_path_column_is_a_cache_error(tmp_path: Path) -> None:
    from onesdk.errors import CacheError

    cache = build_cache(tmp_path / "cache")
    path = cache.root / "datasets.pqt"
    table = pq.read_table(path)
    index = table.column_names.index("rel_path")
    table = table.set_column(index, "rel_path", pa.array(range(len(table)), pa.int64()))
    pq.write_table(table, path)
    with pytest.raises(CacheError, match="rel_path"):
        One(cache.root, mode="local")


def test_a_tables_dir_name_too_long_for_the_file_system_is_a_cache_error(tmp_path: Path) -> None:
    from onesdk.errors import CacheError

    cache = build_cache(tmp_path / "cache")
    with pytest.raises(CacheError, match="cannot read"):
        One(cache.root / ("x" * 300), mode="local")
    with pytest.raises(CacheError, match="cannot read"):
        One(cache.root, mode="local").load_cache(cache.root / ("x" * 300))
