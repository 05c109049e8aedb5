"""On-session recovery: a PaymentIntent in requires_action, authenticated on the server's page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import stripe

from future_payments.testing import FakeServer

RETURN_URL = "https://shop.example/recovered?order=7"


def needs_authentication(client: stripe.StripeClient, card: str) -> stripe.PaymentIntent:
    """A PaymentIntent confirmed on-session with ``card``, waiting for 3-D Secure."""
    customer = client.v1.customers.create()
    return client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": card,
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )


def test_next_action_points_at_the_server(server: FakeServer, client: stripe.StripeClient) -> None:
    """redirect_to_url.url is the server's /authenticate page carrying the return_url."""
    intent = needs_authentication(client, "pm_card_authenticationRequired")
    assert intent.next_action is not None
    redirect = intent.next_action.redirect_to_url
    assert redirect is not None

    url = urlsplit(str(redirect.url))
    assert ("requires_action", "redirect_to_url") == (intent.status, intent.next_action.type)
    assert f"{server.url}/authenticate/{intent.id}" == f"{url.scheme}://{url.netloc}{url.path}"
    assert ({"return_url": [RETURN_URL]}, RETURN_URL) == (parse_qs(url.query), redirect.return_url)


def test_without_return_url_uses_stripe_sdk(client: stripe.StripeClient) -> None:
    """Without a return_url Stripe answers use_stripe_sdk, and so does the fake."""
    intent = client.v1.payment_intents.create(
        params={
            "amount": 500,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
        }
    )

    assert intent.next_action is not None
    assert "use_stripe_sdk" == intent.next_action.type


def follow(http: httpx.Client, intent: stripe.PaymentIntent, outcome: str) -> httpx.Response:
    """Open the challenge from next_action and press ``outcome``'s button."""
    assert intent.next_action is not None
    assert intent.next_action.redirect_to_url is not None
    url = str(intent.next_action.redirect_to_url.url)
    page = http.get(url)
    assert "Complete authentication" in page.text
    assert "19.99 USD" in page.text
    return http.post(urlsplit(url).path, data={"outcome": outcome, "return_url": RETURN_URL})


def test_complete_returns_with_succeeded(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Complete: 303 to return_url with payment_intent and redirect_status=succeeded appended."""
    intent = needs_authentication(client, "pm_card_authenticationRequired")
    answer = follow(http, intent, "complete")

    location = urlsplit(answer.headers["location"])
    query = parse_qs(location.query)
    assert (
        "https://shop.example/recovered" == f"{location.scheme}://{location.netloc}{location.path}"
    )
    assert (["7"], [intent.id], ["succeeded"]) == (
        query["order"],
        query["payment_intent"],
        query["redirect_status"],
    )
    assert [str(intent.client_secret)] == query["payment_intent_client_secret"]
    assert "succeeded" == client.v1.payment_intents.retrieve(intent.id).status


@pytest.mark.parametrize(
    ("card", "outcome"),
    [
        ("pm_card_authenticationRequired", "fail"),
        ("pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", "complete"),
    ],
)
def test_failure_returns_with_failed(
    http: httpx.Client, client: stripe.StripeClient, card: str, outcome: str
) -> None:
    """Failing the challenge (or a decline after it) returns with redirect_status=failed."""
    intent = needs_authentication(client, card)
    answer = follow(http, intent, outcome)

    assert ["failed"] == parse_qs(urlsplit(answer.headers["location"]).query)["redirect_status"]
    assert "requires_payment_method" == client.v1.payment_intents.retrieve(intent.id).status


def test_challenge_twice_is_refused(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Once resolved, the challenge page says there is nothing to authenticate."""
    intent = needs_authentication(client, "pm_card_authenticationRequired")
    follow(http, intent, "complete")

    assert 409 == http.get(f"/authenticate/{intent.id}").status_code
    assert 409 == http.post(f"/authenticate/{intent.id}", data={"outcome": "complete"}).status_code


def test_unknown_intent_is_404(http: httpx.Client) -> None:
    """An unknown id answers 404 on both methods."""
    assert 404 == http.get("/authenticate/pi_nope").status_code
    assert 404 == http.post("/authenticate/pi_nope", data={"outcome": "complete"}).status_code


def test_bad_outcome_is_400(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Only complete and fail are outcomes."""
    intent = needs_authentication(client, "pm_card_authenticationRequired")

    assert 400 == http.post(f"/authenticate/{intent.id}", data={"outcome": "maybe"}).status_code


def test_without_return_url_shows_result(http: httpx.Client, client: stripe.StripeClient) -> None:
    """Without a return_url the page itself tells the outcome."""
    intent = needs_authentication(client, "pm_card_authenticationRequired")
    answer = http.post(f"/authenticate/{intent.id}", data={"outcome": "complete"})

    assert (200, True) == (answer.status_code, "succeeded" in answer.text)


def test_setup_intent_on_session(http: httpx.Client, client: stripe.StripeClient) -> None:
    """A SetupIntent confirmed with a return_url returns with setup_intent=... appended."""
    intent = client.v1.setup_intents.create(
        params={
            "payment_method": "pm_card_authenticationRequiredOnSetup",
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )
    assert intent.next_action is not None
    assert intent.next_action.redirect_to_url is not None
    url = str(intent.next_action.redirect_to_url.url)
    answer = http.post(urlsplit(url).path, data={"outcome": "complete", "return_url": RETURN_URL})

    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert ([intent.id], ["succeeded"]) == (query["setup_intent"], query["redirect_status"])
