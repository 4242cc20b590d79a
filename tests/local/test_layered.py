"""The layered repository answers as the merged tables would, without rebuilding them.

A cache is drawn, then cut: some sessions are loaded, some are told by the server with their
datasets (a session detail, laid over stale loaded rows), some as rows only. Every query
gives the same rows from the layers as from one repository over the merged truth.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from onesdk._cache import CacheTables
from onesdk._cache._io import sort_datasets
from onesdk._cache._schema import QC_NAMES
from onesdk._remote._layered import LayeredRepository
from onesdk._remote._records import DatasetRow, SessionRow
from onesdk._repo._parquet import ParquetRepository
from onesdk._repo._query import DatasetQuery, SessionQuery
from onesdk._repo._results import table_records
from tests.local._synthetic import caches

LOADED, DETAIL, ROW_ONLY = 0, 1, 2


def _rows(tables: CacheTables, eids: set[str]) -> CacheTables:
    ids = pa.array(sorted(eids), pa.string())
    sessions = tables.sessions.filter(pc.is_in(tables.sessions.column("id"), value_set=ids))
    eid_column = pc.cast(tables.datasets.column("eid"), pa.string())
    datasets = tables.datasets.filter(pc.is_in(eid_column, value_set=ids))
    return CacheTables(sessions, sort_datasets(datasets.combine_chunks().unify_dictionaries()))


def _session_row(record: dict[str, object]) -> SessionRow:
    date = record["date"]
    number = record["number"]
    assert isinstance(date, dt.date)
    assert isinstance(number, int)
    return SessionRow(
        id=str(record["id"]),
        lab=str(record["lab"]),
        subject=str(record["subject"]),
        date=date,
        number=number,
        task_protocol=str(record["task_protocol"]),
        projects=str(record["projects"]),
    )


def _dataset_row(record: dict[str, object]) -> DatasetRow:
    size = record["file_size"]
    digest = record["hash"]
    return DatasetRow(
        eid=str(record["eid"]),
        id=str(record["id"]),
        file_size=size if isinstance(size, int) else None,
        hash=digest if isinstance(digest, str) else None,
        exists=bool(record["exists"]),
        rel_path=str(record["rel_path"]),
        default_revision=bool(record["default_revision"]),
        qc=str(record["qc"]),
    )


@st.composite
def layered(draw: st.DrawFn) -> tuple[LayeredRepository, ParquetRepository, list[str]]:
    truth = draw(caches())
    eids = [str(e) for e in truth.sessions.column("id").to_pylist()]
    roles = {e: draw(st.sampled_from((LOADED, DETAIL, ROW_ONLY))) for e in eids}
    loaded = {e for e, r in roles.items() if r != DETAIL or draw(st.booleans())}
    base = _rows(truth, loaded)
    if any(roles[e] == DETAIL for e in loaded):  # stale loaded rows of a fetched session
        stale = [r for r in table_records(base.datasets) if roles[str(r["eid"])] == DETAIL]
        keep = pa.array([str(r["id"]) for r in stale[::2]], pa.string())
        mask = pc.or_(
            pc.invert(
                pc.is_in(
                    pc.cast(base.datasets.column("eid"), pa.string()),
                    value_set=pa.array([e for e in eids if roles[e] == DETAIL], pa.string()),
                )
            ),
            pc.is_in(base.datasets.column("id"), value_set=keep),
        )
        base = CacheTables(base.sessions, base.datasets.filter(mask))
    repo = LayeredRepository(ParquetRepository(base), base)
    for eid in eids:
        part = _rows(truth, {eid})
        (session,) = table_records(part.sessions)
        if roles[eid] == DETAIL:
            repo.add_session(
                _session_row(session), [_dataset_row(r) for r in table_records(part.datasets)]
            )
        elif roles[eid] == ROW_ONLY:
            repo.add_sessions([_session_row(session)])
    known = {e for e in eids if roles[e] != ROW_ONLY or e in loaded} | {
        e for e in eids if roles[e] == ROW_ONLY
    }
    expected = _rows(truth, known)
    # a row-only session keeps its loaded datasets (none when it was not loaded)
    missing = [e for e in eids if roles[e] == ROW_ONLY and e not in loaded]
    if missing:
        expected = CacheTables(
            expected.sessions,
            expected.datasets.filter(
                pc.invert(
                    pc.is_in(
                        pc.cast(expected.datasets.column("eid"), pa.string()),
                        value_set=pa.array(missing, pa.string()),
                    )
                )
            ),
        )
    return repo, ParquetRepository(expected), eids


def _keys(table: pa.Table) -> list[tuple[str, str]]:
    return [(str(r["eid"]), str(r["id"])) for r in table.select(["eid", "id"]).to_pylist()]


SESSION_QUERIES: list[dict[str, object]] = [
    {},
    {"subject": "KS00"},
    {"lab": ["hoferlab", "mainenlab"]},
    {"datasets": "spikes.times.npy"},
    {"datasets": ["_ibl_trials.*"], "dataset_qc_lte": 10},
    {"dataset_qc_lte": 30},
]


@settings(max_examples=40)
@given(layered())
def test_layered_sessions_match_the_merged_tables(
    case: tuple[LayeredRepository, ParquetRepository, list[str]],
) -> None:
    repo, expected, _ = case
    for filters in SESSION_QUERIES:
        query = SessionQuery.build(regex=True, **filters)
        got = repo.sessions(query).column("id").to_pylist()
        want = expected.sessions(query).column("id").to_pylist()
        assert got == want, filters
    assert repo.sessions_table.column("id").to_pylist() == (
        expected.sessions_table.column("id").to_pylist()
    )


@settings(max_examples=40)
@given(layered())
def test_layered_datasets_match_the_merged_tables(
    case: tuple[LayeredRepository, ParquetRepository, list[str]],
) -> None:
    repo, expected, eids = case
    queries = [
        DatasetQuery(eids=None),
        DatasetQuery(eids=None, filename="*spikes*", qc=QC_NAMES.index("CRITICAL")),
        DatasetQuery(eids=tuple(eids)),
        DatasetQuery(eids=tuple(reversed(eids)), collection="alf*"),
        *(DatasetQuery(eids=(e,), revision="2024*") for e in eids),
        *(DatasetQuery(eids=(e,)) for e in eids),
    ]
    for query in queries:
        assert _keys(repo.datasets(query)) == _keys(expected.datasets(query)), query
        assert repo.rel_paths(query) == expected.rel_paths(query), query
    for eid in eids:
        assert repo.has_session(eid) == expected.has_session(eid)
        assert repo.session_row(eid).to_pylist() == expected.session_row(eid).to_pylist()


@settings(max_examples=40)
@given(layered())
def test_merged_tables_hold_every_layer(
    case: tuple[LayeredRepository, ParquetRepository, list[str]],
) -> None:
    repo, expected, _ = case
    merged = ParquetRepository(repo.merged())
    everything = DatasetQuery(eids=None, qc=QC_NAMES.index("CRITICAL"))
    assert _keys(merged.datasets(everything)) == _keys(expected.datasets(everything))
    assert merged.sessions_table.column("id").to_pylist() == (
        expected.sessions_table.column("id").to_pylist()
    )


def test_a_fetch_leaves_the_loaded_tables_untouched() -> None:
    tables = CacheTables(
        pa.table(
            {
                "id": ["a"],
                "lab": ["l"],
                "subject": ["s"],
                "date": pa.array([dt.date(2024, 1, 1)], pa.date32()),
                "number": pa.array([1], pa.uint16()),
                "task_protocol": [""],
                "projects": [""],
            }
        ),
        pa.table(
            {
                "eid": pa.array(["a"]).dictionary_encode(),
                "id": ["d1"],
                "file_size": pa.array([1], pa.uint64()),
                "hash": [None],
                "default_revision": [True],
                "qc": pa.array([0], pa.int8()),
                "exists": [True],
                "rel_path": pa.array(["alf/x.y.npy"]).dictionary_encode(),
            }
        ),
    )
    base = ParquetRepository(tables)
    repo = LayeredRepository(base, tables)
    repo.add_session(
        SessionRow(
            id="b", lab="l", subject="s", date=dt.date(2024, 1, 2), number=1,
            task_protocol="", projects="",
        ),
        [
            DatasetRow(
                eid="b", id="d2", file_size=2, hash=None, exists=True,
                rel_path="alf/x.z.npy", default_revision=True, qc="PASS",
            )
        ],
    )  # fmt: skip
    assert repo.base is base
    assert repo.loaded is tables
    assert len(tables.datasets) == 1
    assert repo.rel_paths(DatasetQuery(eids=("b",))) == ["alf/x.z.npy"]
    assert len(repo.merged().datasets) == 2
