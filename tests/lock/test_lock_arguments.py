"""Bad arguments to the lock methods raise documented onesdk errors, never anything else."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk import Lock, One
from onesdk.errors import OneSdkError
from tests.strategies import bad_values as _bad_values


def bad_values() -> st.SearchStrategy[object]:
    """Bad values, None excepted (it means "not given" for every lock argument)."""
    return _bad_values().filter(lambda v: v is not None)


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("lock-arguments")
    alf = root / "lab" / "Subjects" / "SUB" / "2024-01-02" / "001" / "alf"
    alf.mkdir(parents=True)
    np.save(alf / "_ibl_trials.choice.npy", np.array([1.0, -1.0]))
    return One.setup(root, silent=True, hash_files=True)


_ANY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)


@_ANY
@given(bad_values())
def test_bad_sessions_raise_onesdk_errors(one: One, value: object) -> None:
    with pytest.raises(OneSdkError):
        one.lock(value)  # type: ignore[arg-type]


@_ANY
@given(bad_values())
def test_odd_dataset_names_lock_or_raise_onesdk_errors(one: One, value: object) -> None:
    (eid,) = one.search()
    try:
        lock = one.lock(eid, value)  # type: ignore[arg-type]
    except OneSdkError:
        return
    # only names can succeed (a pattern such as '*' is a fine name), and they pin something
    names = [value] if isinstance(value, str) else value
    assert isinstance(names, list | tuple)
    assert all(isinstance(n, str) for n in names)
    assert lock.datasets


@_ANY
@given(bad_values().filter(lambda v: not isinstance(v, str)))
def test_collection_or_revision_not_text_raise_onesdk_errors(one: One, value: object) -> None:
    (eid,) = one.search()
    for kwargs in ({"collection": value}, {"revision": value}):
        with pytest.raises(OneSdkError):
            one.lock(eid, "_ibl_trials.choice.npy", **kwargs)  # type: ignore[arg-type]


def test_empty_collection_means_the_session_root(one: One) -> None:
    (eid,) = one.search()
    with pytest.raises(OneSdkError, match="collection ''"):
        one.lock(eid, "_ibl_trials.choice.npy", collection="")
    assert one.lock(eid, "_ibl_trials.choice.npy", revision="").request.revision == ""


@_ANY
@given(bad_values())
def test_non_locks_are_refused_by_locked_sync_and_load(
    one: One, tmp_path: Path, value: object
) -> None:
    with pytest.raises(OneSdkError), one.locked(value):  # type: ignore[arg-type]
        pass
    with pytest.raises(OneSdkError):
        one.sync(value)  # type: ignore[arg-type]
    with pytest.raises(OneSdkError):
        Lock.load(value)  # type: ignore[arg-type]
