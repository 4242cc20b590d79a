"""Alyx REST records (what ``one.alyx.rest`` returns) as cache-table frames and file paths, as
in one-api's ``one.converters``.

``datasets2records`` turns records of the ``datasets`` endpoint into a datasets frame and
``ses2records`` a session detail into a session row and the frame of its datasets: the frames
of the cache tables, indexed by ``(eid, id)`` (UUID labels), with the ``default_revision`` and
``qc`` columns. The path helpers live in :mod:`onesdk.alf` and are re-exported here under
their one-api module name. Records may be plain dicts or the TypedDicts of
:mod:`onesdk.alyx_types`.

>>> from onesdk.converters import datasets2records
>>> datasets2records([]).index.names
FrozenList(['eid', 'id'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final, cast
from uuid import UUID

from onesdk._json import JsonObject, JsonValue
from onesdk._remote._records import (
    DATASET_COLUMNS,
    DatasetRow,
    dataset_rows_from_json,
    datasets_frame,
    session_dataset_rows,
    session_row,
)
from onesdk._repo._frames import with_uuid_index
from onesdk.alf import (
    one_path_from_dataset,
    path_from_dataset,
    path_from_filerecord,
    session_record2path,
)
from onesdk.errors import ArgumentError, ContractError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "datasets2records",
    "one_path_from_dataset",
    "path_from_dataset",
    "path_from_filerecord",
    "ses2records",
    "session_record2path",
]

_DATASET: Final = "an Alyx dataset record (a mapping with 'url' and a list of 'file_records')"
_SESSION: Final = (
    "an Alyx session detail (a mapping with 'id' or 'url', 'subject', 'lab', 'start_time' and "
    "'data_dataset_session_related'), as rest('sessions', 'read', id=eid) returns"
)
_INDEX: Final = ("eid", "id")


def _frame(rows: list[DatasetRow], extra: Mapping[str, Sequence[object]]) -> pd.DataFrame:
    """The rows as a datasets frame indexed by ``(eid, id)`` with UUID labels."""
    return with_uuid_index(datasets_frame(rows, keep_eid_index=True, extra=extra))


def _additional(additional: object) -> list[str]:
    """The names of the extra fields, those of the standard columns and index left out."""
    if additional is None:
        return []
    if not isinstance(additional, list | tuple) or not all(
        isinstance(name, str) for name in additional
    ):
        raise ArgumentError("additional", additional, "a list of dataset record field names")
    standard = {*DATASET_COLUMNS, *_INDEX}
    return list(dict.fromkeys(name for name in additional if name not in standard))


def datasets2records(
    datasets: Mapping[str, object] | Sequence[Mapping[str, object]],
    additional: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The datasets frame of Alyx dataset records, as the cache tables hold them.

    Only the datasets with an existing file on a server (a file record with ``exists`` and a
    ``data_url``) get a row, as in the cache tables; ``rel_path`` is read from that file's URL
    (the path below the session folder; below the server root for a dataset with no
    session, whose ``eid`` is missing).

    Parameters
    ----------
    datasets : Mapping or list of Mapping
        A record of the ``datasets`` endpoint or a list of them (plain dicts or
        ``onesdk.alyx_types.Dataset``), such as ``one.alyx.rest('datasets', 'list', ...)``.
    additional : list of str, optional
        More fields of the records to keep, each as a column after the standard ones (a
        record without the field holds a missing value). Names of the standard columns are
        already there.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(eid, id)`` (:class:`uuid.UUID` labels), sorted, with the columns
        ``file_size``, ``hash``, ``exists``, ``rel_path``, ``default_revision``, ``qc`` (an
        ordered category of the QC names) and the ``additional`` ones; no rows, with the same
        columns, when no dataset has a file on a server.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``datasets`` holds something other than dataset records, or ``additional`` is no list
        of names.

    Examples
    --------
    >>> dsets = one.alyx.rest("datasets", "list", session=eid)  # doctest: +SKIP
    >>> datasets2records(dsets, additional=["collection"])["rel_path"].tolist()  # doctest: +SKIP
    ['alf/_ibl_trials.table.pqt', ...]
    """
    records = [datasets] if isinstance(datasets, Mapping) else datasets
    if not isinstance(records, list | tuple):
        raise ArgumentError("datasets", datasets, f"{_DATASET}, or a list of them")
    names = _additional(additional)
    kept: list[Mapping[str, JsonValue]] = []
    rows: list[DatasetRow] = []
    for record in records:
        if not isinstance(record, Mapping):
            raise ArgumentError("datasets", record, _DATASET)
        json_record = cast(Mapping[str, JsonValue], record)
        try:
            found = dataset_rows_from_json([json_record])
        except ContractError as exc:
            raise ArgumentError("datasets", record, _DATASET, problem=str(exc)) from None
        if found:
            rows.extend(found)
            kept.append(json_record)
    extra = {name: [record.get(name) for record in kept] for name in names}
    return _frame(rows, extra)


def ses2records(ses: Mapping[str, object]) -> tuple[pd.Series, pd.DataFrame]:
    """The session row and the datasets frame of an Alyx session detail, as the cache tables
    hold them.

    Parameters
    ----------
    ses : Mapping
        A session detail, such as ``one.alyx.rest('sessions', 'read', id=eid)`` returns (a
        plain dict or an ``onesdk.alyx_types.SessionDetail``).

    Returns
    -------
    pandas.Series
        The sessions-table row, named by the session's :class:`uuid.UUID`: ``lab``,
        ``subject``, ``date`` (a :class:`datetime.date`), ``number`` (0 for a session without
        one), ``task_protocol`` and ``projects`` (the project names joined with commas).
    pandas.DataFrame
        The session's datasets with a file on a server, framed as by :func:`datasets2records`
        (with no ``additional`` fields).

    Raises
    ------
    onesdk.errors.ArgumentError
        ``ses`` is no session detail.

    Examples
    --------
    >>> session, datasets = ses2records(one.alyx.rest("sessions", "read", id=eid))  # doctest: +SKIP
    >>> session["subject"], len(datasets)  # doctest: +SKIP
    ('KS051', 11)
    """
    import pandas as pd

    if not isinstance(ses, Mapping):
        raise ArgumentError("ses", ses, _SESSION)
    detail = cast(JsonObject, ses)
    if not isinstance(detail.get("data_dataset_session_related", []), list):
        raise ArgumentError("ses", ses, _SESSION)
    try:
        row = session_row(detail)
        rows = session_dataset_rows(detail)
    except ContractError as exc:
        raise ArgumentError("ses", ses, _SESSION, problem=str(exc)) from None
    fields = {key: value for key, value in row.items() if key != "id"}
    session = pd.Series(fields, name=UUID(row["id"]), dtype=object)
    return session, _frame(rows, {})
