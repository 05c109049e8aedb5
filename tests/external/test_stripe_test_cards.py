"""Every test card of Stripe's testing docs, created and used over HTTP as the docs describe.

The table and its sources are in ``stripe_test_cards.py`` (docs.stripe.com/testing, by section,
and stripe-facts.md for what was recorded from real test-mode answers).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.external._http import Api
from tests.external.stripe_test_cards import (
    ALL,
    INCORRECT_NUMBER,
    REFUNDS,
    DocumentedCard,
)

WITH_NUMBER = list({c.number: c for c in ALL if c.number}.values())
WITH_ID = [c for c in ALL if c.payment_method]
RETURN_URL = "https://shop.example/orders/7/return"


def _ids(cards: list[DocumentedCard] | tuple[DocumentedCard, ...]) -> list[str]:
    return [c.payment_method or c.number or c.label for c in cards]


def _customer(api: Api) -> str:
    customer: str = api.ok("POST", "/v1/customers", {"email": "cards@example.com"})["id"]
    return customer


def _card_facts(card: DocumentedCard, pm: dict[str, Any]) -> dict[str, object]:
    """The documented facts of ``card`` next to what ``pm`` says (unknown ones left out)."""
    details = pm.get("card") or {}
    facts: dict[str, object] = {
        "type": (pm.get("type"), "card"),
        "brand": (details.get("brand"), card.brand),
    }
    if card.last4:
        facts["last4"] = (details.get("last4"), card.last4)
    if card.funding:
        facts["funding"] = (details.get("funding"), card.funding)
    if card.country:
        facts["country"] = (details.get("country"), card.country)
    return facts


def _assert_facts(card: DocumentedCard, pm: dict[str, Any]) -> None:
    facts = _card_facts(card, pm)
    assert {k: v[1] for k, v in facts.items()} == {k: v[0] for k, v in facts.items()}  # type: ignore[index]


def _error(body: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = body.get("error") or {}
    return error


@pytest.mark.parametrize("card", WITH_NUMBER, ids=[c.number or "" for c in WITH_NUMBER])
def test_payment_method_from_number(api: Api, card: DocumentedCard) -> None:
    """A PaymentMethod created with the card number has the documented brand, funding, country."""
    year = datetime.datetime.now(datetime.UTC).year + 3
    status, pm = api.call(
        "POST",
        "/v1/payment_methods",
        {
            "type": "card",
            "card[number]": card.number or "",
            "card[exp_month]": "12",
            "card[exp_year]": str(year),
            "card[cvc]": "1234" if card.brand == "amex" else "123",
        },
    )

    assert 200 == status, _error(pm)
    _assert_facts(card, pm)


def test_incorrect_number_is_a_card_error(api: Api) -> None:
    """A number failing the Luhn check answers 402 incorrect_number (docs: declined payments)."""
    status, body = api.call(
        "POST",
        "/v1/payment_methods",
        {
            "type": "card",
            "card[number]": INCORRECT_NUMBER,
            "card[exp_month]": "12",
            "card[exp_year]": "2040",
            "card[cvc]": "123",
        },
    )

    assert (402, "card_error", "incorrect_number") == (
        status,
        _error(body).get("type"),
        _error(body).get("code"),
    )


ATTACHABLE = [c for c in WITH_ID if c.setup in ("succeeded", "requires_action")]


@pytest.mark.parametrize("card", ATTACHABLE, ids=_ids(ATTACHABLE))
def test_attach_test_payment_method(api: Api, card: DocumentedCard) -> None:
    """Attaching a pm_card_* id makes a new pm_ on the customer, with the card's facts."""
    customer = _customer(api)
    status, pm = api.call(
        "POST", f"/v1/payment_methods/{card.payment_method}/attach", {"customer": customer}
    )

    assert 200 == status, _error(pm)
    assert pm["id"].startswith("pm_")
    assert card.payment_method != pm["id"]
    assert customer == pm["customer"]
    _assert_facts(card, pm)


def test_test_payment_method_expiry_and_checks(api: Api) -> None:
    """pm_card_* cards expire next year in this month and pass the CVC check (stripe-facts.md)."""
    now = datetime.datetime.now(datetime.UTC)
    pm = api.ok("POST", "/v1/payment_methods/pm_card_visa/attach", {"customer": _customer(api)})

    card = pm["card"]
    assert (now.month, now.year + 1, "pass") == (
        card["exp_month"],
        card["exp_year"],
        (card.get("checks") or {}).get("cvc_check"),
    )


DECLINED_ON_ATTACH = [c for c in WITH_ID if c.setup == "declined"]


@pytest.mark.parametrize("card", DECLINED_ON_ATTACH, ids=_ids(DECLINED_ON_ATTACH))
def test_attach_declined_card(api: Api, card: DocumentedCard) -> None:
    """A card that cannot be set up answers 402 on attach, with no embedded payment_method."""
    status, body = api.call(
        "POST", f"/v1/payment_methods/{card.payment_method}/attach", {"customer": _customer(api)}
    )
    error = _error(body)

    assert (402, "card_error", card.code) == (status, error.get("type"), error.get("code"))
    if card.decline_code:
        assert card.decline_code == error.get("decline_code")
    assert "payment_method" not in error
    if card.code == "card_declined":
        assert isinstance(error.get("advice_code"), str), error
        assert isinstance(error.get("network_decline_code"), str), error


@pytest.mark.parametrize("pm", ["pm_card_chargeDeclined", "pm_card_visa_chargeDeclined"])
def test_attach_decline_body_as_recorded(api: Api, pm: str) -> None:
    """The generic decline on attach carries the recorded advice and network codes."""
    status, body = api.call(
        "POST", f"/v1/payment_methods/{pm}/attach", {"customer": _customer(api)}
    )
    error = _error(body)

    expected = (402, "card_declined", "generic_decline", "try_again_later", "01", "")
    assert expected == (
        status,
        error.get("code"),
        error.get("decline_code"),
        error.get("advice_code"),
        error.get("network_decline_code"),
        error.get("param"),
    )


SET_UP = [c for c in WITH_ID if c.setup != "undocumented"]


@pytest.mark.parametrize("card", SET_UP, ids=_ids(SET_UP))
def test_setup_intent_with_card(api: Api, card: DocumentedCard) -> None:
    """A SetupIntent confirmed with the card ends as the docs say (or a 402 for declines)."""
    status, body = api.call(
        "POST",
        "/v1/setup_intents",
        {
            "customer": _customer(api),
            "payment_method": card.payment_method or "",
            "confirm": "true",
            "return_url": RETURN_URL,
        },
    )

    if card.setup == "declined":
        assert (402, card.code) == (status, _error(body).get("code"))
        assert "requires_payment_method" == (_error(body).get("setup_intent") or {}).get("status")
    else:
        assert (200, card.setup) == (status, body.get("status")), _error(body)


@pytest.mark.parametrize("card", WITH_ID, ids=_ids(WITH_ID))
def test_on_session_payment(api: Api, card: DocumentedCard) -> None:
    """An on-session PaymentIntent confirmed with the card ends as the docs say."""
    status, body = api.call(
        "POST",
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "payment_method": card.payment_method or "",
            "confirm": "true",
            "return_url": RETURN_URL,
        },
    )

    if card.on_session == "declined":
        error = _error(body)
        assert (402, card.code) == (status, error.get("code"))
        if card.decline_code:
            assert card.decline_code == error.get("decline_code")
        assert "requires_payment_method" == (error.get("payment_intent") or {}).get("status")
    else:
        assert (200, card.on_session) == (status, body.get("status")), _error(body)


OFF_SESSION = [c for c in WITH_ID if c.off_session != "undocumented"]


@pytest.mark.parametrize("card", OFF_SESSION, ids=_ids(OFF_SESSION))
def test_off_session_payment(api: Api, card: DocumentedCard) -> None:
    """An off-session charge of the card for a customer, without an earlier setup."""
    customer = _customer(api)
    pm = card.payment_method or ""
    if card.setup in ("succeeded", "requires_action"):
        pm = api.ok("POST", f"/v1/payment_methods/{pm}/attach", {"customer": customer})["id"]
    status, body = api.call(
        "POST",
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "customer": customer,
            "payment_method": pm,
            "off_session": "true",
            "confirm": "true",
        },
    )

    if card.off_session == "succeeded":
        assert (200, "succeeded") == (status, body.get("status")), _error(body)
        return
    error = _error(body)
    code = "authentication_required" if card.off_session == "authentication_required" else card.code
    assert (402, "card_error", code) == (status, error.get("type"), error.get("code"))
    if card.off_session == "declined" and card.decline_code:
        assert card.decline_code == error.get("decline_code")
    assert "requires_payment_method" == (error.get("payment_intent") or {}).get("status")


@pytest.mark.parametrize("card", REFUNDS, ids=_ids(REFUNDS))
def test_refund_test_cards(api: Api, card: DocumentedCard) -> None:
    """The refund test cards: the charge succeeds; the refund starts in the documented status."""
    intent = api.ok(
        "POST",
        "/v1/payment_intents",
        {
            "amount": "2000",
            "currency": "usd",
            "payment_method": card.payment_method or "",
            "confirm": "true",
            "return_url": RETURN_URL,
        },
    )
    refund = api.ok("POST", "/v1/refunds", {"payment_intent": intent["id"]})

    assert ("succeeded", card.refund_status) == (intent["status"], refund["status"])
