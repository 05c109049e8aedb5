"""Stripe's currency facts, kept once: the library checks amounts, the fake enforces them."""

from __future__ import annotations

from collections.abc import Mapping

MINIMUM_CHARGE: Mapping[str, int] = {
    "usd": 50, "aed": 200, "aud": 50, "bgn": 100, "brl": 50, "cad": 50, "chf": 50,
    "czk": 1500, "dkk": 250, "eur": 50, "gbp": 30, "hkd": 400, "huf": 17500, "inr": 50,
    "jpy": 50, "mxn": 1000, "myr": 200, "nok": 300, "nzd": 50, "pln": 200, "ron": 200,
    "sek": 300, "sgd": 50, "thb": 1000,
}  # fmt: skip
"""Stripe's documented minimum charge per currency, in the smallest unit."""

MAXIMUM_AMOUNT = 99_999_999
"""Stripe's largest amount for most currencies, in the smallest unit."""

ZERO_DECIMAL: frozenset[str] = frozenset(
    ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
     "xaf", "xof", "xpf"]
)  # fmt: skip
"""Currencies whose smallest unit is the whole unit (1 JPY, not 0.01)."""
