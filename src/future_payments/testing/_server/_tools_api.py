"""What ``future-payments listen``, ``trigger`` and ``events`` ask a running fake, outside ``/v1``.

The ``/v1`` API is Stripe's; these few JSON endpoints under ``/_fake/`` tell the tools what
Stripe's CLI learns from its own backend: the webhook secret, the fake's clock, the events
resent since a tool last asked, and where a tool reports its delivery attempts; and one thing no
``/v1`` request can cause: a card network's update of a saved card.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

from future_payments.testing._server._forwarder import DeliveryAttempt
from future_payments.testing._server._html import Response

if TYPE_CHECKING:
    from future_payments.testing._server._server import FakeServer

JSON = "application/json"


def _json(status: int, payload: Any) -> Response:
    return Response(status, json.dumps(payload, indent=2).encode() + b"\n", content_type=JSON)


def error(status: int, message: str) -> Response:
    """A JSON error body shaped like Stripe's: ``{"error": {"message": ...}}``."""
    return _json(status, {"error": {"type": "invalid_request_error", "message": message}})


def config(server: FakeServer) -> Response:
    """``GET /_fake/config``: the API base, webhook secret, clock and retry schedule."""
    schedule = server.retry
    return _json(
        200,
        {
            "api_base": server.url,
            "webhook_secret": server.fake.webhook_secret,
            "webhook_url": server.webhook_url,
            "time": server.fake.clock.now(),
            "retry": {
                "first": schedule.first,
                "factor": schedule.factor,
                "longest": schedule.longest,
                "give_up_after": schedule.give_up_after,
            },
            "version": version("future-payments"),
        },
    )


def resends(server: FakeServer, fields: dict[str, str]) -> Response:
    """``GET /_fake/resends?after=N``: the event ids resent after the first N resends."""
    try:
        seen = int(fields.get("after", "0"))
    except ValueError:
        return error(400, "after must be a whole number of resends already seen")
    event_ids, count = server._resends.after(max(seen, 0))
    return _json(200, {"event_ids": event_ids, "count": count, "time": server.fake.clock.now()})


def resend(server: FakeServer, event_id: str) -> Response:
    """``POST /_fake/events/<id>/resend``: deliver the event again (``events resend``)."""
    try:
        server.resend(event_id)
    except LookupError:
        return error(404, f"No such event: '{event_id}'")
    return _json(200, {"id": event_id, "webhook_url": server.webhook_url})


def network_update(server: FakeServer, payment_method: str, body: bytes) -> Response:
    """``POST /_fake/payment_methods/<id>/network_update``: the card network updates a card.

    The JSON body may name ``exp_month``, ``exp_year`` and ``last4``; empty renews the card.
    The fake records ``payment_method.automatically_updated``, as Stripe does.
    """
    try:
        fields = json.loads(body or b"{}")
        if not isinstance(fields, dict) or set(fields) - {"exp_month", "exp_year", "last4"}:
            raise ValueError("the body takes exp_month, exp_year and last4 only")
        # Form-style overrides arrive as strings: "2035" is the year 2035.
        numbers = {k: int(v) for k, v in fields.items() if k != "last4"}
        last4 = fields.get("last4")
        server.fake.update_card(
            payment_method,
            exp_month=numbers.get("exp_month"),
            exp_year=numbers.get("exp_year"),
            last4=None if last4 is None else str(last4),
        )
    except LookupError as exc:
        return error(404, str(exc).strip("'\""))
    except (ValueError, TypeError) as exc:
        return error(400, f"Invalid card update: {exc}")
    return _json(200, server.fake.retrieve(payment_method))


def report(server: FakeServer, body: bytes) -> Response:
    """``POST /_fake/deliveries``: a ``listen`` process records one delivery attempt."""
    try:
        fields = json.loads(body)
        attempt = DeliveryAttempt(
            event_id=_str(fields, "event_id"),
            type=_str(fields, "type"),
            url=_str(fields, "url"),
            status=_optional(fields, "status", int),
            error=_optional(fields, "error", str),
            attempt=_required(fields, "attempt", int),
            at=_required(fields, "at", int),
            retry_in=_optional(fields, "retry_in", float),
        )
    except (ValueError, TypeError, KeyError) as exc:
        return error(400, f"Invalid delivery attempt: {exc}")
    server.report(attempt)
    return Response(204, content_type=JSON)


def _str(fields: Any, name: str) -> str:
    return str(_required(fields, name, str))


def _required(fields: Any, name: str, kind: type[Any]) -> Any:
    value = fields[name]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(f"{name} must be a {kind.__name__}")
    return value


def _optional(fields: Any, name: str, kind: type[Any]) -> Any:
    return None if fields.get(name) is None else _required(fields, name, kind)
