"""Bad arguments to onesdk.dask are refused before anything runs, naming the argument; no
cluster means a ClusterError; ``import onesdk`` never imports Dask."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import distributed
import pytest

from onesdk._facade._one import One
from onesdk._sample import make_sample
from onesdk.dask import map_sessions
from onesdk.errors import ArgumentError, ClusterError
from tests.dask import _work
from tests.dask.conftest import LOOPBACK_HTTP

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def one(tmp_path_factory: pytest.TempPathFactory) -> One:
    root = tmp_path_factory.mktemp("sample")
    make_sample(root, n_trials=20)
    return One(root, mode="local", silent=True)


def test_an_unpicklable_fn_is_refused_naming_fn(one: One) -> None:
    lock = threading.Lock()

    def holds_a_lock(one: One, eid: str) -> bool:
        with lock:
            return True

    with pytest.raises(ArgumentError, match=r"fn=.*pickles"):
        map_sessions(one, [str(one.search()[0])], holds_a_lock)


def test_a_malformed_eid_and_a_bare_eid_are_refused(one: One) -> None:
    eid = str(one.search()[0])
    with pytest.raises(ArgumentError, match="eids"):
        map_sessions(one, [eid, "KS051/2024-01-01/001"], _work.worker_identity)
    with pytest.raises(ArgumentError, match=r"one eid: pass \[eid\]"):
        map_sessions(one, eid, _work.worker_identity)


def test_other_arguments_are_checked(one: One) -> None:
    eids = [str(one.search()[0])]
    with pytest.raises(ArgumentError, match="errors"):
        map_sessions(one, eids, _work.worker_identity, errors="skip")  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="one="):
        map_sessions("not an instance", eids, _work.worker_identity)  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match="fn="):
        map_sessions(one, eids, "not callable")  # type: ignore[call-overload]


def test_a_closed_client_is_a_cluster_error(one: One) -> None:
    with distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address=None, scheduler_kwargs=LOOPBACK_HTTP
    ) as cluster:
        client = distributed.Client(cluster)
        client.close()
        with pytest.raises(ClusterError, match="closed"):
            map_sessions(one, [str(one.search()[0])], _work.worker_identity, client=client)


_NO_CLIENT = textwrap.dedent(
    """
    import sys
    from onesdk._facade._one import One
    from onesdk.dask import map_sessions
    from onesdk.errors import ClusterError
    from tests.dask import _work
    one = One(sys.argv[1], mode="local", silent=True)
    try:
        map_sessions(one, [str(one.search()[0])], _work.worker_identity)
    except ClusterError as exc:
        print("ClusterError:", exc)
    """
)


def _run(code: str, *args: str) -> str:
    env_path = [str(ROOT), str(ROOT / "generated")]
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": ":".join(env_path), "PATH": "/usr/bin:/bin"},
    )
    return out.stdout


def test_without_a_running_client_the_error_says_how_to_start_one(one: One) -> None:
    out = _run(_NO_CLIENT, str(one.cache_dir))
    assert out.startswith("ClusterError:")
    assert "distributed.Client" in out


def test_import_onesdk_does_not_import_dask() -> None:
    code = (
        "import sys, onesdk; onesdk.One; import onesdk.errors; "
        "print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    assert _run(code).strip() == "[]"


def test_the_instance_sent_to_workers_never_shows_its_pickle(one: One) -> None:
    """Dask prints task arguments in its logs; a server instance's pickle holds its token."""
    import pickle

    from onesdk.dask import _pickled

    sealed = _pickled(one)
    assert repr(sealed) == f"<onesdk instance {sealed.digest}, {len(sealed.data)} bytes>"
    assert str(sealed.data) not in repr(sealed)
    assert pickle.loads(pickle.dumps(sealed)).data == sealed.data
