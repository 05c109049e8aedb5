"""Stripe's documented test cards and ``pm_card_*`` ids, and how each behaves.

The table follows Stripe's testing docs (docs.stripe.com/testing): cards by brand, by country,
declines, fraud checks, disputes, refunds, available balance and 3-D Secure. Where the docs do
not say how a card behaves at one step (e.g. whether a Radar-blocked card can be saved), the
choice is written in ``docs/fake.md``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

import attrs

SetupOutcome = Literal["succeeds", "authenticates", "declines"]
OffSessionOutcome = Literal[
    "succeeds", "succeeds_once_set_up", "authentication_required", "declines"
]
OnSessionOutcome = Literal["succeeds", "authenticates", "authenticates_then_declines", "declines"]
RefundOutcome = Literal["succeeds", "pending", "fails"]


@attrs.frozen
class TestCard:
    """One documented test card: its number, its ``pm_card_*`` id and its behaviour.

    Attributes:
        number: the card number typed on a payment page.
        payment_method: the ``pm_card_*`` test PaymentMethod id for the same card ("" if none).
        brand: ``visa``, ``mastercard``, ``amex``, ``discover``, ``diners``, ``jcb``,
            ``unionpay``, ``eftpos_au``, ``cartes_bancaires``...
        setup: what a SetupIntent confirmation (or an attach) does: ``succeeds``,
            ``authenticates`` (3-D Secure challenge) or ``declines`` (it cannot be saved).
        off_session: an off-session charge: ``succeeds``, ``succeeds_once_set_up`` (else
            ``authentication_required``), ``authentication_required`` or ``declines``.
        on_session: an on-session charge: ``succeeds``, ``authenticates``,
            ``authenticates_then_declines`` or ``declines``.
        code: the error code of a decline (``card_declined``, ``expired_card``...).
        decline_code: the issuer's decline code, when the card declines.
        country: the issuing country (ISO 3166-1 alpha-2).
        funding: ``credit``, ``debit`` or ``prepaid``.
        refund: what a refund of its charge does: ``succeeds``, stays ``pending``, or ``fails``
            asynchronously (first ``succeeded``, then ``failed``).
        dispute: the reason of the dispute its charge draws (``fraudulent``,
            ``product_not_received``, ``general`` for an inquiry), or None.
        cvc_check: ``pass`` or ``fail``.
        address_check: ``pass``, ``fail`` (line 1 and postal code), ``line1_fail``,
            ``zip_fail`` or ``unavailable``.
        risk_level: Radar's ``normal``, ``elevated`` or ``highest`` (``highest`` is blocked).
        aliases: other ``pm_card_*`` ids Stripe documents for the same card.
        co_brand: a second network the card carries (``cartes_bancaires``, ``eftpos_au``),
            shown as its ``display_brand``.
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
    country: str = "US"
    funding: str = "credit"
    refund: RefundOutcome = "succeeds"
    dispute: str | None = None
    cvc_check: str = "pass"
    address_check: str = "pass"
    risk_level: str = "normal"
    aliases: tuple[str, ...] = ()
    co_brand: str | None = None

    @property
    def last4(self) -> str:
        """The last four digits, as shown on the PaymentMethod."""
        return self.number[-4:]


def _ok(number: str, pm: str, brand: str = "visa", **more: object) -> TestCard:
    return TestCard(number, pm, brand, "succeeds", "succeeds", "succeeds", **more)  # type: ignore[arg-type]


def _declining(number: str, pm: str, code: str, decline_code: str, **more: object) -> TestCard:
    return TestCard(
        number,
        pm,
        "visa",
        "declines",
        "declines",
        "declines",
        code,
        decline_code,
        **more,  # type: ignore[arg-type]
    )


def _country(
    number: str, country: str, brand: str = "visa", pm: str = "", **more: object
) -> TestCard:
    """A card of ``country``; ``pm`` "-" for a card without a test PaymentMethod id."""
    pm_id = "" if pm == "-" else pm or f"pm_card_{country.lower()}"
    return _ok(number, pm_id, brand, country=country, **more)


_BRANDS = (
    _ok("4242424242424242", "pm_card_visa", aliases=("pm_card_us",)),
    _ok("4000056655665556", "pm_card_visa_debit", funding="debit"),
    _ok("5555555555554444", "pm_card_mastercard", "mastercard"),
    _ok("2223003122003222", "", "mastercard"),
    _ok("5200828282828210", "pm_card_mastercard_debit", "mastercard", funding="debit"),
    _ok("5105105105105100", "pm_card_mastercard_prepaid", "mastercard", funding="prepaid"),
    _ok("378282246310005", "pm_card_amex", "amex"),
    _ok("371449635398431", "", "amex"),
    _ok("6011111111111117", "pm_card_discover", "discover"),
    _ok("6011000990139424", "", "discover"),
    _ok("6011981111111113", "", "discover", funding="debit"),
    _ok("3056930009020004", "pm_card_diners", "diners"),
    _ok("36227206271667", "", "diners"),
    _ok("6555900000604105", "", "discover"),
    _ok("3566002020360505", "pm_card_jcb", "jcb", country="JP"),
    _ok("6200000000000005", "pm_card_unionpay", "unionpay", country="CN"),
    _ok("6200000000000047", "", "unionpay", country="CN", funding="debit"),
    _ok("6205500000000000004", "", "unionpay", country="CN"),
    _ok(
        "4000002500001001",
        "pm_card_visa_cartesBancaires",
        co_brand="cartes_bancaires",
        country="FR",
    ),
    _ok(
        "5555552500001001",
        "pm_card_mastercard_cartesBancaires",
        "mastercard",
        co_brand="cartes_bancaires",
        country="FR",
    ),
    _ok(
        "4000050360000001",
        "pm_card_visa_debit_eftposAuCoBranded",
        co_brand="eftpos_au",
        country="AU",
        funding="debit",
    ),
    _ok(
        "5555050360000080",
        "pm_card_mastercard_debit_eftposAuCoBranded",
        "mastercard",
        co_brand="eftpos_au",
        country="AU",
        funding="debit",
    ),
)

_COUNTRIES = (
    # Americas
    _country("4000000760000002", "BR"),
    _country("4000000320000021", "AR"),
    _country("4000001240000000", "CA"),
    _country("4000001520000001", "CL"),
    _country("4000001700000003", "CO"),
    _country("4000001880000005", "CR"),
    _country("4000002180000000", "EC"),
    _country("4000004840008001", "MX"),
    _country("5062210000000009", "MX", "carnet", pm="-"),
    _country("4000005910000000", "PA"),
    _country("4000006000000066", "PY"),
    _country("4000006040000068", "PE"),
    _country("4000008580000003", "UY"),
    # Europe, Middle East and Africa
    _country("4000007840000001", "AE"),
    _country("5200007840000022", "AE", "mastercard", pm="pm_card_ae_mastercard"),
    _country("4000000400000008", "AT"),
    _country("4000000560000004", "BE"),
    _country("4000001000000000", "BG"),
    _country("4000001120000005", "BY"),
    _country("4000001910000009", "HR"),
    _country("4000001960000008", "CY"),
    _country("4000002030000002", "CZ"),
    _country("4000002080000001", "DK"),
    _country("4000002330000009", "EE"),
    _country("4000002460000001", "FI"),
    _country("4000002500000003", "FR"),
    _country("4000002760000016", "DE"),
    _country("4000002920000005", "GI"),
    _country("4000003000000030", "GR"),
    _country("4000003480000005", "HU"),
    _country("4000003720000005", "IE"),
    _country("4000003800000008", "IT"),
    _country("4000004280000005", "LV"),
    _country("4000004380000004", "LI"),
    _country("4000004400000000", "LT"),
    _country("4000004420000006", "LU"),
    _country("4000004700000007", "MT"),
    _country("4000005280000002", "NL"),
    _country("4000005780000007", "NO"),
    _country("4000006160000005", "PL"),
    _country("4000006200000007", "PT"),
    _country("4000006420000001", "RO"),
    _country("4000006820000007", "SA"),
    _country("4000007050000006", "SI"),
    _country("4000007030000001", "SK"),
    _country("4000007240000007", "ES"),
    _country("4000007520000008", "SE"),
    _country("4000007560000009", "CH"),
    _country("4000008260000000", "GB"),
    _country("4000058260000005", "GB", pm="pm_card_gb_debit", funding="debit"),
    _country("5555558265554449", "GB", "mastercard", pm="pm_card_gb_mastercard"),
    # Asia-Pacific
    _country("4000000360000006", "AU"),
    _country("4000001560000002", "CN"),
    _country("4000003440000004", "HK"),
    _country("4000003560000008", "IN"),
    _country("4000003920000003", "JP"),
    _country("3530111333300000", "JP", "jcb", pm="-"),
    _country("4000004580000002", "MY"),
    _country("4000005540000008", "NZ"),
    _country("4000007020000003", "SG"),
    _country("4000001580000008", "TW"),
    _country("4000007640000003", "TH", pm="pm_card_th_credit"),
    _country("4000057640000008", "TH", pm="pm_card_th_debit", funding="debit"),
)

_DECLINES = (
    _declining(
        "4000000000000002",
        "pm_card_visa_chargeDeclined",
        "card_declined",
        "generic_decline",
        aliases=("pm_card_chargeDeclined",),
    ),
    _declining(
        "4000000000009995",
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
        aliases=("pm_card_chargeDeclinedInsufficientFunds",),
    ),
    _declining(
        "4000000000009987",
        "pm_card_visa_chargeDeclinedLostCard",
        "card_declined",
        "lost_card",
        aliases=("pm_card_chargeDeclinedLostCard",),
    ),
    _declining(
        "4000000000009979", "pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card"
    ),
    _declining(
        "4000000000000069", "pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"
    ),
    _declining(
        "4000000000000127",
        "pm_card_chargeDeclinedIncorrectCvc",
        "incorrect_cvc",
        "incorrect_cvc",
        cvc_check="fail",
    ),
    _declining(
        "4000000000000119",
        "pm_card_chargeDeclinedProcessingError",
        "processing_error",
        "processing_error",
    ),
    _declining(
        "4000000000006975",
        "pm_card_visa_chargeDeclinedVelocityLimitExceeded",
        "card_declined",
        "card_velocity_exceeded",
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
)

_FRAUD = (
    TestCard(
        "4100000000000019",
        "pm_card_radarBlock",
        "visa",
        "succeeds",
        "declines",
        "declines",
        "card_declined",
        "fraudulent",
        risk_level="highest",
        aliases=("pm_card_chargeDeclinedFraudulent",),
    ),
    TestCard(
        "4000000000004954",
        "pm_card_riskLevelHighest",
        "visa",
        "succeeds",
        "declines",
        "declines",
        "card_declined",
        "fraudulent",
        risk_level="highest",
    ),
    _ok("4000000000009235", "pm_card_riskLevelElevated", risk_level="elevated"),
    _ok("4000000000000101", "pm_card_cvcCheckFail", cvc_check="fail"),
    _ok("4000000000000036", "pm_card_avsZipFail", address_check="zip_fail"),
    _ok("4000000000000028", "pm_card_avsLine1Fail", address_check="line1_fail"),
    _ok("4000000000000010", "pm_card_avsFail", address_check="fail"),
    _ok("4000000000000044", "pm_card_avsUnchecked", address_check="unavailable"),
)

_AFTER_THE_CHARGE = (
    _ok("4000000000000259", "pm_card_createDispute", dispute="fraudulent"),
    _ok(
        "4000000000002685",
        "pm_card_createDisputeProductNotReceived",
        dispute="product_not_received",
    ),
    _ok("4000000000001976", "pm_card_createDisputeInquiry", dispute="general"),
    _ok("4000000000007726", "pm_card_pendingRefund", refund="pending"),
    _ok("4000000000005126", "pm_card_refundFail", refund="fails"),
    _ok("4000000000000077", "pm_card_bypassPending"),
    _ok("4000003720000278", "pm_card_bypassPendingInternational", country="IE"),
    _ok("4000000000000093", ""),
)

_THREE_D_SECURE = (
    TestCard(
        "4000002500003155",
        "pm_card_authenticationRequiredOnSetup",
        "visa",
        "authenticates",
        "succeeds_once_set_up",
        "authenticates",
        country="FR",
    ),
    TestCard(
        "4000002760003184",
        "pm_card_authenticationRequired",
        "visa",
        "authenticates",
        "authentication_required",
        "authenticates",
        country="DE",
    ),
    TestCard(
        "4000003800000446",
        "pm_card_authenticationRequiredSetupForOffSession",
        "visa",
        "authenticates",
        "succeeds",
        "authenticates",
        country="IT",
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
        country="GB",
    ),
    TestCard(
        "4000000000003220",
        "pm_card_threeDSecure2Required",
        "visa",
        "authenticates",
        "authentication_required",
        "authenticates",
    ),
    TestCard(
        "4000000000003063",
        "pm_card_threeDSecureRequired",
        "visa",
        "authenticates",
        "authentication_required",
        "authenticates",
    ),
    TestCard(
        "4000008400001629",
        "",
        "visa",
        "authenticates",
        "declines",
        "authenticates_then_declines",
        "card_declined",
        "generic_decline",
    ),
    _ok("4000000000003055", "pm_card_threeDSecureOptional"),
)

_CARDS = _BRANDS + _COUNTRIES + _DECLINES + _FRAUD + _AFTER_THE_CHARGE + _THREE_D_SECURE

TEST_CARDS: MappingProxyType[str, TestCard] = MappingProxyType({c.number: c for c in _CARDS})
"""Every documented test card, keyed by card number."""

TEST_PAYMENT_METHODS: MappingProxyType[str, TestCard] = MappingProxyType(
    {pm: c for c in _CARDS for pm in (c.payment_method, *c.aliases) if pm}
)
"""The same cards keyed by their ``pm_card_*`` test PaymentMethod ids (aliases included)."""

DELAYED_METHOD_TYPES = ("sepa_debit", "us_bank_account")
"""Payment method types whose setup and charges stay ``processing`` until ``FakeStripe.settle``."""

_BRAND_BY_PREFIX = (
    ("34", "amex"),
    ("37", "amex"),
    ("6011", "discover"),
    ("65", "discover"),
    ("36", "diners"),
    ("30", "diners"),
    ("35", "jcb"),
    ("62", "unionpay"),
    ("2", "mastercard"),
    ("5", "mastercard"),
    ("4", "visa"),
)
_DISPLAY_BRANDS = {
    "amex": "american_express",
    "diners": "diners_club",
    "unionpay": "union_pay",
    "eftpos_au": "eftpos_australia",
    "carnet": "other",
}


def display_brand(card: TestCard) -> str:
    """The card's ``display_brand``: its co-brand if it has one, else its brand."""
    brand = card.co_brand or card.brand
    return _DISPLAY_BRANDS.get(brand, brand)


def networks(card: TestCard) -> list[str]:
    """The networks the card can be charged on (``networks.available``)."""
    return [card.co_brand, card.brand] if card.co_brand else [card.brand]


def card_for_number(number: str) -> TestCard:
    """The documented behaviour of ``number``; any other Luhn-valid number simply succeeds."""
    known = TEST_CARDS.get(number)
    if known is not None:
        return known
    brand = next((b for p, b in _BRAND_BY_PREFIX if number.startswith(p)), "unknown")
    return _ok(number, "", brand)


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
