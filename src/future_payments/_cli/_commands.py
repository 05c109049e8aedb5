"""One function per command: check the arguments, import what the command needs, run it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from future_payments.testing._server._retry import RetrySchedule


def usage(args: argparse.Namespace) -> int:
    """A command group without its sub-command: print its help."""
    args.parser.print_help()
    return 0


def _schedule(args: argparse.Namespace) -> RetrySchedule:
    from future_payments.testing._server._retry import RetrySchedule

    try:
        return RetrySchedule(
            first=args.retry_first, longest=args.retry_max, give_up_after=args.retry_for
        )
    except ValueError as exc:
        args.parser.error(str(exc).replace("RetrySchedule.", "retry "))
        raise  # unreachable: error() exits


def demo(args: argparse.Namespace) -> int:
    """``future-payments demo``."""
    from future_payments._demo import run_demo

    return run_demo(db_path=args.db)


def serve(args: argparse.Namespace) -> int:
    """``future-payments fake serve``."""
    if args.webhook_secret is not None and not args.webhook_secret.startswith("whsec_"):
        args.parser.error("--webhook-secret must start with whsec_")
    from future_payments.testing._server._cli import serve as run_serve

    where = {"host": args.host, "port": args.port, "allow_remote": args.allow_remote}
    webhooks = {"webhook_url": args.webhook_url, "webhook_secret": args.webhook_secret}
    return run_serve(**where, **webhooks, retry=_schedule(args))


def listen(args: argparse.Namespace) -> int:
    """``future-payments listen``."""
    from future_payments._cli._listen import listen as run_listen
    from future_payments.testing._server._forwarder import check_webhook_url

    try:
        check_webhook_url(args.forward_to)
    except ValueError:
        args.parser.error(f"--forward-to must be an http:// or https:// URL: {args.forward_to}")
    schedule = _schedule(args)
    return run_listen(
        **_remote(args),
        forward_to=args.forward_to,
        events=args.events,
        schedule=schedule,
        print_secret=args.print_secret,
    )


def trigger(args: argparse.Namespace) -> int:
    """``future-payments trigger``."""
    from future_payments._cli._trigger import run_trigger
    from future_payments._cli._triggers import TRIGGERS

    if args.event is None:
        print("Triggers (future-payments trigger EVENT):")
        for name in sorted(TRIGGERS):
            print(f"  {name:<40} {TRIGGERS[name].summary}")
        return 0
    return run_trigger(
        **_remote(args), triggers=TRIGGERS, event=args.event, overrides=args.override
    )


def events_list(args: argparse.Namespace) -> int:
    """``future-payments events list``."""
    if not 1 <= args.limit <= 100:
        args.parser.error("--limit must be between 1 and 100")
    from future_payments._cli._events import list_events

    return list_events(**_remote(args), type=args.type, limit=args.limit, as_json=args.json)


def events_resend(args: argparse.Namespace) -> int:
    """``future-payments events resend``."""
    from future_payments._cli._events import resend

    return resend(**_remote(args), event_id=args.event_id, webhook_url=args.webhook_url)


def webhooks_sign(args: argparse.Namespace) -> int:
    """``future-payments webhooks sign``."""
    from future_payments._cli._webhooks import sign, stdin_bytes

    what = {"file": args.file, "secret": args.secret, "timestamp": args.timestamp}
    return sign(**what, out=sys.stdout, err=sys.stderr, stdin=stdin_bytes())


def worker(args: argparse.Namespace) -> int:
    """``future-payments worker``."""
    from future_payments._cli._remote import check_api_base

    if not 1 <= args.limit <= 1000:
        args.parser.error("--limit must be between 1 and 1000")
    for option, seconds in (("--poll-interval", args.poll_interval), ("--lease", args.lease)):
        if seconds <= 0:
            args.parser.error(f"{option} must be longer than 0")
    api_base = args.api_base
    if api_base is not None:
        try:
            api_base = check_api_base(api_base)
        except ValueError as exc:
            args.parser.error(str(exc))
    from future_payments._cli._worker import run

    return run(
        store=args.store,
        table_prefix=args.table_prefix,
        api_key=args.api_key,
        api_base=api_base,
        limit=args.limit,
        poll_interval=args.poll_interval,
        lease=args.lease,
        once=args.once,
        out=sys.stdout,
        err=sys.stderr,
    )


def _remote(args: argparse.Namespace) -> dict[str, Any]:
    """The arguments every command that talks to a running fake takes, checked."""
    from future_payments._cli._remote import check_api_base

    try:
        api_base = check_api_base(args.api_base)
    except ValueError as exc:
        args.parser.error(str(exc))
    return {"api_base": api_base, "api_key": args.api_key, "out": sys.stdout, "err": sys.stderr}
