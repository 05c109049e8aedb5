"""The three example apps behave alike: one suite, run through each framework's test client."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

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


def needs_authentication(app: Driver, fake: FakeStripe) -> str:
    """Save 4000002760003184 and charge it: the charge's key (authentication needed)."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    key = charge_key(app)
    assert "Authentication needed" in charge(app, key).text
    return key


def to_the_bank(app: Driver, key: str) -> str:
    """Press "Authenticate payment": the bank's challenge URL the app redirects to."""
    reply = app.post(f"/pay/{key}")
    assert 303 == reply.status
    assert reply.location is not None
    return reply.location


def test_card_needing_authentication_shows_the_link_to_email(app: Driver, fake: FakeStripe) -> None:
    """4000002760003184: the charge page shows the "authenticate this payment" link to e-mail."""
    save_card(app, fake, AUTH_ON_EVERY_CHARGE)
    key = charge_key(app)
    reply = charge(app, key)
    assert 200 == reply.status
    assert "<h1>Authentication needed</h1>" in reply.text
    found = re.search(r'id="authenticate-link" href="([^"]+)"', reply.text)
    assert found is not None
    assert (f"/pay/{key}", "http") == (urlsplit(found.group(1)).path, found.group(1)[:4])


def test_the_link_opens_a_page_that_starts_nothing(app: Driver, fake: FakeStripe) -> None:
    """GET /pay/<key> (mail scanners open links): two buttons, and no request."""
    key = needs_authentication(app, fake)
    before = len(fake.requests)
    page = app.get(f"/pay/{key}")
    assert (200, 0) == (page.status, len(fake.requests) - before)
    assert "Authenticate payment" in page.text
    assert "Cancel payment" in page.text
    assert "19.99 USD" in page.text


def test_authenticate_redirects_to_the_banks_page(app: Driver, fake: FakeStripe) -> None:
    """POST /pay/<key>: one request, then the browser goes to the challenge (next_action)."""
    key = needs_authentication(app, fake)
    before = len(fake.requests)
    location = to_the_bank(app, key)
    assert 1 == len(fake.requests) - before
    [intent] = fake.client().v1.payment_intents.list().data
    assert "requires_action" == intent.status
    assert intent.next_action.redirect_to_url.url == location
    assert intent.next_action.redirect_to_url.return_url.endswith(f"/pay/{key}/return")


def test_return_page_after_a_passed_challenge_says_charged(app: Driver, fake: FakeStripe) -> None:
    """Back from the bank: "Payment succeeded", Charged, with no webhook needed."""
    key = needs_authentication(app, fake)
    fake.authenticate(to_the_bank(app, key))
    page = app.get(f"/pay/{key}/return?redirect_status=succeeded")
    assert 200 == page.status
    assert "<h1>Payment succeeded</h1>" in page.text
    assert 'id="ledger">Charged<' in page.text


def test_failed_challenge_can_be_tried_again(app: Driver, fake: FakeStripe) -> None:
    """A failed challenge: "Authentication failed" with "Try again", which works."""
    key = needs_authentication(app, fake)
    fake.authenticate(to_the_bank(app, key), succeed=False)
    failed = app.get(f"/pay/{key}/return")
    assert "<h1>Authentication failed</h1>" in failed.text
    assert "Try again" in failed.text
    fake.authenticate(to_the_bank(app, key))
    assert 'id="ledger">Charged<' in app.get(f"/pay/{key}/return").text
    assert 1 == payment_intent_count(fake)


def test_cancel_ends_the_charge(app: Driver, fake: FakeStripe) -> None:
    """ "Cancel payment": the PaymentIntent is cancelled and the return page says so."""
    key = needs_authentication(app, fake)
    reply = app.post(f"/pay/{key}/cancel")
    assert (303, f"/pay/{key}/return") == (reply.status, reply.location)
    assert "<h1>Payment cancelled</h1>" in app.get(f"/pay/{key}/return").text
    [intent] = fake.client().v1.payment_intents.list().data
    assert "canceled" == intent.status


def test_link_of_a_settled_charge_goes_to_its_result(app: Driver, fake: FakeStripe) -> None:
    """The link of a charge that already went through shows its result."""
    save_card(app, fake)
    key = charge_key(app)
    charge(app, key)
    reply = app.get(f"/pay/{key}")
    assert (303, f"/pay/{key}/return") == (reply.status, reply.location)
    assert "<h1>Payment succeeded</h1>" in app.get(f"/pay/{key}/return").text


def test_someone_elses_charge_is_not_found(app: Driver, fake: FakeStripe) -> None:
    """The payment and refund pages work only on the logged-in customer's charges."""
    key = needs_authentication(app, fake)
    app.post("/login", {"customer_ref": "mallory"})
    assert 404 == app.get(f"/pay/{key}").status
    assert 404 == app.post(f"/pay/{key}").status
    assert 404 == app.post(f"/pay/{key}/cancel").status
    assert 404 == app.post(f"/charges/{key}/refund", {"refund_key": "refund-x"}).status


def test_unknown_charge_key_is_not_found(app: Driver) -> None:
    """A key the charge form never made: 404."""
    assert 404 == app.get("/pay/order-1").status
    assert 404 == app.get("/pay/charge-nope/return").status


def refund_key(page: str, key: str) -> str:
    """The refund key the account page's refund form for charge ``key`` carries."""
    item = page.split(f'id="{key}"', 1)[1].split("</li>", 1)[0]
    found = re.search(r'name="refund_key" value="([^"]+)"', item)
    assert found is not None, "no refund form for the charge"
    return found.group(1)


def charged(app: Driver, fake: FakeStripe) -> str:
    """Save 4242 and charge it through the form: the charge's key."""
    save_card(app, fake)
    key = charge_key(app)
    assert "<h1>Charged</h1>" in charge(app, key).text
    return key


def test_account_lists_the_charge_with_a_refund_button(app: Driver, fake: FakeStripe) -> None:
    """A charge made through the form is listed on the account page with "Refund"."""
    key = charged(app, fake)
    page = app.get("/account").text
    assert "Your charges" in page
    assert f'action="/charges/{key}/refund"' in page
    assert "19.99 USD — charged" in page


def test_refund_button_refunds_the_charge(app: Driver, fake: FakeStripe) -> None:
    """An empty amount refunds it all: the notice, the refund listed, no refund button left."""
    key = charged(app, fake)
    form = {"refund_key": refund_key(app.get("/account").text, key), "amount": ""}
    reply = app.post(f"/charges/{key}/refund", form)
    assert (303, "/account?notice=refunded") == (reply.status, reply.location)
    page = app.get("/account?notice=refunded").text
    assert "Refund sent." in page
    assert "19.99 USD refunded: succeeded" in page
    assert f'action="/charges/{key}/refund"' not in page


def test_partial_refund_leaves_the_rest_refundable(app: Driver, fake: FakeStripe) -> None:
    """5.00 refunded of 19.99: listed, and the form offers at most the 14.99 left."""
    key = charged(app, fake)
    form = {"refund_key": refund_key(app.get("/account").text, key), "amount": "500"}
    app.post(f"/charges/{key}/refund", form)
    page = app.get("/account").text
    assert "5.00 USD refunded: succeeded" in page
    assert 'max="1499"' in page


def test_double_submitted_refund_form_refunds_once(app: Driver, fake: FakeStripe) -> None:
    """The same refund form posted twice: one refund at Stripe."""
    key = charged(app, fake)
    form = {"refund_key": refund_key(app.get("/account").text, key), "amount": "500"}
    assert [303, 303] == [app.post(f"/charges/{key}/refund", form).status for _ in range(2)]
    assert 1 == len(fake.client().v1.refunds.list().data)


def test_over_refund_is_a_400_page(app: Driver, fake: FakeStripe) -> None:
    """More than the charge: a 400 page saying what is left; nothing refunded."""
    key = charged(app, fake)
    form = {"refund_key": refund_key(app.get("/account").text, key), "amount": "2500"}
    reply = app.post(f"/charges/{key}/refund", form)
    assert 400 == reply.status
    assert "1999" in reply.text
    assert 0 == len(fake.client().v1.refunds.list().data)


def test_refund_of_a_charge_awaiting_authentication_is_a_409(app: Driver, fake: FakeStripe) -> None:
    """Not charged yet: 409 "Not refundable"."""
    key = needs_authentication(app, fake)
    reply = app.post(f"/charges/{key}/refund", {"refund_key": "refund-x", "amount": ""})
    assert 409 == reply.status
    assert "Not refundable" in reply.text


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
    reply = charge(app, charge_key(app))  # the 3184 card: authentication needed
    assert "<h1>Authentication needed</h1>" in reply.text


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
