"""The three example apps behave alike: one suite, run through each framework's test client."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from future_payments import SavedPaymentMethod
from future_payments.stores import ThreadedStore
from future_payments.testing import FakeStripe
from tests.examples.drivers import Driver, Reply

AUTH_ON_EVERY_CHARGE = "4000002760003184"
DECLINES_EVERY_CHARGE = "4000000000000341"


def session_id_of(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


def save_card(app: Driver, fake: FakeStripe, card: str = "4242424242424242") -> str:
    """Save ``card`` through the app, as the customer would; returns the new method's id."""
    started = app.post("/setup")
    session_id = session_id_of(started.location or "")
    fake.complete_checkout(session_id, card=card)
    saved = app.get(f"/saved?session_id={session_id}")
    assert 303 == saved.status
    return newest_method_id(app)


def stored_methods(app: Driver) -> list[SavedPaymentMethod]:
    """The demo customer's saved methods, read from the app's store (unwrapped if threaded)."""
    store = app.services.payments.store
    if isinstance(store, ThreadedStore):
        store = store.store
    return list(store.list_payment_methods("demo-user"))


def newest_method_id(app: Driver) -> str:
    methods = stored_methods(app)
    return str(methods[-1].id)


def charge_key(app: Driver) -> str:
    """The idempotency key the account page's charge form carries."""
    page = app.get("/account").text
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found is not None, "no charge form on the account page"
    return found.group(1)


def charge(app: Driver, key: str, amount: str = "1999") -> Reply:
    return app.post("/charge", {"amount": amount, "currency": "usd", "idempotency_key": key})


def deliver_webhooks(app: Driver, fake: FakeStripe) -> list[int]:
    return [
        app.post_raw("/webhooks/stripe", d.body, {"Stripe-Signature": d.signature}).status
        for d in fake.webhooks()
    ]


def payment_intent_count(fake: FakeStripe) -> int:
    return len(fake.client().v1.payment_intents.list(params={"limit": 100}).data)


def test_home_page_offers_to_save_a_card(app: Driver) -> None:
    """The home page has the "Save a card" button and the log-in form."""
    page = app.get("/")
    assert 200 == page.status
    assert "Save a card" in page.text
    assert 'name="customer_ref"' in page.text


def test_save_a_card_redirects_to_the_checkout_session(app: Driver, fake: FakeStripe) -> None:
    """POST /setup starts a setup session and sends the browser to its URL."""
    reply = app.post("/setup")
    assert 303 == reply.status
    assert reply.location is not None
    session = fake.client().v1.checkout.sessions.retrieve(session_id_of(reply.location))
    assert session.url == reply.location
    assert "setup" == session.mode
    assert session.success_url.endswith("/saved?session_id={CHECKOUT_SESSION_ID}")


def test_success_route_saves_the_card(app: Driver, fake: FakeStripe) -> None:
    """GET /saved completes the session, stores the card and redirects to the account."""
    session_id = session_id_of(app.post("/setup").location or "")
    fake.complete_checkout(session_id, card="4242424242424242")
    reply = app.get(f"/saved?session_id={session_id}")
    assert (303, "/account?notice=saved") == (reply.status, reply.location)
    [method] = stored_methods(app)
    assert ("4242", "active", True) == (method.last4, method.status, method.is_default)


def test_success_route_for_an_unfinished_session_says_so(app: Driver) -> None:
    """A session the customer has not completed gives a 409 page, nothing stored."""
    session_id = session_id_of(app.post("/setup").location or "")
    reply = app.get(f"/saved?session_id={session_id}")
    assert 409 == reply.status
    assert "Checkout not finished" in reply.text


def test_webhook_route_accepts_signed_deliveries(app: Driver, fake: FakeStripe) -> None:
    """Every event of the flow, signed by the fake, is answered 200."""
    session_id = session_id_of(app.post("/setup").location or "")
    fake.complete_checkout(session_id, card="4000002500003155")
    statuses = deliver_webhooks(app, fake)
    assert statuses
    assert {200} == set(statuses)
    [method] = stored_methods(app)
    assert "3155" == method.last4


def test_webhook_route_refuses_a_tampered_delivery(app: Driver, fake: FakeStripe) -> None:
    """A body changed after signing is answered 400 with the reason."""
    app.post("/setup")
    delivery = fake.webhooks()[0]
    tampered = delivery.body.replace(b'"livemode": false', b'"livemode": true ')
    assert tampered != delivery.body
    reply = app.post_raw("/webhooks/stripe", tampered, {"Stripe-Signature": delivery.signature})
    assert 400 == reply.status
    assert "SignatureMismatch" == reply.json()["error"]


def test_webhook_route_refuses_a_delivery_without_signature(app: Driver) -> None:
    """No Stripe-Signature header: 400."""
    reply = app.post_raw("/webhooks/stripe", b"{}", {})
    assert (400, "MissingSignature") == (reply.status, reply.json()["error"])


def test_account_lists_the_saved_card(app: Driver, fake: FakeStripe) -> None:
    """The account page shows brand, last4, expiry and the default badge."""
    pm_id = save_card(app, fake)
    page = app.get("/account?notice=saved").text
    assert "Card saved." in page
    assert f'id="{pm_id}"' in page
    assert re.search(r"Visa •••• 4242, expires \d\d/\d{4}", page)
    assert '<span class="badge default">default</span>' in page


def test_account_without_cards_has_no_charge_form(app: Driver) -> None:
    """Nothing saved: no charge form."""
    page = app.get("/account").text
    assert "No saved cards yet." in page
    assert "idempotency_key" not in page


def test_each_account_page_carries_a_new_idempotency_key(app: Driver, fake: FakeStripe) -> None:
    """Two renders of the form, two keys: two orders are two charges."""
    save_card(app, fake)
    assert charge_key(app) != charge_key(app)


def test_charge_succeeds(app: Driver, fake: FakeStripe) -> None:
    """The charge form charges the default card: the "Charged" page."""
    save_card(app, fake)
    reply = charge(app, charge_key(app))
    assert 200 == reply.status
    assert "<h1>Charged</h1>" in reply.text
    assert "19.99 USD charged" in reply.text


def test_double_submitted_charge_form_charges_once(app: Driver, fake: FakeStripe) -> None:
    """The same form posted twice makes one PaymentIntent; both answers say Charged."""
    save_card(app, fake)
    key = charge_key(app)
    first, second = charge(app, key), charge(app, key)
    assert "<h1>Charged</h1>" in first.text
    assert "<h1>Charged</h1>" in second.text
    assert 1 == payment_intent_count(fake)


def test_two_renders_of_the_form_charge_twice(app: Driver, fake: FakeStripe) -> None:
    """Two forms, two keys: two PaymentIntents."""
    save_card(app, fake)
    charge(app, charge_key(app))
    charge(app, charge_key(app))
    assert 2 == payment_intent_count(fake)


def test_reused_key_with_another_amount_is_refused(app: Driver, fake: FakeStripe) -> None:
    """The same key with a changed amount: 409, no second charge."""
    save_card(app, fake)
    key = charge_key(app)
    charge(app, key)
    reply = charge(app, key, amount="2500")
    assert 409 == reply.status
    assert 1 == payment_intent_count(fake)


@pytest.mark.parametrize(
    "form",
    [
        {"amount": "nineteen", "currency": "usd", "idempotency_key": "charge-x"},
        {"amount": "1999", "currency": "dollars", "idempotency_key": "charge-x"},
        {"amount": "1999", "currency": "usd"},
        {"amount": "10", "currency": "usd", "idempotency_key": "charge-x"},
    ],
    ids=["amount", "currency", "no-key", "below-minimum"],
)
def test_bad_charge_form_is_a_400_page(app: Driver, fake: FakeStripe, form: dict[str, str]) -> None:
    """A bad field is a 400 page that says what to fix; nothing is charged."""
    save_card(app, fake)
    reply = app.post("/charge", form)
    assert 400 == reply.status
    assert 'class="error"' in reply.text
    assert 0 == payment_intent_count(fake)


def test_card_needing_authentication_goes_to_the_recovery_page(
    app: Driver, fake: FakeStripe
) -> None:
    """4000002760003184: the charge redirects to the recovery page, which offers to authenticate."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    reply = charge(app, charge_key(app))
    assert 303 == reply.status
    assert reply.location is not None
    assert reply.location.startswith("/recover?payment_intent=pi_")
    page = app.get(reply.location)
    assert 200 == page.status
    assert "Authentication needed" in page.text
    assert "Authenticate payment" in page.text


def test_recovery_confirms_on_session_and_redirects_to_the_bank(
    app: Driver, fake: FakeStripe
) -> None:
    """POST /recover confirms the PaymentIntent and sends the browser to its next_action URL."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    pi = parse_qs(urlsplit(charge(app, charge_key(app)).location or "").query)["payment_intent"][0]
    reply = app.post("/recover", {"payment_intent": pi})
    assert 303 == reply.status
    intent = fake.client().v1.payment_intents.retrieve(pi)
    assert "requires_action" == intent.status
    assert intent.next_action.redirect_to_url.url == reply.location
    assert intent.next_action.redirect_to_url.return_url.endswith("/recovered")


def test_recovered_page_shows_the_charge_once_the_webhook_arrived(
    app: Driver, fake: FakeStripe
) -> None:
    """Authenticated: the PaymentIntent succeeded; after the webhook the ledger says Charged."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    pi = parse_qs(urlsplit(charge(app, charge_key(app)).location or "").query)["payment_intent"][0]
    app.post("/recover", {"payment_intent": pi})
    fake.authenticate(pi)
    before = app.get(f"/recovered?payment_intent={pi}")
    assert 'id="status">succeeded<' in before.text
    assert "webhook has not arrived yet" in before.text
    assert {200} == set(deliver_webhooks(app, fake))
    after = app.get(f"/recovered?payment_intent={pi}")
    assert 'id="ledger">Charged<' in after.text
    assert "Payment succeeded" in after.text


def test_recovery_of_a_settled_charge_goes_to_the_result(app: Driver, fake: FakeStripe) -> None:
    """A recovery link for a charge that already went through shows its final state."""
    save_card(app, fake)
    charge(app, charge_key(app))
    pi = fake.client().v1.payment_intents.list().data[0].id
    reply = app.get(f"/recover?payment_intent={pi}")
    assert (303, f"/recovered?payment_intent={pi}") == (reply.status, reply.location)


def test_someone_elses_payment_intent_is_not_found(app: Driver, fake: FakeStripe) -> None:
    """The recovery pages show only the logged-in customer's charges."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    pi = parse_qs(urlsplit(charge(app, charge_key(app)).location or "").query)["payment_intent"][0]
    app.post("/login", {"customer_ref": "mallory"})
    assert 404 == app.get(f"/recover?payment_intent={pi}").status
    assert 404 == app.post("/recover", {"payment_intent": pi}).status


def test_declined_card_shows_the_decline_page(app: Driver, fake: FakeStripe) -> None:
    """4000000000000341 attaches but every charge fails: the "Declined" page with the code."""
    save_card(app, fake, DECLINES_EVERY_CHARGE)
    reply = charge(app, charge_key(app))
    assert 200 == reply.status
    assert "<h1>Declined</h1>" in reply.text
    assert "card_declined" in reply.text


def test_make_default_moves_the_badge(app: Driver, fake: FakeStripe) -> None:
    """The "Make default" button makes the second card the one charged."""
    first = save_card(app, fake)
    second = save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    reply = app.post(f"/methods/{second}/default")
    assert (303, "/account?notice=default") == (reply.status, reply.location)
    default = stored_methods(app)
    assert {first: False, second: True} == {m.id: m.is_default for m in default}
    assert 303 == charge(app, charge_key(app)).status  # the 3184 card: authentication needed


def test_remove_detaches_the_card(app: Driver, fake: FakeStripe) -> None:
    """The "Remove" button detaches the card: the account page no longer lists it."""
    pm_id = save_card(app, fake)
    reply = app.post(f"/methods/{pm_id}/remove")
    assert (303, "/account?notice=removed") == (reply.status, reply.location)
    page = app.get("/account").text
    assert pm_id not in page
    assert "No saved cards yet." in page


def test_unknown_payment_method_is_a_404_page(app: Driver, fake: FakeStripe) -> None:
    """Another customer's (or no) payment method: 404."""
    save_card(app, fake)
    assert 404 == app.post("/methods/pm_nope/default").status


def test_log_in_as_another_customer(app: Driver, fake: FakeStripe) -> None:
    """The log-in form switches the customer_ref the pages work for."""
    save_card(app, fake)
    reply = app.post("/login", {"customer_ref": "alice"})
    assert (303, "/account") == (reply.status, reply.location)
    page = app.get("/account").text
    assert '<b id="customer">alice</b>' in page
    assert "No saved cards yet." in page


def test_log_in_with_a_bad_ref_is_a_400_page(app: Driver) -> None:
    """A customer ref with spaces or markup is refused."""
    reply = app.post("/login", {"customer_ref": "<script>"})
    assert 400 == reply.status
    assert "<script>" not in reply.text


def test_unknown_page_is_a_404(app: Driver) -> None:
    """An unknown path: the app's own 404 page."""
    reply = app.get("/nope")
    assert 404 == reply.status
    assert "Not found" in reply.text
