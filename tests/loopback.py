"""The life of a loopback test server: 127.0.0.1, a random port, a daemon thread, a time limit.

:class:`LoopbackServer` serves a request handler class and stops by itself after ``lifetime``
seconds even when a test forgets it; :func:`running` starts one for a ``with`` block. The test
servers that answer in their own ways (:mod:`tests.reliability._hostile`,
:mod:`tests.remote._token_server`) are built on it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self, TypeVar

__all__ = ["LoopbackServer", "QuietServer", "running"]


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that stays quiet when a client hangs up (a timeout, a closed
    keep-alive connection, a download given up after a refusal) and reports anything else."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class LoopbackServer:
    """Serves ``handler`` on 127.0.0.1 at a random port until :meth:`stop` or ``lifetime``."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        lifetime: float,
        poll_interval: float = 0.5,
    ) -> None:
        self._httpd = QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()


Server = TypeVar("Server", bound=LoopbackServer)


@contextmanager
def running(server: Server) -> Iterator[Server]:
    """``server`` started, and stopped when the block ends."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
