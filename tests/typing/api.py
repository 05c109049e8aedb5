"""Type-checked, never run: every public name used as a user would (mypy --strict)."""

from __future__ import annotations

from typing import Any, Literal, assert_type

import stripe

from future_payments import (
    AuthenticationStarted,
    Charged,
    ChargeOutcomeUnknown,
    ChargeResult,
    Declined,
    EventOutcome,
    FuturePayments,
    FuturePaymentsError,
    InvalidInput,
    MemoryStore,
    NeedsAuthentication,
    Processing,
    Refunded,
    RefundOutcomeUnknown,
    SavedPaymentMethod,
    SetupStarted,
    SQLiteStore,
)
from future_payments.stores import Store
from future_payments.webhooks import ParsedEvent, parse_event, sign_payload, verify_signature


def flow(client: stripe.StripeClient) -> None:
    store: Store = SQLiteStore("payments.db")
    payments = FuturePayments(client=client, store=store, webhook_secret=["whsec_a", "whsec_b"])
    other = FuturePayments(api_key="sk_test_x", store=MemoryStore())
    assert_type(other, FuturePayments)

    setup = payments.start_setup(
        "user-42",
        currency="usd",
        success_url="https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://shop.example/cancel",
        email="a@example.com",
        payment_method_types=["card"],
        metadata={"plan": "gold"},
    )
    assert_type(setup, SetupStarted)
    assert_type(setup.url, str)
    assert_type(setup.expires_at, int)

    saved = payments.complete_from_session(setup.session_id, customer_ref="user-42")
    assert_type(saved, SavedPaymentMethod)
    assert_type(saved.last4, str | None)

    outcome = payments.complete_from_event(b"{}", "t=1,v1=00")
    assert_type(outcome, EventOutcome)
    assert_type(outcome.payment_method, SavedPaymentMethod | None)
    assert_type(payments.accept_event(b"{}", "t=1,v1=00"), EventOutcome)
    assert_type(payments.process_events(limit=10, lease_seconds=30.0), list[EventOutcome])

    result = payments.charge_saved(
        "user-42",
        1999,
        "usd",
        idempotency_key="order-1",
        payment_method_id=saved.id,
        description="Order 1",
        metadata={"order": "1"},
    )
    assert_type(result, ChargeResult)
    match result:
        case Charged(payment_intent_id=pi):
            assert_type(pi, str)
        case NeedsAuthentication(client_secret=secret):
            assert_type(secret, str)
        case Declined(code=code, decline_code=reason):
            assert_type(code, str)
            assert_type(reason, str | None)
        case Processing():
            pass

    assert_type(payments.payment_methods("user-42"), list[SavedPaymentMethod])
    assert_type(payments.default_payment_method("user-42"), SavedPaymentMethod | None)
    assert_type(payments.set_default("user-42", saved.id), SavedPaymentMethod)
    payments.remove_payment_method("user-42", saved.id)


def after_the_charge(payments: FuturePayments) -> None:
    started = payments.start_authentication("order-1", return_url="https://shop.example/back")
    assert_type(started, AuthenticationStarted | ChargeResult)
    match started:
        case AuthenticationStarted(payment_intent_id=pi, url=url):
            assert_type(pi, str)
            assert_type(url, str)
        case Charged() | Declined() | NeedsAuthentication() | Processing():
            pass
    assert_type(payments.complete_authentication("order-1"), ChargeResult)
    assert_type(payments.cancel_charge("order-1"), ChargeResult)
    refund = payments.refund(
        "order-1",
        refund_key="refund-1",
        amount=500,
        reason="requested_by_customer",
        metadata={"ticket": "7"},
    )
    assert_type(refund, Refunded)
    assert_type(
        refund.status, Literal["pending", "requires_action", "succeeded", "failed", "canceled"]
    )
    assert_type(refund.refund_id, str)
    assert_type(payments.refund("order-1", refund_key="refund-2"), Refunded)
    assert_type(payments.refunds("order-1"), list[Refunded])


def webhooks(body: bytes, header: str, payments: FuturePayments) -> None:
    from future_payments.webhooks import handle_webhook

    status, _answer = handle_webhook(payments, body, {"Stripe-Signature": header})
    assert_type(status, int)
    status, _answer = handle_webhook(payments, body, {"Stripe-Signature": header}, deferred=True)
    verify_signature(body, header, "whsec_x", tolerance=300)
    event = parse_event(body)
    assert_type(event, ParsedEvent)
    assert_type(sign_payload(body, "whsec_x", timestamp=1), str)


def errors() -> None:
    from future_payments.errors import (
        ChargeNotRefundable,
        RefundExceedsCharge,
        StripeRequestRejected,
        UnknownCharge,
        UnknownCustomer,
    )

    try:
        pass
    except InvalidInput as exc:
        assert_type(exc.param, str | None)
    except UnknownCustomer as exc:
        assert_type(exc, UnknownCustomer)
    except StripeRequestRejected as exc:
        assert_type(exc.param, str | None)
    except ChargeOutcomeUnknown as exc:
        assert_type(exc.idempotency_key, str)
    except RefundOutcomeUnknown as exc:
        assert_type(exc.refund_key, str)
    except RefundExceedsCharge as exc:
        assert_type(exc.refundable, int)
    except ChargeNotRefundable as exc:
        assert_type(exc.state, str)
    except UnknownCharge as exc:
        assert_type(exc, UnknownCharge)
    except FuturePaymentsError as exc:
        assert_type(exc, FuturePaymentsError)


async def async_flow(client: stripe.StripeClient) -> None:
    from future_payments import AsyncFuturePayments
    from future_payments.stores import AsyncSQLAlchemyStore, ThreadedStore
    from future_payments.webhooks import handle_webhook_async

    native = AsyncFuturePayments(client=client, store=AsyncSQLAlchemyStore("sqlite+aiosqlite://"))
    assert_type(native, AsyncFuturePayments)
    threaded = ThreadedStore(MemoryStore())
    payments = AsyncFuturePayments(client=client, store=threaded, webhook_secret="whsec_a")
    assert_type(await threaded.run(lambda s: s.get_customer_id("user-42")), str | None)
    setup = await payments.start_setup(
        "user-42",
        currency="usd",
        success_url="https://shop.example/ok",
        cancel_url="https://shop.example/cancel",
    )
    assert_type(setup, SetupStarted)
    saved = await payments.complete_from_session(setup.session_id)
    assert_type(saved, SavedPaymentMethod)
    assert_type(await payments.complete_from_event(b"{}", None), EventOutcome)
    assert_type(await payments.accept_event(b"{}", None), EventOutcome)
    assert_type(await payments.process_events(limit=10), list[EventOutcome])
    result = await payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    assert_type(result, ChargeResult)
    assert_type(await payments.payment_methods("user-42"), list[SavedPaymentMethod])
    assert_type(await payments.default_payment_method("user-42"), SavedPaymentMethod | None)
    assert_type(await payments.set_default("user-42", saved.id), SavedPaymentMethod)
    await payments.remove_payment_method("user-42", saved.id)
    started = await payments.start_authentication("order-1", return_url="https://shop.example/b")
    assert_type(started, AuthenticationStarted | ChargeResult)
    assert_type(await payments.complete_authentication("order-1"), ChargeResult)
    assert_type(await payments.cancel_charge("order-1"), ChargeResult)
    assert_type(await payments.refund("order-1", refund_key="refund-1"), Refunded)
    assert_type(await payments.refunds("order-1"), list[Refunded])
    status, _body = await handle_webhook_async(payments, b"{}", {"Stripe-Signature": "t=1"})
    assert_type(status, int)
    status, _body = await handle_webhook_async(payments, b"{}", {}, deferred=True)


def fake_server() -> None:
    from future_payments.testing import DeliveryAttempt, FakeServer, FakeStripe, RetrySchedule

    schedule = RetrySchedule(first=0.01, factor=2, longest=0.05, give_up_after=1)
    assert_type(schedule.delays(), tuple[float, ...])
    with FakeServer(FakeStripe(), port=0, retry=schedule) as server:
        assert_type(server.retry, RetrySchedule)
        server.resend("evt_123")
        assert_type(server.attempts_of("evt_123"), list[DeliveryAttempt])
        assert_type(server.url, str)
        client = server.client()
        assert_type(client, stripe.StripeClient)
        server.webhook_url = "http://127.0.0.1:8000/webhooks/stripe"
        server.flush_webhooks(timeout=1.0)
        attempts: list[DeliveryAttempt] = server.deliveries
        assert_type(attempts, list[DeliveryAttempt])
        assert_type(attempts[0].retry_in, float | None)
        assert_type(attempts[0].at, int)


def scenarios(payments: FuturePayments) -> None:
    from future_payments.testing import FakeStripe, Scenarios, charged, needs_authentication

    fake = FakeStripe()
    assert_type(needs_authentication(payments, fake, "user-42"), NeedsAuthentication)
    assert_type(charged(payments, fake, "user-7", amount=500, card="4242424242424242"), Charged)
    bound = Scenarios(payments, fake)
    assert_type(
        bound.needs_authentication("user-8", idempotency_key="order-8"), NeedsAuthentication
    )
    assert_type(bound.charged("user-9"), Charged)


def fake_helpers() -> None:
    from future_payments.testing import FakeStripe

    fake = FakeStripe(instant_retries=False)
    client = fake.client(max_network_retries=2)
    customer = client.v1.customers.create()
    session = client.v1.checkout.sessions.create(
        params={"mode": "setup", "currency": "usd", "customer": customer.id,
                "success_url": "https://shop.example/ok"}
    )  # fmt: skip
    assert session.url is not None
    fake.complete_checkout(session.url)
    fake.complete_checkout(session.id, card="4000002500003155", authenticate=False)
    fake.authenticate("https://hooks.stripe.com/3d_secure_2/hosted?intent=pi_x", succeed=False)
    fake.update_card("pm_x", exp_month=1, exp_year=2040, last4="4242")
    fake.settle("re_x", succeed=True)
    assert_type(fake.retrieve("pi_x"), dict[str, Any] | None)
    assert_type(fake.objects("charge", limit=10), list[dict[str, Any]])
    assert_type(fake.charges_of("pi_x"), list[dict[str, Any]])
    assert_type(fake.refunds_of("ch_x"), list[dict[str, Any]])
    assert_type(fake.pending_event_ids(), set[str])


def worker(payments: FuturePayments) -> None:
    import threading

    from future_payments.worker import WorkerStats, drain_events, run_worker

    seen: list[EventOutcome] = []
    stats = run_worker(
        payments,
        limit=10,
        poll_interval=0.5,
        stop=threading.Event(),
        max_batches=3,
        lease_seconds=30.0,
        on_event=seen.append,
    )
    assert_type(stats, WorkerStats)
    assert_type(stats.batches, int)
    assert_type(stats.actions["saved"], int)
    assert_type(drain_events(payments, limit=5, lease_seconds=10.0), list[EventOutcome])
