"""The Stripe CLI's `stripe trigger` fixtures, replayed as the CLI sends them, against FakeServer.

For each in-scope trigger (see ``cli_triggers.py``; source: stripe/stripe-cli
``pkg/fixtures/triggers/<event>.json``), every request is sent over HTTP exactly as the CLI
encodes it (``cli_replay.py``); the trigger must run to its end as it does against Stripe, the
named event must be recorded, and the server must POST it, signed with the fake's webhook
secret, to the webhook URL, where ``stripe.Webhook.construct_event`` verifies it. The event's
object must be one the trigger's requests made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe
from tests.external.cli_replay import Sent, encode, form_pairs, replay
from tests.external.cli_triggers import TRIGGERS, Trigger
from tests.external.conftest import API_KEY, WEBHOOK_SECRET
from tests.server.conftest import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """The app's webhook endpoint: records what the server POSTs."""
    app = Receiver()
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def forwarding(receiver: Receiver) -> Iterator[FakeServer]:
    """A served fake that POSTs every event to ``receiver``."""
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET)
    with FakeServer(fake, webhook_url=f"{receiver.url}/stripe/webhook") as running:
        yield running


def _ids(document: Any) -> set[str]:
    """Every string value of an answer: the ids the trigger's objects can be named by."""
    if isinstance(document, dict):
        return set().union(*(_ids(v) for v in document.values())) if document else set()
    if isinstance(document, list):
        return set().union(*(_ids(v) for v in document)) if document else set()
    return {document} if isinstance(document, str) else set()


def _made(sent: list[Sent]) -> set[str]:
    return set().union(*(_ids(s.answer) for s in sent))


@pytest.mark.parametrize("trigger", TRIGGERS, ids=[t.event for t in TRIGGERS])
def test_trigger_emits_and_forwards_its_event(
    forwarding: FakeServer, receiver: Receiver, trigger: Trigger
) -> None:
    """`stripe trigger <event>` runs to its end; the event is recorded and forwarded, signed."""
    sent = replay(trigger, forwarding.url, API_KEY)
    forwarding.flush_webhooks(timeout=10)

    client = forwarding.client(API_KEY)
    recorded = client.v1.events.list(params={"type": trigger.event, "limit": 100}).data
    delivered = []
    for post in receiver.posts():
        event = stripe.Webhook.construct_event(
            post.body.decode("utf-8"), post.headers.get("Stripe-Signature", ""), WEBHOOK_SECRET
        )
        if event.type == trigger.event:
            delivered.append(event)

    made = _made(sent)
    assert [trigger.event] == sorted({e.type for e in recorded}), "the event was not recorded"
    assert [e.id for e in recorded] == [e.id for e in delivered], "not forwarded as recorded"
    objects = {e.data.object["id"] for e in delivered}
    assert objects, "no event was forwarded"
    assert objects <= made, f"events about {objects}, the trigger made {made}"


def test_cli_form_encoding() -> None:
    """The replayer encodes nested hashes, arrays and booleans as the CLI's parsers do."""
    params = {
        "payment_method_types": ["sepa_debit"],
        "amount": 1000,
        "confirm": True,
        "mandate_data": {"customer_acceptance": {"accepted_at": "1590590577", "type": "offline"}},
        "description": "(created by Stripe CLI)",
        "items": [{"price": "price_1"}, {"price": "price_2"}],
        "ref": "${payment_method:id}",
    }
    answers = {"payment_method": {"id": "pm_123"}}

    expected = (
        "payment_method_types[]=sepa_debit&amount=1000&confirm=true"
        "&mandate_data[customer_acceptance][accepted_at]=1590590577"
        "&mandate_data[customer_acceptance][type]=offline"
        "&description=%28created+by+Stripe+CLI%29"
        "&items[0][price]=price_1&items[1][price]=price_2&ref=pm_123"
    )
    assert expected == encode(form_pairs(params, answers))


def test_in_scope_trigger_count() -> None:
    """All 23 in-scope triggers of issue 13 are described, each once."""
    events = [t.event for t in TRIGGERS]
    assert (23, 23) == (len(events), len(set(events)))
    assert json.dumps(events)  # plain strings: the ids pytest shows
