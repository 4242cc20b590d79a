"""A user script, type-checked by mypy --strict (never run): the Alyx client has concrete types.

mypy fails on any ``assert_type`` that does not hold, so a change that widens a field to ``Any``
or to a union breaks the type-check gate.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import assert_type

from onesdk_gen.alyx_client.api.sessions import sessions_list
from onesdk_gen.alyx_client.models import PaginatedSessionList, SessionListItem

import onesdk
import onesdk.alyx
from onesdk.alf import QC


def list_sessions_with_the_helpers(token: str) -> None:
    client = onesdk.alyx.client("https://alyx.example.org", token, timeout=10)
    assert_type(client, onesdk.alyx.AuthenticatedClient)
    for session in onesdk.alyx.sessions(client, subject="KS051", number=1):
        assert_type(session, onesdk.Session)
        assert_type(session.subject, str)
        assert_type(session.start_time, dt.datetime | None)
        assert_type(session.projects, list[str])
        assert_type(session.date, dt.date)
        assert_type(session.id, uuid.UUID)
        assert_type(session.qc, QC | None)
    details = onesdk.alyx.session_details(client, "3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    for dataset in details.data_dataset_session_related:
        assert_type(dataset, onesdk.Dataset)
        assert_type(dataset.rel_path, str)
        assert_type(dataset.qc, QC)
        assert_type(dataset.default_revision, bool | None)
    for insertion in onesdk.alyx.insertions(client, session=details.id):
        assert_type(insertion, onesdk.Insertion)
        assert_type(insertion.eid, uuid.UUID)
    assert_type(onesdk.alyx.revision(client, "2024-01-01"), onesdk.Revision)


def list_sessions_with_the_wire_client() -> None:
    client = onesdk.alyx.client("https://alyx.example.org")
    assert_type(client, onesdk.alyx.Client)
    page = sessions_list.sync(client=client, subject="KS051")
    if isinstance(page, PaginatedSessionList):
        for item in page.results:
            assert_type(item, SessionListItem)
            assert_type(item.subject, str)
            assert_type(item.start_time, dt.datetime | None)
            assert_type(item.projects, list[str])
            assert_type(item.url, str)
