"""Bad input to every public method of ``OneAlyx`` on the loopback replay server.

The same argument strategies as for ``One`` plus the remote-only methods; ``query_type`` is
drawn too, so both the local and the remote path of each method are fuzzed. Requests the
recordings do not hold are answered with an error status, which must surface as a documented
error (RemoteError and its subclasses), never as an unhandled exception.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onesdk.errors import ArgumentError, RemoteError
from tests import strategies as bad
from tests.conftest import require, shared_alyx_dir
from tests.reliability import test_fuzz_one as local
from tests.reliability._harness import judge
from tests.reliability.conftest import Cache

_ANY = bad.bad_values()
_QUERY_TYPES = st.sampled_from(["remote", "local", "auto", None, "x"])
_PIDS = st.one_of(st.uuids(), bad.malformed_uuids, local._valid("eid"), _ANY)

REMOTE_METHODS: dict[str, tuple[dict[str, st.SearchStrategy[Any]], dict[str, Any]]] = {
    "search_insertions": (
        {},
        {
            "details": local.FLAGS,
            "query_type": _QUERY_TYPES,
            "session": local.EIDS,
            "name": local.TEXT,
            "model": local.TEXT,
            "subject": local.TEXT,
            "datasets": local.TEXT,
            "atlas_acronym": local.TEXT,
        },
    ),
    "pid2eid": ({"pid": _PIDS}, {"query_type": _QUERY_TYPES}),
    "eid2pid": ({"eid": local.EIDS}, {"query_type": _QUERY_TYPES, "details": local.FLAGS}),
    "type2datasets": ({"eid": local.EIDS, "dataset_type": local.TEXT}, {"details": local.FLAGS}),
    "dataset2type": ({"dset": _PIDS}, {}),
    "describe_dataset": ({}, {"dataset_type": st.none() | local.TEXT}),
    "describe_revision": ({"revision": local.REVISIONS}, {"full": local.FLAGS}),
    "list_aggregates": ({}, {"relation": local.TEXT, "identifier": local.TEXT}),
}
METHODS = {**local.METHODS, **REMOTE_METHODS}
#: methods that take query_type in OneAlyx: it is drawn for them
_WITH_QUERY_TYPE = {"search", "list_datasets", "list_collections", "list_revisions", "get_details",
                    "eid2path", "path2eid", "load_dataset", "load_object", "load_collection",
                    "load_datasets", "search_terms"}  # fmt: skip


@pytest.fixture(scope="module")
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Cache, Any]]:
    """A logged-in OneAlyx on a replay server, in an isolated HOME, and ids it knows."""
    corpus = shared_alyx_dir()
    require((corpus / "README.md").is_file(), f"reference corpus not found at {corpus}")
    from onesdk._facade._one_alyx import OneAlyx
    from tests.replay.server import ReplayServer

    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch, ReplayServer(corpus, lifetime=900.0) as server:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        patch.setenv("ONESDK_KEYRING", "0")
        server.allow_unmatched = True
        cache_dir = tmp_path_factory.mktemp("alyx-cache")
        one = OneAlyx(
            username="root",
            password=server.password,
            base_url=server.alyx_url,
            cache_dir=cache_dir,
            silent=True,
            http_data_server=server.files_url,
        )
        eids = tuple(str(e) for e in one.search(query_type="local")[:5]) or (str(uuid.uuid4()),)
        ids = tuple(str(i) for i in one.tables.datasets.column("id").to_pylist()[:20])
        try:
            yield one, Cache(cache_dir, eids, ids or eids), server
        finally:
            one.close()
            assert os.environ.get("HOME") == str(home)


@pytest.mark.slow
@pytest.mark.parametrize("method", sorted(METHODS))
@settings(
    max_examples=max(10, settings().max_examples // 8),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_one_alyx_method_answers_or_raises_a_documented_error(
    method: str, data: st.DataObject, remote: tuple[Any, Cache, Any], scratch_cwd: Path
) -> None:
    one, cache, _ = remote
    required, optional = METHODS[method]
    if method in _WITH_QUERY_TYPE:
        optional = {**optional, "query_type": _QUERY_TYPES}
    kwargs = local._resolve(data.draw(local._kwargs(required, optional), label="kwargs"), cache)
    assert isinstance(kwargs, dict)
    func: Callable[..., object] = getattr(one, method)
    judge(f"OneAlyx.{method}", func, **kwargs)


_SETTINGS = settings(
    max_examples=max(10, settings().max_examples // 8),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_FLOATS = st.one_of(st.floats(allow_nan=True), st.integers(-2, 100), _ANY)


@pytest.mark.slow
@_SETTINGS
@given(
    data=st.data(),
    kwargs=st.fixed_dictionaries(
        {},
        optional={
            "mode": st.sampled_from(["remote", "auto", "local", "refresh", "LOCAL"]) | _ANY,
            "silent": local.FLAGS,
            "wildcards": local.FLAGS,
            "http_data_server": st.none() | _ANY,
            "cache_rest": st.sampled_from(["GET", None, "POST"]) | _ANY,
            "n_threads": _FLOATS,
            "timeout": _FLOATS,
        },
    ),
)
def test_ONE_with_a_server_answers_or_raises_a_documented_error(
    data: st.DataObject, kwargs: dict[str, Any], remote: tuple[Any, Cache, Any], scratch_cwd: Path
) -> None:
    from onesdk import ONE

    _, cache, server = remote
    kwargs["base_url"] = data.draw(
        st.sampled_from([server.alyx_url, server.alyx_url + "/", "not a url", None]) | _ANY,
        label="base_url",
    )
    # no text paths: a fuzzed relative or absolute one would create folders outside tmp
    bad_dirs = bad.wrong_types.filter(lambda v: v is not None) | st.just("a\0b")
    kwargs["cache_dir"] = data.draw(st.just(cache.root) | bad_dirs, label="cache_dir")
    if isinstance(kwargs["base_url"], str) and kwargs["base_url"].startswith("http"):
        kwargs["username"], kwargs["password"] = "root", server.password
    made = judge("ONE(base_url=...)", ONE, **kwargs)
    close = getattr(made, "close", None)
    if callable(close):
        close()


# --- regressions the fuzzing found --------------------------------------------------------------


def test_dataset2type_of_a_non_id_names_dset(remote: tuple[Any, Cache, Any]) -> None:
    one = remote[0]
    for value in (False, None, b""):
        with pytest.raises(ArgumentError) as exc:
            one.dataset2type(value)
        assert exc.value.argument == "dset"


def test_list_aggregates_matching_nothing_is_an_empty_frame(remote: tuple[Any, Cache, Any]) -> None:
    frame = remote[0].list_aggregates("no-such-relation", identifier="nothing")
    assert len(frame) == 0


def test_remote_search_names_the_date_alias(remote: tuple[Any, Cache, Any]) -> None:
    with pytest.raises(ArgumentError) as exc:
        remote[0].search(date="2020-13-01", query_type="remote")
    assert exc.value.argument == "date"


def test_a_query_too_long_for_a_url_is_a_remote_error(remote: tuple[Any, Cache, Any]) -> None:
    with pytest.raises(RemoteError):
        remote[0].search_insertions(datasets=[f"x{i}" for i in range(20_000)])


def test_one_alyx_with_a_cache_dir_of_the_wrong_type_names_it(
    remote: tuple[Any, Cache, Any],
) -> None:
    from onesdk._facade._one_alyx import OneAlyx

    server = remote[2]
    for name, value in (("cache_dir", True), ("n_threads", 0), ("timeout", -1.0)):
        with pytest.raises(ArgumentError) as exc:
            OneAlyx(base_url=server.alyx_url, **{name: value})  # type: ignore[arg-type]
        assert exc.value.argument == name
