"""``future-payments events list`` and ``events resend``: a running fake's events, over HTTP."""

from __future__ import annotations

import datetime
import json
from typing import Any, TextIO

import stripe

from future_payments._cli._listen import delivery_line, to_outgoing
from future_payments._cli._remote import Remote, RemoteError
from future_payments.testing._server._forwarder import DeliveryAttempt, check_webhook_url, post
from future_payments.webhooks import sign_payload


def list_events(
    *,
    api_base: str,
    api_key: str,
    type: str | None,
    limit: int,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """Print the newest events (``GET /v1/events``), newest first: time, type, id."""
    params: dict[str, Any] = {"limit": limit}
    if type:
        params["type"] = type
    try:
        page = Remote(api_base, api_key).client.v1.events.list(params=params)  # type: ignore[arg-type]
    except stripe.StripeError as exc:
        print(f"future-payments events list: {_message(exc, api_base)}", file=err)
        return 2
    if as_json:
        print(json.dumps(page.to_dict(for_json=True), indent=2), file=out)
        return 0
    for event in page.data:
        moment = datetime.datetime.fromtimestamp(event.created).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{moment}  {event.type:<40} {event.id}", file=out)
    if not page.data:
        print("No events." if not type else f"No {type} events.", file=err)
    return 0


def resend(
    *,
    api_base: str,
    api_key: str,
    event_id: str,
    webhook_url: str | None,
    out: TextIO,
    err: TextIO,
) -> int:
    """Deliver an event again: through the fake, or straight to ``webhook_url`` (once)."""
    remote = Remote(api_base, api_key)
    if webhook_url is None:
        try:
            forwarded = remote.resend(event_id)
        except RemoteError as exc:
            print(f"future-payments events resend: {exc}", file=err)
            return 1 if "No such event" in str(exc) else 2
        where = f"to {forwarded} and " if forwarded else ""
        print(
            f"Resent {event_id} {where}to every `future-payments listen` following {api_base}.",
            file=out,
        )
        return 0
    try:
        check_webhook_url(webhook_url)
    except ValueError as exc:
        print(
            f"future-payments events resend: {exc}".replace("webhook_url", "--webhook-url"),
            file=err,
        )
        return 2
    try:
        config = remote.config()
        outgoing = to_outgoing(remote.client.v1.events.retrieve(event_id))
    except (RemoteError, stripe.StripeError) as exc:
        print(f"future-payments events resend: {_message(exc, api_base)}", file=err)
        return 1 if isinstance(exc, stripe.InvalidRequestError) else 2
    signature = sign_payload(outgoing.body, config.webhook_secret, config.time)
    status, error = post(webhook_url, outgoing.body, signature)
    attempt = DeliveryAttempt(
        outgoing.event_id, outgoing.type, webhook_url, status, error, 1, config.time
    )
    print(delivery_line(attempt), file=out)
    return 0 if attempt.ok else 1


def _message(exc: Exception, api_base: str) -> str:
    if isinstance(exc, stripe.APIConnectionError):
        return (
            f"no FakeStripe answers at {api_base}. Start one with `future-payments fake serve`, "
            "or pass --api-base with its URL."
        )
    if isinstance(exc, stripe.StripeError) and exc.user_message:
        return str(exc.user_message)
    return str(exc)
