"""The redacting log filter: secrets never reach a log line, whatever the logger or the form."""

from __future__ import annotations

import logging

import pytest

from onesdk._log import MASK, get_logger, redact, register_secret


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Token abcdef0123456789", "abcdef0123456789"),
        ("{'authorization': 'Token abcdef0123456789'}", "abcdef0123456789"),
        ('{"Authorization": "Bearer zz-top-secret-zz"}', "zz-top-secret-zz"),
        ("POST /auth-token username=root&password=hunter2&x=1", "hunter2"),
        ('{"username": "root", "password": "hunter2"}', "hunter2"),
        ('{"token": "0123456789abcdef"}', "0123456789abcdef"),
        ("used token=0123456789abcdef for the call", "0123456789abcdef"),
        ("header Token 0123456789abcdef sent", "0123456789abcdef"),
        ("GET https://files.org/a.npy?access_token=0123456789abcdef&x=1", "0123456789abcdef"),
        ("https://b.s3.amazonaws.com/k?X-Amz-Signature=5f3a9c0d11&X-Amz-Expires=60", "5f3a9c0d11"),
        ("https://b.s3.amazonaws.com/k?X-Amz-Security-Token=FwoGZXIvY&a=1", "FwoGZXIvY"),
        ("https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLE%2F2024", "AKIAEXAMPLE"),
        ("https://acct.blob.core.windows.net/c/f?sv=2022&sig=Zm9vYmFy%3D", "Zm9vYmFy"),
        ('{"client_secret": "cs-0123456789"}', "cs-0123456789"),
    ],
)
def test_secret_shaped_values_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert MASK in out


def test_registered_secret_is_masked_anywhere() -> None:
    register_secret("pa55-w0rd-in-the-middle")
    assert redact("xx pa55-w0rd-in-the-middle yy") == f"xx {MASK} yy"


@pytest.mark.parametrize(
    "text",
    [
        "GET /sessions?subject=KS051 returned 7 sessions",
        "tokens=5 signatures=2 design=ok signal=3 keys=4",
        "GET /datasets?dataset_type=spikes.times&session=x",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_every_onesdk_logger_redacts_even_a_plain_child(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cr3t-value-for-the-child-logger"
    plain_child = logging.getLogger("onesdk.some.module")  # not obtained from get_logger
    plain_child.debug("password=%s", secret)
    get_logger("onesdk.other").info("headers %s", {"Authorization": f"Token {secret}"})
    logging.getLogger("onesdk").warning("login as %s with password: %s", "root", secret)
    assert len(caplog.records) == 3
    assert secret not in caplog.text


def test_exception_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "traceback-secret-0123456789"
    register_secret(secret)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        get_logger("onesdk.x").exception("boom")
    assert "boom" in caplog.text
    assert "RuntimeError" in caplog.text
    assert secret not in caplog.text


def test_other_loggers_are_untouched(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("someone.else").info("password=visible")
    assert "password=visible" in caplog.text


def test_importing_onesdk_alone_installs_the_redaction() -> None:
    import subprocess
    import sys

    code = (
        "import logging, onesdk; logging.basicConfig();"
        "logging.getLogger('onesdk.any').warning('password=%s', 'plain-secret-123')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "password=***" in done.stderr
    assert "plain-secret-123" not in done.stderr


def test_urls_in_messages_lose_their_credentials_and_signed_query_values() -> None:
    from onesdk._http._runtime import public_url

    shown = public_url(
        "https://me:pa55word@files.org/a.npy?X-Amz-Signature=5f3a9c0d11&X-Amz-Expires=60"
    )
    assert "pa55word" not in shown
    assert "5f3a9c0d11" not in shown
    assert shown.startswith("https://files.org/a.npy?X-Amz-Signature=")
    assert shown.endswith("&X-Amz-Expires=60")
