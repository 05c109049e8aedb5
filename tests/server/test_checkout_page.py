"""The hosted Checkout page and its 3-D Secure challenge, driven with plain HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import stripe

from future_payments.testing import TEST_CARDS, FakeServer
from tests.server.conftest import setup_session

GOOD = {"number": "4242 4242 4242 4242", "expiry": "12 / 30", "cvc": "123", "name": "A Payer"}
AUTH_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)


def submit(http: httpx.Client, session_id: str, **fields: str) -> httpx.Response:
    """POST the Checkout form with GOOD fields overridden by ``fields``."""
    return http.post(f"/checkout/{session_id}", data={**GOOD, **fields})


def test_page_lists_test_cards_and_labels(http: httpx.Client, client: stripe.StripeClient) -> None:
    """The page has labelled fields, a Save button and every documented test card."""
    session = setup_session(client)
    page = http.get(f"/checkout/{session.id}").text

    for label in ('for="number"', 'for="expiry"', 'for="cvc"', 'for="name"', ">Save</button>"):
        assert label in page
    assert all(card.number[-4:] in page for card in TEST_CARDS.values())
    assert "4000 0025 0000 3155" in page
    assert 'id="number"' in page.split("autofocus")[0].rsplit("<input", 1)[-1]


def test_session_url_is_the_page(http: httpx.Client, client: stripe.StripeClient) -> None:
    """GET on session.url (with its fragment) serves the page."""
    session = setup_session(client)
    assert session.url is not None

    assert 200 == http.get(session.url).status_code


def test_good_card_redirects_to_success(
    server: FakeServer, http: httpx.Client, client: stripe.StripeClient
) -> None:
    """A card without 3-D Secure: 303 to success_url with the session id filled in."""
    session = setup_session(client)
    answer = submit(http, session.id)

    assert 303 == answer.status_code
    assert f"https://shop.example/saved?session_id={session.id}" == answer.headers["location"]
    assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


def test_typed_expiry_is_saved(http: httpx.Client, client: stripe.StripeClient) -> None:
    """The expiry typed on the page is the saved card's expiry."""
    session = setup_session(client)
    submit(http, session.id, expiry="07 / 31")

    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    card = done.setup_intent.payment_method.card  # type: ignore[union-attr]

    assert (7, 2031) == (card.exp_month, card.exp_year)


def test_3ds_card_challenge_then_success(http: httpx.Client, client: stripe.StripeClient) -> None:
    """4000002500003155: challenge page, Complete authentication, then success_url."""
    session = setup_session(client)
    answer = submit(http, session.id, number="4000 0025 0000 3155")
    challenge_url = answer.headers["location"]
    challenge = http.get(challenge_url)
    done = http.post(
        urlsplit(challenge_url).path,
        data={"outcome": "complete", "return_to": f"/checkout/{session.id}"},
    )

    assert (303, 200, 303) == (answer.status_code, challenge.status_code, done.status_code)
    assert "Complete authentication" in challenge.text
    assert "Fail authentication" in challenge.text
    assert done.headers["location"].endswith(f"session_id={session.id}")
    assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


def test_3ds_card_open_until_challenge(http: httpx.Client, client: stripe.StripeClient) -> None:
    """While the challenge is pending the session stays open, its SetupIntent requires_action."""
    session = setup_session(client)
    submit(http, session.id, number="4000002500003155")
    pending = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})

    assert isinstance(pending.setup_intent, stripe.SetupIntent)
    assert ("open", "requires_action") == (pending.status, pending.setup_intent.status)


def test_failed_challenge_shows_message(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Fail authentication: back to the page with Stripe's message; the session stays open."""
    session = setup_session(client)
    challenge_url = submit(http, session.id, number="4000002500003155").headers["location"]
    failed = http.post(
        urlsplit(challenge_url).path,
        data={"outcome": "fail", "return_to": f"/checkout/{session.id}"},
    )
    page = http.get(failed.headers["location"])

    assert AUTH_FAILED in page.text
    assert "open" == client.v1.checkout.sessions.retrieve(session.id).status


def test_retry_after_failed_challenge(http: httpx.Client, client: stripe.StripeClient) -> None:
    """After a failed challenge another card completes the same session."""
    session = setup_session(client)
    challenge_url = submit(http, session.id, number="4000002500003155").headers["location"]
    http.post(urlsplit(challenge_url).path, data={"outcome": "fail"})
    answer = submit(http, session.id)

    assert answer.headers["location"].endswith(session.id)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000000000000002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
    ],
)
def test_declined_card_shows_message(
    http: httpx.Client, client: stripe.StripeClient, number: str, message: str
) -> None:
    """A card that cannot be set up shows the decline on the page; the session stays open."""
    session = setup_session(client)
    answer = submit(http, session.id, number=number)

    assert (402, True) == (answer.status_code, message in answer.text)
    assert "open" == client.v1.checkout.sessions.retrieve(session.id).status


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"number": "4242 4242 4242 4241"}, "Your card number is invalid."),
        ({"number": "4242 4242"}, "Your card number is invalid."),
        ({"number": ""}, "Your card number is incomplete."),
        ({"expiry": "12 / 26"}, "Your card&#x27;s expiration year is in the past."),
        ({"expiry": "13 / 30"}, "Your card&#x27;s expiration month is invalid."),
        ({"expiry": "12"}, "Your card&#x27;s expiration date is incomplete."),
        ({"cvc": ""}, "Your card&#x27;s security code is incomplete."),
        ({"cvc": "12"}, "Your card&#x27;s security code is incomplete."),
        ({"cvc": "12a"}, "Your card&#x27;s security code is invalid."),
    ],
)
def test_invalid_fields_send_nothing(
    server: FakeServer,
    http: httpx.Client,
    client: stripe.StripeClient,
    fields: dict[str, str],
    message: str,
) -> None:
    """Stripe-like message next to the field; nothing reaches the fake; the session stays open."""
    session = setup_session(client)
    server.fake.webhooks()  # drop the creation events
    requests_before = len(server.fake.requests)
    answer = submit(http, session.id, **fields)

    assert (400, True) == (answer.status_code, message in answer.text)
    assert 'aria-invalid="true"' in answer.text
    assert 'aria-live="polite"' in answer.text
    assert ([], requests_before) == (server.fake.webhooks(), len(server.fake.requests))
    assert "open" == client.v1.checkout.sessions.retrieve(session.id).status


def test_invalid_card_creates_no_setup_intent(
    server: FakeServer, http: httpx.Client, client: stripe.StripeClient
) -> None:
    """A Luhn-invalid number leaves the session's SetupIntent untouched and records no event."""
    session = setup_session(client)
    server.fake.webhooks()  # drop the creation events
    submit(http, session.id, number="4242424242424241")

    assert [] == server.fake.webhooks()
    intent = client.v1.setup_intents.retrieve(str(session.setup_intent))
    assert ("requires_payment_method", None) == (intent.status, intent.payment_method)


def test_amex_needs_four_digit_cvc(http: httpx.Client, client: stripe.StripeClient) -> None:
    """An American Express card takes a 4-digit CVC."""
    session = setup_session(client)

    assert 400 == submit(http, session.id, number="378282246310005", cvc="123").status_code
    assert 303 == submit(http, session.id, number="378282246310005", cvc="1234").status_code


def test_expired_session_page(
    server: FakeServer, http: httpx.Client, client: stripe.StripeClient
) -> None:
    """An expired session shows a clear page and refuses the form."""
    session = setup_session(client)
    server.fake.expire_checkout(session.id)
    page = http.get(f"/checkout/{session.id}")

    assert (410, True) == (page.status_code, "This Checkout Session has expired" in page.text)
    assert 410 == submit(http, session.id).status_code


def test_session_expires_by_clock(
    server: FakeServer, http: httpx.Client, client: stripe.StripeClient
) -> None:
    """A session past its expires_at on the fake's clock shows the expired page."""
    session = setup_session(client)
    server.fake.clock.advance(24 * 60 * 60 + 1)

    assert 410 == http.get(f"/checkout/{session.id}").status_code


def test_complete_session_page(http: httpx.Client, client: stripe.StripeClient) -> None:
    """A completed session says so and links to success_url."""
    session = setup_session(client)
    submit(http, session.id)
    page = http.get(f"/checkout/{session.id}").text

    assert "payment method was saved" in page
    assert f"session_id={session.id}" in page


def test_unknown_session_is_404(http: httpx.Client) -> None:
    """An unknown session id answers 404."""
    assert 404 == http.get("/checkout/cs_test_nope").status_code


def test_cancel_link(http: httpx.Client, client: stripe.StripeClient) -> None:
    """The page links to cancel_url."""
    session = setup_session(client)

    assert 'href="https://shop.example/cancel"' in http.get(f"/checkout/{session.id}").text


def test_no_cancel_link_without_cancel_url(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Without cancel_url there is no Cancel link."""
    session = client.v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "success_url": "https://shop.example/ok"}
    )

    assert "Cancel" not in http.get(f"/checkout/{session.id}").text


def test_bank_debit_choice(http: httpx.Client, client: stripe.StripeClient) -> None:
    """A session allowing sepa_debit offers the choice; choosing it completes with processing."""
    session = setup_session(client, currency="eur", payment_method_types=["card", "sepa_debit"])
    page = http.get(f"/checkout/{session.id}").text
    answer = http.post(f"/checkout/{session.id}", data={"method": "sepa_debit"})
    done = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["setup_intent"]})

    assert 'value="sepa_debit"' in page
    assert "SEPA Direct Debit" in page
    assert 303 == answer.status_code
    assert isinstance(done.setup_intent, stripe.SetupIntent)
    assert ("complete", "processing") == (done.status, done.setup_intent.status)


def test_method_not_offered_is_refused(http: httpx.Client, client: stripe.StripeClient) -> None:
    """A method the session does not offer is refused."""
    session = setup_session(client)

    assert 400 == http.post(f"/checkout/{session.id}", data={"method": "sepa_debit"}).status_code


def test_challenge_return_to_must_be_local(http: httpx.Client, client: stripe.StripeClient) -> None:
    """return_to pointing elsewhere is ignored (no open redirect)."""
    session = setup_session(client)
    challenge_url = submit(http, session.id, number="4000002500003155").headers["location"]
    failed = http.post(
        urlsplit(challenge_url).path, data={"outcome": "fail", "return_to": "//evil.example/"}
    )

    location = urlsplit(failed.headers["location"])
    assert (f"/checkout/{session.id}", {"error": ["authentication_failed"]}) == (
        location.path,
        parse_qs(location.query),
    )
