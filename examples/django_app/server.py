"""A threaded wsgiref server for the example (``runserver`` would need a settings module)."""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import WSGIApplication


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per connection: the browser and the webhook forwarder at once.

    ``server_close`` ends the connections still open (a browser keeps idle ones around) and
    joins their threads, so stopping is prompt and leaves nothing running.
    """

    daemon_threads = False
    block_on_close = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        super().server_close()


class QuietHandler(WSGIRequestHandler):
    """Logs each request on one line, like ``runserver``; quiet when ``verbose`` is off."""

    verbose = True

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            super().log_message(format, *args)


def make_wsgi_server(
    host: str, port: int, app: WSGIApplication, *, verbose: bool = True
) -> ThreadingWSGIServer:
    """A server bound to ``host:port`` (port 0: any free port), not started yet."""
    handler = type("Handler", (QuietHandler,), {"verbose": verbose})
    server = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=handler)
    assert isinstance(server, ThreadingWSGIServer)
    return server
