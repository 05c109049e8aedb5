"""Eight worker processes race through the facade on one PostgreSQL / MariaDB database.

Each worker is a separate process (``multiprocessing`` spawn) with its own ``FuturePayments``,
its own ``SQLAlchemyStore`` opened by URL on the test's tables, and a genuine
``stripe.StripeClient`` whose requests all reach ONE fake Stripe served by a manager process
(``tests/_shared_fake.py``). The workers wait at a barrier and then do the same work
at the same time, each in its own shuffled order: what one worker stores, the others must find.
"""

from __future__ import annotations

import collections
import multiprocessing
import random
from typing import Any

import attrs
import pytest
import sqlalchemy as sa

from future_payments import FuturePayments
from future_payments.stores import SQLAlchemyStore
from future_payments.stores._sqlalchemy_schema import build_tables, is_transient
from tests._shared_fake import SharedFake
from tests.workers.conftest import Tables

pytestmark = [pytest.mark.database, pytest.mark.slow]

WORKERS = 8
SESSIONS = 60
DELIVERIES = 500
CUSTOMERS = 20
CHARGES = 200

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"
# Plain, 3-D Secure at setup, authentication on every charge, and a card whose charges fail.
SETUP_CARDS = ("4242424242424242", "4000002500003155", "4000002760003184")
CHARGE_CARDS = ("4242424242424242", "4242424242424242", "4000002760003184", "4000000000000341")

# -- in each worker process ---------------------------------------------------------------------

_barrier: Any = None
_transient_errors = [0]


def _count_transient(context: sa.engine.ExceptionContext) -> None:
    error = context.sqlalchemy_exception
    if isinstance(error, sa.exc.DBAPIError) and is_transient(error):
        _transient_errors[0] += 1


def _init_worker(barrier: Any) -> None:
    global _barrier
    _barrier = barrier
    # Every deadlock or serialization failure this process meets, retried by the store or not.
    sa.event.listen(sa.Engine, "handle_error", _count_transient)


@attrs.frozen
class _Job:
    worker: int
    url: str
    prefix: str
    fake: SharedFake
    webhook_secret: str = attrs.field(repr=False)


def _payments(job: _Job) -> tuple[FuturePayments, SQLAlchemyStore]:
    store = SQLAlchemyStore(job.url, table_prefix=job.prefix)
    client = job.fake.client()
    return FuturePayments(client=client, store=store, webhook_secret=job.webhook_secret), store


def _deliver_and_redirect(
    job: _Job, deliveries: list[tuple[bytes, str]], session_ids: list[str]
) -> dict[str, Any]:
    """Deliver every webhook and complete every session by redirect, shuffled together."""
    ops: list[tuple[str, Any]] = [("event", d) for d in deliveries]
    ops += [("session", s) for s in session_ids]
    random.Random(job.worker).shuffle(ops)
    outcomes: list[tuple[str, str]] = []
    saved: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    payments, store = _payments(job)
    try:
        _barrier.wait(timeout=120)
        for kind, item in ops:
            try:
                if kind == "event":
                    outcome = payments.complete_from_event(*item)
                    outcomes.append((outcome.event_id, outcome.action))
                else:
                    saved[item] = attrs.asdict(payments.complete_from_session(item))
            except Exception as exc:
                errors.append(f"worker {job.worker}, {kind}: {exc!r}")
    finally:
        store.close()
    return {"outcomes": outcomes, "saved": saved, "errors": errors, "transient": _transient_errors}


def _charge(job: _Job, charges: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Charge every (idempotency_key, customer_ref, amount), in this worker's own order."""
    charges = list(charges)
    random.Random(job.worker).shuffle(charges)
    results: dict[str, tuple[str, dict[str, Any]]] = {}
    errors: list[str] = []
    payments, store = _payments(job)
    try:
        _barrier.wait(timeout=120)
        for key, ref, amount in charges:
            try:
                result = payments.charge_saved(ref, amount, "usd", idempotency_key=key)
                results[key] = (type(result).__name__, attrs.asdict(result))
            except Exception as exc:
                errors.append(f"worker {job.worker}, {key}: {exc!r}")
    finally:
        store.close()
    return {"results": results, "errors": errors, "transient": _transient_errors}


def _run_workers(target: Any, jobs: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(jobs))
    with ctx.Pool(len(jobs), initializer=_init_worker, initargs=(barrier,)) as pool:
        return pool.starmap_async(target, jobs, chunksize=1).get(timeout=600)


# -- in the test process ------------------------------------------------------------------------


def _jobs(tables: Tables, fake: SharedFake) -> list[_Job]:
    secret = fake.webhook_secret()
    return [_Job(w, tables.url, tables.prefix, fake, secret) for w in range(WORKERS)]


def _count(tables: Tables, table: str, **equal: Any) -> int:
    """Rows of one of the test's tables, with the given column values."""
    t = getattr(build_tables(tables.prefix), table)
    query = sa.select(sa.func.count()).select_from(t)
    query = query.where(*(t.c[column] == value for column, value in equal.items()))
    with tables.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _report(request: pytest.FixtureRequest, results: list[dict[str, Any]]) -> None:
    """Say how many deadlocks the workers met: every one was retried, since none raised."""
    retried = sum(r["transient"][0] for r in results)
    request.node.user_properties.append(("deadlocks_retried", retried))
    print(f"{request.node.name}: {retried} deadlocks or serialization failures, all retried")


def test_events_and_redirects_save_one_method_per_session(
    tables: Tables, stripe_fake: SharedFake, request: pytest.FixtureRequest
) -> None:
    """Eight workers delivering the same 500 webhooks and redirects store each method once."""
    fake = stripe_fake.proxy()
    setup = FuturePayments(client=stripe_fake.client(), store=tables.store)
    session_refs: dict[str, str] = {}
    for i in range(SESSIONS):
        ref = f"user-{i}"
        started = setup.start_setup(
            ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
        )
        fake.complete_checkout(started.session_id, card=SETUP_CARDS[i % len(SETUP_CARDS)])
        session_refs[started.session_id] = ref
    unique = [(d.body, d.signature) for d in fake.webhooks()]
    assert len(unique) < DELIVERIES
    deliveries = unique + random.Random(0).choices(unique, k=DELIVERIES - len(unique))

    sessions = list(session_refs)
    results = _run_workers(
        _deliver_and_redirect, [(job, deliveries, sessions) for job in _jobs(tables, stripe_fake)]
    )
    _report(request, results)

    assert [] == [e for r in results for e in r["errors"]]
    outcomes = [o for r in results for o in r["outcomes"]]
    assert WORKERS * DELIVERIES == len(outcomes)
    handled = collections.Counter(event_id for event_id, action in outcomes)
    processed = collections.Counter(
        event_id for event_id, action in outcomes if action != "duplicate"
    )
    assert dict.fromkeys(handled, 1) == dict(processed)
    assert len(handled) == _count(tables, "events", completed=True)
    for session_id, ref in session_refs.items():
        redirects = [r["saved"][session_id] for r in results]
        assert all(redirects[0] == r for r in redirects), f"workers disagree on {session_id}"
        stored = tables.store.list_payment_methods(ref)
        assert [redirects[0]] == [attrs.asdict(m) for m in stored]
        assert stored[0].is_default
        record = tables.store.get_setup_session(session_id)
        assert record is not None
        assert ("complete", stored[0].id) == (record.status, record.payment_method_id)
    assert SESSIONS == _count(tables, "payment_methods")


def test_charges_make_one_payment_intent_per_key(
    tables: Tables, stripe_fake: SharedFake, request: pytest.FixtureRequest
) -> None:
    """Eight workers charging the same 200 idempotency keys make 200 PaymentIntents and rows."""
    fake = stripe_fake.proxy()
    client = stripe_fake.client()
    setup = FuturePayments(client=client, store=tables.store)
    for i in range(CUSTOMERS):
        started = setup.start_setup(
            f"user-{i}", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
        )
        fake.complete_checkout(started.session_id, card=CHARGE_CARDS[i % len(CHARGE_CARDS)])
        setup.complete_from_session(started.session_id)
    charges = [(f"order-{n}", f"user-{n % CUSTOMERS}", 500 + n) for n in range(CHARGES)]

    results = _run_workers(_charge, [(job, charges) for job in _jobs(tables, stripe_fake)])
    _report(request, results)

    assert [] == [e for r in results for e in r["errors"]]
    first = results[0]["results"]
    assert CHARGES == len(first)
    for r in results[1:]:
        assert first == r["results"]
    kinds = collections.Counter(kind for kind, _ in first.values())
    assert {"Charged", "NeedsAuthentication", "Declined"} == set(kinds)
    intents = list(client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter())
    assert CHARGES == len(intents)
    assert {r["payment_intent_id"] for _, r in first.values()} == {pi.id for pi in intents}
    assert CHARGES == _count(tables, "charges")
    for key, (_, result) in first.items():
        record = tables.store.get_charge(key)
        assert record is not None
        assert result["payment_intent_id"] == record.payment_intent_id
