"""Selections over one-api's pandas datasets frames, by the query model's rules.

The frame-side half of :mod:`onesdk.util`: a frame's ``rel_path`` and ``qc`` columns as plain
values, the revision choice of :func:`onesdk._repo._query.choose_revisions` applied per
dataset (per session of an ``eid`` index level), and the uniqueness checks of the loads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from onesdk._cache._schema import QC_NAMES, QC_VALUES
from onesdk._repo._query import choose_revisions, split_rel_path
from onesdk.errors import (
    ALFMultipleCollectionsFound,
    ALFMultipleObjectsFound,
    ALFMultipleRevisionsFound,
    ArgumentError,
    ArgumentTypeError,
)

__all__ = [
    "last_before",
    "one_collection",
    "one_dataset",
    "one_revision",
    "path_mask",
    "qc_codes",
    "rel_path_values",
    "with_revision_column",
]

_log = logging.getLogger("onesdk.util")

_QC_CODES: Final[dict[str | int, int]] = {
    **{name: code for code, name in enumerate(QC_NAMES)},
    **{value: code for code, value in enumerate(QC_VALUES)},
}


def rel_path_values(frame: object, argument: str) -> list[str]:
    """The ``rel_path`` values of a datasets frame; raise unless it is one."""
    if not isinstance(frame, pd.DataFrame) or "rel_path" not in frame.columns:
        raise ArgumentTypeError(
            argument, frame, "a pandas DataFrame of datasets with a 'rel_path' column"
        )
    values = frame["rel_path"].tolist()
    if not all(isinstance(v, str) for v in values):
        raise ArgumentError(argument, frame, "a 'rel_path' column of text (no missing values)")
    return values


def qc_codes(frame: pd.DataFrame, argument: str) -> npt.NDArray[np.int8]:
    """The position in QC_NAMES of each row's QC (-1 for a missing value)."""
    if "qc" not in frame.columns:
        raise ArgumentError(argument, frame, "a datasets frame with a 'qc' column")
    positions, distinct = pd.factorize(frame["qc"], use_na_sentinel=True)
    levels = np.empty(len(distinct) + 1, np.int8)
    levels[-1] = -1  # missing: at no level, so never within a bound (as in one-api)
    for i, value in enumerate(distinct.tolist()):
        code = _QC_CODES.get(value.upper() if isinstance(value, str) else value)
        if code is None or isinstance(value, bool):
            raise ArgumentError(
                argument, value, f"QC names or values in the 'qc' column ({', '.join(QC_NAMES)})"
            )
        levels[i] = code
    codes: npt.NDArray[np.int8] = levels[positions]
    return codes


def path_mask(
    rel_paths: Sequence[str], pattern: re.Pattern[str], mask: npt.NDArray[np.bool_]
) -> npt.NDArray[np.intp]:
    """The positions of the rows where ``mask`` holds and the path matches ``pattern``
    (from its start); each distinct path is matched once."""
    matched: dict[str, bool] = {}
    for row, rel in enumerate(rel_paths):
        if mask[row]:
            hit = matched.get(rel)
            if hit is None:
                hit = matched[rel] = pattern.match(rel) is not None
            mask[row] = hit
    return np.flatnonzero(mask)


def _session_keys(frame: pd.DataFrame) -> list[str]:
    """Each row's session (the ``eid`` index level), or '' when the frame has none."""
    if "eid" in frame.index.names:
        return [str(v) for v in frame.index.get_level_values("eid")]
    return [""] * len(frame)


def with_revision_column(frame: pd.DataFrame, rel_paths: Sequence[str]) -> pd.DataFrame:
    """``frame`` (a copy) with a ``revision`` column ('' for none) unless it has one."""
    out = frame.copy()
    if "revision" not in out.columns:
        out["revision"] = [split_rel_path(r)[1] for r in rel_paths]
    return out


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def last_before(
    frame: pd.DataFrame,
    rel_paths: Sequence[str],
    revision: str | None,
    *,
    assert_unique: bool,
    assert_consistent: bool,
) -> list[int]:
    """The row of each dataset (per session) to keep, by the query model's revision rule.

    Logs (at INFO, as the loads do) each dataset of several revisions with no single default,
    and the rows kept of one session that are of several revisions.
    """
    groups: dict[tuple[str, str], list[int]] = {}
    revisions: list[str] = []
    sessions = _session_keys(frame)
    for row, (session, rel) in enumerate(zip(sessions, rel_paths, strict=True)):
        collection, rev, name = split_rel_path(rel)
        revisions.append(rev)
        groups.setdefault((session, f"{collection}/{name}"), []).append(row)
    defaults: list[bool | None] = [None] * len(rel_paths)
    if "default_revision" in frame.columns:
        defaults = [None if pd.isna(v) else bool(v) for v in frame["default_revision"].tolist()]
    keep, notes = choose_revisions(
        list(groups.values()),
        revisions,
        defaults,
        revision,
        assert_unique=assert_unique,
        labels=list(rel_paths),
    )
    if notes:  # the same cases as the notes, as one-api's warnings
        for members in groups.values():
            if len(members) > 1 and sum(bool(defaults[i]) for i in members) != 1:
                _log.info(
                    "No default revision for dataset %s; using the most recent",
                    rel_paths[members[0]],
                )
    chosen: dict[str, dict[str, None]] = {}  # per session, its revisions in row order
    for i in keep:
        chosen.setdefault(sessions[i], {})[revisions[i]] = None
    for mixed in (list(revs) for revs in chosen.values() if len(revs) > 1):
        if assert_consistent:
            raise ALFMultipleRevisionsFound(
                f"the datasets kept are of several revisions: {_quoted(mixed)}"
            )
        _log.info("Multiple revisions: %s", _quoted(mixed))
    return keep


def one_collection(rel_paths: Sequence[str]) -> None:
    collections = sorted({split_rel_path(r)[0] for r in rel_paths})
    if len(collections) > 1:
        raise ALFMultipleCollectionsFound(
            f"the datasets are in several collections: {_quoted(collections)}; "
            "pass collection= to choose one"
        )


def one_revision(rel_paths: Sequence[str]) -> None:
    revisions = sorted({split_rel_path(r)[1] for r in rel_paths})
    if len(revisions) > 1:
        raise ALFMultipleRevisionsFound(
            f"the datasets are of several revisions: {_quoted(revisions)}; "
            "pass revision= to choose one"
        )


def one_dataset(rel_paths: Sequence[str]) -> None:
    if len(rel_paths) > 1:
        raise ALFMultipleObjectsFound(f"several datasets match: {_quoted(rel_paths)}")
