"""Stripe's documented test cards, as a table of facts (our own wording of docs.stripe.com/testing).

Sections of docs.stripe.com/testing: "Cards by brand" (``#cards``), "International cards"
(``#international-cards``), "Declined payments" (``#declined-payments``), "Fraud prevention"
(``#fraud-prevention``), "3D Secure authentication" and "Authentication and setup"
(``#regulatory-cards``), "Refunds" (``#refunds``), "Disputes" (``#disputes``). Where a fact was
recorded from real test-mode answers it comes from shared/reference/stripe-facts.md instead
(the ``source`` of the row says so). ``None`` means the docs do not say; the tests then assert
nothing about it.

Behaviour words:
- ``setup``: ``succeeded`` | ``requires_action`` (3-D Secure) | ``declined`` (a SetupIntent
  confirmed with the card, or attaching it, answers a 402 card error).
- ``undocumented`` anywhere: the docs do not say, and nothing is asserted.
- ``off_session`` / ``on_session``: ``succeeded`` | ``requires_action`` |
  ``authentication_required`` | ``declined`` (with ``code`` and ``decline_code``), for a
  PaymentIntent confirmed with the card without earlier setup (``on_session`` with a
  ``return_url``).
"""

from __future__ import annotations

import attrs

TESTING = "docs.stripe.com/testing"
FACTS = "shared/reference/stripe-facts.md (recorded test-mode answers)"


@attrs.frozen
class DocumentedCard:
    """One test card: its number and/or ``pm_card_*`` id, what it is and how it behaves."""

    label: str
    number: str | None
    payment_method: str | None
    brand: str
    funding: str | None
    country: str | None
    setup: str
    on_session: str
    off_session: str
    code: str | None = None
    decline_code: str | None = None
    refund_status: str | None = None
    source: str = TESTING + "#cards"

    @property
    def last4(self) -> str | None:
        """The last four digits, when the number is documented."""
        return self.number[-4:] if self.number else None


def _ok(
    label: str,
    number: str | None,
    pm: str | None,
    brand: str,
    funding: str | None = "credit",
    country: str | None = None,
    *,
    source: str = TESTING + "#cards",
    refund_status: str | None = None,
) -> DocumentedCard:
    return DocumentedCard(
        label,
        number,
        pm,
        brand,
        funding,
        country,
        "succeeded",
        "succeeded",
        "succeeded",
        refund_status=refund_status,
        source=source,
    )


def _country(code: str, number: str) -> DocumentedCard:
    return _ok(
        f"international {code}",
        number,
        f"pm_card_{code.lower()}",
        "visa",
        funding=None,
        country=code,
        source=TESTING + "#international-cards",
    )


def _declined(
    label: str,
    number: str | None,
    pm: str | None,
    code: str,
    decline_code: str | None,
    *,
    setup: str = "declined",
    source: str = TESTING + "#declined-payments",
) -> DocumentedCard:
    return DocumentedCard(
        label,
        number,
        pm,
        "visa",
        None,
        None,
        setup,
        "declined",
        "declined",
        code,
        decline_code,
        source=source,
    )


BY_BRAND: tuple[DocumentedCard, ...] = (
    _ok("Visa", "4242424242424242", "pm_card_visa", "visa", country="US"),
    _ok("Visa (debit)", "4000056655665556", "pm_card_visa_debit", "visa", "debit"),
    _ok("Mastercard", "5555555555554444", "pm_card_mastercard", "mastercard"),
    _ok("Mastercard (2-series)", "2223003122003222", None, "mastercard"),
    _ok(
        "Mastercard (debit)", "5200828282828210", "pm_card_mastercard_debit", "mastercard", "debit"
    ),
    _ok(
        "Mastercard (prepaid)",
        "5105105105105100",
        "pm_card_mastercard_prepaid",
        "mastercard",
        "prepaid",
    ),
    _ok("American Express", "378282246310005", "pm_card_amex", "amex"),
    _ok("American Express (2)", "371449635398431", None, "amex"),
    _ok("Discover", "6011111111111117", "pm_card_discover", "discover"),
    _ok("Discover (2)", "6011000990139424", None, "discover"),
    _ok("Discover (debit)", "6011981111111113", None, "discover", "debit"),
    _ok("Diners Club", "3056930009020004", "pm_card_diners", "diners"),
    _ok("Diners Club (14-digit)", "36227206271667", None, "diners"),
    _ok("JCB", "3566002020360505", "pm_card_jcb", "jcb"),
    _ok("UnionPay", "6200000000000005", "pm_card_unionpay", "unionpay"),
    _ok("UnionPay (debit)", "6200000000000047", None, "unionpay", "debit"),
    _ok("UnionPay (19-digit)", "6205500000000000004", None, "unionpay"),
)

BY_COUNTRY: tuple[DocumentedCard, ...] = (
    _country("US", "4242424242424242"),
    _country("BR", "4000000760000002"),
    _country("CA", "4000001240000000"),
    _country("MX", "4000004840008001"),
    _country("GB", "4000008260000000"),
    _country("DE", "4000002760000016"),
    _country("FR", "4000002500000003"),
    _country("NL", "4000005280000002"),
    _country("ES", "4000007240000007"),
    _country("IT", "4000003800000008"),
    _country("SE", "4000007520000008"),
    _country("CH", "4000007560000009"),
    _country("AU", "4000000360000006"),
    _country("JP", "4000003920000003"),
    _country("SG", "4000007020000003"),
    _country("IN", "4000003560000008"),
    _country("HK", "4000003440000004"),
)

DECLINES: tuple[DocumentedCard, ...] = (
    _declined(
        "generic decline",
        "4000000000000002",
        "pm_card_visa_chargeDeclined",
        "card_declined",
        "generic_decline",
    ),
    # The same card under the id the Stripe CLI's setup_intent.setup_failed trigger uses; its
    # decline on attach was recorded (advice_code, network_decline_code: stripe-facts.md).
    _declined(
        "generic decline (pm_card_chargeDeclined)",
        None,
        "pm_card_chargeDeclined",
        "card_declined",
        "generic_decline",
        source=FACTS,
    ),
    _declined(
        "insufficient funds",
        "4000000000009995",
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
    ),
    _declined(
        "insufficient funds (pm_card_chargeDeclinedInsufficientFunds)",
        None,
        "pm_card_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
    ),
    _declined(
        "lost card",
        "4000000000009987",
        "pm_card_visa_chargeDeclinedLostCard",
        "card_declined",
        "lost_card",
    ),
    _declined(
        "lost card (pm_card_chargeDeclinedLostCard)",
        None,
        "pm_card_chargeDeclinedLostCard",
        "card_declined",
        "lost_card",
    ),
    _declined(
        "stolen card",
        "4000000000009979",
        "pm_card_visa_chargeDeclinedStolenCard",
        "card_declined",
        "stolen_card",
    ),
    # The docs give no decline code for these three (see the report of the harness).
    _declined(
        "expired card",
        "4000000000000069",
        "pm_card_chargeDeclinedExpiredCard",
        "expired_card",
        None,
    ),
    _declined(
        "incorrect CVC",
        "4000000000000127",
        "pm_card_chargeDeclinedIncorrectCvc",
        "incorrect_cvc",
        None,
        setup="undocumented",
    ),
    _declined(
        "processing error",
        "4000000000000119",
        "pm_card_chargeDeclinedProcessingError",
        "processing_error",
        None,
    ),
    _declined(
        "velocity limit exceeded",
        "4000000000006975",
        None,
        "card_declined",
        "card_velocity_exceeded",
        setup="undocumented",
    ),
    # Attaching succeeds; every charge is declined (docs: "Decline after attaching").
    _declined(
        "decline after attaching",
        "4000000000000341",
        "pm_card_chargeCustomerFail",
        "card_declined",
        None,
        setup="succeeded",
    ),
    _declined(
        "always blocked by Radar",
        "4100000000000019",
        "pm_card_radarBlock",
        "card_declined",
        "fraudulent",
        setup="undocumented",
        source=TESTING + "#fraud-prevention",
    ),
)

# A number that fails the Luhn check: creating a PaymentMethod with it is an incorrect_number
# card error (docs: declined payments, "Incorrect number decline").
INCORRECT_NUMBER = "4242424242424241"

AUTHENTICATION: tuple[DocumentedCard, ...] = (
    DocumentedCard(
        "authenticate unless set up",
        "4000002500003155",
        "pm_card_authenticationRequiredOnSetup",
        "visa",
        None,
        None,
        "requires_action",
        "requires_action",
        "authentication_required",
        source=TESTING + "#authentication-and-setup",
    ),
    DocumentedCard(
        "always authenticate",
        "4000002760003184",
        "pm_card_authenticationRequired",
        "visa",
        None,
        "DE",
        "requires_action",
        "requires_action",
        "authentication_required",
        code="authentication_required",
        source=TESTING + "#authentication-and-setup; country: " + FACTS,
    ),
    DocumentedCard(
        "already set up",
        "4000003800000446",
        "pm_card_authenticationRequiredSetupForOffSession",
        "visa",
        None,
        None,
        "requires_action",
        "requires_action",
        "succeeded",
        source=TESTING + "#authentication-and-setup",
    ),
    DocumentedCard(
        "insufficient funds after authentication",
        "4000008260003178",
        "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds",
        "visa",
        None,
        None,
        "requires_action",
        "requires_action",
        "undocumented",
        code="card_declined",
        decline_code="insufficient_funds",
        source=TESTING + "#authentication-and-setup",
    ),
    DocumentedCard(
        "3D Secure 2 required",
        "4000000000003220",
        "pm_card_threeDSecure2Required",
        "visa",
        None,
        None,
        "undocumented",
        "requires_action",
        "undocumented",
        source=TESTING + "#regulatory-cards",
    ),
    DocumentedCard(
        "3D Secure required",
        "4000000000003063",
        "pm_card_threeDSecureRequired",
        "visa",
        None,
        None,
        "undocumented",
        "requires_action",
        "undocumented",
        source=TESTING + "#regulatory-cards",
    ),
    _ok(
        "3D Secure supported, not required",
        "4000000000003055",
        "pm_card_threeDSecureOptional",
        "visa",
        funding=None,
        source=TESTING + "#regulatory-cards",
    ),
)

REFUNDS: tuple[DocumentedCard, ...] = (
    _ok(
        "refund pending, then succeeds",
        "4000000000007726",
        "pm_card_pendingRefund",
        "visa",
        funding=None,
        refund_status="pending",
        source=TESTING + "#refunds",
    ),
    _ok(
        "refund succeeds, then fails asynchronously",
        "4000000000005126",
        "pm_card_refundFail",
        "visa",
        funding=None,
        refund_status="succeeded",
        source=TESTING + "#refunds",
    ),
)

# The charge succeeds; the dispute that follows is not part of this flow (issue 13 leaves
# disputes out), so only the successful charge is checked.
DISPUTES: tuple[DocumentedCard, ...] = (
    _ok(
        "fraudulent dispute",
        "4000000000000259",
        "pm_card_createDispute",
        "visa",
        None,
        source=TESTING + "#disputes",
    ),
    _ok(
        "inquiry",
        "4000000000001976",
        "pm_card_createDisputeInquiry",
        "visa",
        None,
        source=TESTING + "#disputes",
    ),
)

ALL: tuple[DocumentedCard, ...] = (
    BY_BRAND + BY_COUNTRY + DECLINES + AUTHENTICATION + REFUNDS + DISPUTES
)
