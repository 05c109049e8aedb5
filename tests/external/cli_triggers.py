"""What `stripe trigger <event>` sends, for each in-scope trigger of the Stripe CLI.

Our own description of the requests in the CLI's fixtures (stripe/stripe-cli,
``pkg/fixtures/triggers/<event>.json``, read at commit f5f390bc): for each step, its name (later
steps refer to its answer as ``${name:json.path}``), method, path and parameters, and the error
type the CLI tolerates for that step. The order and values of the requests are facts about
the CLI; no text of its files is reproduced. In scope (issue 13): ``customer.*`` except
discounts, sources and subscriptions; ``payment_method.*``; ``setup_intent.*``;
``payment_intent.*`` except ``partially_funded``; ``charge.*`` except disputes.

Values keep the JSON types the fixtures use (``"true"`` and ``true`` both occur), since the
CLI's form encoder writes each type its own way.
"""

from __future__ import annotations

import attrs

Params = dict[str, object]

CLI_DESCRIPTION = "(created by Stripe CLI)"


@attrs.frozen
class Step:
    """One request of a trigger."""

    name: str
    method: str
    path: str
    params: Params = attrs.field(factory=dict)
    expected_error_type: str | None = None


@attrs.frozen
class Trigger:
    """The requests `stripe trigger <event>` makes, in order."""

    event: str
    steps: tuple[Step, ...]


def _customer() -> Step:
    return Step("customer", "post", "/v1/customers", {"description": CLI_DESCRIPTION})


def _attach_visa() -> Step:
    return Step(
        "payment_method_attach",
        "post",
        "/v1/payment_methods/pm_card_visa/attach",
        {"customer": "${customer:id}"},
    )


def _card_payment(amount: int, payment_method: str, **extra: object) -> Params:
    return {
        "amount": amount,
        "currency": "usd",
        "payment_method_types": ["card"],
        "payment_method": payment_method,
        "confirm": True,
        "description": CLI_DESCRIPTION,
        **extra,
    }


def _paid() -> Step:
    return Step("payment_intent", "post", "/v1/payment_intents", _card_payment(100, "pm_card_visa"))


def _refund() -> Step:
    return Step("refund", "post", "/v1/refunds", {"payment_intent": "${payment_intent:id}"})


TRIGGERS: tuple[Trigger, ...] = (
    Trigger("customer.created", (_customer(),)),
    Trigger(
        "customer.deleted",
        (_customer(), Step("customer_deleted", "delete", "/v1/customers/${customer:id}")),
    ),
    Trigger(
        "customer.updated",
        (
            _customer(),
            Step(
                "customer_updated",
                "post",
                "/v1/customers/${customer:id}",
                {"metadata": {"foo": "bar"}},
            ),
        ),
    ),
    Trigger("payment_method.attached", (_customer(), _attach_visa())),
    Trigger(
        "payment_method.detached",
        (
            _customer(),
            _attach_visa(),
            Step(
                "payment_method_detach",
                "post",
                "/v1/payment_methods/${payment_method_attach:id}/detach",
            ),
        ),
    ),
    Trigger(
        "payment_method.updated",
        (
            _customer(),
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {
                    "customer": "${customer:id}",
                    "payment_method": "pm_card_visa",
                    "confirm": "true",
                    "description": CLI_DESCRIPTION,
                },
            ),
            Step(
                "payment_method_updated",
                "post",
                "/v1/payment_methods/${setup_intent:payment_method}",
                {"metadata": {"foo": "bar"}},
            ),
        ),
    ),
    Trigger(
        "setup_intent.canceled",
        (
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {"description": CLI_DESCRIPTION, "payment_method_types": ["card"]},
            ),
            Step(
                "setup_intent_canceled",
                "post",
                "/v1/setup_intents/${setup_intent:id}/cancel",
                {"cancellation_reason": "requested_by_customer"},
            ),
        ),
    ),
    Trigger(
        "setup_intent.created",
        (
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {"description": CLI_DESCRIPTION, "payment_method_types": ["card"]},
            ),
        ),
    ),
    Trigger(
        "setup_intent.requires_action",
        (
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {
                    "confirm": "true",
                    "description": CLI_DESCRIPTION,
                    "payment_method": "pm_card_authenticationRequired",
                },
            ),
        ),
    ),
    Trigger(
        "setup_intent.setup_failed",
        (
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {
                    "confirm": "true",
                    "description": CLI_DESCRIPTION,
                    "payment_method": "pm_card_chargeDeclined",
                    "payment_method_types": ["card"],
                },
                expected_error_type="card_error",
            ),
        ),
    ),
    Trigger(
        "setup_intent.succeeded",
        (
            Step(
                "setup_intent",
                "post",
                "/v1/setup_intents",
                {
                    "confirm": True,
                    "description": CLI_DESCRIPTION,
                    "payment_method": "pm_card_visa",
                    "payment_method_types": ["card"],
                },
            ),
        ),
    ),
    Trigger(
        "payment_intent.amount_capturable_updated",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(
                    2000,
                    "pm_card_visa",
                    capture_method="manual",
                    confirmation_method="manual",
                    return_url="https://stripe.com",
                ),
            ),
        ),
    ),
    Trigger(
        "payment_intent.canceled",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                {"amount": 2000, "currency": "usd", "description": CLI_DESCRIPTION},
            ),
            Step(
                "payment_intent_canceled",
                "post",
                "/v1/payment_intents/${payment_intent:id}/cancel",
                {"cancellation_reason": "requested_by_customer"},
            ),
        ),
    ),
    Trigger(
        "payment_intent.created",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                {
                    "amount": 2000,
                    "currency": "usd",
                    "description": CLI_DESCRIPTION,
                    "payment_method_types": ["card"],
                },
            ),
        ),
    ),
    Trigger(
        "payment_intent.payment_failed",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(2000, "pm_card_chargeDeclined", confirm="true"),
                expected_error_type="card_error",
            ),
        ),
    ),
    Trigger(
        "payment_intent.processing",
        (
            Step(
                "payment_method",
                "post",
                "/v1/payment_methods",
                {
                    "type": "sepa_debit",
                    "sepa_debit": {"iban": "AT321904300235473204"},
                    "billing_details": {"name": "Bob", "email": "bob@example.com"},
                },
            ),
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                {
                    "payment_method": "${payment_method:id}",
                    "payment_method_types": ["sepa_debit"],
                    "amount": 1000,
                    "currency": "eur",
                    "confirm": True,
                    "mandate_data": {
                        "customer_acceptance": {"accepted_at": "1590590577", "type": "offline"}
                    },
                },
            ),
        ),
    ),
    Trigger(
        "payment_intent.requires_action",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(2000, "pm_card_authenticationRequired", confirm="true"),
            ),
        ),
    ),
    Trigger(
        "payment_intent.succeeded",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(
                    2000,
                    "pm_card_visa",
                    confirm="true",
                    shipping={
                        "name": "Jenny Rosen",
                        "address": {
                            "line1": "510 Townsend St",
                            "postal_code": "94103",
                            "city": "San Francisco",
                            "state": "CA",
                            "country": "US",
                        },
                    },
                ),
            ),
        ),
    ),
    Trigger(
        "charge.captured",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(2000, "pm_card_visa", capture_method="manual"),
            ),
            Step("capture", "post", "/v1/payment_intents/${payment_intent:id}/capture"),
        ),
    ),
    Trigger(
        "charge.failed",
        (
            Step(
                "payment_intent",
                "post",
                "/v1/payment_intents",
                _card_payment(100, "pm_card_visa_chargeDeclined"),
                expected_error_type="card_error",
            ),
        ),
    ),
    Trigger(
        "charge.refund.updated",
        (
            _paid(),
            _refund(),
            Step(
                "updated_refund",
                "post",
                "/v1/refunds/${refund:id}",
                {"metadata": {"order_id": "6735"}},
            ),
        ),
    ),
    Trigger("charge.refunded", (_paid(), _refund())),
    Trigger("charge.succeeded", (_paid(),)),
)
