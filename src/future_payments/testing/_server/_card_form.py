"""The hosted Checkout form: its fields and Stripe's own validation messages."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import attrs

from future_payments.testing._fake._cards import TestCard, luhn_valid

NUMBER_INCOMPLETE = "Your card number is incomplete."
NUMBER_INVALID = "Your card number is invalid."
EXPIRY_INCOMPLETE = "Your card's expiration date is incomplete."
EXPIRY_MONTH_INVALID = "Your card's expiration month is invalid."
EXPIRY_YEAR_INVALID = "Your card's expiration year is invalid."
EXPIRY_YEAR_PAST = "Your card's expiration year is in the past."
EXPIRY_DATE_PAST = "Your card's expiration date is in the past."
CVC_INCOMPLETE = "Your card's security code is incomplete."
CVC_INVALID = "Your card's security code is invalid."
AUTHENTICATION_FAILED = (
    "We are unable to authenticate your payment method. Please choose a different payment "
    "method and try again."
)
_MAX_YEARS_AHEAD = 50


@attrs.frozen
class CardForm:
    """What the customer typed (or chose) on the Checkout page."""

    method: str = "card"
    number: str = ""
    expiry: str = ""
    cvc: str = ""
    name: str = ""

    @classmethod
    def from_form(cls, fields: Mapping[str, str]) -> CardForm:
        """Read the posted form; missing fields are empty."""
        return cls(
            method=fields.get("method", "card").strip() or "card",
            number=fields.get("number", "").strip(),
            expiry=fields.get("expiry", "").strip(),
            cvc=fields.get("cvc", "").strip(),
            name=fields.get("name", "").strip(),
        )

    @property
    def digits(self) -> str:
        """The card number without the spaces (or dashes) people type."""
        return self.number.replace(" ", "").replace("-", "")


def validate(form: CardForm, now: int) -> dict[str, str]:
    """The Stripe-like message for each invalid card field (empty when all are valid).

    ``now`` (unix seconds, the fake's clock) decides what an expiry "in the past" is.
    """
    errors: dict[str, str] = {}
    number = form.digits
    if not number:
        errors["number"] = NUMBER_INCOMPLETE
    elif not luhn_valid(number):
        errors["number"] = NUMBER_INVALID
    expiry = _expiry_error(form.expiry, now)
    if expiry is not None:
        errors["expiry"] = expiry
    cvc_length = 4 if number.startswith(("34", "37")) else 3
    if not form.cvc or (form.cvc.isdigit() and len(form.cvc) < cvc_length):
        errors["cvc"] = CVC_INCOMPLETE
    elif not form.cvc.isdigit() or len(form.cvc) > cvc_length:
        errors["cvc"] = CVC_INVALID
    return errors


def _expiry_error(text: str, now: int) -> str | None:
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) not in (4, 6) or any(c not in "0123456789/ " for c in text):
        return EXPIRY_INCOMPLETE
    month = int(digits[:2])
    year = int(digits[2:]) + (2000 if len(digits) == 4 else 0)
    if not 1 <= month <= 12:
        return EXPIRY_MONTH_INVALID
    today = datetime.datetime.fromtimestamp(now, datetime.UTC)
    if year < today.year:
        return EXPIRY_YEAR_PAST
    if year == today.year and month < today.month:
        return EXPIRY_DATE_PAST
    if year > today.year + _MAX_YEARS_AHEAD:
        return EXPIRY_YEAR_INVALID
    return None


def typed_expiry(text: str) -> tuple[int, int]:
    """The (month, four-digit year) of an expiry that passed ``validate``."""
    digits = "".join(c for c in text if c.isdigit())
    return int(digits[:2]), int(digits[2:]) + (2000 if len(digits) == 4 else 0)


def grouped(number: str) -> str:
    """A card number in the groups printed on the card (4-6-5 for American Express, 4-6-4 for
    14-digit Diners Club); a 19-digit number keeps its last seven digits in one group."""
    if len(number) == 15:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    if len(number) == 14:
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    head = number[:12] if len(number) == 19 else number
    groups = [head[i : i + 4] for i in range(0, len(head), 4)]
    return " ".join(groups + ([number[12:]] if len(number) == 19 else []))


_SETUP = {
    "succeeds": "Saved",
    "authenticates": "Asks for 3-D Secure",
    "declines": "Declined",
}
_OFF_SESSION = {
    "succeeds": "Succeed",
    "succeeds_once_set_up": "Succeed (once saved with 3-D Secure)",
    "authentication_required": "Need the customer: authentication_required",
    "declines": "Declined",
}


def behaviour(card: TestCard) -> tuple[str, str]:
    """``(when saved, later charges)``: what a test card does, in words for the card list."""
    reason = f" ({card.decline_code or card.code})" if card.code else ""
    setup = _SETUP[card.setup] + (reason if card.setup == "declines" else "")
    charges = _OFF_SESSION[card.off_session] + (reason if card.off_session == "declines" else "")
    if card.on_session == "authenticates_then_declines":
        charges += "; on-session: 3-D Secure, then declined"
    return setup, charges
