"""What real HTTP cannot carry fails in-process as over FakeServer; test helpers for URLs and
instant SDK retries."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from future_payments.testing import FakeServer, FakeStripe

BAD_HEADERS = {
    "key with a newline": {"api_key": "sk_test_abc\n"},
    "key with a euro sign": {"api_key": "sk_test_€"},
    "idempotency key with CR": {"idempotency_key": "order\r1"},
    "idempotency key with a euro sign": {"idempotency_key": "order-€"},
    "idempotency key with a leading space": {"idempotency_key": " order"},
    "account with a newline": {"stripe_account": "acct_1\n"},
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    """One FakeServer for the side-by-side comparisons."""
    with FakeServer() as running:
        yield running


def _outcome(make: Any, case: dict[str, str], *, asynchronous: bool = False) -> tuple[str, str]:
    client = make(case.get("api_key", "sk_test_ok"), case.get("stripe_account"))
    options: dict[str, Any] = {}
    if "idempotency_key" in case:
        options["idempotency_key"] = case["idempotency_key"]
    try:
        if asynchronous:
            asyncio.run(client.v1.customers.create_async(options=options))
        else:
            client.v1.customers.create(options=options)
    except stripe.StripeError as exc:
        return type(exc).__name__, str(exc.user_message or exc)
    return "ok", ""


@pytest.mark.parametrize("case", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_sync_in_process_fails_as_over_http(server: FakeServer, case: dict[str, str]) -> None:
    """Sync: the in-process transport raises what the SDK's default client raises over HTTP."""
    fake = FakeStripe()
    in_process = _outcome(lambda key, acct: fake.client(key, stripe_account=acct), case)
    over_http = _outcome(
        lambda key, acct: server.client(
            key, http_client=stripe.new_default_http_client(), stripe_account=acct
        ),
        case,
    )
    assert (over_http, "APIConnectionError") == (in_process, in_process[0])


@pytest.mark.parametrize("case", BAD_HEADERS.values(), ids=BAD_HEADERS.keys())
def test_async_in_process_fails_as_over_http(server: FakeServer, case: dict[str, str]) -> None:
    """Async: the in-process transport raises what the SDK's async client (httpx) raises."""
    fake = FakeStripe()
    in_process = _outcome(
        lambda key, acct: fake.client(key, stripe_account=acct), case, asynchronous=True
    )
    over_http = _outcome(
        lambda key, acct: server.client(key, http_client=stripe.HTTPXClient(), stripe_account=acct),
        case,
        asynchronous=True,
    )
    assert over_http == in_process


def test_latin1_header_sync_passes_both_ways(server: FakeServer) -> None:
    """A Latin-1 idempotency key (é) is sent by requests, in-process and over HTTP alike."""
    fake = FakeStripe()
    case = {"idempotency_key": "commande-é"}
    assert (
        ("ok", "")
        == _outcome(lambda k, a: fake.client(k), case)
        == _outcome(
            lambda k, a: server.client(k, http_client=stripe.new_default_http_client()), case
        )
    )


def test_complete_checkout_takes_the_session_url(
    fake: FakeStripe, client: stripe.StripeClient
) -> None:
    """complete_checkout accepts the url an app redirects the customer to."""
    session = client.v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "success_url": "https://shop.example/ok"}
    )
    fake.complete_checkout(str(session.url))
    assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


def test_complete_checkout_takes_a_served_url() -> None:
    """complete_checkout accepts a FakeServer page url (/checkout/<id>) too."""
    with FakeServer() as server:
        client = server.client()
        session = client.v1.checkout.sessions.create(
            params={"mode": "setup", "currency": "usd", "success_url": "https://shop.example/ok"}
        )
        server.fake.complete_checkout(str(session.url))
        assert "complete" == client.v1.checkout.sessions.retrieve(session.id).status


@pytest.mark.parametrize("served", [False, True], ids=["stripe hooks url", "server page url"])
def test_authenticate_takes_the_challenge_url(fake: FakeStripe, served: bool) -> None:
    """authenticate accepts next_action.redirect_to_url.url of an on-session PaymentIntent."""
    if served:
        fake.authentication_url_base = "http://127.0.0.1:9/authenticate/"
    client = fake.client()
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
            "return_url": "https://shop.example/back",
        }
    )
    assert intent.next_action is not None
    assert intent.next_action.redirect_to_url is not None
    fake.authenticate(str(intent.next_action.redirect_to_url.url))
    assert "succeeded" == client.v1.payment_intents.retrieve(intent.id).status


def test_the_sdk_retry_hook_is_still_there() -> None:
    """The SDK asks HTTPClient._sleep_time_seconds(num_retries) before each retry (sync, async)."""
    sync = inspect.getsource(stripe.HTTPClient._request_with_retries_internal)
    asynchronous = inspect.getsource(stripe.HTTPClient._request_with_retries_internal_async)
    parameters = list(inspect.signature(stripe.HTTPClient._sleep_time_seconds).parameters)
    assert (True, True, ["self", "num_retries"]) == (
        "self._sleep_time_seconds(" in sync,
        "self._sleep_time_seconds(" in asynchronous,
        parameters,
    )


def test_retries_do_not_sleep_on_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """With instant_retries (the default) the SDK retries a dropped connection at once."""
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    fake = FakeStripe()
    fake.fail_next("connection_before", times=2)
    fake.client(max_network_retries=2).v1.customers.create()
    assert [0.0, 0.0] == slept


def test_retries_back_off_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """instant_retries=False keeps the SDK's own back-off (0.5 s and up)."""
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    fake = FakeStripe(instant_retries=False)
    fake.fail_next("connection_before")
    fake.client(max_network_retries=1).v1.customers.create()
    assert [True] == [s >= 0.25 for s in slept]


def test_async_retries_do_not_sleep() -> None:
    """The async path retries at once too."""
    fake = FakeStripe()
    fake.fail_next("connection_before", times=2)
    client = fake.client(max_network_retries=2)
    customer = asyncio.run(client.v1.customers.create_async())
    assert customer.id.startswith("cus_")


def test_network_client_retries_do_not_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """FakeServer.client() (the fake's network_http_client) retries without sleeping too."""
    with FakeServer() as server:
        slept: list[float] = []
        monkeypatch.setattr("time.sleep", slept.append)
        server.fake.fail_next("connection_before")
        server.client(max_network_retries=1).v1.customers.create()
    assert (True, []) == (0.0 in slept, [s for s in slept if s >= 0.25])
