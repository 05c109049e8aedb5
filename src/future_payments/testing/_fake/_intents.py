"""What SetupIntents, PaymentIntents and Checkout Sessions share: method types, the
PaymentMethod a confirmation uses, and the 3-D Secure ``next_action``."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlencode

import attrs

from future_payments.testing._fake import _payment_methods
from future_payments.testing._fake._contract import contract
from future_payments.testing._fake._errors import (
    invalid,
    not_simulated,
    rejected,
    unexpected_state,
)
from future_payments.testing._fake._methods import options_for
from future_payments.testing._fake._state import Obj, State


@attrs.frozen
class MethodTypes:
    """The method types of a new object: as asked for, or from the account's configuration."""

    allowed: list[str] | None
    types: list[str]
    configured: bool

    def fields(self) -> dict[str, Any]:
        """The fields these types set on an intent."""
        return {
            "allowed_payment_method_types": self.allowed,
            "payment_method_types": self.types,
            "automatic_payment_methods": {"allow_redirects": "always", "enabled": True}
            if self.configured
            else None,
            "payment_method_options": options_for(self.types),
        }


def _known_types() -> frozenset[str]:
    check = contract("PaymentMethodCreateParams").fields()["type"]
    return frozenset(getattr(check, "values", ()))


def method_types(
    state: State, params: dict[str, Any], of: str, currency: str | None
) -> MethodTypes:
    """The types of a new ``of`` (``setup_intent``, ``payment_intent``, ``checkout_setup``).

    ``allowed_payment_method_types`` (or the older ``payment_method_types``, which Stripe
    still accepts) names them; without either, the account's configuration does.
    """
    name = "allowed_payment_method_types"
    asked = params.get(name)
    if asked is None:
        name = "payment_method_types"
        asked = params.get(name)
    if asked is None:
        return MethodTypes(None, state.methods.types(of, currency), configured=True)
    known = _known_types()
    for index, pm_type in enumerate(asked):
        if pm_type not in known:
            raise rejected(
                f"The payment method type provided: {pm_type} is invalid. Please ensure the "
                "provided type is activated in your dashboard (https://dashboard.stripe.com/"
                "account/payments/settings) and your account is enabled for any preview "
                "features that you are trying to use.",
                param=f"{name}[{index}]",
                code="payment_intent_invalid_parameter" if of == "payment_intent" else None,
            )
    return MethodTypes(list(asked), list(asked), configured=False)


def merged_options(current: dict[str, Any], given: Any) -> dict[str, Any]:
    """``payment_method_options`` with the request's options laid over the defaults."""
    out = copy.deepcopy(current)
    for pm_type, options in (given or {}).items():
        if options is None:
            out.pop(pm_type, None)
        else:
            out[pm_type] = {**out.get(pm_type, {}), **options}
    return out


def payment_method_for(
    state: State, params: dict[str, Any], current: str | None, customer: str | None
) -> Obj | None:
    """The PaymentMethod a create/confirm uses: ``payment_method``, ``payment_method_data``, or
    the one the intent already has. Checked (unknown, spent, another customer's) before use."""
    data = params.get("payment_method_data")
    pm_id = params.get("payment_method")
    if data is not None:
        if pm_id is not None:
            raise rejected(
                "You cannot specify both payment_method and payment_method_data.",
                param="payment_method_data",
            )
        return _payment_methods.build(state, data, param_prefix="payment_method_data")
    pm_id = pm_id or current
    if pm_id is None:
        return None
    pm = _payment_methods.resolve(state, pm_id)
    _payment_methods.usable(state, pm)
    if pm["customer"] is not None and customer is not None and pm["customer"] != customer:
        raise invalid(
            f"The provided PaymentMethod {pm['id']} belongs to another Customer. Use the "
            "Customer it is attached to, or attach it to this one first.",
            param="payment_method",
        )
    if pm["customer"] is not None and customer is None:
        raise invalid(
            f"The provided PaymentMethod was previously attached to a Customer, so it can only "
            f"be used with that Customer ({pm['customer']}); pass customer to use it.",
            param="payment_method",
        )
    return pm


def updatable(state: State, kind: str, intent_id: str) -> Obj:
    """The intent to update, refused once it is settled or settling."""
    intent = state.get(kind, intent_id, kind)
    if intent["status"] in ("succeeded", "canceled", "processing"):
        label = "PaymentIntent" if kind == "payment_intent" else "SetupIntent"
        raise unexpected_state(
            kind, f"You cannot update this {label} because it has a status of {intent['status']}."
        )
    return intent


def update_common(
    state: State,
    params: dict[str, Any],
    intent: Obj,
    changes: dict[str, Any],
    *,
    currency: str | None,
) -> None:
    """The changes both intents take on update: customer, method types, PaymentMethod."""
    customer = params.get("customer")
    if customer is not None:
        state.get("customer", customer, "customer", param="customer")
        changes["customer"] = customer
    if "payment_method_types" in params or "allowed_payment_method_types" in params:
        changes.update(method_types(state, params, intent["object"], currency).fields())
    pm = payment_method_for(state, params, None, customer or intent["customer"])
    if pm is not None:
        changes.update(payment_method=pm["id"], status="requires_confirmation")


def check_simulated(pm: Obj) -> None:
    """Refuse to confirm with a method whose outcome the fake does not simulate."""
    if pm["type"] not in _payment_methods.SETTLED_TYPES:
        raise not_simulated(
            f"confirming with a {pm['type']} PaymentMethod (it simulates card, sepa_debit and "
            "us_bank_account)"
        )


def next_action(state: State, intent: Obj, return_url: str | None) -> Obj:
    """The ``next_action`` of an intent waiting for a 3-D Secure challenge.

    With a ``return_url`` the customer is redirected to the challenge page: the local server's
    ``/authenticate/<id>`` when one serves this fake, else Stripe's hooks host.
    """
    if return_url:
        base = state.authentication_url_base
        url = f"https://hooks.stripe.com/3d_secure_2/hosted?intent={intent['id']}"
        if base is not None:
            url = f"{base}{intent['id']}?{urlencode({'return_url': return_url})}"
        return {
            "type": "redirect_to_url",
            "redirect_to_url": {"return_url": return_url, "url": url},
        }
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": ""},
    }
