"""Deferred mode end to end over real HTTP, on PostgreSQL and MariaDB, with Unicode keys.

The facade's StripeClient reaches a FakeServer over the network; Stripe's deliveries reach a
real HTTP endpoint that answers with ``handle_webhook(..., deferred=True)``; the worker runs
more than Stripe's 24 hours later (the endpoint verified the signatures, the worker does not).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from future_payments import FuturePayments, NeedsAuthentication
from future_payments.stores import SQLAlchemyStore
from future_payments.testing import FakeServer, WebhookDelivery
from future_payments.webhooks import handle_webhook
from tests.stores._sqlalchemy_factories import SERVER_KINDS, server_store, server_url

pytestmark = pytest.mark.database

REF = "Zoë-ünïcödé 😀 customer"
KEY = "ordre-№1 ✓"


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


@pytest.fixture(params=SERVER_KINDS)
def payments(request: pytest.FixtureRequest) -> Iterator[tuple[FuturePayments, FakeServer, str]]:
    """A facade on the server's tables, its FakeServer, and the URL of its deferred endpoint."""
    with server_store(request.param) as (_engine, _store, prefix), FakeServer() as server:
        store = SQLAlchemyStore(server_url(request.param), table_prefix=prefix)
        fake = server.fake
        made = FuturePayments(
            client=server.client(max_network_retries=2), store=store,
            webhook_secret=fake.webhook_secret, now=fake.clock.now,
        )  # fmt: skip

        def endpoint(environ: dict[str, Any], start: Callable[..., Any]) -> Iterable[bytes]:
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            headers = {"Stripe-Signature": environ.get("HTTP_STRIPE_SIGNATURE", "")}
            status, answer = handle_webhook(made, body, headers, deferred=True)
            start(f"{status} Answered", [("Content-Type", "application/json")])
            return [json.dumps(answer).encode()]

        httpd = make_server("127.0.0.1", 0, endpoint, handler_class=_Quiet)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield made, server, f"http://127.0.0.1:{httpd.server_port}/webhooks"
        finally:
            httpd.shutdown()
            httpd.server_close()
            store.close()


def _post(url: str, deliveries: Iterable[WebhookDelivery]) -> list[tuple[str, str]]:
    answers = []
    for delivery in deliveries:
        answer = httpx.post(
            url, content=delivery.body, headers={"Stripe-Signature": delivery.signature}
        )
        answers.append((delivery.type, f"{answer.status_code} {answer.json()['action']}"))
    return answers


def test_setup_and_charge_news_handled_a_day_later(
    payments: tuple[FuturePayments, FakeServer, str],
) -> None:
    """Accepted over HTTP, processed 25 h later: the method is saved and the charge recorded."""
    facade, server, url = payments
    setup = facade.start_setup(
        REF, currency="eur", success_url="https://s.example/ok", cancel_url="https://s.example/no"
    )
    server.fake.complete_checkout(setup.session_id, card="4000002760003184")
    setup_answers = _post(url, server.fake.webhooks())
    server.fake.clock.advance(25 * 3600)
    setup_actions = sorted(o.action for o in facade.process_events())

    result = facade.charge_saved(REF, 1999, "eur", idempotency_key=KEY)
    charge_answers = _post(url, server.fake.webhooks())
    charge_actions = [o.action for o in facade.process_events()]

    accepted = [kind for kind, answer in setup_answers if answer == "200 accepted"]
    assert ["checkout.session.completed", "setup_intent.succeeded"] == sorted(accepted)
    assert {"200 accepted", "200 ignored"} == {answer for _, answer in setup_answers}
    assert ("saved" in setup_actions, set(setup_actions) <= {"saved", "ignored"}) == (True, True)
    assert ["3184"] == [m.last4 for m in facade.payment_methods(REF)]
    assert isinstance(result, NeedsAuthentication)
    assert [("payment_intent.payment_failed", "200 accepted")] == [
        a for a in charge_answers if a[1] == "200 accepted"
    ]
    row = facade.store.get_charge(KEY)
    assert (["updated"], "requires_action") == (charge_actions, row.state if row else None)
