"""The currencies the fake accepts, and its amount checks (facts: future_payments._currencies)."""

from __future__ import annotations

from future_payments._currencies import MAXIMUM_AMOUNT, MINIMUM_CHARGE, ZERO_DECIMAL
from future_payments.testing._fake._errors import rejected

SUPPORTED = (
    frozenset(MINIMUM_CHARGE)
    | ZERO_DECIMAL
    | frozenset(
        [
            "ars",
            "cop",
            "idr",
            "ils",
            "isk",
            "kes",
            "mad",
            "ngn",
            "php",
            "pkr",
            "sar",
            "try",
            "twd",
            "uah",
            "zar",
        ]
    )
)


def check_currency(currency: str, *, param: str = "currency") -> str:
    """The lower-cased currency, or 400 for one Stripe does not support."""
    lowered = currency.lower()
    if lowered not in SUPPORTED:
        raise rejected(
            f"Invalid currency: {currency}. Stripe currently supports these currencies: "
            + ", ".join(sorted(SUPPORTED)),
            param=param,
            code="parameter_invalid_string",
        )
    return lowered


def check_amount(amount: int, currency: str) -> None:
    """``amount_too_small`` / ``amount_too_large`` as Stripe answers them."""
    minimum = MINIMUM_CHARGE.get(currency, 1)
    if amount < minimum:
        shown = str(minimum) if currency in ZERO_DECIMAL else f"{minimum / 100:.2f}"
        raise rejected(
            f"Amount must be at least {shown} {currency}",
            param="amount",
            code="amount_too_small",
        )
    if amount > MAXIMUM_AMOUNT:
        raise rejected(
            f"Amount must be no more than {MAXIMUM_AMOUNT} in {currency}",
            param="amount",
            code="amount_too_large",
        )
