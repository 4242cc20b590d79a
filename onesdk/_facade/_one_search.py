"""The session search of the facade: ``search`` and ``search_terms``.

Filter keywords may be given in full, by an alias (``lab``, ``date``, ``dataset``) or by an
unambiguous prefix; each is checked on its own, so an error names the keyword the caller used.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal, overload

from onesdk._facade._core import Facade, QcLike
from onesdk._repo._query import (
    SessionQuery,
)
from onesdk.errors import (
    ArgumentError,
    UnknownTermError,
)

if TYPE_CHECKING:
    from onesdk._models import Session


__all__ = ["SEARCH_TERMS", "SearchMethods"]

#: the search terms of one-api's local ``One.search``, in its order
SEARCH_TERMS = (
    "datasets",
    "date_range",
    "laboratory",
    "number",
    "projects",
    "subject",
    "task_protocol",
    "dataset_qc_lte",
)


#: spellings accepted besides prefixes of SEARCH_TERMS
_SEARCH_ALIASES = {"dataset": "datasets", "lab": "laboratory", "date": "date_range"}


def _complete_term(term: str) -> str:
    """The full search term for ``term`` (exact, alias, or unique prefix); else raise."""
    key = term.casefold()
    if key in SEARCH_TERMS:
        return key
    if key in _SEARCH_ALIASES:
        return _SEARCH_ALIASES[key]
    candidates = [t for t in SEARCH_TERMS if t.startswith(key)]
    if len(candidates) == 1:
        return candidates[0]
    raise UnknownTermError(term, (*SEARCH_TERMS, *_SEARCH_ALIASES))


class SearchMethods(Facade):
    """``search``, ``search_terms``."""

    _search_terms = SEARCH_TERMS

    def search_terms(self, query_type: str | None = None) -> tuple[str, ...]:
        """The keyword arguments :meth:`search` accepts (prefixes and aliases also work).

        Parameters
        ----------
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.

        Returns
        -------
        tuple of str
            The filter names.
        """
        return self._search_terms

    @overload
    def search(
        self,
        details: Literal[False] = False,
        *,
        query_type: str | None = None,
        subject: str | Sequence[str] | None = None,
        lab: str | Sequence[str] | None = None,
        date_range: object = None,
        number: int | str | Sequence[int | str] | None = None,
        datasets: str | Sequence[str] | None = None,
        dataset_qc_lte: QcLike | None = None,
        task_protocol: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
        **aliases: object,
    ) -> list[uuid.UUID]: ...

    @overload
    def search(
        self,
        details: Literal[True],
        *,
        query_type: str | None = None,
        subject: str | Sequence[str] | None = None,
        lab: str | Sequence[str] | None = None,
        date_range: object = None,
        number: int | str | Sequence[int | str] | None = None,
        datasets: str | Sequence[str] | None = None,
        dataset_qc_lte: QcLike | None = None,
        task_protocol: str | Sequence[str] | None = None,
        projects: str | Sequence[str] | None = None,
        **aliases: object,
    ) -> tuple[list[uuid.UUID], list[Session]]: ...

    def search(
        self,
        details: bool = False,
        *,
        query_type: str | None = None,
        **filters: object,
    ) -> list[uuid.UUID] | tuple[list[uuid.UUID], list[Session]]:
        """Sessions matching every filter, newest first.

        Parameters
        ----------
        details : bool
            Also return each session's record.
        query_type : {'local', 'remote'}, optional
            Where a remote instance answers this call (default: its mode); a local :class:`One`
            always reads its cache tables.
        subject : str or list of str, optional
            Subject nickname(s); partial match (a regular expression when ``wildcards`` is on).
        lab, laboratory : str or list of str, optional
            Lab name(s); partial match.
        date_range, date : str, datetime.date or [start, end], optional
            One day, or an inclusive range with None for an open end
            (``['2024-01-01', None]``).
        number : int, str or list, optional
            Session number(s) of the day (``1``, ``'001'``).
        task_protocol, task : str or list of str, optional
            Task protocol(s); partial match.
        projects : str or list of str, optional
            Project name(s); partial match.
        datasets, dataset : str or list of str, optional
            Dataset names (patterns) that must all exist in the session.
        dataset_qc_lte : str, int or onesdk.QC, optional
            Sessions with an existing dataset at or below this QC (with ``datasets``: the named
            datasets must be).
        **filters
            The filters above are keyword arguments; each may also be given by an unambiguous
            prefix (``subj``, ``proj``).

        Returns
        -------
        list of uuid.UUID
            The matching eids (``str(eid)`` gives one-api's string form).
        list of onesdk.Session
            With ``details=True``, the records of those sessions, in the same order.

        Raises
        ------
        onesdk.errors.UnknownTermError
            An unknown filter keyword (the message lists the valid ones and the closest match).
        onesdk.errors.ArgumentError
            A filter value of the wrong kind (a bad date, QC name, regular expression...).

        Examples
        --------
        >>> eids = one.search(subject='KS051', date_range=['2024-01-01', '2024-03-31'])
        >>> eids, records = one.search(lab='cortexlab', details=True)
        >>> eids = one.search(datasets=['spikes.times.npy', '_ibl_trials.table.pqt'])
        """
        query = self._session_query(filters)
        table = self.repository.sessions(query)
        eids = [uuid.UUID(e) for e in table.column("id").to_pylist()]
        if not details:
            return eids
        from onesdk._repo._results import session_model

        return eids, [session_model(r) for r in table.to_pylist()]

    def _session_query(self, filters: Mapping[str, object]) -> SessionQuery:
        values: dict[str, object] = {}
        for key, value in filters.items():
            term = _complete_term(key)
            name = "lab" if term == "laboratory" else term
            if name in values and values[name] != value:
                raise ArgumentError(key, value, f"one value for {name} (given twice)")
            try:  # checked one by one, so an error names the keyword the caller used
                SessionQuery.build(regex=self.wildcards, **{name: value})
            except ArgumentError as exc:
                raise ArgumentError(key, value, exc.expected) from None
            values[name] = value
        return SessionQuery.build(regex=self.wildcards, **values)
