"""Static types of ``one.alyx``'s raw verbs and JSON-field helpers (checked by mypy --strict):
the field helpers give the field as a dict, and one-api's catch-all ``**kwargs`` of ``get`` are
named keywords, so a misspelt one (``clober=``) is a type error and a ``TypeError``."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import assert_type

import httpx
import pytest

from onesdk import OneAlyx
from onesdk._json import JsonValue
from onesdk._remote._rest import AlyxHttp, RestRepository
from onesdk.webclient import dataset_record_to_url, file_record_to_url


def typed_calls(one: OneAlyx, eid: uuid.UUID) -> None:
    """Never called: mypy checks these."""
    alyx = one.alyx
    assert_type(alyx.get("/sessions?subject=x", expires=dt.timedelta(hours=1)), JsonValue)
    assert_type(alyx.post("/tags", data={"name": "t"}), JsonValue)
    assert_type(alyx.put("/tags/t", data='{"name": "t"}'), JsonValue)
    assert_type(alyx.patch("/tags/t", data={"description": "d"}), JsonValue)
    assert_type(alyx.delete("/tags/t"), JsonValue)
    assert_type(
        alyx.json_field_update("sessions", eid, "extended_qc", {"k": 1}), dict[str, JsonValue]
    )
    assert_type(alyx.json_field_write("sessions", eid, data={"k": 1}), dict[str, JsonValue])
    assert_type(alyx.json_field_remove_key("sessions", eid, key="k"), dict[str, JsonValue] | None)
    assert_type(alyx.json_field_delete("sessions", eid), JsonValue)
    assert_type(alyx.rel_path2url(Path("lab/Subjects")), str)
    assert_type(alyx.max_retry_attempts, int)
    assert_type(alyx.rest_cache_dir, Path | None)
    alyx.get("/sessions", clober=True)  # type: ignore[call-arg]
    assert_type(alyx.download_file("a/b.npy", clobber=True), Path)
    assert_type(alyx.download_file("a/b.npy", return_md5=True), tuple[Path, str])
    assert_type(alyx.download_file(["a/b.npy"], headers={"X": "y"}), list[Path])
    assert_type(alyx.download_file(("a/b.npy",), return_md5=True), tuple[list[Path], list[str]])
    assert_type(alyx.download_file("a/b.npy", return_md5=bool(eid)), Path | tuple[Path, str])
    alyx.download_file("a/b.npy", chunks=(0, 1))  # type: ignore[call-overload]
    datasets = alyx.rest("datasets", "list", session=str(eid))
    assert_type(dataset_record_to_url(datasets), list[str])
    assert_type(dataset_record_to_url(datasets[0]), list[str])
    assert_type(file_record_to_url(datasets[0]["file_records"]), list[str])


def test_a_misspelt_keyword_of_get_is_refused_before_any_request() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(answer)
    alyx = RestRepository(AlyxHttp("http://alyx.test", transport=transport, attempts=1))
    with pytest.raises(TypeError, match="clober"):
        alyx.get("/sessions", clober=True)  # type: ignore[call-arg]
    assert seen == []
