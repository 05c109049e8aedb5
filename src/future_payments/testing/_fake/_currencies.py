"""Currencies the fake accepts, their minimum charge amounts and zero-decimal ones."""

from __future__ import annotations

from future_payments.testing._fake._errors import invalid

ZERO_DECIMAL = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)

# Stripe's documented minimum charge, in the smallest currency unit.
MINIMUM_AMOUNT = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip

SUPPORTED = (
    frozenset(MINIMUM_AMOUNT)
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

MAXIMUM_AMOUNT = 99_999_999


def check_currency(currency: str, *, param: str = "currency") -> str:
    """The lower-cased currency, or 400 for one Stripe does not support."""
    lowered = currency.lower()
    if lowered not in SUPPORTED:
        raise invalid(
            f"Invalid currency: {currency}. Stripe currently supports these currencies: "
            + ", ".join(sorted(SUPPORTED)),
            param=param,
            code="parameter_invalid_string",
        )
    return lowered


def check_amount(amount: int, currency: str) -> None:
    """``amount_too_small`` / ``amount_too_large`` as Stripe answers them."""
    minimum = MINIMUM_AMOUNT.get(currency, 1)
    if amount < minimum:
        shown = str(minimum) if currency in ZERO_DECIMAL else f"{minimum / 100:.2f}"
        raise invalid(
            f"Amount must be at least {shown} {currency}",
            param="amount",
            code="amount_too_small",
        )
    if amount > MAXIMUM_AMOUNT:
        raise invalid(
            f"Amount must be no more than {MAXIMUM_AMOUNT} in {currency}",
            param="amount",
            code="amount_too_large",
        )
