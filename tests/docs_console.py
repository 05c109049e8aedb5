"""The ```console blocks of the docs, run: each ``$ command`` against a fake, its output compared.

A block holds commands (``$ `` lines, continued by a trailing backslash) each followed by the
output it prints. The commands of one page run in order, in one shell sandbox: a running
``FakeServer`` that ``http://127.0.0.1:12111`` (and ``$FUTURE_PAYMENTS_API_BASE``) stands for,
an app at ``http://127.0.0.1:8000`` that verifies Stripe signatures made with ``whsec_test``,
a temporary working directory, and ``future-payments`` on ``PATH``.

Outputs are compared after ids, times and random secrets are masked; an output line
``...`` matches any number of lines. ``python -m tests.docs_console docs/cli.md`` rewrites the
outputs that no longer match with what the commands print now (``--all``: every output), so
the pages show real output, never typed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs

from future_payments.testing import FakeServer, FakeStripe
from future_payments.webhooks import verify_signature
from tests.test_docs_examples import blocks

API_BASE = "http://127.0.0.1:12111"
APP = "http://127.0.0.1:8000"
APP_SECRET = "whsec_test"  # the docs' example endpoint secret
_MASKS = [
    (re.compile(r"\b(cus|pm|cs_test|seti|pi|ch|re|evt|req|py|pyr)_[A-Za-z0-9]{6,}"), r"\1_…"),
    (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "<time>"),
    (re.compile(r"whsec_(?!test\b)[A-Za-z0-9]+"), "whsec_…"),
    (re.compile(r'"(created|expires_at|time)": \d+'), r'"\1": …'),
    (re.compile(r"\s+$"), ""),
]


@attrs.frozen
class Step:
    """One ``$ command`` of a page and the output the page shows for it."""

    line: int
    command: str
    expected: tuple[str, ...]


def steps(page: Path) -> list[Step]:
    """The commands of every ```console block of ``page``, in order."""
    found: list[Step] = []
    for start, code in blocks(page, "console"):
        lines = code.rstrip("\n").split("\n")
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                raise ValueError(f"{page}:{start + index}: a console block starts with '$ '")
            first = index
            command = [lines[index][2:]]
            while command[-1].endswith("\\") and index + 1 < len(lines):
                index += 1
                command.append(lines[index])
            index += 1
            output = []
            while index < len(lines) and not lines[index].startswith("$ "):
                output.append(lines[index])
                index += 1
            found.append(Step(start + first, "\n".join(command), tuple(output)))
    return found


def mask(lines: list[str] | tuple[str, ...]) -> list[str]:
    """The lines with ids, times and random secrets masked."""
    masked = []
    for line in lines:
        for pattern, replacement in _MASKS:
            line = pattern.sub(replacement, line)
        masked.append(line)
    return masked


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where a ``...`` line stands for any lines."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


class _App(BaseHTTPRequestHandler):
    """The docs' webhook endpoint: 200 when the Stripe-Signature verifies, else 400."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            verify_signature(body, self.headers.get("Stripe-Signature", ""), APP_SECRET)
            status, answer = 200, {"received": json.loads(body).get("id")}
        except ValueError as exc:
            status, answer = 400, {"error": type(exc).__name__}
        data = json.dumps(answer).encode() + b"\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Sandbox:
    """A fake, an app, a working directory: where one page's commands run."""

    def __init__(self, server: FakeServer, app_url: str, workdir: Path) -> None:
        self.server = server
        self.app_url = app_url
        self.workdir = workdir
        bin_dir = str(Path(sys.executable).parent)
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "FUTURE_PAYMENTS_API_BASE": server.url,
            "COLUMNS": "100",
        }

    def run(self, command: str) -> list[str]:
        """Run one command in bash; its stdout and stderr lines, URLs as the docs write them."""
        real = command.replace(API_BASE, self.server.url).replace(APP, self.app_url)
        done = subprocess.run(  # noqa: S603 -- the repository's own documented commands
            ["/bin/bash", "-c", real],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        text = done.stdout.replace(self.server.url, API_BASE).replace(self.app_url, APP)
        return text.rstrip("\n").split("\n") if text.strip() else []


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A running fake and app, and a temporary working directory."""
    app = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=app.serve_forever, args=(0.05,))
    thread.start()
    try:
        with (
            FakeServer(FakeStripe()) as server,
            tempfile.TemporaryDirectory() as workdir,
        ):
            yield Sandbox(server, f"http://127.0.0.1:{app.server_port}", Path(workdir))
    finally:
        app.shutdown()
        thread.join()
        app.server_close()


def record(page: Path, *, everything: bool = False) -> int:
    """Rewrite the outputs of ``page`` that no longer match (or all); returns how many."""
    text = page.read_text(encoding="utf-8").split("\n")
    changed = 0
    replacements: list[tuple[int, int, list[str]]] = []
    with sandbox() as box:
        for step in steps(page):
            actual = box.run(step.command)
            if not everything and matches(mask(step.expected), mask(actual)):
                continue
            first = step.line + step.command.count("\n") + 1
            replacements.append((first, first + len(step.expected), actual))
            changed += 1
    for first, end, actual in reversed(replacements):
        text[first:end] = actual
    page.write_text("\n".join(text), encoding="utf-8")
    return changed


if __name__ == "__main__":
    every = "--all" in sys.argv
    for name in (a for a in sys.argv[1:] if a != "--all"):
        print(f"{name}: {record(Path(name), everything=every)} outputs rewritten")
