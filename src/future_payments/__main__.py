"""``python -m future_payments`` / ``future-payments``: the demo and the tools (``_cli``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

SIGPIPE_EXIT = 141
"""The exit code when the reader of standard output went away (``| head``), as after SIGPIPE."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the process exit code."""
    from future_payments._cli._parser import build_parser

    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe: stop quietly. Point stdout at /dev/null so the
        # interpreter's own flush at exit does not print a second BrokenPipeError.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return SIGPIPE_EXIT
    return code


if __name__ == "__main__":
    sys.exit(main())
