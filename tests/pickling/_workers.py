"""Functions a process pool runs on an unpickled instance (importable by spawned workers)."""

from __future__ import annotations

import uuid

from onesdk._facade._one import One


def subjects(one: One) -> list[str]:
    return one.list_subjects()


def search_subject(one: One, subject: str) -> list[uuid.UUID]:
    return one.search(subject=subject)


def list_session(one: One, eid: str) -> list[str]:
    return one.list_datasets(eid)
