"""How a decline reads: code, decline code, message, advice code, network decline code, param.

Messages and advice codes follow Stripe's answers in test mode. The network decline codes
beyond ``01`` (generic) are the card networks' usual codes and are an assumption of the fake.
"""

from __future__ import annotations

from typing import Any

import attrs

from future_payments.testing._fake._cards import TestCard
from future_payments.testing._fake._errors import DOC_URL, StripeErrorResponse


@attrs.frozen
class Decline:
    """Everything an error body says about one decline."""

    code: str
    decline_code: str | None
    message: str
    advice_code: str | None
    network_decline_code: str | None
    param: str | None


# decline code -> (message, advice code, network decline code, param)
_KNOWN: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "generic_decline": ("Your card was declined.", "try_again_later", "01", None),
    "insufficient_funds": ("Your card has insufficient funds.", "try_again_later", "51", None),
    "lost_card": ("Your card was declined.", "do_not_try_again", "41", None),
    "stolen_card": ("Your card was declined.", "do_not_try_again", "43", None),
    "expired_card": ("Your card has expired.", "confirm_card_data", "54", "exp_month"),
    "incorrect_cvc": ("Your card's security code is incorrect.", "confirm_card_data", "N7", "cvc"),
    "processing_error": (
        "An error occurred while processing your card. Try again in a little bit.",
        "try_again_later",
        "96",
        None,
    ),
    "card_velocity_exceeded": (
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit.",
        "try_again_later",
        "61",
        None,
    ),
    "fraudulent": ("Your card was declined.", None, None, None),
    "authentication_required": (
        "Your card was declined. This transaction requires authentication.",
        None,
        "1A",
        None,
    ),
    "authentication_not_handled": (
        "Your card was declined. This transaction requires authentication.",
        None,
        None,
        None,
    ),
    "do_not_honor": ("Your card was declined.", "try_again_later", "05", None),
}


def decline(code: str, decline_code: str | None) -> Decline:
    """The full decline for an error code and an issuer's decline code."""
    message, advice, network, param = _KNOWN.get(
        decline_code or code, ("Your card was declined.", None, None, None)
    )
    return Decline(code, decline_code, message, advice, network, param)


def of_card(card: TestCard) -> Decline:
    """How ``card`` declines."""
    return decline(card.code or "card_declined", card.decline_code or "generic_decline")


def error_hash(found: Decline, **more: Any) -> dict[str, Any]:
    """The ``last_payment_error`` / ``last_setup_error`` hash, and the ``error`` of a 402."""
    out: dict[str, Any] = {}
    if found.advice_code is not None:
        out["advice_code"] = found.advice_code
    out["code"] = found.code
    if found.decline_code is not None:
        out["decline_code"] = found.decline_code
    out["doc_url"] = DOC_URL + found.code.replace("_", "-")
    out["message"] = found.message
    if found.network_decline_code is not None:
        out["network_decline_code"] = found.network_decline_code
    if found.param is not None:
        out["param"] = found.param
    out.update(more)
    out["type"] = "card_error"
    return out


def card_error(found: Decline, **embedded: Any) -> StripeErrorResponse:
    """The 402 of a declined charge or setup: the attempt is kept (and stored under the key)."""
    error = StripeErrorResponse(
        402,
        type="card_error",
        message=found.message,
        stored=True,
        commit=True,
        headers={"Stripe-Should-Retry": "false"},
    )
    error.error = error_hash(found, **embedded)
    return error


def attach_decline(card: TestCard) -> StripeErrorResponse:
    """The 402 of a card that cannot be attached: ``param`` is "" and no PaymentMethod is named."""
    found = of_card(card)
    error = StripeErrorResponse(
        402,
        type="card_error",
        message=found.message,
        stored=True,
        headers={"Stripe-Should-Retry": "false"},
    )
    error.error = error_hash(attrs.evolve(found, param=found.param or ""))
    return error
