"""A loopback stand-in for what an API-token login touches on Alyx: ``/me`` and one list.

The recorded corpus has no ``/me``, so the token tests serve it here. The server knows a set of
tokens and their owners; ``/me`` answers as :attr:`TokenServer.me` says (``'json'``: Alyx 3's
record naming the owner; ``'html'``: the web page older servers show; ``'404'``: no such page)
and refuses an unknown token with 401, as Alyx does. ``GET /subjects`` answers an empty list to
a known token and 401 otherwise, so a test can see which token later requests carry.

It binds 127.0.0.1 on a random port, answers at most ``max_requests`` requests and stops by
itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Final, Literal

from tests.loopback import LoopbackServer, running

__all__ = ["Request", "TokenServer", "token_server"]

MeAnswer = Literal["json", "html", "404"]
_LIFETIME: Final = 60.0
_MAX_REQUESTS: Final = 200


@dataclasses.dataclass(frozen=True)
class Request:
    """A request as received: method, path (query dropped) and its Authorization header."""

    method: str
    path: str
    authorization: str | None


class TokenServer(LoopbackServer):
    """An Alyx stand-in that knows ``tokens`` (token -> owner's user name)."""

    def __init__(
        self,
        tokens: Mapping[str, str],
        *,
        me: MeAnswer = "json",
        max_requests: int = _MAX_REQUESTS,
        lifetime: float = _LIFETIME,
    ) -> None:
        self.tokens = dict(tokens)
        self.me: MeAnswer = me
        self.max_requests = max_requests
        self.seen: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10.0

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                status, kind, body = server._answer(self)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        super().__init__(Handler, lifetime=lifetime, poll_interval=0.05)

    def paths(self) -> list[str]:
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.seen]

    def _answer(self, handler: BaseHTTPRequestHandler) -> tuple[int, str, bytes]:
        path = handler.path.split("?", 1)[0]
        authorization = handler.headers.get("Authorization")
        with self._lock:
            self.seen.append(Request(handler.command, path, authorization))
            if len(self.seen) > self.max_requests:
                threading.Thread(target=self.stop, daemon=True).start()
                return _json(503, {"detail": "test server: too many requests"})
        owner = self._owner(authorization)
        if path.rstrip("/") == "/me":
            if self.me == "404":
                return _json(404, {"detail": "Not found."})
            if owner is None:
                return _json(401, {"detail": "Invalid token."})
            if self.me == "html":
                page = f"<html><body>Your token, {owner}</body></html>".encode()
                return 200, "text/html; charset=utf-8", page
            return _json(200, {"username": owner, "email": f"{owner}@example.org"})
        if path.rstrip("/") == "/subjects":
            if owner is None:
                return _json(401, {"detail": "Invalid token."})
            return _json(200, [])
        return _json(404, {"detail": "Not found."})

    def _owner(self, authorization: str | None) -> str | None:
        scheme, _, token = (authorization or "").partition(" ")
        return self.tokens.get(token) if scheme == "Token" else None


def _json(status: int, body: object) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(body).encode()


@contextmanager
def token_server(tokens: Mapping[str, str], *, me: MeAnswer = "json") -> Iterator[TokenServer]:
    """A started :class:`TokenServer`, stopped when the block ends."""
    with running(TokenServer(tokens, me=me)) as server:
        yield server
