"""The account's default payment method configuration: which types an object gets by default.

Stripe fills ``payment_method_types`` of a Checkout Session, SetupIntent or PaymentIntent
created without a list from the account's payment method configuration (``pmc_...``), keeping
the types that work in the object's currency, and names that configuration in
``payment_method_configuration_details``. The fake's defaults follow what Stripe answers in test
mode for a new account; a test changes them through ``fake.payment_method_configuration``.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from future_payments.testing._fake._ids import new_id

# The currencies a type can be used in; types not listed work in any currency.
_CURRENCIES: dict[str, frozenset[str]] = {
    "us_bank_account": frozenset({"usd"}),
    "cashapp": frozenset({"usd"}),
    "affirm": frozenset({"usd", "cad"}),
    "amazon_pay": frozenset(
        {"usd", "eur", "gbp", "aud", "chf", "dkk", "hkd", "jpy", "nok", "nzd", "sek", "zar"}
    ),
    "klarna": frozenset(
        {"aud", "cad", "chf", "czk", "dkk", "eur", "gbp", "nok", "nzd", "pln", "ron", "sek", "usd"}
    ),
    "sepa_debit": frozenset({"eur"}),
    "ideal": frozenset({"eur"}),
    "bancontact": frozenset({"eur"}),
    "acss_debit": frozenset({"cad", "usd"}),
    "bacs_debit": frozenset({"gbp"}),
    "au_becs_debit": frozenset({"aud"}),
    "boleto": frozenset({"brl"}),
}

# ``payment_method_options`` Stripe shows for each type on an intent.
_OPTIONS: dict[str, dict[str, Any]] = {
    "card": {
        "installments": None,
        "mandate_options": None,
        "network": None,
        "request_three_d_secure": "automatic",
    },
    "link": {"persistent_token": None},
    "us_bank_account": {
        "financial_connections": {"permissions": ["payment_method"], "prefetch": []},
        "mandate_options": {},
        "verification_method": "automatic",
    },
}


_OPTIONS_JSON = {name: json.dumps(options) for name, options in _OPTIONS.items()}


@attrs.define
class MethodConfiguration:
    """The default configuration (``pmc_...``) and the types it turns on, per object.

    Attributes:
        id: the configuration's id, named in ``payment_method_configuration_details``.
        checkout_setup: the types of a setup-mode Checkout Session created without a list.
        setup_intent: the types of a SetupIntent created without a list.
        payment_intent: the types of a PaymentIntent created without a list.
    """

    id: str = attrs.field(factory=lambda: new_id("pmc"))
    checkout_setup: list[str] = attrs.field(
        factory=lambda: ["card", "klarna", "link", "us_bank_account"]
    )
    setup_intent: list[str] = attrs.field(
        factory=lambda: ["card", "amazon_pay", "cashapp", "klarna", "link", "us_bank_account"]
    )
    payment_intent: list[str] = attrs.field(
        factory=lambda: ["card", "amazon_pay", "cashapp", "klarna", "link", "us_bank_account"]
    )

    def types(self, of: str, currency: str | None) -> list[str]:
        """The default types of ``of`` (``checkout_setup``...) that work in ``currency``."""
        listed: list[str] = getattr(self, of)
        return [t for t in listed if currency is None or currency in _CURRENCIES.get(t, {currency})]

    def details(self) -> dict[str, Any]:
        """``payment_method_configuration_details`` of an object that used the defaults."""
        return {"id": self.id, "parent": None}


def options_for(types: list[str]) -> dict[str, Any]:
    """``payment_method_options`` of an intent offering ``types``."""
    return {t: json.loads(_OPTIONS_JSON[t]) for t in types if t in _OPTIONS_JSON}
