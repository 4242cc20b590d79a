"""Bad input to every public loader function: a documented error naming the argument, or success."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk import _hashing
from onesdk.alf import io as alfio
from onesdk.errors import ArgumentError, OneSdkError

_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.text(max_size=5) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(""),
    st.just("\0"),
    st.just("(unclosed"),
    st.just("*"),
)

_FUNCTIONS: dict[str, Callable[..., object]] = {
    "load_file_content": alfio.load_file_content,
    "load_npy": alfio.load_npy,
    "load_npz": alfio.load_npz,
    "load_table": alfio.load_table,
    "load_json": alfio.load_json,
    "load_jsonable": alfio.load_jsonable,
    "load_yaml": alfio.load_yaml,
    "load_sparse": alfio.load_sparse,
    "read_ts": alfio.read_ts,
    "iter_sessions": lambda p: list(alfio.iter_sessions(p)),
    "iter_datasets": lambda p: list(alfio.iter_datasets(p)),
    "next_num_folder": alfio.next_num_folder,
    "file_md5": _hashing.file_md5,
    "check_file": _hashing.check_file,
}


def _unexpected(call: Callable[[], object]) -> str | None:
    """None when ``call`` succeeds or raises what a caller can expect: onesdk's error tree (an
    ArgumentError naming its argument), or FileNotFoundError for a missing file; else why not."""
    try:
        call()
    except ArgumentError as exc:
        return None if exc.argument in str(exc) else f"argument not named: {exc}"
    except (OneSdkError, FileNotFoundError):
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    np.save(path / "spikes.times.npy", np.arange(3.0))
    np.save(path / "spikes.amps.npy", np.ones(3))
    return path


@pytest.mark.parametrize("name", sorted(_FUNCTIONS))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_GARBAGE)
def test_single_path_functions(name: str, value: object, folder: Path) -> None:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        problem = _unexpected(lambda: _FUNCTIONS[name](value))
    finally:
        os.chdir(cwd)
    assert problem is None, f"{name}({value!r}): {problem}"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    alfpath=_GARBAGE,
    obj=_GARBAGE,
    filters=st.dictionaries(
        st.sampled_from(["namespace", "attribute", "timescale", "extra", "extension"]),
        _GARBAGE,
        max_size=3,
    ),
    wildcards=st.booleans(),
)
def test_load_object_and_friends(
    folder: Path, alfpath: Any, obj: Any, filters: dict[str, Any], wildcards: bool
) -> None:
    kwargs: dict[str, Any] = {"wildcards": wildcards, **filters}
    not_attribute = {k: v for k, v in kwargs.items() if k != "attribute"}
    for path in (alfpath, folder):
        calls: list[Callable[[], object]] = [
            partial(alfio.load_object, path, obj, **kwargs),
            partial(alfio.exists, path, obj, filters.get("attribute"), **not_attribute),
            partial(alfio.filter_by, path, object=obj, **kwargs),
        ]
        for call in calls:
            problem = _unexpected(call)
            assert problem is None, problem


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dico=_GARBAGE, obj=_GARBAGE, parts=_GARBAGE, namespace=_GARBAGE)
def test_save_object_npy(
    tmp_path_factory: pytest.TempPathFactory, dico: Any, obj: Any, parts: Any, namespace: Any
) -> None:
    target = tmp_path_factory.mktemp("save")
    problem = _unexpected(
        lambda: alfio.save_object_npy(target, dico, obj, parts=parts, namespace=namespace)
    )
    assert problem is None, problem
    assert not list(target.glob("*.part"))
