"""``expand[]``: checked against the SDK's declarations before anything runs, applied after.

A path such as ``setup_intent.payment_method`` or ``data.customer`` is valid when each segment
names a field the resource class declares as an expandable id (``ExpandableField``), a nested
hash on the way to one (``invoice_settings.default_payment_method``), ``data`` of a list, or an
*includable* field: one Stripe leaves out of an object unless asked (a Customer's ``tax``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import stripe

from future_payments.testing._fake._declarations import Obj, fields_of, resource
from future_payments.testing._fake._errors import rejected

if TYPE_CHECKING:
    from future_payments.testing._fake._state import State

MAX_DEPTH = 4


@attrs.frozen
class ListOf:
    """A list answer of ``item`` objects: its expand paths start with ``data``."""

    item: type


Include = Callable[["State", Obj], Any]


def _empty_list(url: str) -> Include:
    return lambda state, obj: {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": url.format(id=obj["id"]),
    }


def _customer_tax(state: State, customer: Obj) -> Obj:
    address = customer.get("address") or {}
    return {
        "automatic_tax": "supported" if address.get("country") else "unrecognized_location",
        "ip_address": None,
        "location": {"country": address["country"], "source": "billing_address", "state": None}
        if address.get("country")
        else None,
        "provider": "stripe",
    }


def _cash_balance(state: State, customer: Obj) -> Obj:
    return {
        "object": "cash_balance",
        "available": None,
        "customer": customer["id"],
        "customer_account": None,
        "livemode": False,
        "settings": {"reconciliation_mode": "automatic", "using_merchant_default": True},
    }


def _charge_refunds(state: State, charge: Obj) -> Obj:
    refunds = [state.objects[i] for i in state.refunds_of.get(charge["id"], ())]
    return {
        "object": "list",
        "data": list(reversed(refunds)),
        "has_more": False,
        "url": f"/v1/charges/{charge['id']}/refunds",
    }


# Fields Stripe returns only when expanded, by object kind, and how the fake fills them.
INCLUDABLE: dict[str, dict[str, Include]] = {
    "customer": {
        "cash_balance": _cash_balance,
        "invoice_credit_balance": lambda state, customer: {},
        "sources": _empty_list("/v1/customers/{id}/sources"),
        "subscriptions": _empty_list("/v1/customers/{id}/subscriptions"),
        "tax": _customer_tax,
        "tax_ids": _empty_list("/v1/customers/{id}/tax_ids"),
    },
    "checkout.session": {"line_items": _empty_list("/v1/checkout/sessions/{id}/line_items")},
    "charge": {"refunds": _charge_refunds},
}


def _kind(cls: type) -> str | None:
    name = getattr(cls, "OBJECT_NAME", None)
    return name if isinstance(name, str) else None


def _cannot(path: str) -> Exception:
    return rejected(f"This property cannot be expanded ({path}).", param="expand")


def check(root: type | ListOf, paths: list[str]) -> None:
    """Refuse (400, before anything runs) a path the declarations of ``root`` do not allow."""
    for path in paths:
        segments = path.split(".")
        if len([s for s in segments if s != "data"]) > MAX_DEPTH:
            raise rejected(
                f"You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}",
                param="expand",
            )
        _check_path(root, segments, path)


def _check_path(current: type | ListOf | None, segments: list[str], path: str) -> None:
    expanded_last = False
    for index, segment in enumerate(segments):
        if current is None:
            return  # a resource the SDK does not model further: nothing more to check
        if isinstance(current, ListOf):
            if segment != "data":
                raise _cannot(path)
            current, expanded_last = current.item, False
            continue
        kind = _kind(current)
        if kind is not None and segment in INCLUDABLE.get(kind, {}):
            return
        field = fields_of(current).get(segment)
        if field is None:
            raise _cannot(".".join(segments[: index + 1]))
        if field.expandable is not None:
            current, expanded_last = resource(field.expandable), True
        elif field.list_object is not None:
            current, expanded_last = (
                ListOf(resource(field.list_object) or stripe.StripeObject),
                True,
            )
        elif field.nested is not None:
            current, expanded_last = field.nested, False
        else:
            raise _cannot(".".join(segments[: index + 1]))
    if not expanded_last:
        raise _cannot(path)


def apply(state: State, obj: Obj, paths: list[str]) -> Obj:
    """``obj`` with each path's ids replaced by copies of the objects (``obj`` is untouched)."""
    for path in paths:
        obj = _expand(state, obj, path.split("."))
    return obj


def _expand(state: State, value: Any, segments: list[str]) -> Any:
    if not segments or value is None:
        return value
    if isinstance(value, list):
        return [_expand(state, item, segments) for item in value]
    if isinstance(value, str):
        found = state.objects.get(value)
        if found is None:
            return value
        value = found
    if not isinstance(value, dict):
        return value
    head, rest = segments[0], segments[1:]
    copy = dict(value)
    include = INCLUDABLE.get(str(copy.get("object")), {}).get(head)
    if include is not None and copy.get("id") is not None:
        copy[head] = _expand(state, include(state, copy), rest)
        return copy
    if head not in copy:
        return copy
    target = copy[head]
    if isinstance(target, str):
        found = state.objects.get(target)
        target = found if found is not None else target
    copy[head] = _expand(state, target, rest)
    return copy
