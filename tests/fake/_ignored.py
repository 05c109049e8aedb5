"""Which declared parameters the fake accepts and ignores, found by trying each one.

A top-level parameter is *ignored* when sending it (with every value of an enum, or a sample of
its declared type) changes neither the answer nor the events recorded, compared with the same
request without it. ``python -m tests.fake._ignored`` prints the table docs/fake.md holds.
"""

from __future__ import annotations

import json
import re
from typing import Any

from future_payments.testing import FakeStripe
from future_payments.testing._fake._contract import contract
from future_payments.testing._fake._routes import ROUTES, Route

from ._sdk import params_class, top_level
from .test_sdk_contract import World, _merge, base_request, send

_ID = re.compile(r"^(cus|pm|seti|pi|ch|re|du|txn|evt|cs_test|pmc|req)_[A-Za-z0-9]{8,}$")
_TIMES = {"created", "expires_at", "available_on", "due_by", "canceled_at"}
_VARYING = {
    "url",
    "receipt_url",
    "client_secret",
    "invoice_prefix",
    "fingerprint",
    "network_transaction_id",
    "reference",
    "transaction_id",
    "request_log_url",
}


def _normal(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _normal(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if key in _TIMES or key in _VARYING:
        return "<varies>"
    if isinstance(value, str) and _ID.match(value):
        return "<id>"
    return value


def _observed(fake: FakeStripe, route: Route, ids: dict[str, str], params: dict[str, Any]) -> Any:
    fake.webhooks()
    status, body = send(fake, route, ids, params)
    events = [(d.type, _normal(json.loads(d.body)["data"])) for d in fake.webhooks()]
    return status, _normal(body), events


# Values that show an effect where the walk's sample would not (it equals the default).
_TRY = {"created": [{"gt": "4102444800"}], "limit": ["1"], "amount": ["2"]}


def ignored(route: Route) -> list[str]:
    """The top-level parameters of ``route`` that change nothing, whatever their value."""
    fake = FakeStripe(start_time=1_790_000_000)
    world = World(fake)
    world.populate()
    out = []
    for name, values in top_level(params_class(route.params)):
        if name == "expand":
            continue
        values = _TRY.get(name, values)
        acted = False
        for value in values:
            ids = world.ids(route)
            base = base_request(route, ids)
            before = _observed(fake, route, ids, base)
            ids = world.ids(route)
            after = _observed(fake, route, ids, _merge(base_request(route, ids), {name: value}))
            if before != after:
                acted = True
                break
        if not acted:
            out.append(name)
    return sorted(out)


# Parameters the fake acts on whose effect the trial cannot show, with the reason.
UNSEEN: dict[tuple[str, str], str] = {
    ("POST /v1/customers", "invoice_prefix"): "echoed; a new customer's prefix is random anyway",
    ("POST /v1/customers", "next_invoice_sequence"): "echoed; the sample 1 is the default",
    ("POST /v1/customers/{customer}", "next_invoice_sequence"): "echoed; 1 is the default",
    ("POST /v1/setup_intents", "return_url"): "used when confirm=true meets 3-D Secure",
    ("POST /v1/setup_intents/{intent}/confirm", "return_url"): "used with a 3-D Secure card",
    ("POST /v1/payment_intents", "return_url"): "used when confirm=true meets 3-D Secure",
    ("POST /v1/payment_intents/{intent}/confirm", "return_url"): "used with a 3-D Secure card",
    ("POST /v1/payment_intents/{intent}/confirm", "off_session"): "decides a card's outcome",
    ("POST /v1/payment_intents/{intent}/confirm", "error_on_requires_action"): "with 3-D Secure",
    ("GET /v1/checkout/sessions/{session}/line_items", "limit"): "a setup session has none",
    ("GET /v1/checkout/sessions/{session}/line_items", "starting_after"): "no line items",
    ("GET /v1/checkout/sessions/{session}/line_items", "ending_before"): "no line items",
}


def _type_names() -> set[str]:
    check = contract("PaymentMethodCreateParams").fields()["type"]
    return set(getattr(check, "values", ()))


def documented() -> dict[str, list[str]]:
    """Per endpoint, the ignored parameters docs/fake.md lists (other types' hashes aside)."""
    out = {}
    types = _type_names()
    for route in ROUTES:
        key = f"{route.method} {route.path}"
        names = [n for n in ignored(route) if (key, n) not in UNSEEN]
        if key == "POST /v1/payment_methods":
            names = [n for n in names if n not in types]
        if names:
            out[key] = names
    return out


def table() -> str:
    """The markdown rows of docs/fake.md's "accepted and ignored" table."""
    return "\n".join(
        f"| `{key}` | {', '.join(f'`{n}`' for n in names)} |" for key, names in documented().items()
    )


if __name__ == "__main__":
    print(table())
