"""A TCP forwarder in front of a database server, that a test can take down and bring back.

``Forwarder(host, port)`` listens on a free loopback port and pipes every connection to the
server. ``stop()`` closes the listening socket and every piped connection (the server went
away); ``start()`` listens again on the same port (the server came back).
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Forwarder:
    """Pipes loopback connections to ``host:port`` until stopped."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.port = 0
        self.round_trips = 0  # client requests that followed a server answer, all connections
        self.start()

    def start(self) -> None:
        """Listen (again) on ``self.port`` (a free port the first time)."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut every open one, as a server that went away."""
        with self._lock:
            doomed, self._sockets = self._sockets, []
            listener, self._listener = self._listener, None
        for s in [*doomed, *([listener] if listener else [])]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                server = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            turn = ["server"]  # who spoke last on this connection
            for source, sink, side in ((client, server, "client"), (server, client, "server")):
                args = (source, sink, side, turn)
                threading.Thread(target=self._pipe, args=args, daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, side: str, turn: list[str]) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                # Set before forwarding: the client can only speak again once it has the answer.
                with self._lock:
                    if side == "client" and turn[0] == "server":
                        self.round_trips += 1
                    turn[0] = side
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)
