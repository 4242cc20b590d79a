"""Static types of onesdk.dask: map_sessions returns list[T] for the T that fn returns
(checked by mypy --strict), and the same holds at run time on an in-process cluster."""

from __future__ import annotations

from pathlib import Path
from typing import assert_type

import distributed

from onesdk._facade._one import One
from onesdk._facade._one_alyx import OneAlyx
from onesdk._sample import make_sample
from onesdk.dask import map_sessions
from onesdk.errors import SessionError
from tests.dask.conftest import LOOPBACK_HTTP


def n_datasets(one: One, eid: str) -> int:
    return len(one.list_datasets(eid))


def first_dataset(one: One, eid: str) -> str | None:
    names = one.list_datasets(eid)
    return names[0] if names else None


def base_url(one: OneAlyx, eid: str) -> str:
    return one.alyx.base_url


def typed_calls(one: One, alyx: OneAlyx, eids: list[str], client: distributed.Client) -> None:
    """Never called: mypy checks these."""
    assert_type(map_sessions(one, eids, n_datasets), list[int])
    assert_type(map_sessions(one, eids, first_dataset, client=client), list[str | None])
    assert_type(map_sessions(one, eids, n_datasets, errors="record"), list[int | SessionError])
    assert_type(map_sessions(alyx, eids, base_url), list[str])
    assert_type(map_sessions(alyx, eids, n_datasets), list[int])


def test_results_are_what_fn_returns(tmp_path: Path) -> None:
    make_sample(tmp_path, n_trials=20)
    one = One(tmp_path, mode="local", silent=True)
    eids = [str(e) for e in one.search()]
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        counts = map_sessions(one, eids, n_datasets, client=client)
    assert counts == [len(one.list_datasets(e)) for e in eids]
    assert all(isinstance(c, int) for c in counts)
