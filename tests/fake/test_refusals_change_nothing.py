"""A refused request changes nothing: no object, no event, no webhook waiting (hypothesis)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from future_payments.testing import FakeStripe
from future_payments.testing._fake._contract import (
    Boolean,
    Check,
    Enum,
    Hash,
    Integer,
    OneOf,
    contract,
)
from future_payments.testing._fake._routes import ROUTES, Route

from .test_sdk_contract import HEADERS, World, _form, base_request

KINDS = (
    "customer",
    "payment_method",
    "setup_intent",
    "payment_intent",
    "checkout.session",
    "charge",
    "refund",
    "dispute",
    "balance_transaction",
    "event",
)
WRITES = [r for r in ROUTES if r.method in ("POST", "DELETE")]
# Parameters naming another object, and the prefix of its ids.
REFERENCES = {
    "customer": "cus_",
    "payment_method": "pm_",
    "charge": "ch_",
    "payment_intent": "pi_",
    "default_payment_method": "pm_",
}
# References the fake takes and ignores, as docs/fake.md lists (Connect's PaymentMethod cloning).
IGNORED_REFERENCES = {
    ("POST", "/v1/payment_methods", "customer"),
    ("POST", "/v1/payment_methods", "payment_method"),
}


def everything(fake: FakeStripe) -> dict[str, Any]:
    """All the fake holds, through its public read API."""
    return {
        "objects": {kind: fake.objects(kind) for kind in KINDS},
        "pending": fake.pending_event_ids(),
    }


def _kinds(check: Check) -> list[Check]:
    return list(check.options) if isinstance(check, OneOf) else [check]


def mutations(route: Route) -> list[tuple[str, Any]]:
    """Ways to make this endpoint's request invalid, each sure to be refused."""
    fields = contract(route.params).fields()
    out: list[tuple[str, Any]] = [("unknown", "zz_not_a_parameter"), ("expand", "zz_nope")]
    for name, check in sorted(fields.items()):
        for option in _kinds(check):
            if isinstance(option, Integer):
                out.append(("integer", name))
            elif isinstance(option, Boolean):
                out.append(("boolean", name))
            elif isinstance(option, Enum):
                out.append(("enum", name))
            elif isinstance(option, Hash):
                out.append(("nested_unknown", name))
    for name in contract(route.params).required():
        out.append(("missing", name))
    for name in sorted(REFERENCES.keys() & fields.keys()):
        if (route.method, route.path, name) not in IGNORED_REFERENCES:
            out.append(("no_such_reference", name))
    if "{" in route.path:
        out.append(("no_such_id", None))
    return out


def broken(route: Route, base: dict[str, Any], how: str, name: Any) -> dict[str, Any] | None:
    """``base`` made invalid ``how``; None when the mutation does not apply."""
    params = dict(base)
    if how == "unknown":
        params[name] = "x"
    elif how == "expand":
        params["expand"] = [name]
    elif how == "integer":
        params[name] = "twelve"
    elif how == "boolean":
        params[name] = "perhaps"
    elif how == "enum":
        params[name] = "zz_not_a_value"
    elif how == "nested_unknown":
        params[name] = {"zz_not_a_key": "x"}
    elif how == "no_such_reference":
        params[name] = f"{REFERENCES[name]}zz_missing"
    elif how == "missing":
        if name not in params:
            return None
        del params[name]
    return params


def send(fake: FakeStripe, route: Route, ids: dict[str, str], params: dict[str, Any]) -> int:
    path = route.path.format(**ids)
    status, _, body = fake.handle_request(route.method, path, HEADERS, urlencode(_form(params)))
    json.loads(body)
    return status


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_refused_request_changes_nothing(data: st.DataObject) -> None:
    """Any invalid parameter, unknown id or bad expand leaves state and event log as they were."""
    route = data.draw(st.sampled_from(WRITES), label="route")
    how, name = data.draw(st.sampled_from(mutations(route)), label="mutation")
    fake = FakeStripe()
    ids = World(fake).ids(route)
    base = base_request(route, ids)
    if how == "no_such_id":
        ids = {k: f"{v}zz" for k, v in ids.items()}
    params = broken(route, base, how, name)
    if params is None:
        return
    before = everything(fake)
    status = send(fake, route, ids, params)
    assert (True, before) == (status in (400, 404), everything(fake))


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"expand": ["latest_charge", "zz_nope"]}, None),
        ({"customer": "cus_missing"}, "resource_missing"),
        ({"payment_method": "pm_missing"}, "resource_missing"),
        ({"amount": 0}, "parameter_invalid_integer"),
    ],
)
def test_a_refused_payment_intent_is_not_stored(params: dict[str, Any], code: str | None) -> None:
    """A PaymentIntent create refused late (expand, a lookup) stores no intent and no event."""
    fake = FakeStripe()
    client = fake.client(max_network_retries=2)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create(
            params={
                "amount": 1000,
                "currency": "usd",
                "confirm": True,
                "payment_method": "pm_card_visa",
                **params,
            }  # type: ignore[typeddict-item]
        )
    assert (code, [], set()) == (
        caught.value.code,
        fake.objects("payment_intent"),
        fake.pending_event_ids(),
    )
