"""The dashboard at / and the tools' endpoints under /_fake/, over plain HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import stripe

from future_payments.__main__ import main
from future_payments.testing import FakeServer, FakeStripe
from tests.server.conftest import TINY, Receiver


@pytest.fixture
def shop(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A card saved through Checkout and a payment, made by `trigger`: the ids by kind."""
    for event in ("checkout.session.completed", "payment_intent.succeeded"):
        assert 0 == main(["trigger", event, "--api-base", server.url])
    capsys.readouterr()
    fake = server.fake
    [customer] = fake.objects("customer")
    saved = next(pm for pm in fake.objects("payment_method") if pm["customer"])
    return {
        "customer": customer["id"],
        "session": fake.objects("checkout.session")[0]["id"],
        "payment_method": saved["id"],
        "payment_intent": fake.objects("payment_intent")[0]["id"],
        "event": fake.objects("event")[0]["id"],
    }


@pytest.fixture
def forwarding(fake: FakeStripe, receiver: Receiver) -> Iterator[FakeServer]:
    """A server forwarding to the receiver on a tiny retry schedule."""
    with FakeServer(fake, webhook_url=receiver.url, retry=TINY) as running:
        yield running


def test_overview_lists_the_objects(http: httpx.Client, shop: dict[str, str]) -> None:
    """/ shows the customer, saved method, session, payment and newest event."""
    page = http.get("/").text

    missing = [kind for kind, object_id in shop.items() if f"/{object_id}" not in page]
    assert [] == missing


def test_overview_shows_secret_and_api_base(http: httpx.Client, server: FakeServer) -> None:
    """/ tells the webhook secret and the API base, as the Stripe Dashboard tells the keys."""
    page = http.get("/").text

    assert ("whsec_test_secret" in page, f"<code>{server.url}</code>" in page) == (True, True)


def test_lists_are_newest_first(http: httpx.Client, client: stripe.StripeClient) -> None:
    """/customers lists the newest customer first."""
    older = client.v1.customers.create()
    newer = client.v1.customers.create()
    page = http.get("/customers").text

    assert page.index(newer.id) < page.index(older.id)


def test_payment_intents_link_their_charge(
    http: httpx.Client, client: stripe.StripeClient, shop: dict[str, str]
) -> None:
    """A PaymentIntent's page links its latest charge."""
    intent = shop["payment_intent"]
    latest = client.v1.payment_intents.retrieve(intent).latest_charge

    assert f'href="/charges/{latest}"' in http.get(f"/payment_intents/{intent}").text


def test_detail_page_shows_the_json(http: httpx.Client, shop: dict[str, str]) -> None:
    """/customers/<id> shows the customer's JSON, with ids linked to their own pages."""
    page = http.get(f"/customers/{shop['customer']}").text

    assert "&quot;object&quot;: &quot;customer&quot;" in page
    assert f'href="/payment_methods/{shop["payment_method"]}"' in page


@pytest.mark.parametrize("path", ["/customers/cus_missing", "/customers/{payment_intent}"])
def test_detail_of_a_missing_object_is_404(
    http: httpx.Client, shop: dict[str, str], path: str
) -> None:
    """An unknown id, or an id of another kind, answers 404."""
    assert 404 == http.get(path.format(**shop)).status_code


def test_page_views_are_not_requests(
    http: httpx.Client, server: FakeServer, shop: dict[str, str]
) -> None:
    """Viewing the dashboard adds nothing to fake.requests (tests count those)."""
    before = len(server.fake.requests)
    for path in ("/", "/events", f"/customers/{shop['customer']}", f"/events/{shop['event']}"):
        assert 200 == http.get(path).status_code

    assert before == len(server.fake.requests)


def test_resend_button_delivers_again(forwarding: FakeServer, receiver: Receiver) -> None:
    """The Resend button POSTs the event to the webhook URL again; both attempts are listed."""
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()
    [event] = forwarding.client().v1.events.list().data
    with httpx.Client(base_url=forwarding.url, trust_env=False) as http:
        answer = http.post(f"/events/{event.id}/resend")
        forwarding.flush_webhooks()
        page = http.get(answer.headers["Location"]).text

    assert (303, [event.id, event.id]) == (
        answer.status_code,
        [json.loads(p.body)["id"] for p in receiver.posts()],
    )
    assert 2 == page.count("acknowledged")
    assert "Resent to " in page


def test_cross_site_post_is_refused(forwarding: FakeServer, receiver: Receiver) -> None:
    """A form on another site cannot make the fake resend (Sec-Fetch-Site: cross-site)."""
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()
    [event] = forwarding.client().v1.events.list().data

    answer = httpx.post(
        f"{forwarding.url}/events/{event.id}/resend",
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        trust_env=False,
    )
    forwarding.flush_webhooks()

    assert (403, 1) == (answer.status_code, len(receiver.posts()))


def test_config_tells_the_tools_the_secret(http: httpx.Client, server: FakeServer) -> None:
    """GET /_fake/config: what `listen` needs to sign events as this fake does."""
    config = http.get("/_fake/config").json()

    assert (server.url, "whsec_test_secret", None) == (
        config["api_base"],
        config["webhook_secret"],
        config["webhook_url"],
    )
    assert server.fake.clock.now() <= config["time"]


def test_resends_are_numbered_for_listeners(
    http: httpx.Client, client: stripe.StripeClient
) -> None:
    """POST /_fake/events/<id>/resend; GET /_fake/resends?after=N lists the later ones."""
    client.v1.customers.create()
    [event] = client.v1.events.list().data
    assert 200 == http.post(f"/_fake/events/{event.id}/resend").status_code
    http.post(f"/_fake/events/{event.id}/resend")

    everything = http.get("/_fake/resends", params={"after": 0}).json()
    later = http.get("/_fake/resends", params={"after": 1}).json()
    assert ([event.id, event.id], 2) == (everything["event_ids"], everything["count"])
    assert [event.id] == later["event_ids"]


def test_resend_of_an_unknown_event_is_404(http: httpx.Client) -> None:
    """The tools' resend of a missing event answers a Stripe-shaped 404."""
    answer = http.post("/_fake/events/evt_missing/resend")

    assert (404, "No such event: 'evt_missing'") == (
        answer.status_code,
        answer.json()["error"]["message"],
    )


def test_reported_attempts_show_on_the_event(
    http: httpx.Client, client: stripe.StripeClient
) -> None:
    """A `listen` process's reported attempt appears on the event's page, marked listen."""
    client.v1.customers.create()
    [event] = client.v1.events.list().data
    report = {
        "event_id": event.id,
        "type": event.type,
        "url": "http://127.0.0.1:9/hook",
        "status": 500,
        "error": None,
        "attempt": 1,
        "at": 1_800_000_000,
        "retry_in": 5.0,
    }

    assert 204 == http.post("/_fake/deliveries", json=report).status_code
    page = http.get(f"/events/{event.id}").text
    assert "<td>listen</td>" in page
    assert "retry in 5 s" in page


def test_a_bad_report_is_400(http: httpx.Client) -> None:
    """A malformed delivery report is refused, not stored."""
    assert 400 == http.post("/_fake/deliveries", json={"event_id": 7}).status_code


def test_wrong_method_is_405(http: httpx.Client) -> None:
    """GET on a POST-only tool endpoint answers 405."""
    assert 405 == http.get("/_fake/deliveries").status_code
