"""Stripe's documented test cards and ``pm_card_*`` ids, and how each behaves."""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

import attrs

SetupOutcome = Literal["succeeds", "authenticates", "declines"]
OffSessionOutcome = Literal[
    "succeeds", "succeeds_once_set_up", "authentication_required", "declines"
]
OnSessionOutcome = Literal["succeeds", "authenticates", "authenticates_then_declines", "declines"]


@attrs.frozen
class TestCard:
    """One documented test card: its number, its ``pm_card_*`` id and its behaviour.

    Attributes:
        number: the card number typed on a payment page.
        payment_method: the ``pm_card_*`` test PaymentMethod id for the same card.
        brand: ``visa``, ``mastercard``...
        setup: what a SetupIntent confirmation does: ``succeeds``, ``authenticates`` (3-D Secure
            challenge) or ``declines`` (the card cannot be saved or attached).
        off_session: an off-session charge: ``succeeds``, ``succeeds_once_set_up`` (else
            ``authentication_required``), ``authentication_required`` or ``declines``.
        on_session: an on-session charge: ``succeeds``, ``authenticates``,
            ``authenticates_then_declines`` or ``declines``.
        code: the error code of a decline (``card_declined``, ``expired_card``...).
        decline_code: the issuer's decline code, when the card declines.
    """

    __test__ = False  # not a pytest test class, despite the name

    number: str
    payment_method: str
    brand: str
    setup: SetupOutcome
    off_session: OffSessionOutcome
    on_session: OnSessionOutcome
    code: str | None = None
    decline_code: str | None = None

    @property
    def last4(self) -> str:
        """The last four digits, as shown on the PaymentMethod."""
        return self.number[-4:]


def _declining(number: str, pm: str, code: str, decline_code: str) -> TestCard:
    return TestCard(number, pm, "visa", "declines", "declines", "declines", code, decline_code)


_CARDS = (
    TestCard("4242424242424242", "pm_card_visa", "visa", "succeeds", "succeeds", "succeeds"),
    TestCard(
        "5555555555554444", "pm_card_mastercard", "mastercard", "succeeds", "succeeds", "succeeds"
    ),
    TestCard("378282246310005", "pm_card_amex", "amex", "succeeds", "succeeds", "succeeds"),
    TestCard(
        "4000002500003155",
        "pm_card_authenticationRequiredOnSetup",
        "visa",
        "authenticates",
        "succeeds_once_set_up",
        "authenticates",
    ),
    TestCard(
        "4000002760003184",
        "pm_card_authenticationRequired",
        "visa",
        "authenticates",
        "authentication_required",
        "authenticates",
    ),
    TestCard(
        "4000003800000446",
        "pm_card_authenticationRequiredSetupForOffSession",
        "visa",
        "authenticates",
        "succeeds",
        "authenticates",
    ),
    _declining(
        "4000000000009995",
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
    ),
    _declining(
        "4000000000000002", "pm_card_visa_chargeDeclined", "card_declined", "generic_decline"
    ),
    TestCard(
        "4000000000000341",
        "pm_card_chargeCustomerFail",
        "visa",
        "succeeds",
        "declines",
        "declines",
        "card_declined",
        "generic_decline",
    ),
    TestCard(
        "4000008260003178",
        "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
        "visa",
        "authenticates",
        "declines",
        "authenticates_then_declines",
        "card_declined",
        "insufficient_funds",
    ),
    _declining(
        "4000000000009987", "pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card"
    ),
    _declining(
        "4000000000000069", "pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"
    ),
    _declining(
        "4000000000000119",
        "pm_card_chargeDeclinedProcessingError",
        "processing_error",
        "processing_error",
    ),
)

TEST_CARDS: MappingProxyType[str, TestCard] = MappingProxyType({c.number: c for c in _CARDS})
"""Every simulated test card, keyed by card number."""

TEST_PAYMENT_METHODS: MappingProxyType[str, TestCard] = MappingProxyType(
    {c.payment_method: c for c in _CARDS}
)
"""The same cards keyed by their ``pm_card_*`` test PaymentMethod id."""

DELAYED_METHOD_TYPES = ("sepa_debit", "us_bank_account")
"""Payment method types whose setup and charges stay ``processing`` until ``FakeStripe.settle``."""

_BRAND_BY_PREFIX = (("34", "amex"), ("37", "amex"), ("5", "mastercard"), ("4", "visa"))


def card_for_number(number: str) -> TestCard:
    """The documented behaviour of ``number``; any other Luhn-valid number simply succeeds."""
    known = TEST_CARDS.get(number)
    if known is not None:
        return known
    brand = next((b for p, b in _BRAND_BY_PREFIX if number.startswith(p)), "unknown")
    return TestCard(number, "", brand, "succeeds", "succeeds", "succeeds")


def luhn_valid(number: str) -> bool:
    """Whether ``number`` passes the Luhn checksum every card number carries."""
    if not number.isdigit() or not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
