"""Every documented test card behaves as Stripe documents it, at setup and when charged."""

from __future__ import annotations

import pytest
import stripe

from future_payments.testing import TEST_CARDS, FakeCardError, FakeStripe

from .conftest import saved_card, setup_session

# card number -> (3-D Secure at setup, setup decline (code, decline_code) or None,
#                 off-session charge: "succeeded" or (code, decline_code))
DOCUMENTED: dict[str, tuple[bool, tuple[str, str] | None, str | tuple[str, str]]] = {
    "4242424242424242": (False, None, "succeeded"),
    "5555555555554444": (False, None, "succeeded"),
    "378282246310005": (False, None, "succeeded"),
    "4000002500003155": (True, None, "succeeded"),
    "4000002760003184": (True, None, ("authentication_required", "authentication_required")),
    "4000003800000446": (True, None, "succeeded"),
    "4000000000009995": (False, ("card_declined", "insufficient_funds"), ("card_declined", "insufficient_funds")),  # noqa: E501
    "4000000000000002": (False, ("card_declined", "generic_decline"), ("card_declined", "generic_decline")),  # noqa: E501
    "4000000000000341": (False, None, ("card_declined", "generic_decline")),
    "4000008260003178": (True, None, ("card_declined", "insufficient_funds")),
    "4000000000009987": (False, ("card_declined", "lost_card"), ("card_declined", "lost_card")),
    "4000000000000069": (False, ("expired_card", "expired_card"), ("expired_card", "expired_card")),
    "4000000000000119": (False, ("processing_error", "processing_error"), ("processing_error", "processing_error")),  # noqa: E501
    "4000000000009979": (False, ("card_declined", "stolen_card"), ("card_declined", "stolen_card")),
    "4000000000000127": (False, ("incorrect_cvc", "incorrect_cvc"), ("incorrect_cvc", "incorrect_cvc")),  # noqa: E501
    "4000000000006975": (False, ("card_declined", "card_velocity_exceeded"), ("card_declined", "card_velocity_exceeded")),  # noqa: E501
    "4100000000000019": (False, None, ("card_declined", "fraudulent")),
    "4000000000004954": (False, None, ("card_declined", "fraudulent")),
    "4000000000003220": (True, None, ("authentication_required", "authentication_required")),
    "4000000000003063": (True, None, ("authentication_required", "authentication_required")),
    "4000008400001629": (True, None, ("card_declined", "generic_decline")),
}  # fmt: skip
BY_NUMBER = [pytest.param(number, {"card": number}, id=number) for number in DOCUMENTED]
BY_PM_ID = [
    pytest.param(number, {"payment_method": card.payment_method}, id=card.payment_method)
    for number, card in ((n, TEST_CARDS[n]) for n in DOCUMENTED)
    if card.payment_method
]
WAYS = BY_NUMBER + BY_PM_ID


def charge_off_session(
    client: stripe.StripeClient, customer: str | None, payment_method: str
) -> stripe.PaymentIntent:
    """An off-session charge of 19.99 USD."""
    return client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            **({"customer": customer} if customer else {}),
            "payment_method": payment_method,
            "confirm": True,
            "off_session": True,
        }
    )


def test_every_other_card_simply_succeeds() -> None:
    """Each card the table above leaves out is one Stripe documents as succeeding everywhere."""
    others = {n: c for n, c in TEST_CARDS.items() if n not in DOCUMENTED}
    assert set() == {
        n for n, c in others.items() if (c.setup, c.off_session, c.on_session) != ("succeeds",) * 3
    }


@pytest.mark.parametrize(("number", "way"), WAYS)
def test_card_at_setup(
    fake: FakeStripe, client: stripe.StripeClient, number: str, way: dict[str, str]
) -> None:
    """Completing Checkout with the card saves it, or raises the documented decline."""
    needs_3ds, setup_decline, _ = DOCUMENTED[number]
    customer = client.v1.customers.create()
    session = setup_session(client, customer.id)
    if setup_decline is None:
        fake.complete_checkout(session.id, **way)  # type: ignore[arg-type]
        done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})
        intent = done.setup_intent
        assert isinstance(intent, stripe.SetupIntent)
        types = [w.type for w in fake.webhooks()]
        expected = ("complete", "succeeded", needs_3ds)
        assert expected == (done.status, intent.status, "setup_intent.requires_action" in types)
    else:
        with pytest.raises(FakeCardError) as caught:
            fake.complete_checkout(session.id, **way)  # type: ignore[arg-type]
        done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})
        intent = done.setup_intent
        assert isinstance(intent, stripe.SetupIntent)
        assert intent.last_setup_error is not None
        expected_error = ("open", "requires_payment_method", *setup_decline, setup_decline[0])
        actual = (done.status, intent.status, caught.value.code, caught.value.decline_code)
        assert expected_error == (*actual, intent.last_setup_error.code)


@pytest.mark.parametrize(("number", "way"), WAYS)
def test_card_off_session_charge(
    fake: FakeStripe, client: stripe.StripeClient, number: str, way: dict[str, str]
) -> None:
    """An off-session charge of the card succeeds or raises the documented CardError."""
    _, setup_decline, outcome = DOCUMENTED[number]
    if setup_decline is None:
        customer, intent = saved_card(fake, client, **way)
        pm = intent.payment_method
        assert isinstance(pm, stripe.PaymentMethod)
        pm_id = pm.id
    else:
        customer = None
        pm_id = (
            way.get("payment_method")
            or client.v1.payment_methods.create(
                params={
                    "type": "card",
                    "card": {"number": number, "exp_month": 12, "exp_year": 2040},
                }
            ).id
        )
    if outcome == "succeeded":
        assert "succeeded" == charge_off_session(client, customer, pm_id).status
        return
    with pytest.raises(stripe.CardError) as caught:
        charge_off_session(client, customer, pm_id)
    error = caught.value.error
    assert error is not None
    assert error.payment_intent is not None
    expected = (402, *outcome, "requires_payment_method")
    actual = (caught.value.http_status, caught.value.code, error.decline_code)
    assert expected == (*actual, error.payment_intent.status)


def test_authentication_required_embeds_client_secret(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """The 402 authentication_required body carries the PaymentIntent with its client_secret."""
    customer, intent = saved_card(fake, client, card="4000002760003184")
    pm = intent.payment_method
    assert isinstance(pm, stripe.PaymentMethod)
    with pytest.raises(stripe.CardError) as caught:
        charge_off_session(client, customer, pm.id)
    assert caught.value.error is not None
    embedded = caught.value.error.payment_intent
    assert embedded is not None
    assert (embedded.id + "_secret_") == (embedded.client_secret or "")[: len(embedded.id) + 8]


def test_declined_charge_records_last_payment_error(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """A declined PaymentIntent keeps last_payment_error with the PaymentMethod."""
    customer, intent = saved_card(fake, client, card="4000000000000341")
    pm = intent.payment_method
    assert isinstance(pm, stripe.PaymentMethod)
    with pytest.raises(stripe.CardError) as caught:
        charge_off_session(client, customer, pm.id)
    assert caught.value.error is not None
    assert caught.value.error.payment_intent is not None
    stored = client.v1.payment_intents.retrieve(caught.value.error.payment_intent.id)
    assert stored.last_payment_error is not None
    assert stored.last_payment_error.payment_method is not None
    assert ("generic_decline", pm.id) == (
        stored.last_payment_error.decline_code,
        stored.last_payment_error.payment_method.id,
    )


def test_setup_card_attached_without_setup_needs_authentication(
    client: stripe.StripeClient,
) -> None:
    """4000002500003155 attached directly (never set up) needs authentication off-session."""
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.attach(
        "pm_card_authenticationRequiredOnSetup", params={"customer": customer.id}
    )
    with pytest.raises(stripe.CardError) as caught:
        charge_off_session(client, customer.id, pm.id)
    assert "authentication_required" == caught.value.code


def test_on_session_recovery_after_authentication_required(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """Confirming on-session goes to requires_action; passing 3-D Secure makes it succeed."""
    customer, intent = saved_card(fake, client, card="4000002760003184")
    pm = intent.payment_method
    assert isinstance(pm, stripe.PaymentMethod)
    with pytest.raises(stripe.CardError) as caught:
        charge_off_session(client, customer, pm.id)
    assert caught.value.error is not None
    assert caught.value.error.payment_intent is not None
    pi_id = caught.value.error.payment_intent.id
    confirmed = client.v1.payment_intents.confirm(
        pi_id, params={"payment_method": pm.id, "return_url": "https://shop.example/back"}
    )
    fake.authenticate(pi_id)
    expected = ("requires_action", "redirect_to_url", "succeeded")
    assert confirmed.next_action is not None
    actual = (confirmed.status, confirmed.next_action.type)
    assert expected == (*actual, client.v1.payment_intents.retrieve(pi_id).status)


def test_failed_authentication_on_session(fake: FakeStripe, client: stripe.StripeClient) -> None:
    """Failing the challenge leaves the PaymentIntent requires_payment_method."""
    pi = client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
        }
    )
    fake.authenticate(pi.id, succeed=False)
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.last_payment_error is not None
    expected = (
        "requires_action",
        "requires_payment_method",
        "payment_intent_authentication_failure",
    )
    assert expected == (pi.status, after.status, after.last_payment_error.code)


def test_authenticated_then_declined_on_session(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """4000008260003178 authenticates on-session and is then declined for insufficient funds."""
    pi = client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
            "confirm": True,
        }
    )
    fake.authenticate(pi.id)
    after = client.v1.payment_intents.retrieve(pi.id)
    assert after.last_payment_error is not None
    assert ("requires_payment_method", "insufficient_funds") == (
        after.status,
        after.last_payment_error.decline_code,
    )


def test_abandoned_challenge_leaves_session_open(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """authenticate=False leaves the session open and its SetupIntent requires_action."""
    session = setup_session(client)
    fake.complete_checkout(session.id, card="4000002500003155", authenticate=False)
    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})
    assert isinstance(done.setup_intent, stripe.SetupIntent)
    assert ("open", "requires_action") == (done.status, done.setup_intent.status)


def test_later_challenge_completes_the_session(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """Passing the abandoned challenge later completes the session."""
    session = setup_session(client)
    fake.complete_checkout(session.id, card="4000002500003155", authenticate=False)
    seti = client.v1.checkout.sessions.retrieve(session.id).setup_intent
    assert isinstance(seti, str)
    fake.authenticate(seti)
    assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


def test_attaching_a_declining_card_raises_card_error(client: stripe.StripeClient) -> None:
    """A card that cannot be set up cannot be attached either."""
    customer = client.v1.customers.create()
    with pytest.raises(stripe.CardError) as caught:
        client.v1.payment_methods.attach(
            "pm_card_visa_chargeDeclinedInsufficientFunds", params={"customer": customer.id}
        )
    assert ("card_declined", "insufficient_funds") == (
        caught.value.code,
        caught.value.error.decline_code if caught.value.error else None,
    )


def test_attaching_a_shortcut_creates_a_new_payment_method(client: stripe.StripeClient) -> None:
    """Attaching pm_card_visa returns a fresh pm_ id attached to the customer."""
    customer = client.v1.customers.create()
    pm = client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    assert (True, customer.id, "4242") == (
        pm.id != "pm_card_visa" and pm.id.startswith("pm_"),
        pm.customer,
        pm.card.last4 if pm.card else None,
    )
