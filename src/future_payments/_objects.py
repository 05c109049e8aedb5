"""Stripe objects as the operations read them: typed views, shape-checked once at the boundary.

API answers (``_stripe.send``) and webhook payloads (``ParsedEvent.data_object``) are the same
JSON objects, so one parser per object serves both. A parser returns None, or raises
``Malformed``, for data of a shape Stripe never sends (a missing id, a number where a string
belongs, a lone surrogate, an id that is not an id): the operations then refuse or ignore it
instead of failing on a ``KeyError`` deep inside. Free text (messages, brands) is kept with any
unencodable character replaced; keys and ids are checked strictly, because they reach the store.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from future_payments._limits import MAX_REF_LENGTH, SHORT_LENGTH, TEXT_LENGTH

_ID = re.compile(r"[A-Za-z0-9_]{1,255}")
MAX_KEY = MAX_REF_LENGTH


class Malformed(ValueError):
    """Stripe data of a shape this library cannot read (caught by the operations)."""


def is_id(value: object) -> bool:
    """Whether ``value`` looks like a Stripe object id (letters, digits, underscores)."""
    return isinstance(value, str) and _ID.fullmatch(value) is not None


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unencodable(value: str) -> bool:
    """Whether ``value`` holds a lone surrogate, which no UTF-8 database or body can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def key_problem(value: str) -> str | None:
    """Why a key-like string (a ref, a key) can be neither stored nor sent, or None.

    Control characters (NUL, newline...) fit no HTTP header and not every database; a lone
    surrogate fits neither.
    """
    if _CONTROL.search(value):
        return "must not contain control characters (NUL, newline, tab...)"
    if unencodable(value):
        return "must be valid Unicode text (it holds a lone surrogate)"
    return None


def is_key(value: object) -> bool:
    """Whether ``value`` is a usable key or ref: a non-empty, storable string of <= 255 chars."""
    return isinstance(value, str) and 0 < len(value) <= MAX_KEY and key_problem(value) is None


def text(value: object, limit: int | None = None) -> str | None:
    """Free text from Stripe (a message, a brand): a storable str, or None.

    ``Malformed`` when it is longer than ``limit``, the size its store column keeps.
    """
    if not isinstance(value, str):
        return None
    cleaned = value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    if limit is not None and len(cleaned) > limit:
        raise Malformed(f"a text field holds {len(cleaned)} characters, over {limit}")
    return cleaned or None


def mapping(value: object) -> Mapping[str, Any]:
    """A JSON object, or an empty one for anything else (null, a list...)."""
    return value if isinstance(value, Mapping) else {}


def object_id(value: object) -> str | None:
    """The id of an expandable field, whether it came expanded or as an id; None if neither."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and is_id(value) else None


def require_id(data: Mapping[str, Any], what: str) -> str:
    """``data["id"]``, checked; ``Malformed`` when it is not a Stripe id."""
    found = data.get("id")
    if not is_id(found):
        raise Malformed(f"the {what} has no usable id")
    assert isinstance(found, str)
    return found


def metadata(value: object) -> dict[str, str]:
    """Stripe metadata: the string entries of a JSON object."""
    return {k: v for k, v in mapping(value).items() if isinstance(k, str) and isinstance(v, str)}


def integer(value: object) -> int | None:
    """A JSON integer within 64 bits (not a bool), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
        return None
    return value


@attrs.frozen
class PaymentMethodView:
    """The parts of a PaymentMethod this library keeps."""

    id: str
    type: str
    customer_id: str | None
    brand: str | None
    last4: str | None
    exp_month: int | None
    exp_year: int | None
    fingerprint: str | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PaymentMethodView:
        """Read a PaymentMethod; ``Malformed`` without an id or a type."""
        pm_type = _code(data.get("type"))
        if pm_type is None:
            raise Malformed("the PaymentMethod has no usable type")
        details = mapping(data.get(pm_type))
        return cls(
            id=require_id(data, "PaymentMethod"),
            type=pm_type,
            customer_id=object_id(data.get("customer")),
            brand=text(details.get("brand"), TEXT_LENGTH)
            or text(details.get("bank_name"), TEXT_LENGTH),
            last4=text(details.get("last4"), SHORT_LENGTH),
            exp_month=integer(details.get("exp_month")),
            exp_year=integer(details.get("exp_year")),
            fingerprint=text(details.get("fingerprint"), TEXT_LENGTH),
        )


@attrs.frozen
class SetupIntentView:
    """The parts of a SetupIntent the saving flow reads."""

    id: str
    status: str | None
    customer_id: str | None
    payment_method_id: str | None
    payment_method: PaymentMethodView | None  # when it came expanded
    failed_payment_method_id: str | None  # the method of ``last_setup_error``
    metadata: dict[str, str]
    created: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> SetupIntentView:
        """Read a SetupIntent (its payment_method may be expanded)."""
        pm = data.get("payment_method")
        error = mapping(data.get("last_setup_error"))
        return cls(
            id=require_id(data, "SetupIntent"),
            status=_code(data.get("status")),
            customer_id=object_id(data.get("customer")),
            payment_method_id=object_id(pm),
            payment_method=PaymentMethodView.parse(pm) if isinstance(pm, Mapping) else None,
            failed_payment_method_id=object_id(error.get("payment_method")),
            metadata=metadata(data.get("metadata")),
            created=integer(data.get("created")) or 0,
        )


@attrs.frozen
class CheckoutSessionView:
    """The parts of a Checkout Session the saving flow reads."""

    id: str
    mode: str | None
    status: str
    url: str | None
    expires_at: int
    customer_id: str | None
    client_reference_id: str | None
    setup_intent_id: str | None
    setup_intent: SetupIntentView | None  # when it came expanded
    metadata: dict[str, str]
    created: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CheckoutSessionView:
        """Read a Checkout Session; old API versions without ``status`` count as complete."""
        intent = data.get("setup_intent")
        status = data.get("status")
        return cls(
            id=require_id(data, "Checkout Session"),
            mode=_code(data.get("mode")),
            status=status if isinstance(status, str) else "complete",
            url=text(data.get("url")),
            expires_at=integer(data.get("expires_at")) or 0,
            customer_id=object_id(data.get("customer")),
            client_reference_id=text(data.get("client_reference_id")),
            setup_intent_id=object_id(intent),
            setup_intent=SetupIntentView.parse(intent) if isinstance(intent, Mapping) else None,
            metadata=metadata(data.get("metadata")),
            created=integer(data.get("created")) or 0,
        )


@attrs.frozen
class PaymentError:
    """A PaymentIntent's ``last_payment_error``, or the error of a 402 answer."""

    code: str | None
    decline_code: str | None
    message: str | None

    @classmethod
    def parse(cls, data: object) -> PaymentError | None:
        """Read an error object; None for null or a non-object."""
        if not isinstance(data, Mapping):
            return None
        return cls(
            code=text(data.get("code"), TEXT_LENGTH),
            decline_code=text(data.get("decline_code"), TEXT_LENGTH),
            message=text(data.get("message")),
        )


@attrs.frozen
class PaymentIntentView:
    """The parts of a PaymentIntent the charge ledger reads."""

    id: str
    status: str | None
    client_secret: str | None = attrs.field(repr=False)
    customer_id: str | None
    payment_method_id: str | None
    amount: int | None
    currency: str | None
    metadata: dict[str, str]
    last_payment_error: PaymentError | None
    redirect_url: str | None  # next_action.redirect_to_url.url
    latest_charge_id: str | None
    created: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> PaymentIntentView:
        """Read a PaymentIntent (from an answer, an event, or a 402 error body)."""
        action = mapping(data.get("next_action"))
        redirect = mapping(action.get("redirect_to_url"))
        secret = data.get("client_secret")
        return cls(
            id=require_id(data, "PaymentIntent"),
            status=_code(data.get("status")),
            client_secret=secret if is_key(secret) else None,
            customer_id=object_id(data.get("customer")),
            payment_method_id=object_id(data.get("payment_method")),
            amount=integer(data.get("amount")),
            currency=_code(data.get("currency")),
            metadata=metadata(data.get("metadata")),
            last_payment_error=PaymentError.parse(data.get("last_payment_error")),
            redirect_url=text(redirect.get("url")),
            latest_charge_id=object_id(data.get("latest_charge")),
            created=integer(data.get("created")) or 0,
        )


@attrs.frozen
class CustomerView:
    """A Customer's id and metadata."""

    id: str
    metadata: dict[str, str]
    deleted: bool

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> CustomerView:
        """Read a Customer (or a deleted one)."""
        return cls(
            id=require_id(data, "Customer"),
            metadata=metadata(data.get("metadata")),
            deleted=data.get("deleted") is True,
        )


def list_page(data: Mapping[str, Any]) -> tuple[list[Mapping[str, Any]], bool]:
    """A list object's items (the JSON objects among them) and ``has_more``."""
    items = data.get("data")
    found = [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []
    return found, data.get("has_more") is True


@attrs.frozen
class RefundView:
    """The parts of a Refund the refund ledger reads (from an answer, a list or an event)."""

    id: str
    amount: int
    currency: str
    status: str | None
    payment_intent_id: str | None
    charge_id: str | None
    reason: str | None
    failure_reason: str | None
    metadata: dict[str, str]
    created: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RefundView:
        """Read a Refund; ``Malformed`` without an id, an amount or a currency."""
        amount = integer(data.get("amount"))
        currency = data.get("currency")
        if amount is None or amount < 0 or not isinstance(currency, str):
            raise Malformed("the Refund has no usable amount or currency")
        if not _CURRENCY.fullmatch(currency):
            raise Malformed("the Refund's currency is not a currency code")
        return cls(
            id=require_id(data, "Refund"),
            amount=amount,
            currency=currency.lower(),
            status=_code(data.get("status")),
            payment_intent_id=object_id(data.get("payment_intent")),
            charge_id=object_id(data.get("charge")),
            reason=_code(data.get("reason")),
            failure_reason=_code(data.get("failure_reason")),
            metadata=metadata(data.get("metadata")),
            created=integer(data.get("created")) or 0,
        )


_CURRENCY = re.compile(r"[A-Za-z]{3}")
_CODE = re.compile(r"[a-z0-9_]{1,64}")


def _code(value: object) -> str | None:
    """One of Stripe's enum values (a status, a reason), or None for anything else."""
    return value if isinstance(value, str) and _CODE.fullmatch(value) else None


@attrs.frozen
class ChargeView:
    """The parts of a Charge the refund and dispute events read."""

    id: str
    payment_intent_id: str | None
    amount_refunded: int
    refunds: tuple[RefundView, ...] | None  # None when the Charge does not list them

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ChargeView:
        """Read a Charge; its ``refunds`` list only when Stripe included it."""
        listed = data.get("refunds")
        refunds = None
        if isinstance(listed, Mapping) and isinstance(listed.get("data"), list):
            items, more = list_page(listed)
            # A partial list (has_more) is as good as none: the caller lists them all.
            refunds = None if more else tuple(RefundView.parse(item) for item in items)
        return cls(
            id=require_id(data, "Charge"),
            payment_intent_id=object_id(data.get("payment_intent")),
            amount_refunded=integer(data.get("amount_refunded")) or 0,
            refunds=refunds,
        )


@attrs.frozen
class DisputeView:
    """The parts of a Dispute that name the disputed charge."""

    id: str
    charge_id: str | None
    payment_intent_id: str | None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> DisputeView:
        """Read a Dispute; ``Malformed`` when it names no charge at all."""
        charge_id = object_id(data.get("charge"))
        payment_intent_id = object_id(data.get("payment_intent"))
        if charge_id is None and payment_intent_id is None:
            raise Malformed("the Dispute names no Charge")
        return cls(
            id=require_id(data, "Dispute"),
            charge_id=charge_id,
            payment_intent_id=payment_intent_id,
        )
