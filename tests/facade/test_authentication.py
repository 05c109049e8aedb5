"""start/complete_authentication and cancel_charge: recovery on-session, no JavaScript."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from future_payments import (
    AuthenticationStarted,
    Charged,
    ChargeOutcomeUnknown,
    Declined,
    FuturePayments,
    InvalidInput,
    NeedsAuthentication,
)
from future_payments.errors import StripeUnavailable, UnknownCharge
from future_payments.testing import FakeStripe, needs_authentication
from tests.facade.conftest import save_card

RETURN_URL = "https://shop.example/pay/return?order=order-1"
KEY = "order-1"


def _needs_authentication(payments: FuturePayments, fake: FakeStripe) -> NeedsAuthentication:
    return needs_authentication(payments, fake, "user-42", idempotency_key=KEY)


def _start(payments: FuturePayments) -> AuthenticationStarted:
    started = payments.start_authentication(KEY, return_url=RETURN_URL)
    assert isinstance(started, AuthenticationStarted), started
    return started


def _count(fake: FakeStripe, since: int) -> int:
    return len(fake.requests) - since


def _deliver_all(payments: FuturePayments, fake: FakeStripe) -> None:
    for delivery in fake.webhooks():
        payments.complete_from_event(delivery.body, delivery.signature)


def test_start_is_one_confirm_with_the_saved_method(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """start_authentication confirms the PaymentIntent once, with its method and return_url."""
    needed = _needs_authentication(payments, fake)
    before = len(fake.requests)

    _start(payments)

    assert 1 == _count(fake, before)
    sent = fake.requests[-1]
    assert ("POST", f"/v1/payment_intents/{needed.payment_intent_id}/confirm") == (
        sent.method,
        sent.path,
    )
    assert (needed.payment_method_id, RETURN_URL) == (
        sent.params["payment_method"],
        sent.params["return_url"],
    )


def test_start_answers_stripes_redirect(payments: FuturePayments, fake: FakeStripe) -> None:
    """AuthenticationStarted.url is the PaymentIntent's next_action.redirect_to_url.url."""
    needed = _needs_authentication(payments, fake)

    started = _start(payments)

    intent = fake.client().v1.payment_intents.retrieve(needed.payment_intent_id)
    assert intent.next_action is not None
    redirect = intent.next_action.redirect_to_url
    assert redirect is not None
    assert ("requires_action", needed.payment_intent_id) == (
        intent.status,
        started.payment_intent_id,
    )
    assert (redirect.url, RETURN_URL) == (started.url, redirect.return_url)


def test_started_repr_hides_the_url(payments: FuturePayments, fake: FakeStripe) -> None:
    """The challenge URL (which may carry the client secret) is not in repr."""
    _needs_authentication(payments, fake)

    started = _start(payments)

    assert started.url not in repr(started)


def test_passed_challenge_completes_with_one_get(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """After the challenge passed, complete_authentication is one GET and answers Charged."""
    needed = _needs_authentication(payments, fake)
    started = _start(payments)
    fake.authenticate(started.url)
    before = len(fake.requests)

    result = payments.complete_authentication(KEY)

    assert 1 == _count(fake, before)
    assert ("GET", f"/v1/payment_intents/{needed.payment_intent_id}") == (
        fake.requests[-1].method,
        fake.requests[-1].path,
    )
    assert Charged(needed.payment_intent_id, 1999, "usd", needed.payment_method_id) == result


def test_repeats_after_charged_make_no_request(payments: FuturePayments, fake: FakeStripe) -> None:
    """Once Charged: complete, start and charge_saved again answer Charged with zero requests."""
    _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url)
    charged = payments.complete_authentication(KEY)
    before = len(fake.requests)

    again = (
        payments.complete_authentication(KEY),
        payments.start_authentication(KEY, return_url=RETURN_URL),
        payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY),
    )

    assert ((charged,) * 3, 0) == (again, _count(fake, before))


def test_unfinished_challenge_still_needs_authentication(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The customer is back before finishing: NeedsAuthentication, one GET."""
    needed = _needs_authentication(payments, fake)
    _start(payments)
    before = len(fake.requests)

    result = payments.complete_authentication(KEY)

    assert (NeedsAuthentication, 1) == (type(result), _count(fake, before))
    assert needed.payment_intent_id == result.payment_intent_id


def test_failed_challenge_is_declined(payments: FuturePayments, fake: FakeStripe) -> None:
    """A failed challenge: Declined with payment_intent_authentication_failure."""
    _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url, succeed=False)

    result = payments.complete_authentication(KEY)

    assert isinstance(result, Declined)
    assert "payment_intent_authentication_failure" == result.code


def test_failed_then_retried_is_charged(payments: FuturePayments, fake: FakeStripe) -> None:
    """After a failed challenge start_authentication works again (one request), then Charged."""
    needed = _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url, succeed=False)
    payments.complete_authentication(KEY)
    before = len(fake.requests)

    retried = _start(payments)
    fake.authenticate(retried.url)
    result = payments.complete_authentication(KEY)

    assert (2, Charged) == (_count(fake, before), type(result))
    assert 1 == len(fake.charges_of(needed.payment_intent_id)) - _failed_charges(fake, needed)


def _failed_charges(fake: FakeStripe, needed: NeedsAuthentication) -> int:
    return sum(c["status"] == "failed" for c in fake.charges_of(needed.payment_intent_id))


def test_abandoned_then_cancelled(payments: FuturePayments, fake: FakeStripe) -> None:
    """The customer never came back: cancel_charge cancels the PaymentIntent (one request)."""
    needed = _needs_authentication(payments, fake)
    _start(payments)
    before = len(fake.requests)

    result = payments.cancel_charge(KEY)

    assert 1 == _count(fake, before)
    assert ("POST", f"/v1/payment_intents/{needed.payment_intent_id}/cancel") == (
        fake.requests[-1].method,
        fake.requests[-1].path,
    )
    assert isinstance(result, Declined)
    assert ("canceled", "canceled") == (
        result.code,
        fake.client().v1.payment_intents.retrieve(needed.payment_intent_id).status,
    )


def test_cancelled_charge_repeats_make_no_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """After cancel_charge: cancel, start, complete and charge_saved answer it with no request."""
    _needs_authentication(payments, fake)
    cancelled = payments.cancel_charge(KEY)
    before = len(fake.requests)

    again = (
        payments.cancel_charge(KEY),
        payments.start_authentication(KEY, return_url=RETURN_URL),
        payments.complete_authentication(KEY),
        payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY),
    )

    assert ((cancelled,) * 4, 0) == (again, _count(fake, before))


def test_cancel_of_a_charged_charge_answers_charged(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A charge that went through is not cancelled: Charged, no request (refund it instead)."""
    save_card(payments, fake)
    charged = payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    before = len(fake.requests)

    assert (charged, 0) == (payments.cancel_charge(KEY), _count(fake, before))


def test_cancel_after_the_customer_passed_answers_charged(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The customer authenticated just before the cancel: Stripe refuses it; Charged it is."""
    needed = _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url)

    result = payments.cancel_charge(KEY)

    assert isinstance(result, Charged)
    intent = fake.client().v1.payment_intents.retrieve(needed.payment_intent_id)
    assert "succeeded" == intent.status
    assert isinstance(payments.complete_authentication(KEY), Charged)


def test_webhook_before_complete_makes_it_free(payments: FuturePayments, fake: FakeStripe) -> None:
    """payment_intent.succeeded arrived first: complete_authentication makes no request."""
    needed = _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url)
    _deliver_all(payments, fake)
    before = len(fake.requests)

    result = payments.complete_authentication(KEY)

    assert (Charged, 0) == (type(result), _count(fake, before))
    assert needed.payment_intent_id == result.payment_intent_id


def test_complete_before_start_needs_authentication(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The return page opened before any challenge: still NeedsAuthentication."""
    needed = _needs_authentication(payments, fake)

    result = payments.complete_authentication(KEY)

    assert needed == result


def test_start_for_a_charged_charge_makes_no_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A charge that went through off-session: its Charged, and no request."""
    save_card(payments, fake)
    charged = payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    before = len(fake.requests)

    result = payments.start_authentication(KEY, return_url=RETURN_URL)

    assert (charged, 0) == (result, _count(fake, before))


def test_start_for_a_declined_charge_makes_no_request(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A card decline is not an authentication matter: its Declined, and no request."""
    save_card(payments, fake, card="4000000000000341")
    declined = payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    before = len(fake.requests)

    result = payments.start_authentication(KEY, return_url=RETURN_URL)

    assert (declined, 0) == (result, _count(fake, before))
    assert isinstance(result, Declined)


def test_settled_without_a_challenge(payments: FuturePayments, fake: FakeStripe) -> None:
    """The bank asked off-session but not on-session: start_authentication answers Charged."""
    save_card(payments, fake)
    fake.next_charge_fails("authentication_required")
    needed = payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    assert isinstance(needed, NeedsAuthentication)
    before = len(fake.requests)

    result = payments.start_authentication(KEY, return_url=RETURN_URL)

    assert (Charged, 1) == (type(result), _count(fake, before))
    stored = payments.store.get_charge(KEY)
    assert ("succeeded", None) == (
        stored.state if stored else None,
        stored.client_secret if stored else "",
    )


def test_declined_on_session(payments: FuturePayments, fake: FakeStripe) -> None:
    """The bank declines the on-session confirmation: Declined with Stripe's code."""
    save_card(payments, fake)
    fake.next_charge_fails("authentication_required")
    payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    fake.next_charge_fails("insufficient_funds")

    result = payments.start_authentication(KEY, return_url=RETURN_URL)

    assert isinstance(result, Declined)
    assert ("card_declined", "insufficient_funds") == (result.code, result.decline_code)


@pytest.mark.parametrize(
    "url",
    ["/pay/return", "ftp://shop.example/return", "javascript:alert(1)", "https://", None, 42],
    ids=["relative", "ftp", "javascript", "no-host", "none", "int"],
)
def test_return_url_is_checked_before_any_request(
    payments: FuturePayments, fake: FakeStripe, url: object
) -> None:
    """A return_url that is not an absolute http(s) URL: InvalidInput, nothing sent."""
    _needs_authentication(payments, fake)
    before = len(fake.requests)

    with pytest.raises(InvalidInput) as raised:
        payments.start_authentication(KEY, return_url=url)  # type: ignore[arg-type]

    assert ("return_url", 0) == (raised.value.param, _count(fake, before))


@pytest.mark.parametrize("operation", ["start", "complete", "cancel"])
def test_unknown_key_is_an_error(
    payments: FuturePayments, fake: FakeStripe, operation: str
) -> None:
    """A key no charge was recorded under: UnknownCharge, no request."""
    calls = {
        "start": lambda: payments.start_authentication("nope", return_url=RETURN_URL),
        "complete": lambda: payments.complete_authentication("nope"),
        "cancel": lambda: payments.cancel_charge("nope"),
    }
    before = len(fake.requests)

    with pytest.raises(UnknownCharge, match="'nope'"):
        calls[operation]()

    assert 0 == _count(fake, before)


def test_charge_with_unknown_outcome_is_not_started(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """A charge whose answer was lost: ChargeOutcomeUnknown, retry charge_saved first."""
    save_card(payments, fake)
    fake.fail_next("connection_before", path="/v1/payment_intents")
    with pytest.raises(ChargeOutcomeUnknown):
        payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)
    before = len(fake.requests)

    with pytest.raises(ChargeOutcomeUnknown, match="charge_saved again"):
        payments.start_authentication(KEY, return_url=RETURN_URL)
    with pytest.raises(ChargeOutcomeUnknown, match="charge_saved again"):
        payments.cancel_charge(KEY)

    assert 0 == _count(fake, before)


def test_lost_confirm_answer_then_retry(payments: FuturePayments, fake: FakeStripe) -> None:
    """The confirm's answer is lost: StripeUnavailable; the retry starts it, one PaymentIntent."""
    needed = _needs_authentication(payments, fake)
    path = f"/v1/payment_intents/{needed.payment_intent_id}/confirm"
    fake.fail_next("connection_after", path=path)

    with pytest.raises(StripeUnavailable):
        payments.start_authentication(KEY, return_url=RETURN_URL)
    started = _start(payments)
    fake.authenticate(started.url)

    assert isinstance(payments.complete_authentication(KEY), Charged)
    assert 1 == len(fake.objects("payment_intent"))


def test_start_again_after_the_customer_passed_elsewhere(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The challenge was passed (no webhook yet) and the link is opened again: Charged."""
    _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url)

    result = payments.start_authentication(KEY, return_url=RETURN_URL)

    assert isinstance(result, Charged)


def test_start_answer_wins_over_a_same_second_decline(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The failed challenge's event and the retry share a second: the retry's answer stands."""
    _needs_authentication(payments, fake)
    fake.authenticate(_start(payments).url, succeed=False)
    _deliver_all(payments, fake)  # payment_intent.payment_failed, this very second
    stored = payments.store.get_charge(KEY)
    assert "declined" == (stored.state if stored else None)

    _start(payments)

    stored = payments.store.get_charge(KEY)
    assert "requires_action" == (stored.state if stored else None)


def test_client_secret_is_kept_only_while_authentication_is_needed(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The ledger keeps the secret while the charge waits, and drops it once it is Charged."""
    needed = _needs_authentication(payments, fake)
    started = _start(payments)
    waiting = payments.store.get_charge(KEY)
    fake.authenticate(started.url)
    payments.complete_authentication(KEY)
    done = payments.store.get_charge(KEY)

    assert (needed.client_secret, None) == (
        waiting.client_secret if waiting else None,
        done.client_secret if done else "",
    )


def test_return_url_comes_back_with_the_payment_intent(
    payments: FuturePayments, fake: FakeStripe
) -> None:
    """The challenge's redirect_to_url carries the app's return_url, order key included."""
    _needs_authentication(payments, fake)

    started = _start(payments)

    intent = fake.retrieve(started.payment_intent_id)
    assert intent is not None
    back = intent["next_action"]["redirect_to_url"]["return_url"]
    assert {"order": [KEY]} == parse_qs(urlsplit(back).query)


def test_canceled_event_ends_the_ledger_row(payments: FuturePayments, fake: FakeStripe) -> None:
    """payment_intent.canceled (a cancel elsewhere) ends the row: Declined, code canceled."""
    needed = _needs_authentication(payments, fake)
    fake.client().v1.payment_intents.cancel(needed.payment_intent_id)
    canceled = [d for d in fake.webhooks() if d.type == "payment_intent.canceled"]

    outcome = payments.complete_from_event(canceled[0].body, canceled[0].signature)
    result = payments.charge_saved("user-42", 1999, "usd", idempotency_key=KEY)

    assert "updated" == outcome.action
    assert isinstance(result, Declined)
    assert "canceled" == result.code
    assert "canceled" == json.loads(canceled[0].body)["data"]["object"]["status"]
