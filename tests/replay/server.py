"""A loopback HTTP server that replays recorded Alyx exchanges and serves the data file tree.

Two threaded servers bind ``127.0.0.1`` on random ports: one answers for ``http://alyx.test``
from the recorded exchanges (matched by method, path, sorted query, and the caller's credentials),
the other for ``http://files.test`` from the file tree (with HTTP Range support). Every recorded
host name in a response is rewritten to the loopback URL of its server.

A request with no recording is answered 599 and remembered in :attr:`ReplayServer.unmatched`;
the pytest fixture fails the test when that list is not empty, so the client cannot drift from
what a real Alyx answers.

Credentials: recorded tokens and passwords are redacted. The server accepts ``password`` for any
recorded user and hands out ``token`` (both configurable, so a test can grep its own output for
them); a request carrying another token is answered with the recorded 403 for a bad token, one
without a token with the recorded 403 for no token. :meth:`ReplayServer.rotate_token` makes the
current token stale, as when it expires on the server.

The servers are bounded: they stop after ``max_requests`` requests or ``lifetime`` seconds,
whichever comes first, and per-connection socket timeouts keep a stuck client from holding them.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import hashlib
import json
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.loopback import QuietServer
from tests.replay import faults as f
from tests.replay.records import RecordStore

ALYX_HOST = "http://alyx.test"
FILES_HOST = "http://files.test"
RECORDED_TOKEN = "TOKEN-REDACTED"
RECORDED_PASSWORD = "PASSWORD-REDACTED"
UNMATCHED_STATUS = 599
# headers the server recomputes or that describe the recorded transport, not the content
_HOP_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

QueryKey = tuple[tuple[str, str], ...]


def query_key(query: Mapping[str, str | list[str]]) -> QueryKey:
    """A recorded or received query as sorted (name, value) pairs, repeated names expanded."""
    pairs: list[tuple[str, str]] = []
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        pairs.extend((name, str(v)) for v in values)
    return tuple(sorted(pairs))


@dataclasses.dataclass(frozen=True)
class Exchange:
    """One recorded request/response pair, as stored in the corpus."""

    id: str
    method: str
    path: str
    query: QueryKey
    auth: str
    request_body: Any
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body_encoding: str
    body: Any

    @classmethod
    def load(cls, path: Path) -> Exchange:
        raw = json.loads(path.read_text(encoding="utf-8"))
        request, response = raw["request"], raw["response"]
        return cls(
            id=raw["id"],
            method=request["method"],
            path=request["path"],
            query=query_key(request["query"]),
            auth=raw["auth"],
            request_body=request["body"],
            status=response["status"],
            reason=response["reason"],
            headers=tuple(response["headers"].items()),
            body_encoding=response["body_encoding"],
            body=response["body"],
        )


@dataclasses.dataclass(frozen=True)
class Seen:
    """A request the server received, and how it answered (for assertions in tests)."""

    host: str
    method: str
    path: str
    query: QueryKey
    headers: tuple[tuple[str, str], ...]
    status: int
    exchange: str | None
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class _Recordings:
    """The Alyx exchanges, indexed by (method, path, query)."""

    def __init__(self, exchanges_dir: Path) -> None:
        index = json.loads((exchanges_dir / "index.json").read_text(encoding="utf-8"))
        self.by_key: dict[tuple[str, str, QueryKey], list[Exchange]] = {}
        self.rejections: dict[str, Exchange] = {}
        for entry in index:
            if entry["host"] != ALYX_HOST:
                continue
            exchange = Exchange.load(exchanges_dir / entry["file"])
            key = (exchange.method, urllib.parse.unquote(exchange.path), exchange.query)
            self.by_key.setdefault(key, []).append(exchange)
            if exchange.status == 403 and exchange.auth != "valid-token":
                self.rejections.setdefault(exchange.auth, exchange)
        self.users = {
            str(e.request_body["username"])
            for key, found in self.by_key.items()
            if key[:2] == ("POST", "/auth-token")
            for e in found
            if e.status == 200
        }


@functools.cache
def _recordings(exchanges_dir: Path) -> _Recordings:
    """The corpus is read once per test session: it is immutable, and parsing it is slow."""
    return _Recordings(exchanges_dir)


class ReplayServer:
    """The Alyx replay server and the file server, started together.

    Use as a context manager or through the ``replay`` pytest fixture. ``alyx_url`` and
    ``files_url`` are what the client is configured with instead of the recorded hosts.
    """

    def __init__(
        self,
        corpus: Path,
        *,
        token: str | None = None,
        password: str | None = None,
        max_requests: int = 20_000,
        lifetime: float = 600.0,
        socket_timeout: float = 20.0,
    ) -> None:
        self.corpus = corpus
        self.files_root = corpus / "files"
        self._recordings = _recordings(corpus / "exchanges")
        self.token = token or f"tok-{secrets.token_hex(16)}"
        self.password = password or f"pw-{secrets.token_hex(12)}"
        self.max_requests = max_requests
        self.lifetime = lifetime
        self.socket_timeout = socket_timeout
        self.faults = f.FaultPlan()
        #: records answered from memory, writes included (see tests/replay/records.py)
        self.records = RecordStore()
        self.seen: list[Seen] = []
        self.unmatched: list[str] = []
        self.allow_unmatched = False
        self.stale_tokens: set[str] = set()
        self._lock = threading.Lock()
        self._count = 0
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self._timer: threading.Timer | None = None
        self.alyx_url = ""
        self.files_url = ""

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> ReplayServer:
        for role in ("alyx", "files"):
            server = _Server(("127.0.0.1", 0), _Handler, self, role)
            self._servers[role] = server
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self.alyx_url = _url(self._servers["alyx"])
        self.files_url = _url(self._servers["files"])
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # test helpers ------------------------------------------------------------------------
    def rotate_token(self) -> str:
        """Make the current token stale (as if it expired) and issue a new one on next login."""
        with self._lock:
            self.stale_tokens.add(self.token)
            self.token = f"tok-{secrets.token_hex(16)}"
            return self.token

    def requests_to(self, path: str, host: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.path == path and (host is None or s.host == host)]

    def file_url(self, rel: str) -> str:
        return f"{self.files_url}/{urllib.parse.quote(rel)}"

    def rewrite(self, text: str) -> str:
        return text.replace(ALYX_HOST, self.alyx_url).replace(FILES_HOST, self.files_url)

    # request handling ---------------------------------------------------------------------
    def count_request(self) -> bool:
        """Count one request; False (and stop soon) once the bound is reached."""
        with self._lock:
            self._count += 1
            over = self._count > self.max_requests
        if over:
            threading.Thread(target=self.stop, daemon=True).start()
        return not over

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)
            if seen.status == UNMATCHED_STATUS:
                query = urllib.parse.urlencode(seen.query)
                self.unmatched.append(
                    f"{seen.method} {seen.host}{seen.path}{'?' + query if query else ''}"
                )

    def auth_class(self, authorization: str | None) -> str:
        if not authorization:
            return "none"
        with self._lock:
            valid = authorization == f"Token {self.token}"
        return "valid-token" if valid else "invalid-token"

    def match(
        self, method: str, path: str, query: QueryKey, auth: str, form: Mapping[str, str]
    ) -> Exchange | None:
        candidates = self._recordings.by_key.get((method, path, query), [])
        if not candidates:
            return None
        if path == "/auth-token" and method == "POST":
            ok = (
                form.get("username") in self._recordings.users
                and form.get("password") == self.password
            )
            for exchange in candidates:
                user_ok = exchange.request_body.get("username") == form.get("username")
                if ok and exchange.status == 200 and user_ok:
                    return exchange
                if not ok and exchange.status == 400:
                    return exchange
            return None
        same_auth = [e for e in candidates if e.auth == auth]
        if same_auth:
            return same_auth[0]
        if auth != "valid-token":
            return self._recordings.rejections.get(auth)
        return None

    def render(self, exchange: Exchange) -> tuple[int, str, list[tuple[str, str]], bytes]:
        """The status, reason, headers and body to send for a recording, hosts rewritten."""
        if exchange.body_encoding == "json":
            text = json.dumps(exchange.body)
            text = text.replace(RECORDED_TOKEN, self.token)
            body = self.rewrite(text).encode()
        elif exchange.body_encoding in ("text",):
            body = self.rewrite(str(exchange.body)).encode()
        elif exchange.body_encoding == "base64":
            body = base64.b64decode(exchange.body)
        else:
            body = b""
        headers = [
            (k, self.rewrite(v)) for k, v in exchange.headers if k.lower() not in _HOP_HEADERS
        ]
        return exchange.status, exchange.reason, headers, body

    def file_path(self, path: str) -> Path | None:
        rel = path.lstrip("/")
        target = (self.files_root / rel).resolve()
        root = self.files_root.resolve()
        if root not in target.parents or not target.is_file():
            return None
        return target


def _url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


class _Server(QuietServer):
    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        replay: ReplayServer,
        role: str,
    ) -> None:
        super().__init__(address, handler)
        self.replay = replay
        self.role = role


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # as production servers do: without TCP_NODELAY the body written after the headers waits
    # for the client's delayed ACK (about 40 ms per response on loopback)
    disable_nagle_algorithm = True
    server: _Server

    _pending: Seen | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.replay.socket_timeout)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the server's log is :attr:`ReplayServer.seen`."""

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_OPTIONS(self) -> None:
        self._handle()

    # ------------------------------------------------------------------------------------
    def _handle(self) -> None:
        replay = self.server.replay
        if not replay.count_request():
            self._send(503, "Service Unavailable", [], b"replay server request bound reached")
            return
        split = urllib.parse.urlsplit(self.path)
        query = query_key(
            {k: v if len(v) > 1 else v[0] for k, v in urllib.parse.parse_qs(split.query).items()}
        )
        length = int(self.headers.get("content-length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        role = self.server.role
        path = urllib.parse.unquote(split.path)
        fault = replay.faults.take(role, path)
        self._pending = Seen(
            host=role,
            method=self.command,
            path=path,
            query=query,
            headers=tuple(self.headers.items()),
            status=0,
            exchange=None,
            body=raw_body,
        )
        try:
            if role == "alyx":
                self._alyx(path, query, raw_body, fault)
            else:
                self._files(path, fault)
        except OSError:
            # the client gave up (timeout, reset): nothing more to answer
            self.close_connection = True
        if self._pending is not None:  # nothing was sent
            replay.record(self._pending)

    def _alyx(
        self, path: str, query: QueryKey, raw_body: bytes, fault: f.Fault | None
    ) -> tuple[int, str | None]:
        replay = self.server.replay
        if isinstance(fault, f.Status):
            self._send(fault.status, "Injected", list(fault.headers), fault.body)
            return fault.status, None
        if isinstance(fault, f.Delay):
            time.sleep(fault.seconds)
        form: dict[str, str] = {}
        ctype = self.headers.get("content-type", "")
        if raw_body and "json" in ctype:
            loaded = json.loads(raw_body)
            form = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
        elif raw_body:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(raw_body.decode()).items()}
        auth = replay.auth_class(self.headers.get("authorization"))
        stored = (
            replay.records.answer(self.command, path, query, raw_body)
            if auth == "valid-token"
            else None
        )
        if stored is not None:
            headers = [("content-type", "application/json")] if stored[1] else []
            self._send(stored[0], "Stored", headers, stored[1])
            return stored[0], None
        exchange = replay.match(self.command, path, query, auth, form)
        if exchange is None:
            body = f"no recording for {self.command} {path} {dict(query)} ({auth})".encode()
            self._send(UNMATCHED_STATUS, "No Recording", [], body)
            return UNMATCHED_STATUS, None
        status, reason, headers, body = replay.render(exchange)
        if self._pending is not None:
            self._pending = dataclasses.replace(self._pending, exchange=exchange.id)
        self._send_body(status, reason, headers, body, fault)
        return status, exchange.id

    def _files(self, path: str, fault: f.Fault | None) -> tuple[int, str | None]:
        replay = self.server.replay
        if isinstance(fault, f.Status):
            self._send(fault.status, "Injected", list(fault.headers), fault.body)
            return fault.status, None
        if isinstance(fault, f.Delay):
            time.sleep(fault.seconds)
        target = replay.file_path(path)
        if target is None:
            self._send(UNMATCHED_STATUS, "No Such File", [], f"no file {path}".encode())
            return UNMATCHED_STATUS, None
        data = target.read_bytes()
        headers = [
            ("content-type", "application/octet-stream"),
            ("accept-ranges", "bytes"),
            ("etag", f'"{hashlib.md5(data).hexdigest()}"'),
        ]
        start = _range_start(self.headers.get("range"))
        if start is not None and not isinstance(fault, f.IgnoreRange):
            if start >= len(data):
                headers.append(("content-range", f"bytes */{len(data)}"))
                self._send(416, "Range Not Satisfiable", headers, b"")
                return 416, None
            headers.append(("content-range", f"bytes {start}-{len(data) - 1}/{len(data)}"))
            self._send_body(206, "Partial Content", headers, data[start:], fault)
            return 206, None
        self._send_body(200, "OK", headers, data, fault)
        return 200, None

    def _send_body(
        self,
        status: int,
        reason: str,
        headers: list[tuple[str, str]],
        body: bytes,
        fault: f.Fault | None,
    ) -> None:
        if isinstance(fault, f.Corrupt) and body:
            at = min(fault.offset, len(body) - 1)
            body = body[:at] + bytes([body[at] ^ 0xFF]) + body[at + 1 :]
        if isinstance(fault, f.Truncate):
            body = body[: fault.nbytes]
        if isinstance(fault, f.DropAfter):
            self._send_head(status, reason, headers, len(body))
            self.wfile.write(body[: fault.nbytes])
            self.wfile.flush()
            self._drop()
            return
        if isinstance(fault, f.Trickle):
            self._send_head(status, reason, headers, len(body))
            for piece in _chunks(body, fault.chunk):
                try:
                    self.wfile.write(piece)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True
                    return
                time.sleep(fault.pause)
            return
        self._send(status, reason, headers, body)

    def _send_head(
        self, status: int, reason: str, headers: list[tuple[str, str]], length: int
    ) -> None:
        if self._pending is not None:
            self.server.replay.record(dataclasses.replace(self._pending, status=status))
            self._pending = None
        self.send_response(status, reason)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("content-length", str(length))
        self.end_headers()

    def _send(self, status: int, reason: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self._send_head(status, reason, headers, len(body))
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), max(size, 1)):
        yield data[start : start + size]


def _range_start(header: str | None) -> int | None:
    """The first byte of a ``bytes=N-`` Range header; None without (or with another) Range."""
    if not header or not header.startswith("bytes="):
        return None
    spec = header[len("bytes=") :].split(",")[0].strip()
    first, _, _last = spec.partition("-")
    return int(first) if first.isdigit() else None
