"""``future-payments demo``: the whole flow on the fake Stripe, printed step by step."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from future_payments._client import FuturePayments
from future_payments._models import (
    AuthenticationStarted,
    Charged,
    ChargeResult,
    Declined,
    NeedsAuthentication,
    Processing,
    SavedPaymentMethod,
)
from future_payments.stores import SQLiteStore

SUCCESS_URL = "https://shop.example/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://shop.example/cancel"
RETURN_URL = "https://shop.example/pay/return"


def run_demo(db_path: str | None = None, *, say: Callable[[str], None] = print) -> int:
    """Run the demo; ``say`` receives each line (``print`` by default)."""
    from future_payments.testing import FakeStripe

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(db_path).resolve() if db_path else Path(tmp) / "future_payments_demo.db"
        where = (
            f"SQLite at {path}"
            if db_path
            else "SQLite in a temporary file, deleted at the end (--db FILE keeps it)"
        )
        fake = FakeStripe()
        payments = FuturePayments(
            client=fake.client(),
            store=SQLiteStore(path),
            webhook_secret=fake.webhook_secret,
            now=fake.clock.now,
        )
        say(f"future_payments demo — fake Stripe in-process, store: {where}\n")

        def save(ref: str, card: str, note: str) -> SavedPaymentMethod:
            say(f"[{ref}] start_setup()")
            setup = payments.start_setup(
                ref, currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
            )
            say(f"    Checkout Session {setup.session_id} (customer {setup.customer_id})")
            say(f"    customer enters {_spaced(card)} — {note}")
            fake.complete_checkout(setup.session_id, card=card, authenticate=True)
            saved = payments.complete_from_session(setup.session_id)
            say(
                f"    complete_from_session(): saved {saved.brand} •••• {saved.last4} "
                f"exp {saved.exp_month:02}/{saved.exp_year} ({saved.status}"
                f"{', default' if saved.is_default else ''})"
            )
            outcomes = [
                payments.complete_from_event(d.body, d.signature).action for d in fake.webhooks()
            ]
            say(f"    webhooks delivered: {len(outcomes)} → {', '.join(sorted(set(outcomes)))}")
            return saved

        def charge(ref: str, key: str) -> ChargeResult:
            result = payments.charge_saved(ref, 1999, "usd", idempotency_key=key)
            say(f"    charge_saved(19.99 USD, key={key!r}) → {_describe(result)}")
            return result

        save("alice", "4000002500003155", "3-D Secure challenge at setup, passed")
        charge("alice", "order-1001")
        again = charge("alice", "order-1001")
        say(f"    (same key again: no request, same {type(again).__name__})\n")

        save("bob", "4000002760003184", "this card asks for authentication on every charge")
        result = charge("bob", "order-2001")
        if isinstance(result, NeedsAuthentication):
            say("    recovery, no JavaScript: e-mail bob a link; on your page for order-2001:")
            started = payments.start_authentication("order-2001", return_url=RETURN_URL)
            if isinstance(started, AuthenticationStarted):
                say("    start_authentication() → AuthenticationStarted: redirect bob to the bank")
                fake.authenticate(started.url)  # bob passes the bank's challenge
                after = payments.complete_authentication("order-2001")
                say(f"    complete_authentication() on {RETURN_URL} → {_describe(after)}")
            for delivery in fake.webhooks():
                payments.complete_from_event(delivery.body, delivery.signature)
            again = charge("bob", "order-2001")
            say(f"    (the ledger and the webhooks agree: {type(again).__name__})\n")

        save("carol", "4000000000000341", "attaches fine, but the bank declines every charge")
        charge("carol", "order-3001")
        say(f"\nStripe requests made: {len(fake.requests)}")
        if db_path:
            say(f"The store is kept in {path} (look inside: sqlite3 {path} .tables).")
        else:
            say("The temporary store is deleted now; pass --db FILE to keep it.")
    return 0


def _spaced(card: str) -> str:
    return " ".join(card[i : i + 4] for i in range(0, len(card), 4))


def _describe(result: ChargeResult) -> str:
    match result:
        case Charged(payment_intent_id=pi):
            return f"Charged ({pi})"
        case NeedsAuthentication(payment_intent_id=pi):
            return f"NeedsAuthentication ({pi}; client_secret kept for the on-session step)"
        case Declined(code=code, decline_code=reason):
            return f"Declined (code={code}, decline_code={reason})"
        case Processing(payment_intent_id=pi):
            return f"Processing ({pi})"
