"""The fake's objects against Stripe's own example objects (stripe/openapi ``fixtures3.json``).

``data/openapi_example_shapes.json`` holds, for each resource the fake serves, the JSON type of
every top-level value of Stripe's published example object (derived from
shared/reference/stripe-openapi-fixtures3.json, MIT; ``list`` is the list embedded in the
charge example). Each test makes one such object over HTTP and checks that every key of the
example is present and that the value types agree where both are set (not null).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.external._http import Api

SHAPES: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).parent / "data" / "openapi_example_shapes.json").read_text()
)["resources"]

# Keys of an example that the fake's object may leave out, with the reason. Every key of these
# examples is declared by the pinned stripe package (16.1.0, API 2026-10-28.endive) for its
# class, and none was removed by a later API version, so the list is empty; a key goes here
# only with the changelog entry or documented condition that makes it absent.
ABSENT_BY_DESIGN: dict[str, dict[str, str]] = {}

_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
}


def _customer(api: Api) -> dict[str, Any]:
    return api.ok("POST", "/v1/customers", {"email": "jenny@example.com", "name": "Jenny"})


def _payment_method(api: Api) -> dict[str, Any]:
    customer = _customer(api)
    return api.ok("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": customer["id"]})


def _paid(api: Api) -> dict[str, Any]:
    customer = _customer(api)
    return api.ok(
        "POST",
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "customer": customer["id"],
            "payment_method": "pm_card_visa",
            "confirm": "true",
            "off_session": "true",
        },
    )


def _checkout_session(api: Api) -> dict[str, Any]:
    customer = _customer(api)
    return api.ok(
        "POST",
        "/v1/checkout/sessions",
        {
            "mode": "setup",
            "currency": "usd",
            "customer": customer["id"],
            "success_url": "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://shop.example/cart",
        },
    )


def _setup_intent(api: Api) -> dict[str, Any]:
    customer = _customer(api)
    return api.ok(
        "POST",
        "/v1/setup_intents",
        {"customer": customer["id"], "payment_method": "pm_card_visa", "confirm": "true"},
    )


def _charge(api: Api) -> dict[str, Any]:
    return api.ok("GET", f"/v1/charges/{_paid(api)['latest_charge']}")


def _refund(api: Api) -> dict[str, Any]:
    return api.ok("POST", "/v1/refunds", {"payment_intent": _paid(api)["id"]})


def _deleted_customer(api: Api) -> dict[str, Any]:
    return api.ok("DELETE", f"/v1/customers/{_customer(api)['id']}")


def _event(api: Api) -> dict[str, Any]:
    _customer(api)
    events: list[dict[str, Any]] = api.ok("GET", "/v1/events")["data"]
    return events[0]


def _list(api: Api) -> dict[str, Any]:
    _customer(api)
    return api.ok("GET", "/v1/customers")


MAKERS: dict[str, Callable[[Api], dict[str, Any]]] = {
    "customer": _customer,
    "deleted_customer": _deleted_customer,
    "payment_method": _payment_method,
    "checkout.session": _checkout_session,
    "setup_intent": _setup_intent,
    "payment_intent": _paid,
    "charge": _charge,
    "refund": _refund,
    "event": _event,
    "list": _list,
}


def _json_type(value: object) -> str:
    return _TYPES[type(value)]


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_every_example_key_is_present(api: Api, resource: str) -> None:
    """The fake's object has every top-level key of Stripe's example object."""
    made = MAKERS[resource](api)
    allowed = ABSENT_BY_DESIGN.get(resource, {})

    missing = sorted(k for k in SHAPES[resource] if k not in made and k not in allowed)
    assert [] == missing


@pytest.mark.parametrize("resource", sorted(MAKERS))
def test_value_types_agree(api: Api, resource: str) -> None:
    """Where the example and the fake both set a key, the JSON types are the same."""
    made = MAKERS[resource](api)

    different = {
        key: (example, _json_type(made[key]))
        for key, example in SHAPES[resource].items()
        if example != "null" and made.get(key) is not None and _json_type(made[key]) != example
    }
    assert {} == different


def test_shapes_cover_every_served_resource() -> None:
    """The example shapes hold every resource a test makes."""
    assert sorted(MAKERS) == sorted(SHAPES)
