"""The events ``future-payments trigger`` can make happen, and the requests each one sends.

The requests are what an integration (or its customer) would send to Stripe, in the spirit of
the Stripe CLI's trigger fixtures; Checkout runs in setup mode, as this library uses it. Every
event the library handles (``future_payments._events.HANDLERS``) is here.
"""

from __future__ import annotations

from collections.abc import Callable

import stripe

from future_payments._cli._remote import RemoteError
from future_payments._cli._trigger import Params, Run, Trigger, TriggerFailed

Steps = Callable[[Run], None]

DESCRIPTION = "(created by future-payments trigger)"
SUCCESS_URL = "https://example.com/saved?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "https://example.com/cancel"
RETURN_URL = "https://example.com/return"

TRIGGERS: dict[str, Trigger] = {}


def trigger(event: str, summary: str, *steps: str) -> Callable[[Steps], Steps]:
    """Register the decorated function as the trigger of ``event`` with these step names."""

    def register(run: Steps) -> Steps:
        TRIGGERS[event] = Trigger(event, summary, steps, run)
        return run

    return register


def _customer(run: Run) -> str:
    customer = run.call(
        "customer",
        run.client.v1.customers.create,
        {"email": "jenny.rosen@example.com", "description": DESCRIPTION},
    )
    return customer.id


def _session(run: Run, customer: str) -> stripe.checkout.Session:
    return run.call(
        "checkout_session",
        run.client.v1.checkout.sessions.create,
        {
            "mode": "setup",
            "currency": "usd",
            "customer": customer,
            "success_url": SUCCESS_URL,
            "cancel_url": CANCEL_URL,
        },
    )


def _attached(run: Run, customer: str) -> str:
    pm = run.call(
        "payment_method_attach",
        lambda params: run.client.v1.payment_methods.attach("pm_card_visa", params=params),
        {"customer": customer},
    )
    return pm.id


def _intent(run: Run, **params: object) -> Params:
    base: Params = {
        "amount": 2000,
        "currency": "usd",
        "description": DESCRIPTION,
        "payment_method_types": ["card"],
    }
    return {**base, **params}


# -- customers ------------------------------------------------------------------------------


@trigger("customer.created", "a new customer", "customer")
def _customer_created(run: Run) -> None:
    _customer(run)


@trigger("customer.updated", "a customer's email changes", "customer", "customer_update")
def _customer_updated(run: Run) -> None:
    customer = _customer(run)
    run.call(
        "customer_update",
        lambda params: run.client.v1.customers.update(customer, params=params),
        {"email": "jenny@example.com"},
    )


@trigger("customer.deleted", "a customer is deleted", "customer", "customer_delete")
def _customer_deleted(run: Run) -> None:
    customer = _customer(run)
    run.call(
        "customer_delete",
        lambda params: run.client.v1.customers.delete(customer, params=params),
    )


# -- Checkout in setup mode -----------------------------------------------------------------


@trigger(
    "checkout.session.completed",
    "the customer saves a card on the hosted Checkout page (setup mode)",
    "customer",
    "checkout_session",
    "checkout_page",
)
def _session_completed(run: Run) -> None:
    session = _session(run, _customer(run))
    run.complete_checkout("checkout_page", session)


@trigger(
    "checkout.session.expired",
    "a setup-mode Checkout Session is expired",
    "customer",
    "checkout_session",
    "checkout_session_expire",
)
def _session_expired(run: Run) -> None:
    session = _session(run, _customer(run))
    run.call(
        "checkout_session_expire",
        lambda params: run.client.v1.checkout.sessions.expire(session.id, params=params),
        {},
    )


# -- SetupIntents ---------------------------------------------------------------------------


def _setup(run: Run, customer: str, payment_method: str, **extra: object) -> Params:
    return {
        "customer": customer,
        "payment_method": payment_method,
        "payment_method_types": ["card"],
        "usage": "off_session",
        "description": DESCRIPTION,
        **extra,
    }


def _unconfirmed_setup(run: Run) -> stripe.SetupIntent:
    """A customer, and a SetupIntent for them that nobody confirms."""
    params = {"customer": _customer(run), "payment_method_types": ["card"]}
    return run.call("setup_intent", run.client.v1.setup_intents.create, params)


@trigger("setup_intent.created", "a SetupIntent is created", "customer", "setup_intent")
def _setup_created(run: Run) -> None:
    _unconfirmed_setup(run)


@trigger("setup_intent.succeeded", "a card is set up for later charges", "customer", "setup_intent")
def _setup_succeeded(run: Run) -> None:
    params = _setup(run, _customer(run), "pm_card_visa", confirm=True)
    run.call("setup_intent", run.client.v1.setup_intents.create, params)


@trigger("setup_intent.setup_failed", "a card is declined while set up", "customer", "setup_intent")
def _setup_failed(run: Run) -> None:
    params = _setup(run, _customer(run), "pm_card_visa_chargeDeclined", confirm=True)
    run.call_declined("setup_intent", run.client.v1.setup_intents.create, params, "setup_intent")


@trigger(
    "setup_intent.requires_action", "setting up asks for 3-D Secure", "customer", "setup_intent"
)
def _setup_requires_action(run: Run) -> None:
    card = "pm_card_authenticationRequiredOnSetup"
    params = _setup(run, _customer(run), card, confirm=True, return_url=RETURN_URL)
    run.call("setup_intent", run.client.v1.setup_intents.create, params)


@trigger(
    "setup_intent.canceled",
    "a SetupIntent is canceled",
    "customer",
    "setup_intent",
    "setup_intent_cancel",
)
def _setup_canceled(run: Run) -> None:
    intent = _unconfirmed_setup(run)
    run.call(
        "setup_intent_cancel",
        lambda params: run.client.v1.setup_intents.cancel(intent.id, params=params),
        {},
    )


# -- PaymentIntents and charges -------------------------------------------------------------


@trigger("payment_intent.created", "a PaymentIntent is created", "payment_intent")
def _payment_created(run: Run) -> None:
    run.call("payment_intent", run.client.v1.payment_intents.create, _intent(run))


@trigger("payment_intent.succeeded", "a card is charged", "payment_intent")
def _payment_succeeded(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa", confirm=True)
    run.call("payment_intent", run.client.v1.payment_intents.create, params)


TRIGGERS["charge.succeeded"] = Trigger(
    "charge.succeeded", "a card is charged", ("payment_intent",), _payment_succeeded
)


@trigger("payment_intent.payment_failed", "a charge is declined", "payment_intent")
def _payment_failed(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa_chargeDeclined", confirm=True)
    run.call_declined(
        "payment_intent", run.client.v1.payment_intents.create, params, "payment_intent"
    )


TRIGGERS["charge.failed"] = Trigger(
    "charge.failed", "a charge is declined", ("payment_intent",), _payment_failed
)


@trigger(
    "payment_intent.requires_action",
    "an on-session charge asks for 3-D Secure",
    "payment_intent",
)
def _payment_requires_action(run: Run) -> None:
    params = _intent(
        run, payment_method="pm_card_authenticationRequired", confirm=True, return_url=RETURN_URL
    )
    run.call("payment_intent", run.client.v1.payment_intents.create, params)


@trigger(
    "payment_intent.canceled",
    "a PaymentIntent is canceled",
    "payment_intent",
    "payment_intent_cancel",
)
def _payment_canceled(run: Run) -> None:
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, _intent(run))
    run.call(
        "payment_intent_cancel",
        lambda params: run.client.v1.payment_intents.cancel(intent.id, params=params),
        {"cancellation_reason": "requested_by_customer"},
    )


@trigger(
    "payment_intent.processing",
    "a SEPA Direct Debit charge starts (it settles later)",
    "customer",
    "payment_method",
    "payment_intent",
)
def _payment_processing(run: Run) -> None:
    customer = _customer(run)
    pm = run.call(
        "payment_method",
        run.client.v1.payment_methods.create,
        {
            "type": "sepa_debit",
            "sepa_debit": {"iban": "DE89370400440532013000"},
            "billing_details": {"name": "Jenny Rosen", "email": "jenny.rosen@example.com"},
        },
    )
    params = _intent(
        run,
        currency="eur",
        customer=customer,
        payment_method=pm.id,
        payment_method_types=["sepa_debit"],
        confirm=True,
        mandate_data={
            "customer_acceptance": {
                "type": "online",
                "online": {"ip_address": "127.0.0.1", "user_agent": "future-payments trigger"},
            }
        },
    )
    run.call("payment_intent", run.client.v1.payment_intents.create, params)


@trigger(
    "payment_intent.amount_capturable_updated",
    "a card is authorized for later capture",
    "payment_intent",
)
def _payment_capturable(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa", confirm=True, capture_method="manual")
    run.call("payment_intent", run.client.v1.payment_intents.create, params)


@trigger(
    "charge.captured",
    "an authorized charge is captured",
    "payment_intent",
    "payment_intent_capture",
)
def _charge_captured(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa", confirm=True, capture_method="manual")
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, params)
    run.call(
        "payment_intent_capture",
        lambda params: run.client.v1.payment_intents.capture(intent.id, params=params),
        {},
    )


@trigger("charge.refunded", "a charge is refunded in full", "payment_intent", "refund")
def _charge_refunded(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa", confirm=True)
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, params)
    run.call("refund", run.client.v1.refunds.create, {"payment_intent": intent.id})


TRIGGERS["refund.created"] = Trigger(
    "refund.created", "a charge is refunded", ("payment_intent", "refund"), _charge_refunded
)


@trigger(
    "refund.updated",
    "a refund's metadata changes",
    "payment_intent",
    "refund",
    "refund_update",
)
def _refund_updated(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_visa", confirm=True)
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, params)
    refund = run.call("refund", run.client.v1.refunds.create, {"payment_intent": intent.id})
    run.call(
        "refund_update",
        lambda params: run.client.v1.refunds.update(refund.id, params=params),
        {"metadata": {"reason": "customer request"}},
    )


TRIGGERS["charge.refund.updated"] = Trigger(
    "charge.refund.updated",
    "a refund's metadata changes",
    ("payment_intent", "refund", "refund_update"),
    _refund_updated,
)


@trigger(
    "refund.failed",
    "a refund fails after Stripe accepted it (test card 4000 0000 0000 5126)",
    "payment_intent",
    "refund",
)
def _refund_failed(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_refundFail", confirm=True)
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, params)
    refund = run.call("refund", run.client.v1.refunds.create, {"payment_intent": intent.id})
    # The bank's refusal arrives after the answer; looking at the refund again shows it.
    run.call("refund", lambda params: run.client.v1.refunds.retrieve(refund.id), {})


@trigger(
    "charge.dispute.created",
    "the cardholder disputes a charge (test card 4000 0000 0000 0259)",
    "payment_intent",
)
def _dispute_created(run: Run) -> None:
    params = _intent(run, payment_method="pm_card_createDispute", confirm=True)
    intent = run.call("payment_intent", run.client.v1.payment_intents.create, params)
    run.call("payment_intent", lambda params: run.client.v1.payment_intents.retrieve(intent.id), {})


# -- PaymentMethods -------------------------------------------------------------------------


@trigger(
    "payment_method.attached",
    "a card is attached to a customer",
    "customer",
    "payment_method_attach",
)
def _method_attached(run: Run) -> None:
    _attached(run, _customer(run))


@trigger(
    "payment_method.detached",
    "a saved card is detached from its customer",
    "customer",
    "payment_method_attach",
    "payment_method_detach",
)
def _method_detached(run: Run) -> None:
    pm = _attached(run, _customer(run))
    detach = run.client.v1.payment_methods.detach
    run.call("payment_method_detach", lambda params: detach(pm, params=params), {})


@trigger(
    "payment_method.updated",
    "a saved card's billing details or expiry change",
    "customer",
    "payment_method_attach",
    "payment_method_update",
)
def _method_updated(run: Run) -> None:
    pm = _attached(run, _customer(run))
    update = run.client.v1.payment_methods.update
    change = {"billing_details": {"name": "Jenny Rosen"}}
    run.call("payment_method_update", lambda params: update(pm, params=params), change)


@trigger(
    "payment_method.automatically_updated",
    "the card network renews a saved card (the fake's account updater)",
    "customer",
    "payment_method_attach",
    "network_update",
)
def _method_automatically_updated(run: Run) -> None:
    pm = _attached(run, _customer(run))
    # No API request makes a card network update a card: the fake's /_fake/ endpoint does
    # what the network would (override network_update:exp_year=... and friends).
    try:
        updated = run.remote.update_card(pm, run.params("network_update", {}))
    except RemoteError as exc:
        raise TriggerFailed(f"network_update: {exc}") from exc
    card = updated.get("card") or {}
    note = f"now {card.get('exp_month')}/{card.get('exp_year')}, ending {card.get('last4')}"
    run.show("network_update", stripe.PaymentMethod.construct_from(updated, None), note)
