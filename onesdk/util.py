"""one-api's ``one.util`` table helpers over pandas datasets frames.

:func:`filter_datasets` selects rows of a datasets frame (``one.list_datasets(eid,
details=True)``, ``onesdk.alf.cache`` tables, ``onesdk.converters.datasets2records`` of REST
records, or one-api's own frames) by file name, collection, revision and QC, and picks one
revision per dataset as the loads do. It runs onesdk's query model on the frame's rows: the same
patterns, part dicts, wildcards and revision rule as :meth:`onesdk.One.list_datasets` and the
``load_*`` methods, so a frame filtered here answers as the listing with the same filters.

>>> import pandas as pd
>>> from onesdk.util import filter_datasets
>>> frame = pd.DataFrame(
...     {
...         "rel_path": ["alf/_ibl_trials.table.pqt", "alf/#2024-01-01#/_ibl_trials.table.pqt"],
...         "qc": ["PASS", "PASS"],
...         "default_revision": [False, True],
...     },
...     index=pd.Index(["d1", "d2"], name="id"),
... )
>>> filter_datasets(frame, "*trials*", "alf", wildcards=True).index.tolist()
['d2']

``LazyId`` (one-api's lazy list of remote search results) has no counterpart: onesdk's remote
``search`` returns a list.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Concatenate, ParamSpec, TypeAlias, TypeVar, overload

import numpy as np
import pandas as pd

from onesdk._cache._schema import qc_code
from onesdk._remote._filters import complete_term
from onesdk._repo._frame_filter import (
    last_before,
    one_collection,
    one_dataset,
    one_revision,
    path_mask,
    qc_codes,
    rel_path_values,
    with_revision_column,
)
from onesdk._repo._query import (
    FILENAME_PARTS,
    FilenameFilter,
    PartValue,
    choose_revisions,
    compile_rel_path_pattern,
)
from onesdk._validate import filename_filter, part_value
from onesdk.alf import QC
from onesdk.errors import (
    ArgumentError,
    ArgumentTypeError,
)

__all__ = [
    "DateLike",
    "DateRange",
    "QcLike",
    "autocomplete",
    "filter_datasets",
    "filter_revision_last_before",
    "index_last_before",
    "parse_id",
    "validate_date_range",
]

#: a QC level: a :class:`onesdk.QC`, its name (``'PASS'``) or its value (``10``)
QcLike: TypeAlias = QC | str | int
#: one date of a date range (a ``datetime.datetime`` is a ``datetime.date``)
DateLike: TypeAlias = str | dt.date | pd.Timestamp | np.datetime64
#: a date range: one date, or a list of one or two (``None`` for an open bound)
DateRange: TypeAlias = (
    DateLike | Sequence[DateLike | None] | np.ndarray[tuple[int], np.dtype[np.datetime64]]
)


S = TypeVar("S")
P = ParamSpec("P")
R = TypeVar("R")


def _flag(value: object, argument: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(argument, value, "True or False")
    return bool(value)


def filter_revision_last_before(
    datasets: pd.DataFrame,
    revision: str | None = None,
    assert_unique: bool = True,
    assert_consistent: bool = False,
) -> pd.DataFrame:
    """One revision of each dataset: the default one, or the last one at or before a revision.

    Rows are grouped by dataset (the relative path without its revision folder, within each
    session of an ``eid`` index level). With ``revision`` given, the row kept is the one whose
    revision is the last at or before it (lexicographic order, which ISO dates follow); a
    dataset with none drops out. Without, the row flagged ``default_revision``; else the only
    row; else the last revision (logged, see Notes).

    Parameters
    ----------
    datasets : pandas.DataFrame
        A datasets frame with a ``rel_path`` column (``default_revision`` is used when present),
        indexed by ``id`` or ``(eid, id)``.
    revision : str, optional
        The revision to read (``'2024-01-01'``), or the latest one before it; not a pattern.
        ``''`` keeps only datasets without a revision folder.
    assert_unique : bool
        Raise when a dataset has several rows flagged ``default_revision``.
    assert_consistent : bool
        Raise when the rows kept are of different revisions (else warn).

    Returns
    -------
    pandas.DataFrame
        A new frame: at most one row per dataset, in the order of ``datasets``, with a
        ``revision`` column (the revision of each row, ``''`` for none) added unless present.
        ``datasets`` itself is left as it is.

    Raises
    ------
    onesdk.errors.ALFMultipleRevisionsFound
        Several rows of one dataset are flagged default (with ``assert_unique``), or the rows
        kept are of different revisions (with ``assert_consistent``).
    onesdk.errors.ArgumentError
        ``datasets`` is not a datasets frame, or ``revision`` is not a str or None.

    Notes
    -----
    A dataset of several revisions with no single default one (the last is used), and rows kept
    of one session that are of different revisions (without ``assert_consistent``), are logged
    at INFO on the ``onesdk.util`` logger, where one-api warns (``ALFWarning``): mixed default
    revisions are normal in released data, and the loads log them too.

    Examples
    --------
    >>> frame = one.list_datasets(eid, details=True)  # doctest: +SKIP
    >>> filter_revision_last_before(frame, revision='2024-03-01')  # doctest: +SKIP
    """
    rel_paths = rel_path_values(datasets, "datasets")
    if revision is not None and not isinstance(revision, str):
        raise ArgumentTypeError("revision", revision, "a revision name (str) or None")
    unique = _flag(assert_unique, "assert_unique")
    consistent = _flag(assert_consistent, "assert_consistent")
    keep = last_before(
        datasets, rel_paths, revision, assert_unique=unique, assert_consistent=consistent
    )
    return with_revision_column(datasets.iloc[keep], [rel_paths[i] for i in keep])


def index_last_before(revisions: Sequence[str], revision: str | None) -> int | None:
    """The position of the last revision at or before ``revision`` (lexicographic order).

    Parameters
    ----------
    revisions : sequence of str
        Revision names, ``''`` for no revision; in any order.
    revision : str or None
        The revision to match; ``None`` means the most recent of ``revisions``.

    Returns
    -------
    int or None
        The position in ``revisions`` (the first one, of equal names); ``None`` when
        ``revisions`` is empty or every revision comes after ``revision``.

    Raises
    ------
    onesdk.errors.ArgumentError
        ``revisions`` is not a list of str, or ``revision`` is not a str or None.

    Examples
    --------
    >>> index_last_before(['2021-01-01', '2020-08-01', ''], '2020-09-15')
    1
    >>> index_last_before(['2021-01-01', '2020-08-01', ''], None)
    0
    """
    if isinstance(revisions, str) or not all(isinstance(r, str) for r in revisions):
        raise ArgumentTypeError("revisions", revisions, "a list of revision names (str)")
    if revision is not None and not isinstance(revision, str):
        raise ArgumentTypeError("revision", revision, "a revision name (str) or None")
    if not revisions:
        return None
    n = len(revisions)
    keep, _ = choose_revisions([range(n)], revisions, [None] * n, revision)
    return keep[0] if keep else None


# --------------------------------------------------------------------------------------------
# filtering


def _check_filters(
    filename: object, collection: object, revision: object, *, wildcards: bool, last_before: bool
) -> None:
    filename_filter(filename, "filename", wildcards=wildcards, parts=FILENAME_PARTS)
    part_value(collection, "collection", wildcards=wildcards)
    if last_before:
        if revision is not None and not isinstance(revision, str):
            raise ArgumentTypeError(
                "revision",
                revision,
                "a revision name (str) or None when revision_last_before is True "
                "(pass revision_last_before=False to match patterns)",
            )
    else:
        part_value(revision, "revision", wildcards=wildcards)


def filter_datasets(
    all_datasets: pd.DataFrame,
    filename: FilenameFilter = None,
    collection: PartValue = None,
    revision: PartValue = None,
    revision_last_before: bool = True,
    qc: QcLike = QC.FAIL,
    ignore_qc_not_set: bool = False,
    assert_unique: bool = True,
    wildcards: bool = False,
) -> pd.DataFrame:
    """The rows of a datasets frame that match a file name, collection, revision and QC.

    ``None`` matches anything; ``''`` matches an absent collection or revision. The patterns
    mean what they mean in :meth:`onesdk.One.list_datasets` (which is this filter with
    ``revision_last_before=False, assert_unique=False`` and the instance's ``wildcards``).

    Parameters
    ----------
    all_datasets : pandas.DataFrame
        A datasets frame with ``rel_path`` and ``qc`` columns (``default_revision`` is used when
        present), indexed by ``id`` or ``(eid, id)``: ``one.list_datasets(..., details=True)``,
        a cache table, or ``onesdk.converters.datasets2records`` of REST records.
    filename : str, list of str or dict, optional
        File names to match: a pattern, a list of patterns (any of them), or a dict of ALF parts
        (``{'object': 'trials', 'attribute': ['table', 'choice']}``), each a pattern or a list.
    collection : str or list of str, optional
        Collection pattern(s), e.g. ``'alf/probe00'``.
    revision : str or list of str, optional
        With ``revision_last_before``: a revision name, not a pattern; each dataset's last
        revision at or before it is kept (``None``: the default revision). Without: revision
        pattern(s) to match, as ``collection``.
    revision_last_before : bool
        Keep one revision per dataset (per session, for a frame indexed by ``(eid, id)``).
    qc : onesdk.QC, str or int
        Keep datasets whose QC is at or below this level (a name, or a value such as ``30``).
    ignore_qc_not_set : bool
        Leave out datasets whose QC is ``NOT_SET``.
    assert_unique : bool
        Raise unless what matches is one dataset, in one collection (and one revision).
    wildcards : bool
        The patterns are shell wildcards (``*``, ``?``, ``[...]``) instead of regular
        expressions. Both match the whole part.

    Returns
    -------
    pandas.DataFrame
        A new frame of the matching rows, in the order of ``all_datasets``. When revisions are
        resolved or uniqueness asserted (and a row matched), a ``revision`` column (the
        revision of each row, ``''`` for none) is added unless present, as in one-api.

    Raises
    ------
    onesdk.errors.ALFMultipleCollectionsFound
        ``assert_unique``, and the matches are in several collections.
    onesdk.errors.ALFMultipleRevisionsFound
        ``assert_unique``, and the matches are of several revisions (without
        ``revision_last_before``), or one dataset has several default revisions.
    onesdk.errors.ALFMultipleObjectsFound
        ``assert_unique``, and several datasets match.
    onesdk.errors.ArgumentError
        An argument of the wrong kind, a pattern that does not compile, an unknown ALF part,
        or a frame without ``rel_path`` and ``qc`` columns.

    Notes
    -----
    With ``revision_last_before``, a dataset of several revisions with no single default one
    (the last is used) and rows kept of one session that are of different revisions are logged
    at INFO on the ``onesdk.util`` logger, as the loads log them (one-api warns).

    Examples
    --------
    >>> frame = one.list_datasets(eid, details=True)  # doctest: +SKIP
    >>> filter_datasets(frame, '*trials.table*', 'alf', wildcards=True)  # doctest: +SKIP
    >>> filter_datasets(  # doctest: +SKIP
    ...     frame, {'object': 'spikes', 'attribute': 'times'}, 'alf/probe00', revision='2024-01-01'
    ... )
    >>> filter_datasets(  # doctest: +SKIP
    ...     frame, collection='alf/.*', revision_last_before=False, assert_unique=False,
    ...     qc='WARNING', ignore_qc_not_set=True,
    ... )
    """
    rel_paths = rel_path_values(all_datasets, "all_datasets")
    resolve = _flag(revision_last_before, "revision_last_before")
    unique = _flag(assert_unique, "assert_unique")
    globs = _flag(wildcards, "wildcards")
    skip_not_set = _flag(ignore_qc_not_set, "ignore_qc_not_set")
    _check_filters(filename, collection, revision, wildcards=globs, last_before=resolve)
    bound = qc_code(qc)

    codes = qc_codes(all_datasets, "all_datasets")
    mask = (codes >= 0) & (codes <= bound)
    if skip_not_set:
        mask &= codes != 0
    pattern = compile_rel_path_pattern(
        filename, collection, revision, wildcards=globs, match_revision=not resolve
    )
    positions: list[int] = path_mask(rel_paths, pattern, mask).tolist()
    if not positions or not (resolve or unique):
        return all_datasets.iloc[positions].copy()

    found_paths = [rel_paths[i] for i in positions]
    found = with_revision_column(all_datasets.iloc[positions], found_paths)
    if unique:
        one_collection(found_paths)
    if not resolve:
        one_revision(found_paths)
        one_dataset(found_paths)
        return found
    pinned = revision if isinstance(revision, str) else None  # checked: a str or None
    keep = last_before(found, found_paths, pinned, assert_unique=unique, assert_consistent=False)
    if unique:
        one_dataset([found_paths[i] for i in keep])
    return found.iloc[keep]


# --------------------------------------------------------------------------------------------
# search helpers


@overload
def validate_date_range(date_range: None) -> None: ...
@overload
def validate_date_range(date_range: DateRange) -> tuple[pd.Timestamp, pd.Timestamp]: ...
def validate_date_range(date_range: DateRange | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """A date range as its first and last instants.

    Parameters
    ----------
    date_range : str, datetime.date, pandas.Timestamp, numpy.datetime64, list of them, or None
        One date (that whole day: from its start to its last millisecond), ``[start]`` (from
        then on), or ``[start, end]`` (both included; ``None`` for an open bound).

    Returns
    -------
    tuple of pandas.Timestamp, or None
        ``(start, end)``; an open bound is ``pandas.Timestamp.min`` or ``pandas.Timestamp.max``.
        ``None`` for a ``None`` range.

    Raises
    ------
    onesdk.errors.ArgumentError
        A list of another length than one or two, or a value that is not a date.

    Examples
    --------
    >>> validate_date_range('2024-01-02')
    (Timestamp('2024-01-02 00:00:00'), Timestamp('2024-01-02 23:59:59.999000'))
    >>> validate_date_range(['2024-01-02', None])[0]
    Timestamp('2024-01-02 00:00:00')
    """
    if date_range is None:
        return None
    if isinstance(date_range, str) or not isinstance(date_range, Iterable):
        start = _timestamp(date_range, date_range)
        return start, start + pd.Timedelta(days=1) - pd.Timedelta(milliseconds=1)
    bounds = list(date_range)
    if len(bounds) not in (1, 2):
        raise ArgumentError(
            "date_range", date_range, "a date, or a list of one or two dates (None: open)"
        )
    first = bounds[0]
    last = bounds[1] if len(bounds) == 2 else None
    low = pd.Timestamp.min if first is None else _timestamp(first, date_range)
    high = pd.Timestamp.max if last is None else _timestamp(last, date_range)
    return low, high


def _timestamp(value: object, date_range: object) -> pd.Timestamp:
    expected = "a date, or a list of one or two dates (None: open)"
    if not isinstance(value, str | np.datetime64 | dt.date | pd.Timestamp):
        raise ArgumentError("date_range", date_range, expected)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise ArgumentError("date_range", date_range, expected) from None
    if pd.isna(stamp):
        raise ArgumentError("date_range", date_range, expected)
    return stamp


def autocomplete(term: str, search_terms: Collection[str]) -> str:
    """The search term that ``term`` names: itself, or the one term it is a prefix of.

    Parameters
    ----------
    term : str
        A search keyword, or the start of one (any case): ``'subj'``.
    search_terms : collection of str
        The valid terms, e.g. ``one.search_terms()``.

    Returns
    -------
    str
        The full term (``'subject'``).

    Raises
    ------
    onesdk.errors.UnknownTermError
        ``term`` starts no term (the message lists them and the closest one).
    onesdk.errors.ArgumentError
        ``term`` starts several terms, or is not a non-empty str.

    Examples
    --------
    >>> autocomplete('Subj', ('subject', 'date_range', 'dataset'))
    'subject'
    """
    if isinstance(search_terms, str) or not all(isinstance(t, str) for t in search_terms):
        raise ArgumentTypeError("search_terms", search_terms, "a collection of search terms")
    return complete_term(term, tuple(search_terms))


def parse_id(
    method: Callable[Concatenate[S, uuid.UUID, P], R],
) -> Callable[Concatenate[S, object, P], R]:
    """Decorate a method whose first argument is a session, to take any experiment ID.

    The wrapper turns its first argument into the session UUID with ``self.to_eid`` (a
    :class:`onesdk.One` method: a UUID, session path, exp ref or session record) before calling
    ``method``.

    Parameters
    ----------
    method : callable
        A method ``method(self, eid, *args, **kwargs)`` of a class with a ``to_eid`` method.

    Returns
    -------
    callable
        The wrapper ``wrapper(self, id, *args, **kwargs)``.

    Raises
    ------
    onesdk.errors.ArgumentError
        (from the wrapper) ``id`` names no known session.

    Examples
    --------
    >>> class Sessions:
    ...     def __init__(self, one):
    ...         self.one = one
    ...     def to_eid(self, id):
    ...         return self.one.to_eid(id)
    ...     @parse_id
    ...     def n_datasets(self, eid):
    ...         return len(self.one.list_datasets(eid))
    """

    @functools.wraps(method)
    def wrapper(self: S, id: object, /, *args: P.args, **kwargs: P.kwargs) -> R:
        to_eid = getattr(self, "to_eid", None)
        if not callable(to_eid):
            raise ArgumentTypeError("self", self, "an object with a to_eid method (a One)")
        eid = to_eid(id)
        if eid is None:
            raise ArgumentError(
                "id", id, "the UUID, session path or exp ref of a session that exists"
            )
        return method(self, eid, *args, **kwargs)

    return wrapper
