"""What one webhook event costs the database, counted on PostgreSQL and MariaDB.

Counted with SQLAlchemy's engine events on the store's own engine (made from the URL, as an app
would): ``transactions`` are commits and rollbacks, ``statements`` the SQL statements sent; and
``round_trips`` on the wire, by a TCP forwarder between the store and the server that counts
each time the client speaks after the server answered (BEGIN, COMMIT, pings and the driver's
own statements included).
docs/performance.md records the same figures. No transaction may be open while a Stripe
request is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

import future_payments._effects as effects
from future_payments import FuturePayments
from future_payments.stores import SQLAlchemyStore
from future_payments.testing import FakeStripe, saved_card
from tests._modes import signed_event
from tests.stores._proxy import Forwarder
from tests.stores._sqlalchemy_factories import (
    SERVER_KINDS,
    drop_tables,
    new_prefix,
    server_engine,
    server_url,
)


@attrs.define
class Counts:
    wire: Forwarder
    transactions: int = 0
    statements: int = 0
    round_trips: int = 0
    open: int = 0  # transactions begun and not yet ended
    open_at_requests: list[int] = attrs.Factory(list)

    def reset(self) -> None:
        self.transactions = self.statements = 0
        self.wire.round_trips = 0
        self.open_at_requests.clear()

    def read(self) -> tuple[int, int, int]:
        """(transactions, statements, round trips) since ``reset``."""
        return self.transactions, self.statements, self.wire.round_trips


@attrs.frozen
class Setup:
    kind: str
    payments: FuturePayments
    fake: FakeStripe
    counts: Counts


@pytest.fixture(params=SERVER_KINDS)
def setup(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Setup]:
    kind = request.param
    admin = server_engine(kind)  # skips, or fails in CI, when the server is unreachable
    prefix = new_prefix()
    url = sa.make_url(server_url(kind))
    wire = Forwarder(url.host or "127.0.0.1", url.port or 0)
    through = url.set(host="127.0.0.1", port=wire.port).render_as_string(hide_password=False)
    store = SQLAlchemyStore(through, table_prefix=prefix, create_schema=True)
    counts = Counts(wire)

    def began(*_: Any) -> None:
        counts.open += 1

    def ended(*_: Any) -> None:
        counts.transactions += 1
        counts.open -= 1

    def statement(*_: Any) -> None:
        counts.statements += 1

    sa.event.listen(store.engine, "begin", began)
    sa.event.listen(store.engine, "commit", ended)
    sa.event.listen(store.engine, "rollback", ended)
    sa.event.listen(store.engine, "before_cursor_execute", statement)
    send = effects.send

    def counted_send(*args: Any, **kwargs: Any) -> Any:
        counts.open_at_requests.append(counts.open)
        return send(*args, **kwargs)

    monkeypatch.setattr(effects, "send", counted_send)
    fake = FakeStripe()
    payments = FuturePayments(
        client=fake.client(), store=store, webhook_secret=fake.webhook_secret, now=fake.clock.now
    )
    try:
        yield Setup(kind, payments, fake, counts)
    finally:
        store.close()
        wire.stop()
        drop_tables(admin, prefix)
        admin.dispose()


def _cost(setup: Setup, body: bytes, signature: str, *, deferred: bool = False) -> tuple[Any, ...]:
    setup.counts.reset()
    if deferred:
        action = setup.payments.accept_event(body, signature).action
    else:
        action = setup.payments.complete_from_event(body, signature).action
    return (action, *setup.counts.read())


# Round trips per figure and database, as measured (docs/performance.md): the tests hold them
# as ceilings. PostgreSQL: a one-statement call runs in autocommit (one round trip), a
# transaction is BEGIN, its statements, COMMIT. MariaDB: the statements and COMMIT (no pre-ping,
# no reset on return). A duplicate of a handled event costs MariaDB one more (it reads the claim
# back).
WIRE = {
    "postgresql": {"ignored": 1, "duplicate": 1, "updated": 11, "accepted": 1, "saved": 21},
    "mariadb": {"ignored": 2, "duplicate": 3, "updated": 12, "accepted": 3, "saved": 21},
}


def _within(setup: Setup, cost: tuple[Any, ...]) -> tuple[Any, ...]:
    """The cost without its round trips, after checking them against their ceiling."""
    action, *counts, round_trips = cost
    assert round_trips <= WIRE[setup.kind][action], cost
    return (action, *counts)


def test_an_event_not_acted_on_is_one_statement(setup: Setup) -> None:
    """customer.created: one transaction of one statement; its redelivery the same."""
    signed = signed_event(setup.fake, "evt_cost_1", "customer.created", {"id": "cus_1"})

    costs = [_within(setup, _cost(setup, *signed)) for _ in "12"]

    assert [("ignored", 1, 1), ("duplicate", 1, 1)] == costs


def _renewed_card(setup: Setup, event_id: str) -> tuple[bytes, str]:
    """A payment_method.updated event with a new expiry for a saved card, a second later."""
    payments, fake = setup.payments, setup.fake
    saved_card(payments, fake, "user-1")
    pm = payments.payment_methods("user-1")[0]
    method = fake.retrieve(pm.id)
    assert method is not None
    method["card"] = {**method["card"], "exp_year": method["card"]["exp_year"] + 3}
    fake.clock.advance(1)
    return signed_event(fake, event_id, "payment_method.updated", method)


def test_a_state_change_without_a_request_is_one_transaction(setup: Setup) -> None:
    """A card's new expiry: the claim (one statement, committed alone), then the update and the
    completion in one transaction; the duplicate costs one transaction of one statement
    (MariaDB: two, it reads the claim back)."""
    signed = _renewed_card(setup, "evt_cost_2")

    first = _within(setup, _cost(setup, *signed))
    again = _within(setup, _cost(setup, *signed))

    claim = 1 if setup.kind == "postgresql" else 2
    assert (("updated", 2), ("duplicate", 1, claim)) == (first[:2], again)
    assert first[2] <= 10, first
    assert [] == setup.counts.open_at_requests


def test_a_deferred_accept_is_one_transaction(setup: Setup) -> None:
    """accept_event: one transaction and no Stripe request (PostgreSQL: one statement; MariaDB:
    is it processed? then store it); the worker takes the batch in one transaction, then
    claims the event and handles it as inline."""
    signed = _renewed_card(setup, "evt_cost_3")

    accepted = _within(setup, _cost(setup, *signed, deferred=True))

    statements = 1 if setup.kind == "postgresql" else 2
    assert (("accepted", 1, statements), []) == (accepted, setup.counts.open_at_requests)
    setup.counts.reset()
    (outcome,) = setup.payments.process_events()
    assert ("updated", 3, []) == (
        outcome.action,
        setup.counts.transactions,
        setup.counts.open_at_requests,
    )


def test_no_transaction_is_open_across_a_stripe_request(setup: Setup) -> None:
    """checkout.session.completed needs Stripe: every request is sent with no transaction
    open, and the handler's writes commit with the completion."""
    payments, fake = setup.payments, setup.fake
    session = payments.start_setup(
        "user-1",
        currency="usd",
        success_url="https://a.example/ok",
        cancel_url="https://a.example/no",
    )
    fake.complete_checkout(session.session_id, card="4242424242424242")
    delivery = next(d for d in fake.webhooks() if d.type == "checkout.session.completed")

    action, transactions, _ = _within(setup, _cost(setup, delivery.body, delivery.signature))

    assert "saved" == action
    assert setup.counts.open_at_requests
    assert {0} == set(setup.counts.open_at_requests)
    assert transactions <= 1 + len(setup.counts.open_at_requests) + 2, transactions
