"""parse_event: a Stripe event body into a ParsedEvent of plain JSON data."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe

from future_payments.errors import InvalidInput, MalformedPayload, WebhookError
from future_payments.webhooks import ParsedEvent, parse_event

# Verbatim from Stripe's guide "Set up future payments" (Checkout, setup mode), API 2019-03-14.
GUIDE_2019_EVENT = """{
  "id": "evt_1Ep24XHssDVaQm2PpwS19Yt0",
  "object": "event",
  "api_version": "2019-03-14",
  "created": 1561420781,
  "data": {
    "object": {
      "id": "cs_test_MlZAaTXUMHjWZ7DcXjusJnDU4MxPalbtL5eYrmS2GKxqscDtpJq8QM0k",
      "object": "checkout.session",
      "billing_address_collection": null,
      "cancel_url": "https://example.com/cancel",
      "client_reference_id": null,
      "customer": "",
      "customer_email": null,
      "display_items": [],
      "mode": "setup",
      "setup_intent": "seti_1EzVO3HssDVaQm2PJjXHmLlM",
      "submit_type": null,
      "subscription": null,
      "success_url": "https://example.com/success"
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {
    "id": null,
    "idempotency_key": null
  },
  "type": "checkout.session.completed"
}"""


def current_event(**changes: Any) -> dict[str, Any]:
    """A checkout.session.completed event in the current API version's shape."""
    event: dict[str, Any] = {
        "id": "evt_1QxCurrentVersion0000001",
        "object": "event",
        "api_version": stripe.api_version,
        "context": None,
        "created": 1_760_000_000,
        "data": {
            "object": {
                "id": "cs_test_c1CurrentVersionSession",
                "object": "checkout.session",
                "client_reference_id": "user-42",
                "created": 1_759_999_000,
                "currency": "usd",
                "customer": "cus_Current0001",
                "customer_details": {"email": "payer@example.com", "name": None},
                "expires_at": 1_760_085_400,
                "livemode": False,
                "metadata": {"customer_ref": "user-42"},
                "mode": "setup",
                "payment_intent": None,
                "payment_method_types": ["card"],
                "payment_status": "no_payment_required",
                "setup_intent": "seti_Current0001",
                "status": "complete",
                "success_url": "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}",
                "url": None,
            }
        },
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "checkout.session.completed",
    }
    event.update(changes)
    return event


def body(event: Any) -> bytes:
    """The event as a webhook body."""
    return json.dumps(event).encode()


def test_guide_2019_event_header_fields() -> None:
    """The guide's 2019 example parses to its id, type, created, livemode and API version."""
    event = parse_event(GUIDE_2019_EVENT)
    expected: tuple[object, ...] = (
        "evt_1Ep24XHssDVaQm2PpwS19Yt0",
        "checkout.session.completed",
        1561420781,
        False,
        "2019-03-14",
    )
    assert expected == (event.id, event.type, event.created, event.livemode, event.api_version)


def test_guide_2019_event_object() -> None:
    """The 2019 session keeps its old-version fields as sent: customer "" and display_items."""
    event = parse_event(GUIDE_2019_EVENT)
    expected: tuple[object, ...] = ("", [], "seti_1EzVO3HssDVaQm2PJjXHmLlM")
    actual = (
        event.data_object["customer"],
        event.data_object["display_items"],
        event.data_object["setup_intent"],
    )
    assert expected == actual


def test_guide_2019_event_object_id() -> None:
    """object_id is the Checkout Session's id."""
    expected = "cs_test_MlZAaTXUMHjWZ7DcXjusJnDU4MxPalbtL5eYrmS2GKxqscDtpJq8QM0k"
    assert expected == parse_event(GUIDE_2019_EVENT).object_id


def test_guide_2019_event_has_no_previous_attributes() -> None:
    """An event without data.previous_attributes has previous_attributes None."""
    assert parse_event(GUIDE_2019_EVENT).previous_attributes is None


def test_current_version_event() -> None:
    """A current-version event parses to the same fields the redirect path reads."""
    event = parse_event(body(current_event()))
    expected = (stripe.api_version, "cus_Current0001", "seti_Current0001", "user-42")
    actual = (
        event.api_version,
        event.data_object["customer"],
        event.data_object["setup_intent"],
        event.data_object["metadata"]["customer_ref"],
    )
    assert expected == actual


def test_data_object_is_the_whole_object() -> None:
    """data_object holds every field of data.object, as plain JSON values."""
    event = current_event()
    assert event["data"]["object"] == dict(parse_event(body(event)).data_object)


def test_previous_attributes() -> None:
    """data.previous_attributes of an *.updated event is exposed."""
    event = current_event(type="payment_method.updated")
    event["data"]["previous_attributes"] = {"card": {"exp_year": 2025}}
    expected = {"card": {"exp_year": 2025}}
    assert expected == parse_event(body(event)).previous_attributes


def test_missing_api_version_is_none() -> None:
    """An event without api_version (as in Stripe's fixtures) parses with api_version None."""
    event = current_event()
    del event["api_version"]
    assert parse_event(body(event)).api_version is None


def test_livemode_true() -> None:
    """livemode is read from the event."""
    assert parse_event(body(current_event(livemode=True))).livemode is True


def test_object_id_none_for_objects_without_id() -> None:
    """object_id is None for an object without an id (a balance)."""
    event = current_event(type="balance.available")
    event["data"]["object"] = {"object": "balance", "available": []}
    assert parse_event(body(event)).object_id is None


def test_data_object_is_read_only() -> None:
    """data_object cannot be changed in place."""
    event = parse_event(GUIDE_2019_EVENT)
    with pytest.raises(TypeError):
        event.data_object["customer"] = "cus_x"  # type: ignore[index]


def test_str_and_bytes_parse_equal() -> None:
    """A body given as str or as bytes parses to equal events."""
    assert parse_event(GUIDE_2019_EVENT) == parse_event(GUIDE_2019_EVENT.encode())


def test_parsed_event_is_hashable() -> None:
    """Equal events hash alike, so they can go in sets."""
    events = {parse_event(GUIDE_2019_EVENT), parse_event(GUIDE_2019_EVENT.encode())}
    expected = 1
    assert expected == len(events)


def test_repr_leaves_out_object_data() -> None:
    """The repr names the event but not its object, which may hold a client_secret."""
    event = current_event(type="setup_intent.succeeded")
    event["data"]["object"] = {"id": "seti_1", "client_secret": "seti_1_secret_shh"}
    shown = repr(parse_event(body(event)))
    expected = (False, True)
    assert expected == ("shh" in shown, "evt_1QxCurrentVersion0000001" in shown)


def test_parsed_event_can_be_built_directly() -> None:
    """Tests can build a ParsedEvent without a body."""
    event = ParsedEvent(
        id="evt_1",
        type="setup_intent.succeeded",
        created=1,
        livemode=False,
        api_version=None,
        data_object={"id": "seti_1"},
        previous_attributes=None,
    )
    expected = "seti_1"
    assert expected == event.object_id


def _mutated(change: Any) -> bytes:
    event = current_event()
    change(event)
    return body(event)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"not json", id="not json"),
        pytest.param(b'{"id": "evt_1"', id="truncated"),
        pytest.param(b"\xff\xfe\xfa", id="not UTF-8"),
        pytest.param(b"[]", id="array"),
        pytest.param(b'"evt_1"', id="string"),
        pytest.param(b"null", id="null"),
        pytest.param(b"42", id="number"),
        pytest.param(b"true", id="boolean"),
        pytest.param(b"[" * 100_000, id="absurd nesting"),
        pytest.param(b'{"id": NaN}', id="NaN"),
        pytest.param(_mutated(lambda e: e.pop("id")), id="no id"),
        pytest.param(_mutated(lambda e: e.update(id="")), id="empty id"),
        pytest.param(_mutated(lambda e: e.update(id=7)), id="id not a string"),
        pytest.param(_mutated(lambda e: e.pop("type")), id="no type"),
        pytest.param(_mutated(lambda e: e.update(type=None)), id="type null"),
        pytest.param(_mutated(lambda e: e.pop("created")), id="no created"),
        pytest.param(_mutated(lambda e: e.update(created="1")), id="created a string"),
        pytest.param(_mutated(lambda e: e.update(created=True)), id="created a boolean"),
        pytest.param(_mutated(lambda e: e.pop("livemode")), id="no livemode"),
        pytest.param(_mutated(lambda e: e.update(livemode="false")), id="livemode a string"),
        pytest.param(_mutated(lambda e: e.update(api_version=2019)), id="api_version a number"),
        pytest.param(_mutated(lambda e: e.pop("data")), id="no data"),
        pytest.param(_mutated(lambda e: e.update(data=[])), id="data an array"),
        pytest.param(_mutated(lambda e: e["data"].pop("object")), id="no data.object"),
        pytest.param(_mutated(lambda e: e["data"].update(object=[])), id="data.object an array"),
        pytest.param(
            _mutated(lambda e: e["data"].update(previous_attributes=[])),
            id="previous_attributes an array",
        ),
        pytest.param(_mutated(lambda e: e.update(object="customer")), id="not an event"),
        pytest.param(_mutated(lambda e: e.update(object="v2.core.event")), id="thin event"),
    ],
)
def test_malformed_payload(payload: bytes) -> None:
    """A body that is not a Stripe event is a MalformedPayload."""
    with pytest.raises(MalformedPayload):
        parse_event(payload)


def test_malformed_payload_is_a_webhook_error() -> None:
    """MalformedPayload is answered like every refused delivery: a WebhookError."""
    with pytest.raises(WebhookError):
        parse_event(b"not json")


def test_thin_event_message_says_what_to_do() -> None:
    """A thin (v2) event notification is refused with a message naming snapshot events."""
    with pytest.raises(MalformedPayload, match="snapshot events"):
        parse_event(body(current_event(object="v2.core.event")))


def test_parsed_json_is_refused_clearly() -> None:
    """Passing an already-parsed dict is an InvalidInput asking for the raw body."""
    with pytest.raises(InvalidInput, match="raw request body"):
        parse_event(current_event())  # type: ignore[arg-type]
