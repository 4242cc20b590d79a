"""Secret-free logging: every onesdk logger redacts tokens, passwords and Authorization headers.

The filter is installed on import, on the ``onesdk`` logger and on each logger obtained from
:func:`get_logger`, and on the HTTP libraries' loggers (``httpx``, ``httpcore``), so a secret is
redacted by construction rather than by each call site remembering to. Two layers work together:

* patterns: ``Authorization: Token ...``, ``password=...``, ``"token": "..."`` and the like;
* known values: :func:`register_secret` adds a literal secret (the token just obtained, the
  password just used) that is masked wherever it appears, whatever the surrounding text.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

__all__ = ["MASK", "RedactingFilter", "get_logger", "redact", "register_secret"]

MASK = "***"
# Shorter values are not masked literally: they would blank out ordinary words.
_MIN_SECRET_LENGTH = 4

_PATTERNS = (
    # Authorization headers in any spelling: "Authorization: Token abc", "'authorization': 'x'"
    re.compile(
        r"(?P<head>authorization['\"]?\s*[:=]\s*['\"]?(?:token|bearer|basic)?\s*)"
        r"(?P<secret>[^\s'\",}]+)",
        re.IGNORECASE,
    ),
    # a bare "Token abc123" scheme value
    re.compile(r"(?P<head>\b(?:Token|Bearer)\s+)(?P<secret>[A-Za-z0-9._~+/=-]{8,})"),
    # the password of a URL's user:password@ part (a file server given with credentials)
    re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^/\s:@]*:)(?P<secret>[^@/\s]+)(?=@)", re.IGNORECASE),
    # key=value and "key": "value" forms of secret-named keys, query parameters of signed URLs
    # included (access_token=, X-Amz-Signature=, X-Amz-Security-Token=, sig=)
    re.compile(
        r"(?P<head>(?<![\w-])(?:[\w-]*?(?:password|passwd|pwd|token|secret|signature|api_?key)"
        r"|sig|x-amz-credential)['\"]?\s*[:=]\s*['\"]?)"
        r"(?P<secret>[^\s'\",&}]+)",
        re.IGNORECASE,
    ),
)

_known: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Mask ``value`` literally in every onesdk log record from now on."""
    if len(value) >= _MIN_SECRET_LENGTH:
        with _known_lock:
            _known.add(value)


def redact(text: str) -> str:
    """``text`` with every known secret and every secret-looking key/value masked."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group('head')}{MASK}", text)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message with its arguments, then masks secrets; never drops one.

    Rendering first means a secret split between the format string and its arguments (e.g.
    ``log("password=%s", pw)``) is still caught, and masking cannot break ``%`` placeholders.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_onesdk_redacted", False):
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Render the traceback now, redacted, instead of letting the handler format it raw.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        record._onesdk_redacted = True
        return True


_FILTER = RedactingFilter()


def _install(logger: logging.Logger) -> logging.Logger:
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


def get_logger(name: str) -> logging.Logger:
    """The logger ``name`` (below ``onesdk``) with the redacting filter installed."""
    if name != "onesdk" and not name.startswith("onesdk."):
        name = f"onesdk.{name}"
    return _install(logging.getLogger(name))


_REDACTED_LOGGERS = ("onesdk", "httpx", "httpcore")


def _covered(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in _REDACTED_LOGGERS)


def _install_record_factory() -> None:
    """Redact records of every logger below ``onesdk`` (and the HTTP libraries) at creation.

    Logger filters do not apply to records propagated from child loggers, so a module that calls
    ``logging.getLogger("onesdk.x")`` directly would escape them; the record factory does not.
    The previous factory is kept and called first, so other libraries' factories still work.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_onesdk_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _covered(record.name):
            _FILTER.filter(record)
        return record

    factory._onesdk_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


for _name in _REDACTED_LOGGERS:
    _install(logging.getLogger(_name))
_install_record_factory()
