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

from tests import strategies as bad
from tests.conftest import shared_alyx_dir
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
def remote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Cache]]:
    """A logged-in OneAlyx on a replay server, in an isolated HOME, and ids it knows."""
    corpus = shared_alyx_dir()
    if not (corpus / "README.md").is_file():
        pytest.skip(f"reference corpus not found at {corpus}")
    from onesdk._one_alyx import OneAlyx
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
            yield one, Cache(cache_dir, eids, ids or eids)
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
    method: str, data: st.DataObject, remote: tuple[Any, Cache], scratch_cwd: Path
) -> None:
    one, cache = remote
    required, optional = METHODS[method]
    if method in _WITH_QUERY_TYPE:
        optional = {**optional, "query_type": _QUERY_TYPES}
    kwargs = local._resolve(data.draw(local._kwargs(required, optional), label="kwargs"), cache)
    assert isinstance(kwargs, dict)
    func: Callable[..., object] = getattr(one, method)
    judge(f"OneAlyx.{method}", func, **kwargs)
