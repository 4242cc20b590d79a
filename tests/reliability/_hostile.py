"""A small hostile HTTP server on loopback: it answers whatever a test tells it to.

Each request is recorded (method, path, headers, body) and handed to the test's ``answer``
function, which returns an :class:`Answer`: any status and headers, a body sent at once or
dripped piece by piece. Tests build redirecting, dripping, bombing, lying and echoing servers
from it. The server binds 127.0.0.1 on a random port, serves from a daemon thread and stops by
itself after ``lifetime`` seconds even if a test forgets it.
"""

from __future__ import annotations

import dataclasses
import http.server
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Final

from tests.loopback import LoopbackServer, running

__all__ = ["Answer", "HostileServer", "Seen", "hostile_server"]

_LIFETIME: Final = 120.0


@dataclasses.dataclass(frozen=True)
class Seen:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def mentions(self, secret: str) -> bool:
        """Whether ``secret`` appears anywhere in the request line, headers or body."""
        raw = f"{self.method} {self.path}\n" + "\n".join(
            f"{k}: {v}" for k, v in self.headers.items()
        )
        return secret in raw or secret.encode() in self.body


@dataclasses.dataclass(frozen=True)
class Answer:
    """What to send back: a status, headers and a body (or pieces, each after a pause)."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    drip: Iterable[tuple[float, bytes]] | None = None  # (pause before, piece)
    length: int | None = None  # a Content-Length to announce instead of the real one


class HostileServer(LoopbackServer):
    """A loopback HTTP server whose every answer comes from ``answer(seen)``."""

    def __init__(self, answer: Callable[[Seen], Answer], *, lifetime: float = _LIFETIME) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _handle(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(min(size, 1 << 20)) if size else b""
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                with server._lock:
                    server.seen.append(seen)
                reply = server.answer(seen)
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            def _send(self, reply: Answer) -> None:
                self.send_response(reply.status)
                names = {k.lower() for k, _ in reply.headers}
                for key, value in reply.headers:
                    self.send_header(key, value)
                if "content-length" not in names:
                    length = reply.length
                    if length is None:
                        length = len(reply.body) if reply.drip is None else None
                    if length is not None:
                        self.send_header("Content-Length", str(length))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                self.end_headers()
                if reply.drip is None:
                    self.wfile.write(reply.body)
                    return
                for pause, piece in reply.drip:
                    time.sleep(pause)
                    self.wfile.write(piece)
                    self.wfile.flush()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815

        super().__init__(Handler, lifetime=lifetime)

    def requests_mentioning(self, secret: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.mentions(secret)]


@contextmanager
def hostile_server(answer: Callable[[Seen], Answer]) -> Iterator[HostileServer]:
    """A started :class:`HostileServer`, stopped when the block ends."""
    with running(HostileServer(answer)) as server:
        yield server


def json_answer(text: str, status: int = 200) -> Answer:
    """A JSON body with its content type."""
    return Answer(status, (("Content-Type", "application/json"),), text.encode())
