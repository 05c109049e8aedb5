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
    fake = commands.add_parser("fake", help="the fake Stripe as a local server")
    fake_commands = fake.add_subparsers(dest="fake_command", metavar="COMMAND")
    serve = fake_commands.add_parser(
        "serve",
        help="serve the fake Stripe API, hosted Checkout and 3-D Secure pages, and webhooks",
        description="Serve the fake Stripe over HTTP until Ctrl-C. See docs/server.md.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=12111, help="TCP port; 0 picks a free one (default: 12111)"
    )
    serve.add_argument("--webhook-url", help="POST signed events to this URL")
    serve.add_argument(
        "--webhook-secret", help="sign webhooks with this whsec_... secret (default: a new one)"
    )
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host that is not loopback (the fake has no real security)",
    )
    args = parser.parse_args(argv)

    if args.command == "demo":
        from future_payments._demo import run_demo

        return run_demo(db_path=args.db)
    if args.command == "fake" and args.fake_command == "serve":
        if args.webhook_secret is not None and not args.webhook_secret.startswith("whsec_"):
            serve.error("--webhook-secret must start with whsec_")
        from future_payments.testing._server._cli import serve as run_serve

        return run_serve(
            host=args.host,
            port=args.port,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            allow_remote=args.allow_remote,
        )
    if args.command == "fake":
        fake.print_help()
        return 0
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
