"""The ``future-payments`` argument parser: every command, and help that stands on its own.

Each sub-parser names its handler (``_commands``); nothing heavy is imported until a command
runs, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import argparse
import os
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from future_payments._cli import _commands
from future_payments._cli._durations import parse_duration

DEFAULT_API_BASE = "http://127.0.0.1:12111"
API_BASE_VARIABLE = "FUTURE_PAYMENTS_API_BASE"
_RAW = argparse.RawDescriptionHelpFormatter

_TOP = """\
Stripe's "save a payment method now, charge it later" flow, correct by default, and a
fake Stripe to develop and test against, with tools shaped like the Stripe CLI's.

Start a fake in one shell, follow its events in another, make events happen in a third:

  future-payments fake serve
  future-payments listen --forward-to http://127.0.0.1:8000/stripe/webhook
  future-payments trigger checkout.session.completed

Every command has its own --help. Documentation: docs/cli.md in the source repository
(https://github.com/future-payments/future-payments)."""

_DEMO = """\
Save cards (one with 3-D Secure), charge them off-session, recover a charge that needs the
customer, and show a decline, all on an in-process fake Stripe; prints each step. Nothing
leaves the machine."""

_SERVE = """\
Serve the fake Stripe over HTTP until Ctrl-C (or SIGTERM). It answers Stripe's /v1 API
(any sk_test_... key), serves hosted Checkout and 3-D Secure pages that a browser can
complete, a dashboard at / (every object, its JSON, the events and their deliveries, a
resend button), and POSTs each event, signed, to --webhook-url.

Everything is kept in memory: stopping the server forgets it. The banner prints the API
base and the webhook secret. Point a client at it:

  stripe.StripeClient("sk_test_123", base_addresses={"api": "http://127.0.0.1:12111"})
  curl http://127.0.0.1:12111/v1/customers -u sk_test_123:

A delivery that gets no 2xx answer is retried: 5 s after the first attempt, then twice as
long each time (at most 2 min apart), for 15 minutes. Stripe retries for up to three days;
--retry-first 1h --retry-max 12h --retry-for 3d comes close to that."""

_LISTEN = """\
Follow a running `future-payments fake serve` and forward each new event to --forward-to,
signed with that fake's webhook secret (printed at start), as `stripe listen` does. One
line per delivery attempt: time, event type, event id, the HTTP status (or why there was
no answer). Without --forward-to, each event is printed and nothing is sent.

Failed deliveries are retried as by `fake serve --webhook-url`: 5 s after the first
attempt, twice as long each time (at most 2 min apart), for 15 minutes.

It reaches the fake by HTTP only: GET /v1/events?ending_before=<newest seen> for new
events, GET /_fake/config for the webhook secret and the fake's clock, GET /_fake/resends
for `events resend`; it reports each attempt to POST /_fake/deliveries (the dashboard
shows them).

  future-payments listen --forward-to http://127.0.0.1:8000/stripe/webhook
  future-payments listen --events checkout.session.completed,payment_intent.*
  export STRIPE_WEBHOOK_SECRET=$(future-payments listen --print-secret)"""

_TRIGGER = """\
Make EVENT happen on a running fake with the requests a real integration would send:
Stripe API calls through the stripe package, and what the customer does on the hosted
Checkout and 3-D Secure pages. Prints each object it created, then the events they
caused; exits 1 if EVENT was not among them. Without EVENT, lists the triggers.

Each trigger is a few named steps; --override STEP:PARAM=VALUE changes one parameter of
one step (nest with dots or brackets), as with `stripe trigger`:

  future-payments trigger checkout.session.completed
  future-payments trigger checkout.session.completed \\
      --override checkout_page:number=4000002500003155 --override customer:email=a@b.example
  future-payments trigger payment_intent.succeeded --override payment_intent:amount=4200"""

_EVENTS_LIST = """\
List a running fake's newest events (GET /v1/events), newest first: time, type, id.

  future-payments events list --type checkout.session.completed
  future-payments events list --type 'payment_intent.*' --limit 5"""

_EVENTS_RESEND = """\
Deliver EVENT_ID again, with a fresh signature. Without --webhook-url the fake resends it:
to its own --webhook-url, and to every `future-payments listen` following it. With
--webhook-url it is POSTed there once, signed with the fake's secret, and the answer is
printed (exit 1 unless it is a 2xx)."""

_SIGN = """\
Print the Stripe-Signature header value Stripe would send with the bytes of FILE ('-' for
standard input), for testing a webhook endpoint with curl:

  future-payments webhooks sign event.json --secret whsec_test
  curl http://127.0.0.1:8000/stripe/webhook --data-binary @event.json \\
      -H "Content-Type: application/json" \\
      -H "Stripe-Signature: $(future-payments webhooks sign event.json --secret whsec_test)"

The timestamp is now unless --timestamp is given; verifiers refuse signatures older than
their tolerance (5 minutes by default)."""


_WORKER = """\
Process the webhook events a deferred endpoint accepted (handle_webhook(..., deferred=True)
or FuturePayments.accept_event) and stored in --store: batches claimed with a lease, so any
number of workers on any number of machines may run at once. One line per event: time,
event type, event id, what was done (saved, updated, duplicate, ignored).

--store is a database URL (SQLAlchemyStore: sqlite:///path.db, postgresql://...,
mariadb://... or mysql://...) or a file path (SQLiteStore). The Stripe key comes from
$STRIPE_API_KEY (or --api-key; the key is never printed).

Without --once it polls until SIGTERM or Ctrl-C, which stop it after the batch in progress;
a second signal stops it at once (the events of that batch go back to a worker when their
lease ends). A batch the database or Stripe fails is reported and tried again.

  STRIPE_API_KEY=sk_live_... future-payments worker --store postgresql://app@db/shop
  future-payments worker --store future_payments.db --once
  future-payments worker --store shop.db --api-base http://127.0.0.1:12111   # a fake"""


def _package_version() -> str:
    try:
        return version("future-payments")
    except PackageNotFoundError:  # pragma: no cover - only in an uninstalled source tree
        return "unknown (not installed)"


def _api_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api-base",
        default=os.environ.get(API_BASE_VARIABLE) or DEFAULT_API_BASE,
        metavar="URL",
        help=f"the running fake (`future-payments fake serve`); default ${API_BASE_VARIABLE} "
        f"or {DEFAULT_API_BASE}",
    )
    parser.add_argument(
        "--api-key",
        default="sk_test_future_payments_cli",
        metavar="KEY",
        help="any sk_test_... key (the fake accepts every test key)",
    )


def _retry_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("retries of failed deliveries")
    group.add_argument(
        "--retry-first",
        type=parse_duration,
        default=5.0,
        metavar="DURATION",
        help="wait before the first retry (default 5s; units ms, s, m, h, d)",
    )
    group.add_argument(
        "--retry-max",
        type=parse_duration,
        default=120.0,
        metavar="DURATION",
        help="longest wait between two attempts; each wait doubles up to it (default 2m)",
    )
    group.add_argument(
        "--retry-for",
        type=parse_duration,
        default=900.0,
        metavar="DURATION",
        help="no retry later than this after the first attempt; 0 never retries (default 15m)",
    )


def _group(commands: Any, name: str, help: str) -> Any:
    """A command group (``fake``, ``events``...): alone, it prints its help."""
    group: argparse.ArgumentParser = commands.add_parser(name, help=help)
    group.set_defaults(handler=_commands.usage, parser=group)
    return group.add_subparsers(metavar="COMMAND", title="commands")


def _command(
    commands: Any, name: str, help: str, description: str, handler: Any
) -> argparse.ArgumentParser:
    """A command whose ``--help`` shows ``description`` as written."""
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=description, formatter_class=_RAW
    )
    command.set_defaults(handler=handler, parser=command)
    return command


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    parser = argparse.ArgumentParser(prog="future-payments", description=_TOP, formatter_class=_RAW)
    parser.add_argument(
        "--version", action="version", version=f"future-payments {_package_version()}"
    )
    parser.set_defaults(handler=_commands.usage, parser=parser)
    commands = parser.add_subparsers(metavar="COMMAND", title="commands")

    demo = _command(
        commands,
        "demo",
        "run the whole flow on an in-process fake Stripe and a SQLite file",
        _DEMO,
        _commands.demo,
    )
    demo.add_argument(
        "--db",
        metavar="FILE",
        help="keep the SQLite store in FILE (default: a temporary file, deleted at the end)",
    )

    fake = _group(commands, "fake", "the fake Stripe as a local HTTP server")
    what = "serve the fake Stripe API, hosted pages, a dashboard and webhooks"
    serve = _command(fake, "serve", what, _SERVE, _commands.serve)
    serve.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, default=12111, help="TCP port; 0 picks a free one (default: 12111)"
    )
    serve.add_argument("--webhook-url", metavar="URL", help="POST every event, signed, to URL")
    signing = "sign webhooks with this whsec_... secret (default: a new random one)"
    serve.add_argument("--webhook-secret", metavar="WHSEC", help=signing)
    remote = "allow a --host that is not loopback (the fake has no real security)"
    serve.add_argument("--allow-remote", action="store_true", help=remote)
    _retry_options(serve)

    listen = _command(
        commands,
        "listen",
        "forward a running fake's events to your app, signed (like `stripe listen`)",
        _LISTEN,
        _commands.listen,
    )
    listen.add_argument("--forward-to", metavar="URL", help="POST each event, signed, to URL")
    listen.add_argument(
        "--events",
        metavar="TYPES",
        help="only these comma-separated event types (a.* for a family; default: all)",
    )
    listen.add_argument(
        "--print-secret", action="store_true", help="print the webhook secret and exit"
    )
    _api_options(listen)
    _retry_options(listen)

    trigger = _command(
        commands,
        "trigger",
        "make an event happen on a running fake (like `stripe trigger`)",
        _TRIGGER,
        _commands.trigger,
    )
    trigger.add_argument("event", nargs="?", metavar="EVENT", help="e.g. customer.created")
    trigger.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="STEP:PARAM=VALUE",
        help="change one parameter of one step (repeatable)",
    )
    _api_options(trigger)

    events = _group(commands, "events", "list a running fake's events, or resend one")
    listing = _command(events, "list", "the newest events", _EVENTS_LIST, _commands.events_list)
    listing.add_argument("--type", metavar="TYPE", help="only this type (a.* for a family)")
    listing.add_argument("--limit", type=int, default=20, help="how many, 1 to 100 (default: 20)")
    listing.add_argument("--json", action="store_true", help="print Stripe's list JSON")
    _api_options(listing)
    resend = _command(
        events, "resend", "deliver an event again", _EVENTS_RESEND, _commands.events_resend
    )
    resend.add_argument("event_id", metavar="EVENT_ID", help="the evt_... id")
    resend.add_argument("--webhook-url", metavar="URL", help="POST it here once instead")
    _api_options(resend)

    worker = _command(
        commands,
        "worker",
        "process the webhook events a deferred endpoint accepted into a store",
        _WORKER,
        _commands.worker,
    )
    worker.add_argument(
        "--store",
        required=True,
        metavar="URL",
        help="a database URL (sqlite:///, postgresql://, mariadb://, mysql://) or a SQLite file",
    )
    worker.add_argument(
        "--table-prefix",
        metavar="PREFIX",
        help="the SQLAlchemyStore's table_prefix (default: fp_); URLs only",
    )
    worker.add_argument(
        "--limit",
        type=int,
        default=100,
        help="the most events one batch claims, 1 to 1000 (default: 100)",
    )
    worker.add_argument(
        "--poll-interval",
        type=parse_duration,
        default=1.0,
        metavar="DURATION",
        help="wait after an empty or failed batch (default 1s; units ms, s, m, h, d)",
    )
    worker.add_argument(
        "--lease",
        type=parse_duration,
        default=60.0,
        metavar="DURATION",
        help="how long a claimed event is this worker's before another may take it (default 1m)",
    )
    worker.add_argument(
        "--once", action="store_true", help="process until none is pending, then exit"
    )
    worker.add_argument(
        "--api-key",
        default=os.environ.get("STRIPE_API_KEY"),
        metavar="KEY",
        help="the Stripe secret key (default: $STRIPE_API_KEY; prefer it, argv is visible)",
    )
    worker.add_argument(
        "--api-base",
        default=os.environ.get(API_BASE_VARIABLE) or None,
        metavar="URL",
        help=f"send Stripe requests here, e.g. a `future-payments fake serve` (default: "
        f"${API_BASE_VARIABLE}, else Stripe itself)",
    )

    webhooks = _group(commands, "webhooks", "webhook tools for testing endpoints")
    what = "print a Stripe-Signature header for a payload"
    sign = _command(webhooks, "sign", what, _SIGN, _commands.webhooks_sign)
    sign.add_argument("file", metavar="FILE", help="the payload ('-' for standard input)")
    sign.add_argument(
        "--secret", required=True, metavar="WHSEC", help="the endpoint's whsec_... secret"
    )
    sign.add_argument(
        "--timestamp", type=int, metavar="UNIX", help="sign at this time (default: now)"
    )
    return parser
