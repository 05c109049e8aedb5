"""Reading the examples' forms and cookies: the same rules in every framework."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from future_payments.stores import ChargeRecord

CUSTOMER_COOKIE = "fp_example_customer"
"""The demo's "logged in as" cookie: the customer_ref, not a secret (a real app has sessions)."""

DEFAULT_CUSTOMER = "demo-user"

SUCCESS_PATH = "/saved"

NOTICES: Mapping[str, str] = {
    "saved": "Card saved.",
    "default": "Default card changed.",
    "removed": "Card removed.",
    "cancelled": "Checkout was cancelled: nothing was saved.",
    "refunded": "Refund sent.",
}

_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_ORDER_KEY = re.compile(r"charge-[A-Za-z0-9_-]{1,57}")
_REFUND_KEY = re.compile(r"refund-[A-Za-z0-9_-]{1,57}")


class FormError(ValueError):
    """A form field the example cannot use; the message is shown to the user (HTTP 400)."""


class UnknownCharge(LookupError):
    """No charge of the logged-in customer has this key (HTTP 404)."""


@dataclass(frozen=True)
class ChargeForm:
    """The fields of the "Charge" form."""

    amount: int
    currency: str
    idempotency_key: str


@dataclass(frozen=True)
class RefundForm:
    """The fields of a charge's "Refund" form."""

    amount: int | None  # None: what is left
    refund_key: str


def customer_ref(value: str | None) -> str:
    """The ref a visitor logs in as: ``DEFAULT_CUSTOMER`` when absent."""
    if not value:
        return DEFAULT_CUSTOMER
    value = value.strip()
    if not _REF.fullmatch(value):
        raise FormError(
            "A customer ref is 1 to 64 letters, digits or . _ @ + -, starting with a letter "
            "or a digit."
        )
    return value


def customer_ref_or_default(value: str | None) -> str:
    """``customer_ref``, but never failing: for error pages, which must always render."""
    try:
        return customer_ref(value)
    except FormError:
        return DEFAULT_CUSTOMER


def charge_form(form: Mapping[str, str]) -> ChargeForm:
    """Read the charge form; the library itself checks the amount against the currency."""
    raw_amount = form.get("amount", "").strip()
    if not raw_amount.isdigit():
        raise FormError("The amount is a whole number of cents (1999 is 19.99).")
    currency = form.get("currency", "").strip().lower()
    if not _CURRENCY.fullmatch(currency):
        raise FormError("The currency is a three-letter code such as usd.")
    key = form.get("idempotency_key", "")
    if not key.startswith("charge-") or len(key) > 64:
        raise FormError("The form has no idempotency key: reload the account page.")
    return ChargeForm(int(raw_amount), currency, key)


def new_idempotency_key() -> str:
    """A fresh key for each rendering of the charge form: a double submit charges once."""
    return f"charge-{secrets.token_urlsafe(16)}"


def new_refund_key() -> str:
    """A fresh key for each rendering of a refund form: a double submit refunds once."""
    return f"refund-{secrets.token_urlsafe(16)}"


def refund_form(form: Mapping[str, str]) -> RefundForm:
    """Read a refund form: an optional amount in cents (empty: what is left) and its key."""
    raw_amount = form.get("amount", "").strip()
    if raw_amount and not raw_amount.isdigit():
        raise FormError("The amount to refund is a whole number of cents, or empty for the rest.")
    key = form.get("refund_key", "")
    if not _REFUND_KEY.fullmatch(key):
        raise FormError("The form has no refund key: reload the account page.")
    return RefundForm(int(raw_amount) if raw_amount else None, key)


def order_key(value: str) -> str:
    """A charge key from a URL (the ones the charge form makes), else ``UnknownCharge``."""
    if not _ORDER_KEY.fullmatch(value):
        raise UnknownCharge("No charge of yours has this key.")
    return value


def setup_urls(base_url: str) -> tuple[str, str]:
    """``success_url`` and ``cancel_url`` for ``start_setup``, under the app's own address."""
    base = base_url.rstrip("/")
    return (
        f"{base}{SUCCESS_PATH}?session_id={{CHECKOUT_SESSION_ID}}",
        f"{base}/account?notice=cancelled",
    )


def pay_path(key: str) -> str:
    """The customer's page for a charge awaiting authentication (the link to e-mail)."""
    return f"/pay/{key}"


def cancel_path(key: str) -> str:
    """Where the customer's "Cancel payment" button posts."""
    return f"/pay/{key}/cancel"


def return_path(key: str) -> str:
    """Where the bank's challenge sends the customer back to."""
    return f"/pay/{key}/return"


def pay_link(base_url: str, key: str) -> str:
    """The absolute "authenticate this payment" link to e-mail the customer."""
    return base_url.rstrip("/") + pay_path(key)


def return_url(base_url: str, key: str) -> str:
    """The ``return_url`` for ``start_authentication``: the charge's return page."""
    return base_url.rstrip("/") + return_path(key)


def own_charge(record: ChargeRecord | None, customer_ref: str) -> ChargeRecord:
    """The ledger row of a charge key, if it is the logged-in customer's."""
    if record is None or record.customer_ref != customer_ref:
        raise UnknownCharge("No charge of yours has this key.")
    return record
