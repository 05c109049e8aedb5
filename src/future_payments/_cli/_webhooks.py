"""``future-payments webhooks sign``: a ``Stripe-Signature`` header for a payload, for curl."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from future_payments.webhooks import sign_payload


def sign(
    *, file: str, secret: str, timestamp: int | None, out: TextIO, err: TextIO, stdin: BinaryIO
) -> int:
    """Print the header value for the bytes of ``file`` (``-``: standard input)."""
    try:
        body = stdin.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        print(f"future-payments webhooks sign: cannot read {file}: {exc.strerror}", file=err)
        return 2
    try:
        header = sign_payload(body, secret, timestamp)
    except ValueError as exc:  # InvalidInput: the secret or timestamp; the secret is not echoed
        print(f"future-payments webhooks sign: {exc}", file=err)
        return 2
    print(header, file=out)
    return 0


def stdin_bytes() -> BinaryIO:
    """Standard input as bytes (a seam for tests)."""
    return sys.stdin.buffer
