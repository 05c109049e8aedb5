"""Which handler answers ``METHOD /v1/...``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from future_payments.testing._fake import (
    _checkout,
    _customers,
    _events,
    _payment_intents,
    _payment_methods,
    _setup_intents,
)
from future_payments.testing._fake._errors import invalid
from future_payments.testing._fake._store import Context, Obj, State

Handler = Callable[[State, Context, tuple[str, ...], dict[str, Any]], Obj]
_ID = r"([^/]+)"


class Router:
    """Maps method and path to a handler."""

    def __init__(self) -> None:
        routes: list[tuple[str, str, Handler]] = [
            ("POST", "/v1/customers", lambda s, c, i, p: _customers.create(s, c, p)),
            ("GET", "/v1/customers", lambda s, c, i, p: _customers.list_all(s, c, p)),
            ("GET", f"/v1/customers/{_ID}", lambda s, c, i, p: _customers.retrieve(s, c, i[0], p)),
            ("POST", f"/v1/customers/{_ID}", lambda s, c, i, p: _customers.update(s, c, i[0], p)),
            (
                "GET",
                f"/v1/customers/{_ID}/payment_methods",
                lambda s, c, i, p: _payment_methods.list_all(s, c, p, i[0]),
            ),
            (
                "GET",
                f"/v1/customers/{_ID}/payment_methods/{_ID}",
                _customer_payment_method,
            ),
            ("POST", "/v1/payment_methods", lambda s, c, i, p: _payment_methods.create(s, c, p)),
            ("GET", "/v1/payment_methods", lambda s, c, i, p: _payment_methods.list_all(s, c, p)),
            (
                "GET",
                f"/v1/payment_methods/{_ID}",
                lambda s, c, i, p: _payment_methods.retrieve(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/payment_methods/{_ID}",
                lambda s, c, i, p: _payment_methods.update(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/payment_methods/{_ID}/attach",
                lambda s, c, i, p: _payment_methods.attach(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/payment_methods/{_ID}/detach",
                lambda s, c, i, p: _payment_methods.detach(s, c, i[0], p),
            ),
            (
                "POST",
                "/v1/checkout/sessions",
                lambda s, c, i, p: _checkout.create(s, c, p, s.checkout_url_base),
            ),
            ("GET", "/v1/checkout/sessions", lambda s, c, i, p: _checkout.list_all(s, c, p)),
            (
                "GET",
                f"/v1/checkout/sessions/{_ID}",
                lambda s, c, i, p: _checkout.retrieve(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/checkout/sessions/{_ID}/expire",
                lambda s, c, i, p: _checkout.expire_api(s, c, i[0], p),
            ),
            ("POST", "/v1/setup_intents", lambda s, c, i, p: _setup_intents.create(s, c, p)),
            ("GET", "/v1/setup_intents", lambda s, c, i, p: _setup_intents.list_all(s, c, p)),
            (
                "GET",
                f"/v1/setup_intents/{_ID}",
                lambda s, c, i, p: _setup_intents.retrieve(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/setup_intents/{_ID}/confirm",
                lambda s, c, i, p: _setup_intents.confirm_api(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/setup_intents/{_ID}/cancel",
                lambda s, c, i, p: _setup_intents.cancel(s, c, i[0], p),
            ),
            ("POST", "/v1/payment_intents", lambda s, c, i, p: _payment_intents.create(s, c, p)),
            ("GET", "/v1/payment_intents", lambda s, c, i, p: _payment_intents.list_all(s, c, p)),
            (
                "GET",
                f"/v1/payment_intents/{_ID}",
                lambda s, c, i, p: _payment_intents.retrieve(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/payment_intents/{_ID}/confirm",
                lambda s, c, i, p: _payment_intents.confirm(s, c, i[0], p),
            ),
            (
                "POST",
                f"/v1/payment_intents/{_ID}/cancel",
                lambda s, c, i, p: _payment_intents.cancel(s, c, i[0], p),
            ),
            ("GET", "/v1/events", lambda s, c, i, p: _events.list_all(s, c, p)),
            ("GET", f"/v1/events/{_ID}", lambda s, c, i, p: _events.retrieve(s, c, i[0], p)),
        ]
        self._routes = [(m, re.compile(pattern + "$"), h) for m, pattern, h in routes]

    def find(self, method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
        """The handler and path ids for a request, or 404 for an unrecognized URL."""
        for route_method, pattern, handler in self._routes:
            if route_method != method:
                continue
            match = pattern.match(path)
            if match is not None:
                return handler, match.groups()
        raise invalid(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/. (FakeStripe simulates only the "
            "endpoints listed in docs/fake.md.)",
            status=404,
        )


def _customer_payment_method(
    state: State, ctx: Context, ids: tuple[str, ...], params: dict[str, Any]
) -> Obj:
    state.get("customer", ids[0], "customer")
    pm = _payment_methods.retrieve(state, ctx, ids[1], params)
    if pm["customer"] != ids[0]:
        raise invalid(f"No such PaymentMethod: '{ids[1]}'", param="payment_method", status=404)
    return pm
