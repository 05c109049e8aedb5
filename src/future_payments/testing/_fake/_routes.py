"""The route table: every endpoint the fake serves, the SDK params TypedDict that is its
contract, what it answers (for ``expand``), and its handler. All handlers share one signature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import attrs
import stripe

from future_payments.testing._fake import (
    _balance,
    _charges,
    _checkout,
    _customers,
    _disputes,
    _events,
    _payment_intents,
    _payment_methods,
    _refunds,
    _setup_intents,
)
from future_payments.testing._fake._call import Call, Handler, Params
from future_payments.testing._fake._contract import Array, Check, Text, contract
from future_payments.testing._fake._errors import rejected
from future_payments.testing._fake._expand import ListOf
from future_payments.testing._fake._state import Obj

# Parameters Stripe still takes that the pinned SDK no longer declares (the Stripe CLI's
# fixtures send them): the list of types under its older name.
_LEGACY_TYPES: Mapping[str, Check] = {"payment_method_types": Array(Text())}


@attrs.frozen
class Route:
    """One endpoint.

    Attributes:
        method: ``GET``, ``POST`` or ``DELETE``.
        path: the SDK's path template, e.g. ``/v1/customers/{customer}``.
        params: the SDK's params TypedDict for it, e.g. ``CustomerCreateParams``.
        answers: the SDK class of the answer (or ``ListOf`` it), against which ``expand`` is
            checked; None for an answer that cannot be expanded.
        handler: ``(Call) -> Obj``.
        legacy: parameters Stripe accepts here beyond the SDK's declarations.
    """

    method: str
    path: str
    params: str
    answers: type | ListOf | None
    handler: Handler
    legacy: Mapping[str, Check] = attrs.field(factory=dict)

    @property
    def pattern(self) -> re.Pattern[str]:
        """The path as a regular expression, one group per id."""
        return re.compile(re.sub(r"\{[a-z_]+\}", "([^/]+)", self.path) + "$")

    def check(self, params: Params) -> Params:
        """The parameters checked against the contract and typed (``expand`` included)."""
        if self.legacy and any(name in params for name in self.legacy):
            extra = {k: params[k] for k in self.legacy if k in params}
            rest = {k: v for k, v in params.items() if k not in self.legacy}
            checked = contract(self.params).check_fields(rest)
            for name, value in extra.items():
                checked[name] = None if value == "" else self.legacy[name].check(value, name)
            return checked
        return contract(self.params).check_fields(params)


def _r(
    method: str,
    path: str,
    params: str,
    answers: type | ListOf | None,
    handler: Handler,
    **more: Mapping[str, Check],
) -> Route:
    return Route(method, path, params, answers, handler, **more)


_Customer, _PM, _SI, _PI = (
    stripe.Customer,
    stripe.PaymentMethod,
    stripe.SetupIntent,
    stripe.PaymentIntent,
)
_Session = stripe.checkout.Session

ROUTES: tuple[Route, ...] = (
    _r("POST", "/v1/customers", "CustomerCreateParams", _Customer, _customers.create),
    _r("GET", "/v1/customers", "CustomerListParams", ListOf(_Customer), _customers.list_all),
    _r("GET", "/v1/customers/search", "CustomerSearchParams", ListOf(_Customer), _customers.search),
    _r("GET", "/v1/customers/{customer}", "CustomerRetrieveParams", _Customer, _customers.retrieve),
    _r("POST", "/v1/customers/{customer}", "CustomerUpdateParams", _Customer, _customers.update),
    _r("DELETE", "/v1/customers/{customer}", "CustomerDeleteParams", None, _customers.delete),
    _r(
        "GET",
        "/v1/customers/{customer}/payment_methods",
        "CustomerPaymentMethodListParams",
        ListOf(_PM),
        _customers.payment_methods,
    ),
    _r(
        "GET",
        "/v1/customers/{customer}/payment_methods/{payment_method}",
        "CustomerPaymentMethodRetrieveParams",
        _PM,
        _customers.payment_method,
    ),
    _r("POST", "/v1/payment_methods", "PaymentMethodCreateParams", _PM, _payment_methods.create),
    _r(
        "GET",
        "/v1/payment_methods",
        "PaymentMethodListParams",
        ListOf(_PM),
        _payment_methods.list_all,
    ),
    _r(
        "GET",
        "/v1/payment_methods/{payment_method}",
        "PaymentMethodRetrieveParams",
        _PM,
        _payment_methods.retrieve,
    ),
    _r(
        "POST",
        "/v1/payment_methods/{payment_method}",
        "PaymentMethodUpdateParams",
        _PM,
        _payment_methods.update,
    ),
    _r(
        "POST",
        "/v1/payment_methods/{payment_method}/attach",
        "PaymentMethodAttachParams",
        _PM,
        _payment_methods.attach,
    ),
    _r(
        "POST",
        "/v1/payment_methods/{payment_method}/detach",
        "PaymentMethodDetachParams",
        _PM,
        _payment_methods.detach,
    ),
    _r(
        "POST",
        "/v1/checkout/sessions",
        "checkout.SessionCreateParams",
        _Session,
        _checkout.create,
        legacy=_LEGACY_TYPES,
    ),
    _r(
        "GET",
        "/v1/checkout/sessions",
        "checkout.SessionListParams",
        ListOf(_Session),
        _checkout.list_all,
    ),
    _r(
        "GET",
        "/v1/checkout/sessions/{session}",
        "checkout.SessionRetrieveParams",
        _Session,
        _checkout.retrieve,
    ),
    _r(
        "POST",
        "/v1/checkout/sessions/{session}",
        "checkout.SessionUpdateParams",
        _Session,
        _checkout.update,
    ),
    _r(
        "POST",
        "/v1/checkout/sessions/{session}/expire",
        "checkout.SessionExpireParams",
        _Session,
        _checkout.expire_api,
    ),
    _r(
        "GET",
        "/v1/checkout/sessions/{session}/line_items",
        "checkout.SessionLineItemListParams",
        ListOf(stripe.LineItem),
        lambda call: _line_items(call),
    ),
    _r(
        "POST",
        "/v1/setup_intents",
        "SetupIntentCreateParams",
        _SI,
        _setup_intents.create,
        legacy=_LEGACY_TYPES,
    ),
    _r("GET", "/v1/setup_intents", "SetupIntentListParams", ListOf(_SI), _setup_intents.list_all),
    _r(
        "GET",
        "/v1/setup_intents/{intent}",
        "SetupIntentRetrieveParams",
        _SI,
        _setup_intents.retrieve,
    ),
    _r(
        "POST",
        "/v1/setup_intents/{intent}",
        "SetupIntentUpdateParams",
        _SI,
        _setup_intents.update,
        legacy=_LEGACY_TYPES,
    ),
    _r(
        "POST",
        "/v1/setup_intents/{intent}/confirm",
        "SetupIntentConfirmParams",
        _SI,
        _setup_intents.confirm_api,
    ),
    _r(
        "POST",
        "/v1/setup_intents/{intent}/cancel",
        "SetupIntentCancelParams",
        _SI,
        _setup_intents.cancel,
    ),
    _r(
        "POST",
        "/v1/payment_intents",
        "PaymentIntentCreateParams",
        _PI,
        _payment_intents.create,
        legacy=_LEGACY_TYPES,
    ),
    _r(
        "GET",
        "/v1/payment_intents",
        "PaymentIntentListParams",
        ListOf(_PI),
        _payment_intents.list_all,
    ),
    _r(
        "GET",
        "/v1/payment_intents/search",
        "PaymentIntentSearchParams",
        ListOf(_PI),
        _payment_intents.search,
    ),
    _r(
        "GET",
        "/v1/payment_intents/{intent}",
        "PaymentIntentRetrieveParams",
        _PI,
        _payment_intents.retrieve,
    ),
    _r(
        "POST",
        "/v1/payment_intents/{intent}",
        "PaymentIntentUpdateParams",
        _PI,
        _payment_intents.update,
        legacy=_LEGACY_TYPES,
    ),
    _r(
        "POST",
        "/v1/payment_intents/{intent}/confirm",
        "PaymentIntentConfirmParams",
        _PI,
        _payment_intents.confirm,
    ),
    _r(
        "POST",
        "/v1/payment_intents/{intent}/capture",
        "PaymentIntentCaptureParams",
        _PI,
        _payment_intents.capture,
    ),
    _r(
        "POST",
        "/v1/payment_intents/{intent}/cancel",
        "PaymentIntentCancelParams",
        _PI,
        _payment_intents.cancel,
    ),
    _r("GET", "/v1/charges", "ChargeListParams", ListOf(stripe.Charge), _charges.list_all),
    _r("GET", "/v1/charges/search", "ChargeSearchParams", ListOf(stripe.Charge), _charges.search),
    _r("GET", "/v1/charges/{charge}", "ChargeRetrieveParams", stripe.Charge, _charges.retrieve),
    _r("POST", "/v1/charges/{charge}", "ChargeUpdateParams", stripe.Charge, _charges.update),
    _r("POST", "/v1/refunds", "RefundCreateParams", stripe.Refund, _refunds.create),
    _r("GET", "/v1/refunds", "RefundListParams", ListOf(stripe.Refund), _refunds.list_all),
    _r("GET", "/v1/refunds/{refund}", "RefundRetrieveParams", stripe.Refund, _refunds.retrieve),
    _r("POST", "/v1/refunds/{refund}", "RefundUpdateParams", stripe.Refund, _refunds.update),
    _r("POST", "/v1/refunds/{refund}/cancel", "RefundCancelParams", stripe.Refund, _refunds.cancel),
    _r("GET", "/v1/disputes", "DisputeListParams", ListOf(stripe.Dispute), _disputes.list_all),
    _r(
        "GET", "/v1/disputes/{dispute}", "DisputeRetrieveParams", stripe.Dispute, _disputes.retrieve
    ),
    _r("POST", "/v1/disputes/{dispute}", "DisputeUpdateParams", stripe.Dispute, _disputes.update),
    _r(
        "POST",
        "/v1/disputes/{dispute}/close",
        "DisputeCloseParams",
        stripe.Dispute,
        _disputes.close,
    ),
    _r(
        "GET",
        "/v1/balance_transactions",
        "BalanceTransactionListParams",
        ListOf(stripe.BalanceTransaction),
        _balance.list_all,
    ),
    _r(
        "GET",
        "/v1/balance_transactions/{id}",
        "BalanceTransactionRetrieveParams",
        stripe.BalanceTransaction,
        _balance.retrieve,
    ),
    _r("GET", "/v1/events", "EventListParams", ListOf(stripe.Event), _events.list_all),
    _r("GET", "/v1/events/{id}", "EventRetrieveParams", stripe.Event, _events.retrieve),
)


def _line_items(call: Call) -> Obj:
    """GET /v1/checkout/sessions/{id}/line_items: a setup-mode session has none."""
    call.state.get("checkout.session", call.id, "checkout.session")
    return {
        "object": "list",
        "data": [],
        "has_more": False,
        "url": f"/v1/checkout/sessions/{call.id}/line_items",
    }


class Router:
    """Finds the route of ``METHOD /path``: fixed paths by lookup, the rest by pattern."""

    def __init__(self, routes: tuple[Route, ...] = ROUTES) -> None:
        self._fixed: dict[tuple[str, str], Route] = {}
        self._patterns: dict[str, list[tuple[re.Pattern[str], Route]]] = {}
        for route in routes:
            if "{" in route.path:
                self._patterns.setdefault(route.method, []).append((route.pattern, route))
            else:
                self._fixed[(route.method, route.path)] = route

    def find(self, method: str, path: str) -> tuple[Route, tuple[str, ...]]:
        """The route and the ids in the path, or 404 for a URL Stripe would not recognize."""
        route = self._fixed.get((method, path))
        if route is not None:
            return route, ()
        for pattern, candidate in self._patterns.get(method, ()):
            match = pattern.match(path)
            if match is not None:
                return candidate, match.groups()
        error = rejected(
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/. (FakeStripe serves the endpoints "
            "listed in docs/fake.md.)"
        )
        error.status = 404
        raise error
