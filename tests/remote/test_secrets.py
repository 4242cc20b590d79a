"""Secrets end to end: a whole remote session at DEBUG leaves no token or password anywhere."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import pytest

from onesdk._http._auth import Credentials, TokenAuth
from onesdk._http._rest_cache import RestCache
from onesdk._remote._rest import AlyxHttp, RestRepository, session_query
from onesdk._settings import FileTokenStore, Secret
from onesdk._store._download import Downloader, DownloadTask, remove_uuid_from_name
from onesdk.errors import AuthenticationError, HTTPError
from tests.replay.fixtures import leaked_secrets
from tests.replay.server import ReplayServer

FILE = (
    "cortexlab/Subjects/KS051/2023-01-10/003/alf/"
    "_ibl_trials.table.089602de-918a-4d4f-85ae-e05146f439fa.pqt"
)


def test_scan_finds_a_leak_and_spares_private_token_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("token is s3cret-token-value")
    token_file = tmp_path / "home" / ".config" / "onesdk" / "alyx" / "x.token"
    token_file.parent.mkdir(parents=True)
    token_file.write_text("s3cret-token-value")
    os.chmod(token_file, 0o600)
    assert leaked_secrets(tmp_path, ("s3cret-token-value",)) == ["notes.txt"]
    os.chmod(token_file, 0o644)
    assert len(leaked_secrets(tmp_path, ("s3cret-token-value",))) == 2


def test_full_remote_session_keeps_secrets_out_of_logs_errors_and_files(
    replay: ReplayServer,
    shared_alyx: Path,
    config_home: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    auth = TokenAuth(
        replay.alyx_url, Credentials("root", Secret(replay.password)), store=FileTokenStore()
    )
    repo = RestRepository(AlyxHttp(replay.alyx_url, auth=auth, rest_cache=RestCache(tmp_path)))
    texts: list[str] = []
    repo.search_sessions(session_query({"subject": "KS051"})).raw()
    repo.search_sessions(session_query({"subject": "KS051"})).raw()  # from the REST cache
    first_token = replay.token
    replay.rotate_token()
    repo.session("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    with pytest.raises(HTTPError) as missing:
        repo.session("00000000-0000-4000-8000-000000000000")
    texts += [str(missing.value), repr(missing.value), repr(repo), repr(auth), repr(repo.http)]
    data = (shared_alyx / "files" / FILE).read_bytes()
    task = DownloadTask(
        replay.file_url(FILE),
        tmp_path / "data" / remove_uuid_from_name(FILE),
        len(data),
        hashlib.md5(data).hexdigest(),
    )
    with Downloader(silent=True) as dl:
        dl.fetch(task)
    wrong = TokenAuth(replay.alyx_url, Credentials("root", Secret("wrong-password-123")))
    wrong.logout()
    with (
        RestRepository(AlyxHttp(replay.alyx_url, auth=wrong)) as refusing,
        pytest.raises(AuthenticationError) as refused,
    ):
        refusing.session("3f8dcdc3-ee4b-4b5f-be63-3c25880b4b80")
    texts += [str(refused.value), repr(wrong)]
    repo.http.close()
    assert caplog.records
    everything = caplog.text + "\n".join(texts)
    for secret in (first_token, replay.token, replay.password, "wrong-password-123"):
        assert secret not in everything
    assert leaked_secrets(tmp_path, (first_token, replay.token, replay.password)) == []
