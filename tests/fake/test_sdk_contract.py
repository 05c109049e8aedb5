"""The fake's request contract is the pinned stripe package's own: a walk of its declarations.

For every endpoint the fake serves, every parameter the SDK's params TypedDict declares (nested
ones included) is sent, alone beside the endpoint's base request, as the SDK would encode it. A
parameter may be refused for its value (its ``param`` names it), never as unknown, and never
with "does not simulate" except where docs/fake.md says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import stripe

from future_payments.testing import FakeStripe
from future_payments.testing._fake._routes import ROUTES, Route

from ._sdk import declared_parameters, params_class, sdk_endpoints

HEADERS = {"Authorization": "Bearer sk_test_walk"}
# (endpoint, parameter, value) refused as "not simulated", as docs/fake.md lists.
NOT_SIMULATED = {
    ("POST /v1/checkout/sessions", "ui_mode"),
    ("POST /v1/checkout/sessions", "mode"),
}
# Routes whose request changes the object in its path: each parameter gets a fresh one.
ACTIONS = ("/cancel", "/capture", "/detach", "/attach", "/close", "/expire", "/confirm")


def _form(params: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding of nested params, as the SDK writes it."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if isinstance(value, dict):
            out += _form(value, name)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    out += _form(item, f"{name}[{index}]")
                else:
                    out.append((f"{name}[{index}]", str(item)))
        else:
            out.append((name, str(value)))
    return out


class World:
    """Objects for the ids in an endpoint's path, made through the SDK."""

    def __init__(self, fake: FakeStripe) -> None:
        self.fake = fake
        self.client = fake.client()

    def populate(self) -> None:
        """A little of everything, from two customers, for list filters to act on."""
        c = self.client
        for email in ("one@example.com", "two@example.com"):
            customer = c.v1.customers.create(params={"email": email})
            session = c.v1.checkout.sessions.create(
                params={
                    "mode": "setup",
                    "currency": "usd",
                    "customer": customer.id,
                    "success_url": "https://shop.example/ok",
                }
            )
            self.fake.complete_checkout(session.id)
            paid = c.v1.payment_intents.create(
                params={
                    "amount": 1000,
                    "currency": "usd",
                    "customer": customer.id,
                    "payment_method": "pm_card_createDispute",
                    "confirm": True,
                }
            )
            c.v1.refunds.create(params={"payment_intent": paid.id, "amount": 100})
            c.v1.setup_intents.create(params={"customer": customer.id})
        c.v1.payment_intents.create(params={"amount": 700, "currency": "eur"})

    def ids(self, route: Route) -> dict[str, str]:
        c = self.client
        path = route.path
        customer = c.v1.customers.create(params={"email": "walk@example.com"}).id
        out = {"customer": customer}
        if path.endswith("{customer}/payment_methods"):
            for card in ("pm_card_visa", "pm_card_mastercard"):
                c.v1.payment_methods.attach(card, params={"customer": customer})
        if "{payment_method}" in path:
            if path.endswith("/attach"):
                out["payment_method"] = c.v1.payment_methods.create(
                    params={
                        "type": "card",
                        "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040},
                    }
                ).id
            else:
                out["payment_method"] = c.v1.payment_methods.attach(
                    "pm_card_visa", params={"customer": customer}
                ).id
        if "{session}" in path:
            out["session"] = c.v1.checkout.sessions.create(
                params={
                    "mode": "setup",
                    "currency": "usd",
                    "customer": customer,
                    "success_url": "https://shop.example/ok",
                }
            ).id
        if path.startswith("/v1/setup_intents/{intent}"):
            out["intent"] = c.v1.setup_intents.create(params={"customer": customer}).id
        elif path.startswith("/v1/payment_intents/{intent}"):
            params: dict[str, Any] = {"amount": 1000, "currency": "usd", "customer": customer}
            if path.endswith("/capture"):
                params.update(payment_method="pm_card_visa", confirm=True, capture_method="manual")
            out["intent"] = c.v1.payment_intents.create(params=params).id  # type: ignore[arg-type]
        if "{charge}" in path or "{refund}" in path or "{dispute}" in path or path == "/v1/refunds":
            card = "pm_card_createDispute" if "{dispute}" in path else "pm_card_pendingRefund"
            paid = c.v1.payment_intents.create(
                params={"amount": 1000, "currency": "usd", "payment_method": card, "confirm": True}
            )
            out["charge"] = str(paid.latest_charge)
            out["refund"] = c.v1.refunds.create(params={"charge": out["charge"], "amount": 100}).id
            disputes = c.v1.disputes.list(params={"charge": out["charge"]}).data
            if disputes:
                out["dispute"] = disputes[0].id
        if "{id}" in path:
            if path.startswith("/v1/events"):
                out["id"] = c.v1.events.list().data[0].id
            else:
                paid = c.v1.payment_intents.create(
                    params={
                        "amount": 1000,
                        "currency": "usd",
                        "payment_method": "pm_card_visa",
                        "confirm": True,
                    }
                )
                charge = c.v1.charges.retrieve(str(paid.latest_charge))
                out["id"] = str(charge.balance_transaction)
        return out


def base_request(route: Route, ids: dict[str, str]) -> dict[str, Any]:
    """The parameters an endpoint needs to succeed, before the one under test is added."""
    key = f"{route.method} {route.path}"
    return {
        "POST /v1/payment_intents": {"amount": "1000", "currency": "usd"},
        "POST /v1/checkout/sessions": {
            "mode": "setup",
            "currency": "usd",
            "success_url": "https://shop.example/ok",
        },
        "POST /v1/payment_methods": {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2040"},
        },
        "POST /v1/payment_methods/{payment_method}/attach": {"customer": ids["customer"]},
        "POST /v1/refunds": {"charge": ids.get("charge", ""), "amount": "1"},
        "POST /v1/payment_intents/{intent}/confirm": {"payment_method": "pm_card_visa"},
        "POST /v1/setup_intents/{intent}/confirm": {"payment_method": "pm_card_visa"},
        "GET /v1/customers/search": {"query": "email:'walk@example.com'"},
        "GET /v1/payment_intents/search": {"query": "status:'succeeded'"},
        "GET /v1/charges/search": {"query": "status:'succeeded'"},
    }.get(key, {})


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def send(
    fake: FakeStripe, route: Route, ids: dict[str, str], params: dict[str, Any]
) -> tuple[int, Any]:
    path = route.path.format(**ids)
    encoded = urlencode(_form(params))
    if route.method == "POST":
        status, _, body = fake.handle_request("POST", path, HEADERS, encoded)
    else:
        url = f"{path}?{encoded}" if encoded else path
        status, _, body = fake.handle_request(route.method, url, HEADERS, None)
    return status, json.loads(body)


def walk(route: Route) -> list[str]:
    """Every declared parameter of ``route`` sent once; the problems found."""
    problems = []
    fake = FakeStripe()
    world = World(fake)
    ids = world.ids(route)
    base = base_request(route, ids)
    status, body = send(fake, route, ids, base)
    if status != 200:
        return [f"base request refused: {body}"]
    fresh: Callable[[], dict[str, str]] = (
        (lambda: world.ids(route))
        if route.method == "DELETE" or route.path.endswith(ACTIONS)
        else (lambda: ids)
    )
    for path, fragment in declared_parameters(params_class(route.params)):
        name = path[0] + "".join(f"[{p}]" for p in path[1:])
        these = fresh()
        request = _merge(base_request(route, these), fragment)
        status, body = send(fake, route, these, request)
        error = body.get("error") if status != 200 else None
        if error is None:
            continue
        if error.get("code") == "parameter_unknown":
            problems.append(f"{name}: parameter_unknown ({error.get('param')})")
        elif (f"{route.method} {route.path}", path[0]) in NOT_SIMULATED:
            continue
        elif "does not simulate" in error.get("message", ""):
            problems.append(f"{name}: {error['message']}")
        elif status >= 500:
            problems.append(f"{name}: {status} {error}")
        elif error.get("code") == "parameter_missing":
            continue  # a value that makes another parameter required (type=sepa_debit)
        elif (
            error.get("type") != "card_error"
            and error.get("param")
            and not (error["param"] == path[0] or error["param"].startswith(path[0] + "["))
        ):
            problems.append(
                f"{name}: refused for another parameter {error.get('param')}: "
                f"{error.get('message')}"
            )
    return problems


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_declared_parameter_is_accepted_or_refused_for_its_value(route: Route) -> None:
    """No declared parameter of a served endpoint is unknown to the fake."""
    assert [] == walk(route)


def test_routes_are_the_sdk_endpoints_with_their_params() -> None:
    """Each route is an endpoint of the SDK's services, with the SDK's own params TypedDict."""
    endpoints = sdk_endpoints()
    assert [] == [
        (r.method, r.path, r.params)
        for r in ROUTES
        if endpoints.get((r.method, r.path)) != r.params
    ]


def test_an_undeclared_name_is_parameter_unknown() -> None:
    """A name the SDK does not declare answers parameter_unknown with Stripe's nested param."""
    fake = FakeStripe()
    client = fake.client()
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "payment_method_data": {"type": "card", "colour": "red"},
            }  # type: ignore[typeddict-unknown-key]
        )
    assert ("parameter_unknown", "payment_method_data[colour]") == (
        caught.value.code,
        caught.value.param,
    )
