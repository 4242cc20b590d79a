"""The onesdk error tree: every exception and warning the library raises.

Every error names what it concerns (the argument, file, record or URL) and, where it can, what the
user can do next. Errors that stand for bad arguments also subclass the built-in a caller would
expect (``ValueError``, ``TypeError``, ``LookupError``), so ``except ValueError`` keeps working;
where one-api raises another built-in for the same call (``NotImplementedError``,
``AssertionError``), a dedicated subclass is that built-in too, so one-api's ``except`` still
catches it.

```
OneSdkError
├── ArgumentError (ValueError)              a public function got an argument it cannot use
│   ├── ArgumentTypeError (TypeError)       an argument of the wrong kind (one name for a list)
│   ├── BunchKeysError (NotImplementedError) AlfBunch.append of a bunch with other keys
│   ├── CacheDirInUse (AssertionError)      a folder already saved as a server's cache dir
│   ├── DatasetTypeMismatch                 a file name of no dataset type, or of several
│   └── UnknownTermError (TypeError)        an unknown search/filter keyword (lists valid ones)
├── AlfError                                anything about ALF names and objects (alias ALFError)
│   ├── ALFInvalid (ValueError)             a name or path that breaks the ALF grammar
│   │   └── ALFMissingExtension (TypeError)  to_alf without a file extension
│   ├── ALFObjectNotFound (LookupError)     nothing matched (says what exists)
│   ├── ALFMultipleObjectsFound             a query that should match one matched several
│   │   └── ALFDuplicateAttributes (AssertionError)  files of one object give one attribute key
│   ├── ALFMultipleCollectionsFound         the object is in several collections
│   ├── ALFMultipleRevisionsFound           several revisions match and none is pinned
│   └── SessionNumbersExhausted (AssertionError)  a date folder holds session 999 already
├── LoadError                               an ALF file exists but cannot be read as its format says
├── LockError                               a data lock (onesdk.Lock) cannot be used as asked
│   ├── LockFileError (ValueError)          a lock file that is malformed, foreign or tampered
│   └── NotLockedError (LookupError)        inside one.locked(), a request the lock does not pin
├── CacheError                              cache tables: corrupt, truncated, foreign or unsafe
│   └── CacheLockTimeout                    another process holds the cache lock for too long
├── RemoteError                             talking to Alyx or the file server
│   ├── OfflineError                        a remote operation was asked of an offline instance
│   ├── AuthenticationError                 no valid credentials, or login refused
│   ├── HTTPError                           an unexpected HTTP status (carries method, url, status)
│   └── ContractError                       a response that does not match the Alyx contract
├── DownloadError                           a file could not be fetched into the cache
│   ├── ChecksumError                       size or md5 differs from the record after a retry
│   ├── FileServerAuthError (AuthenticationError)  the file server wants credentials (HTTP 401)
│   └── UnsafePathError                     a record would write outside the session folder
├── ClusterError                            onesdk.dask: no cluster, or it went away mid-run
├── SessionError                            onesdk.dask: what failed for one session (a record)
└── SessionsFailed                          onesdk.dask: sessions failed (holds every record)

OneSdkWarning (UserWarning)
├── ALFWarning                              ALF data that loads, but not cleanly
├── AuthenticationWarning                   a login went through as another user than named
├── CacheWarning                            stale or partially unreadable cache
└── OfflineWarning                          fell back to the local cache
```

No error message ever contains a password or token: values of arguments whose name suggests a
secret are replaced by ``'***'`` by :func:`describe_value`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import ClassVar

__all__ = [
    "ALFDuplicateAttributes",
    "ALFError",
    "ALFInvalid",
    "ALFMissingExtension",
    "ALFMultipleCollectionsFound",
    "ALFMultipleObjectsFound",
    "ALFMultipleRevisionsFound",
    "ALFObjectNotFound",
    "ALFWarning",
    "AlfError",
    "ArgumentError",
    "ArgumentTypeError",
    "AuthenticationError",
    "AuthenticationWarning",
    "BunchKeysError",
    "CacheDirInUse",
    "CacheError",
    "CacheLockTimeout",
    "CacheWarning",
    "ChecksumError",
    "ClusterError",
    "ContractError",
    "DatasetTypeMismatch",
    "DownloadError",
    "FileServerAuthError",
    "HTTPError",
    "LoadError",
    "LockError",
    "LockFileError",
    "NotLockedError",
    "OfflineError",
    "OfflineWarning",
    "OneSdkError",
    "OneSdkWarning",
    "RemoteError",
    "SessionError",
    "SessionNumbersExhausted",
    "SessionsFailed",
    "TableColumnsError",
    "UnknownTableError",
    "UnknownTermError",
    "UnsafePathError",
    "describe_value",
]

_SECRET_NAMES = ("password", "token", "secret", "authorization", "key")
_MAX_REPR = 120


def describe_value(value: object, *, name: str = "") -> str:
    """A short, safe repr of ``value`` for messages: truncated; masked if ``name`` is secret."""
    if any(part in name.lower() for part in _SECRET_NAMES):
        return "'***'"
    text = repr(value)
    if len(text) > _MAX_REPR:
        text = f"{text[: _MAX_REPR - 20]}...<{len(text)} chars>"
    return text


class OneSdkError(Exception):
    """Base of every error onesdk raises on purpose."""


class ArgumentError(OneSdkError, ValueError):
    """A public function got an argument it cannot use.

    ``argument`` is the parameter name, ``expected`` says what would have been accepted;
    ``problem``, when given, leads the message with what is wrong as a whole.
    """

    def __init__(self, argument: str, value: object, expected: str, *, problem: str = "") -> None:
        self.argument = argument
        self.expected = expected
        self.problem = problem
        shown = describe_value(value, name=argument)
        lead = f"{problem}: " if problem else ""
        super().__init__(f"{lead}invalid {argument}={shown}: expected {expected}")


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong kind, such as one string where a list is expected.

    Also a ``TypeError``, which one-api raises for the same calls.
    """


class BunchKeysError(ArgumentError, NotImplementedError):
    """``AlfBunch.append`` of a bunch whose keys are not this bunch's; names both key lists.

    Also a ``NotImplementedError``, which one-api raises for the same call.
    """


class DatasetTypeMismatch(ArgumentError):
    """``alf.get_dataset_type``: the file name matches no dataset type, or more than one.

    ``filename`` is the file name that was matched; ``matches`` the names of the dataset types
    it matched (empty when none did), shown in the message with the rule that matched each.
    """

    def __init__(self, filename: str, matches: Iterable[tuple[str, str]], expected: str) -> None:
        found = tuple(matches)
        self.filename = filename
        self.matches = tuple(name for name, _ in found)
        shown = ", ".join(f"{name!r} ({rule})" for name, rule in found)
        problem = (
            f"{len(found)} dataset types match: {shown}" if found else "no dataset type matches"
        )
        super().__init__("filename", filename, expected, problem=problem)


class UnknownTermError(ArgumentError, TypeError):
    """An unknown keyword: the message lists the valid terms and the closest match."""

    def __init__(self, argument: str, valid: Iterable[str], *, context: str = "search") -> None:
        self.valid = tuple(sorted(valid))
        close = difflib.get_close_matches(argument, self.valid, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        self.argument = argument
        self.expected = f"one of {', '.join(self.valid)}"
        OneSdkError.__init__(
            self,
            f"unknown {context} term {argument!r}{hint} (valid terms: {', '.join(self.valid)})",
        )


class AlfError(OneSdkError):
    """Anything about ALF names, paths and objects. ``ALFError`` is the reference's spelling.

    onesdk raises the subclasses below, whose messages quote the input and the rule it broke.
    Built directly, as one-api's code does (``raise ALFError(value)``), a text is the message
    as it is and any other value is shown in double quotes; ``explanation`` (empty here, a
    class attribute a program may set) follows the value unless ``terse`` is true.
    """

    explanation: ClassVar[str] = ""

    def __init__(self, value: object = "", terse: bool = False) -> None:
        shown = value if isinstance(value, str) else f'"{value}" '
        if self.explanation and not terse:
            shown = f"{shown.rstrip()} {self.explanation}"
        super().__init__(shown)


ALFError = AlfError


class ALFInvalid(AlfError, ValueError):
    """A name or path that breaks the ALF grammar; quotes the input and the rule it broke."""

    def __init__(self, value: str, rule: str) -> None:
        self.value = value
        self.rule = rule
        super().__init__(f"{value!r} is not a valid ALF {rule}")


class ALFMissingExtension(ALFInvalid, TypeError):
    """``to_alf`` was given no file extension: a file name cannot be built without one.

    Also a ``TypeError``, which one-api raises for the same call.
    """


class ALFObjectNotFound(AlfError, LookupError):
    """Nothing matched the request; the message says what was asked and what exists."""


class ALFMultipleObjectsFound(AlfError):
    """A request that must match one dataset or object matched several."""


class ALFDuplicateAttributes(ALFMultipleObjectsFound, AssertionError):
    """Several files of one object give the same attribute key (``load_object(short_keys=True)``
    with two ``.extra`` parts); the message lists the files.

    Also an ``AssertionError``, which one-api raises for the same call.
    """


class ALFMultipleCollectionsFound(AlfError):
    """The requested data exist in several collections; pass ``collection=`` to choose one."""


class ALFMultipleRevisionsFound(AlfError):
    """Several revisions match and none is the default; pass ``revision=`` to choose one."""


class SessionNumbersExhausted(AlfError, AssertionError):
    """``next_num_folder`` of a date folder that holds session 999: ALF numbers have three digits.

    Also an ``AssertionError``, which one-api raises for the same call (an ``AssertionError``
    raised on purpose, so it stays under ``python -O``).
    """


class LoadError(OneSdkError):
    """An ALF file exists but cannot be read as its format says (names the file)."""


class LockError(OneSdkError):
    """A data lock (:class:`onesdk.Lock`) cannot be used as asked."""


class LockFileError(LockError, ValueError):
    """A lock file that is not valid JSON, not an onesdk lock, of an unknown schema version,
    or changed since it was written; ``entry`` names the part at fault (e.g. ``datasets[3]``)."""

    def __init__(self, source: str, entry: str, problem: str) -> None:
        self.source = source
        self.entry = entry
        self.problem = problem
        where = f" at {entry}" if entry else ""
        super().__init__(f"{source}{where}: {problem}")


class NotLockedError(LockError, LookupError):
    """Inside ``one.locked(lock)``, a session or dataset was asked for that the lock does not
    pin; lock it (``one.lock(...)``) or leave the ``locked`` block to read the current cache."""


class CacheError(OneSdkError):
    """A cache table or cache file is corrupt, truncated, foreign or unsafe (names the file)."""


class CacheLockTimeout(CacheError):
    """Another process held the cache-dir lock for longer than the timeout."""


class UnknownTableError(ArgumentError, KeyError):
    """A table name that the cache holds no table of (``alf.cache.merge_tables``).

    Also a ``KeyError``, which one-api raises for the same call.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CacheDirInUse(ArgumentError, AssertionError):
    """A folder that is already the saved cache dir of an Alyx server
    (``params.check_cache_conflict``).

    Also an ``AssertionError``, which one-api raises for the same call.
    """


class TableColumnsError(CacheError, AssertionError):
    """Records whose columns are not the table's, merged with ``strict=True``.

    Also an ``AssertionError``, which one-api raises for the same call.
    """


class RemoteError(OneSdkError):
    """Base of errors talking to Alyx or to the data file server."""


class OfflineError(RemoteError):
    """A remote operation was requested from an instance in local/offline mode."""


class AuthenticationError(RemoteError):
    """No valid credentials, or the server refused them. Never contains the secret itself."""


class HTTPError(RemoteError):
    """An HTTP status the operation cannot handle."""

    def __init__(self, method: str, url: str, status: int, detail: str = "") -> None:
        self.method = method
        self.url = url
        self.status = status
        self.detail = detail
        suffix = f": {detail}" if detail else ""
        super().__init__(f"{method} {url} returned HTTP {status}{suffix}")


class ContractError(RemoteError):
    """A server response that does not match the Alyx contract (names the URL and the field)."""


class DownloadError(OneSdkError):
    """A file could not be fetched into the cache dir."""


class ChecksumError(DownloadError):
    """The downloaded file's size or md5 differs from the record, even after one retry."""


class FileServerAuthError(DownloadError, AuthenticationError):
    """The file server answered HTTP 401: no credentials, or not these (the message says which
    settings to set, never the password)."""


class UnsafePathError(DownloadError, ValueError):
    """A record's path is absolute or escapes its session folder; the server is not trusted."""


class ClusterError(OneSdkError):
    """A Dask cluster could not run the work: none is running, or it went away mid-run."""


class SessionError(OneSdkError):
    """What failed for one session of :func:`onesdk.dask.map_sessions`: a record, returned in
    the session's place (``errors='record'``) or collected in :class:`SessionsFailed`.

    ``error_type`` is the qualified name of the exception raised on the worker, ``message`` its
    text and ``traceback`` the worker's formatted traceback (plain strings, so the record
    crosses processes whatever the exception was).
    """

    def __init__(self, eid: str, error_type: str, message: str, traceback: str = "") -> None:
        self.eid = eid
        self.error_type = error_type
        self.message = message
        self.traceback = traceback
        super().__init__(f"session {eid}: {error_type}: {message}")

    def __reduce__(self) -> tuple[type[SessionError], tuple[str, str, str, str]]:
        return (type(self), (self.eid, self.error_type, self.message, self.traceback))


class SessionsFailed(OneSdkError):
    """Some sessions of a :func:`onesdk.dask.map_sessions` run failed; every other session
    ran to the end. ``failures`` holds the record of each failed session, ``results`` the
    whole run in the order of the eids (a :class:`SessionError` where a session failed)."""

    def __init__(self, failures: Iterable[SessionError], results: list[object]) -> None:
        self.failures = tuple(failures)
        self.results = results
        first = self.failures[0] if self.failures else None
        shown = f"; first: {first}" if first is not None else ""
        super().__init__(
            f"{len(self.failures)} of {len(results)} sessions failed{shown} "
            "(the records are in .failures; errors='record' returns them in place)"
        )


class OneSdkWarning(UserWarning):
    """Base of onesdk's warnings."""


class ALFWarning(OneSdkWarning):
    """ALF data that loads, but not cleanly (e.g. attributes of unequal length)."""


class AuthenticationWarning(OneSdkWarning):
    """A login went through as another user than the one named (an API token names its owner)."""


class CacheWarning(OneSdkWarning):
    """The cache is stale or partly unreadable; results may be incomplete."""


class OfflineWarning(OneSdkWarning):
    """The server was unreachable and the local cache answered instead."""
