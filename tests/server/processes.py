"""Running ``future-payments`` commands as real processes, and reading their output by line."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


class Command:
    """A running ``python -m future_payments ...``: its stdout and stderr lines as they come."""

    def __init__(self, args: Sequence[str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 -- our own CLI, our own arguments
            [sys.executable, "-m", "future_payments", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, self.out, True)),
            threading.Thread(target=self._read, args=(self.process.stderr, self.err, False)),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: object, into: list[str], announce: bool) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line.rstrip("\n"))
            if announce:
                self._lines.put(line.rstrip("\n"))

    def expect(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Wait for the next stdout line matching ``pattern`` (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self._lines.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError(
                    f"no line matching {pattern!r} within {timeout} s; stdout: {self.out}; "
                    f"stderr: {self.err}"
                ) from None
            match = re.search(pattern, line)
            if match is not None:
                return match

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Send ``signum``, wait for the exit, join the readers; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            code = self.process.wait(timeout=60)  # a guard against a hang, not a timing check
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            for reader in self._readers:
                reader.join()
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()
        return code


@contextmanager
def running(args: Sequence[str]) -> Iterator[Command]:
    """``Command(args)``, stopped (SIGINT) on the way out."""
    command = Command(args)
    try:
        yield command
    finally:
        command.stop()
