"""Aggregate datasets (datasets of a subject, a lab... with no session) as the reference lists
them: relation and identifier read from the path, one revision per file chosen by the query
model's rule (:func:`onesdk._repo._query.choose_revisions`), and the download of one of them."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onesdk._repo._query import choose_revisions, split_rel_path

if TYPE_CHECKING:
    import pandas as pd

    from onesdk._remote._records import DatasetRow
    from onesdk._store._download import DownloadTask

__all__ = ["aggregate_task", "aggregates_frame"]


def aggregates_frame(
    rows: Sequence[DatasetRow],
    relation: str,
    identifier: str | None,
    dataset: str | None,
    revision: str | None,
) -> pd.DataFrame:
    """The aggregates of ``relation`` among ``rows`` (dataset records without a session)."""
    from onesdk._remote._records import datasets_frame

    frame = datasets_frame(rows, keep_eid_index=False)
    frame["rel_path"] = frame["rel_path"].str.replace(
        r"^[\w/]+(?=aggregates/)", "", n=1, regex=True
    )
    frame["relation"] = [
        p.split("aggregates")[-1].split("/")[1].casefold() for p in frame["rel_path"]
    ]
    frame = frame[frame["relation"] == relation.casefold()].copy()
    frame["identifier"] = [_identifier(p, relation) for p in frame["rel_path"]]
    frame["revision"] = [split_rel_path(p)[1] for p in frame["rel_path"]]
    if identifier is not None:
        frame = frame[[isinstance(v, str) and identifier in v for v in frame["identifier"]]]
    if dataset is not None:
        names = [p.rsplit("/", 1)[-1] for p in frame["rel_path"]]
        frame = frame[[fnmatch.fnmatchcase(n, dataset) for n in names]]
    frame = _one_revision_each(frame, revision)
    if dataset is not None:
        frame = frame.sort_index()  # the reference's order when a name filter is given
    if frame.empty:
        frame = frame.drop(columns=["revision"], errors="ignore")
    return frame


def aggregate_task(frame: pd.DataFrame, cache_dir: Path, data_server: str) -> DownloadTask:
    """The download of the first aggregate of ``frame`` into ``cache_dir/aggregates``."""
    from onesdk._store._download import DownloadTask, safe_target, url_for

    row = frame.iloc[0]
    rel = str(row["rel_path"])
    target = safe_target(cache_dir, "aggregates", rel.removeprefix("aggregates/"))
    size = row["file_size"]
    digest = row["hash"]
    return DownloadTask(
        url_for(data_server, rel, str(frame.index[0])),
        target,
        int(size) if isinstance(size, int) or _is_number(size) else None,
        str(digest) if isinstance(digest, str) and digest else None,
    )


def _is_number(value: object) -> bool:
    try:
        return value is not None and int(value) == value  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _identifier(rel_path: str, relation: str) -> str:
    parts = [p for p in rel_path.split("/")[:-1] if not (p.startswith("#") and p.endswith("#"))]
    lowered = [p.casefold() for p in parts]
    start = lowered.index(relation.casefold()) + 1
    return "/".join(parts[start:])


def _one_revision_each(frame: pd.DataFrame, revision: str | None) -> pd.DataFrame:
    """One row per (identifier, file name), chosen as loads choose revisions; listed by path
    without the revision folder, as the reference lists them."""
    if frame.empty:
        return frame
    names = [p.rsplit("/", 1)[-1] for p in frame["rel_path"]]
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (ident, name) in enumerate(zip(frame["identifier"], names, strict=True)):
        groups.setdefault((str(ident), name), []).append(i)
    revisions = [str(r) for r in frame["revision"]]
    defaults = [bool(d) for d in frame["default_revision"]]
    keep, _ = choose_revisions(list(groups.values()), revisions, defaults, revision)
    picked = frame.iloc[sorted(keep)]
    order = sorted(range(len(picked)), key=lambda i: _without_revision(picked["rel_path"].iloc[i]))
    return picked.iloc[order]


def _without_revision(rel_path: str) -> str:
    return "/".join(p for p in rel_path.split("/") if not (p.startswith("#") and p.endswith("#")))
