"""The keywords of remote ``search`` and ``search_insertions``, and their Alyx filters.

:func:`session_query` completes the keywords of a remote ``search`` against the server's terms
and builds the query model's :class:`~onesdk._repo._query.SessionQuery`, as a local search
does; :func:`session_params` translates that query into the ``/sessions`` filter parameters
exactly as one-api 3.6.1 sends them (term completion, lists joined by commas, date ranges as
two ISO dates), leaving what the server cannot filter to the local matcher.
:func:`insertion_query` maps the keywords of ``search_insertions`` to ``/insertions`` filters.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final
from uuid import UUID

from onesdk._cache._schema import QC_NAMES
from onesdk._http._alyx import QueryParams
from onesdk._validate import date_value
from onesdk.errors import ArgumentError, UnknownTermError

if TYPE_CHECKING:
    from onesdk._repo._query import SessionQuery

__all__ = [
    "INSERTION_FILTERS",
    "SESSION_FILTERS",
    "QueryParams",
    "complete_term",
    "date_range_param",
    "insertion_query",
    "search_terms",
    "session_params",
    "session_query",
]

#: the filters of Alyx 3.6.1's ``GET /sessions`` (from its OpenAPI schema)
SESSION_FILTERS: Final = (
    "atlas_acronym", "atlas_id", "atlas_name", "auto_datetime", "dataset_qc_lte",
    "dataset_types", "datasets", "date_range", "django", "end_time", "extended_qc", "histology",
    "id", "json", "lab", "limit", "location", "n_correct_trials", "n_trials", "name", "narrative",
    "nickname", "number", "offset", "parent_session", "performance_gte", "performance_lte",
    "procedures", "project", "projects", "qc", "start_time", "subject", "tag", "task_protocol",
    "type", "users",
)  # fmt: skip
#: the filters of Alyx 3.6.1's ``GET /insertions``
INSERTION_FILTERS: Final = (
    "atlas_acronym", "atlas_id", "atlas_name", "auto_datetime", "chronic_insertion",
    "dataset_qc_lte", "dataset_types", "datasets", "date", "django", "experiment_number", "id",
    "lab", "limit", "model", "name", "offset", "project", "serial", "session", "subject", "tag",
    "task_protocol",
)  # fmt: skip
#: the local search terms one-api adds to the remote session filters ('lab' is 'laboratory')
_LOCAL_SESSION_TERMS: Final = (
    "datasets", "date_range", "laboratory", "number", "projects", "subject", "task_protocol",
    "dataset_qc_lte",
)  # fmt: skip
_MIN_DATE: Final = dt.date(1677, 9, 21)  # the bounds one-api uses for an open date range
_MAX_DATE: Final = dt.date(2262, 4, 11)


# ---------------------------------------------------------------------------------------------
# query translation
def search_terms(endpoint: str = "sessions") -> tuple[str, ...]:
    """The keywords remote ``search`` (``'sessions'``) or ``search_insertions`` accepts, sorted."""
    if endpoint == "sessions":
        terms = {*_LOCAL_SESSION_TERMS, *(f for f in SESSION_FILTERS if f != "lab")}
        return tuple(sorted(terms))
    if endpoint == "insertions":
        return INSERTION_FILTERS
    raise ArgumentError("endpoint", endpoint, "'sessions' or 'insertions'")


def complete_term(term: str, terms: Sequence[str]) -> str:
    """The full term for ``term``: itself, or the one term it is a prefix of.

    A prefix of several terms is ambiguous (``'dataset'`` matches ``'datasets'`` and
    ``'dataset_qc_lte'``), as in one-api.
    """
    if not isinstance(term, str) or not term:
        raise ArgumentError("search term", term, "a non-empty keyword")
    key = term.casefold()
    if key in terms:
        return key
    matches = [t for t in terms if t.casefold().startswith(key)]
    if not matches:
        raise UnknownTermError(term, terms)
    if len(matches) > 1:
        raise ArgumentError(
            term, "<ambiguous>", f'one term; "{term}" is ambiguous: {", ".join(sorted(matches))}'
        )
    return matches[0]


def _as_text(value: object, name: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):  # IntEnum QC values become their number, as in one-api
        return str(int(value))
    if isinstance(value, (str, float, UUID)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise ArgumentError(name, value, "a string, number, date or UUID (or a list of them)")


def _join(value: object, name: str) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        if not value:
            raise ArgumentError(name, value, "a non-empty value or list")
        return ",".join(_as_text(v, name) for v in value)
    return _as_text(value, name)


def date_range_param(value: object) -> str:
    """``date_range`` as Alyx wants it: ``'start,end'`` (inclusive), open ends filled in."""
    if isinstance(value, (str, dt.date)):
        day = date_value(value, "date_range")
        return f"{day.isoformat()},{day.isoformat()}"
    if not isinstance(value, (list, tuple)) or len(value) not in (1, 2):
        raise ArgumentError("date_range", value, "a date or a list of one or two dates")
    start = date_value(value[0], "date_range") if value[0] is not None else _MIN_DATE
    end = (
        date_value(value[1], "date_range")
        if len(value) == 2 and value[1] is not None
        else _MAX_DATE
    )
    if end < start:
        raise ArgumentError("date_range", value, "a start date on or before the end date")
    return f"{start.isoformat()},{end.isoformat()}"


#: spellings remote ``search`` accepts besides prefixes, as local search does ('lab' and
#: 'date' complete by prefix: the server's terms hold neither)
_SESSION_ALIASES: Final = {"dataset": "datasets"}
#: the keywords of remote ``search`` that are filters of the query model (the others are the
#: server's own, see :attr:`SessionQuery.server_only`)
_MODEL_TERMS: Final = {
    "datasets": "datasets", "date_range": "date_range", "laboratory": "lab",
    "number": "number", "projects": "projects", "subject": "subject",
    "task_protocol": "task_protocol", "dataset_qc_lte": "dataset_qc_lte",
}  # fmt: skip
#: regular-expression syntax a server's substring filter would take literally ('.' is left
#: out: as a pattern it matches itself too)
_REGEX_SYNTAX: Final = frozenset("^$*+?{}[]\\|()")


def session_query(terms: Mapping[str, object], *, regex: bool = True) -> SessionQuery:
    """The :class:`SessionQuery` of remote ``search(**terms)``: each keyword completed against
    the server's terms (``dataset`` is ``datasets``, as locally), its value checked."""
    from onesdk._repo._query import SessionQuery

    valid = search_terms("sessions")
    filters: dict[str, object] = {}
    server: dict[str, object] = {}
    for key, value in terms.items():
        field = complete_term(_SESSION_ALIASES.get(key, key), valid)
        name = _MODEL_TERMS.get(field)
        target, slot = (filters, name) if name is not None else (server, field)
        if slot in target and target[slot] != value:
            raise ArgumentError(key, value, f"one value for {slot} (given twice)")
        if name is not None:
            try:  # checked one by one, so an error names the keyword the caller used
                SessionQuery.build(regex=regex, **{name: value})
            except ArgumentError as exc:
                raise ArgumentError(key, value, exc.expected) from None
        target[slot] = value
    query = SessionQuery.build(regex=regex, **filters)
    return dataclasses.replace(
        query, server_only=tuple(server.items()), qc_as_given=_qc_text(filters)
    )


def _qc_text(filters: Mapping[str, object]) -> str | None:
    """The QC level of a search as one-api sends it: a number (a ``QC`` member included) as its
    digits, a name as written."""
    value = filters.get("dataset_qc_lte")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(int(value))
    return value.strip() if isinstance(value, str) else None


def _server_matches(query: SessionQuery, name: str) -> bool:
    """Whether the server's substring filter ``name`` means what the query's patterns mean."""
    values: tuple[str, ...] = getattr(query, name)
    return not query.regex or not any(_REGEX_SYNTAX.intersection(v) for v in values)


def session_params(query: SessionQuery) -> tuple[QueryParams, SessionQuery | None]:
    """The ``/sessions`` filters of ``query`` as one-api 3.6.1 sends them, and the part of
    ``query`` the server cannot apply (None when it applies all of it).

    The server filters text as case-insensitive substrings; a pattern beyond that (with
    ``regex`` on), or several session numbers, is left to the caller's matcher.
    """
    from onesdk._repo._query import SessionQuery

    pairs: list[tuple[str, str]] = []
    rest: dict[str, object] = {}
    for name in ("subject", "lab", "task_protocol", "projects"):
        values = getattr(query, name)
        if values is None:
            continue
        if _server_matches(query, name):
            pairs.append((name, ",".join(values)))
        else:
            rest[name] = values
    if query.datasets is not None:
        pairs.append(("datasets", ",".join(query.datasets)))
    if query.date_range is not None:
        start, end = query.date_range[0] or _MIN_DATE, query.date_range[1] or _MAX_DATE
        if end < start:
            given = list(query.date_range)
            raise ArgumentError("date_range", given, "a start date on or before the end date")
        pairs.append(("date_range", f"{start.isoformat()},{end.isoformat()}"))
    if query.number is not None:
        if len(query.number) == 1:
            pairs.append(("number", str(query.number[0])))
        else:  # the server filters one number
            rest["number"] = query.number
    if query.dataset_qc_lte is not None:
        pairs.append(("dataset_qc_lte", query.qc_as_given or QC_NAMES[query.dataset_qc_lte]))
    django = ""
    for name, value in query.server_only:
        if name == "django":
            if value is None or value == "":
                continue  # one-api drops an empty django filter
            django = f"{_as_text(value, 'django')},{django}" if django else _as_text(value, name)
        elif name == "id":
            # one-api sends ids as a django primary-key filter, a list in Python's repr
            # (Alyx answers 500 to the list form; the request is kept identical on purpose)
            ids = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
            django = f"{django},pk,{ids}" if django else f"pk,{ids}"
        else:
            pairs.append((name, _join(value, name)))
    params: QueryParams = sorted(pairs, key=lambda pair: _SORT_KEY.get(pair[0], pair[0]))
    if django:
        params.insert(0, ("django", django))
    residual = SessionQuery(regex=query.regex, **rest) if rest else None  # type: ignore[arg-type]
    return params, residual


#: one-api sorts the keywords, and sends 'laboratory' as 'lab'
_SORT_KEY: Final = {"lab": "laboratory"}


def insertion_query(terms: Mapping[str, object]) -> QueryParams:
    """The ``/insertions`` filter parameters for remote ``search_insertions(**terms)``."""
    valid = (*INSERTION_FILTERS, "dataset", "laboratory", "number")
    params: QueryParams = []
    django = [_as_text(terms["django"], "django")] if terms.get("django") else []
    for key, value in sorted(terms.items()):
        if key == "django":
            continue
        field = complete_term(key, valid)
        if field == "dataset":
            if not isinstance(value, str):
                raise ArgumentError("dataset", value, "a string (use datasets= for a list)")
            django.append(f"datasets__name__icontains,{value}")
        elif field == "laboratory":
            params.append(("lab", _join(value, key)))
        elif field == "number":
            params.append(("experiment_number", _join(value, key)))
        else:
            params.append((field, _join(value, key)))
    if django:
        params.insert(0, ("django", ",".join(django)))
    return params
