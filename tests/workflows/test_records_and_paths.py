"""Regression tests for documented workflows that failed only on onesdk."""

from __future__ import annotations

import uuid
from pathlib import Path

from onesdk import ONE
from onesdk.alf import ALFPath


def test_to_eid_reads_the_session_records_of_a_search(shared_alyx: Path) -> None:
    one = ONE(mode="local", cache_dir=shared_alyx / "cache")
    eids, records = one.search(subject="KS051", details=True)
    assert eids
    assert one.to_eid(records) == eids
    assert one.to_eid(records[0]) == eids[0]


def test_to_eid_takes_a_generator_of_session_urls(shared_alyx: Path) -> None:
    # useful Alyx queries: `one.to_eid(x['url'] for x in ses[:5])`
    one = ONE(mode="local", cache_dir=shared_alyx / "cache")
    eids = one.search(subject="KS052")
    assert len(eids) > 1
    urls = (f"http://alyx.test/sessions/{eid}" for eid in eids)
    assert one.to_eid(urls) == [uuid.UUID(str(eid)) for eid in eids]
    assert one.to_eid(map(str, eids)) == one.to_eid(list(eids))


def test_one_factory_tells_the_version_as_the_faq_prints_it() -> None:
    # FAQ: `print(ONE.version)`
    import onesdk

    assert ONE.version == onesdk.__version__


def test_eid2path_and_ref2path_give_alfpaths(shared_alyx: Path) -> None:
    one = ONE(mode="local", cache_dir=shared_alyx / "cache")
    path = one.eid2path("40ed367e-8564-41dc-a324-17c42f62323b")
    assert isinstance(path, ALFPath)
    assert (path.lab, path.subject, path.sequence) == ("cortexlab", "KS051", "001")
    assert isinstance(one.ref2path("2023-01-10_1_KS051"), ALFPath)
    assert path == one.cache_dir / "cortexlab/Subjects/KS051/2023-01-10/001"
