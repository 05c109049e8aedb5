"""HTTP plumbing: the request handler (``/v1`` to the fake, pages to ``_flows``) and the server."""

from __future__ import annotations

import contextlib
import logging
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from future_payments.testing._fake._errors import ConnectionDropped
from future_payments.testing._server._html import CONTENT_SECURITY_POLICY, Response, message_page
from future_payments.testing._server._routes import PageRequest, answer

if TYPE_CHECKING:
    from future_payments.testing._server._server import FakeServer

logger = logging.getLogger("future_payments.testing.server")

MAX_BODY = 1024 * 1024


class HTTPServer(ThreadingHTTPServer):
    """A threading server that can end its open connections, so ``stop()`` joins every thread."""

    daemon_threads = False  # joined by server_close(): nothing outlives stop()

    def __init__(self, address: tuple[str, int], owner: FakeServer, *, ipv6: bool) -> None:
        self.address_family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.owner = owner
        self._open: set[Any] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS lookup of the host (slow offline)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember the connection, then serve it in a thread."""
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget and close a finished connection."""
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def end_open_connections(self) -> None:
        """Unblock handlers still reading idle connections (e.g. a browser's preconnects)."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)


class Handler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.0, one request, then closed."""

    server: HTTPServer
    server_version = "FakeStripe"
    timeout = 30  # seconds an idle connection may hold a thread

    def do_GET(self) -> None:
        """GET: the API, the pages, the events page."""
        self._dispatch("GET")

    def do_POST(self) -> None:
        """POST: the API, or a submitted page."""
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        """DELETE: the API."""
        self._dispatch("DELETE")

    def log_message(self, format: str, *args: Any) -> None:
        """Requests go to the ``future_payments.testing.server`` logger at DEBUG, not stderr."""
        logger.debug("%s %s", self.address_string(), format % args)

    def _dispatch(self, method: str) -> None:
        try:
            body = self._body()
        except ValueError as exc:
            self._send(Response(413, message_page("Request too large", str(exc))))
            return
        path, _, query = self.path.partition("?")
        if path.startswith("/v1/"):
            self._api(method, body)
            return
        fields = dict(parse_qsl(query, keep_blank_values=True))
        if method == "POST":
            fields.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = PageRequest(method, path, fields, headers, body)
        response = answer(self.server.owner, request)
        self._send(response)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError(f"bodies over {MAX_BODY} bytes are refused")
        return self.rfile.read(length) if length > 0 else b""

    def _api(self, method: str, body: bytes) -> None:
        headers = {k: v for k, v in self.headers.items()}
        try:
            status, answer_headers, answer = self.server.owner.fake.handle_request(
                method, self.path, headers, body
            )
        except ConnectionDropped:
            logger.info("%s %s: connection dropped (fault)", method, self.path)
            self.close_connection = True
            return  # no answer at all: the client sees the connection close
        self.send_response(status)
        for name, value in answer_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        if response.location is not None:
            self.send_header("Location", response.location)
        else:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)
