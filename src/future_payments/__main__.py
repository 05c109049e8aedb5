"""``python -m future_payments`` / ``future-payments``: the demo and the tools."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the process exit code."""
    parser = argparse.ArgumentParser(
        prog="future-payments",
        description="Stripe's save-now, charge-later flow, correct by default.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="run the whole flow on the fake Stripe and a SQLite file"
    )
    demo.add_argument("--db", help="SQLite file to use (default: a temporary one)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from future_payments._demo import run_demo

        return run_demo(db_path=args.db)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
