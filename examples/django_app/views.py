"""The Django views: each one a call or two into ``FuturePayments``."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import cast

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from examples._shared import FormError, Pages, Services, forms
from examples._shared.forms import UnknownCharge
from examples._shared.pages import ChargeLine
from future_payments import (
    AuthenticationStarted,
    FuturePayments,
    FuturePaymentsError,
    NeedsAuthentication,
)
from future_payments.stores import ChargeRecord
from future_payments.webhooks import handle_webhook


def services() -> Services[FuturePayments]:
    """The example's services: the ``FUTURE_PAYMENTS`` setting."""
    return cast(Services[FuturePayments], settings.FUTURE_PAYMENTS)


def customer(request: HttpRequest) -> str:
    """The logged-in customer_ref (the demo's cookie)."""
    return forms.customer_ref(request.COOKIES.get(forms.CUSTOMER_COOKIE))


def pages(request: HttpRequest, ref: str | None = None) -> Pages:
    """The page renderer for this request; its forms carry Django's CSRF token."""
    token = escape(get_token(request))
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    return Pages("Django", ref if ref is not None else customer(request), csrf)


def see_other(location: str) -> HttpResponse:
    """303: the browser follows with a GET, so a reload never re-posts a form."""
    response = HttpResponseRedirect(location)
    response.status_code = 303
    return response


def base_url(request: HttpRequest) -> str:
    """The app's own address, for the URLs Stripe sends the customer back to."""
    return request.build_absolute_uri("/")


class ErrorPages:
    """Middleware: the library's errors (and bad forms) become pages with a fitting status."""

    HANDLED = (FuturePaymentsError, FormError, UnknownCharge, stripe.StripeError)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, self.HANDLED):
            return None
        ref = forms.customer_ref_or_default(request.COOKIES.get(forms.CUSTOMER_COOKIE))
        status, html = pages(request, ref).error(exc)
        return HttpResponse(html, status=status)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    ref = forms.customer_ref_or_default(request.COOKIES.get(forms.CUSTOMER_COOKIE))
    return HttpResponse(pages(request, ref).not_found(), status=404)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(pages(request).home())


@require_POST
def login(request: HttpRequest) -> HttpResponse:
    ref = forms.customer_ref(request.POST.get("customer_ref"))
    response = see_other("/account")
    response.set_cookie(forms.CUSTOMER_COOKIE, ref, httponly=True, samesite="Lax")
    return response


@require_POST
def setup(request: HttpRequest) -> HttpResponse:
    success_url, cancel_url = forms.setup_urls(base_url(request))
    started = services().payments.start_setup(
        customer(request), currency="usd", success_url=success_url, cancel_url=cancel_url
    )
    return see_other(started.url)


@require_GET
def saved(request: HttpRequest) -> HttpResponse:
    services().payments.complete_from_session(request.GET.get("session_id", ""))
    return see_other("/account?notice=saved")


@csrf_exempt  # Stripe cannot send a CSRF token: the signature check stands in for it.
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    status, body = handle_webhook(services().payments, request.body, request.headers)
    return JsonResponse(body, status=status)


@require_GET
def account(request: HttpRequest) -> HttpResponse:
    payments, ref = services().payments, customer(request)
    charges = [
        ChargeLine(record, payments.refunds(key))
        for key in services().orders.of(ref)
        if (record := payments.store.get_charge(key)) is not None
    ]
    html = pages(request).account(
        payments.payment_methods(ref),
        idempotency_key=forms.new_idempotency_key(),
        charges=charges,
        notice=request.GET.get("notice"),
    )
    return HttpResponse(html)


@require_POST
def make_default(request: HttpRequest, pm_id: str) -> HttpResponse:
    services().payments.set_default(customer(request), pm_id)
    return see_other("/account?notice=default")


@require_POST
def remove(request: HttpRequest, pm_id: str) -> HttpResponse:
    services().payments.remove_payment_method(customer(request), pm_id)
    return see_other("/account?notice=removed")


@require_POST
def charge(request: HttpRequest) -> HttpResponse:
    form = forms.charge_form(request.POST.dict())
    ref = customer(request)
    services().orders.add(ref, form.idempotency_key)
    result = services().payments.charge_saved(
        ref, form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        link = forms.pay_link(base_url(request), form.idempotency_key)
        return HttpResponse(pages(request).authentication_needed(result, link))
    return HttpResponse(pages(request).charge_result(result))


def own_charge(request: HttpRequest, key: str) -> ChargeRecord:
    """The ledger row of one of the logged-in customer's charges (404 otherwise)."""
    record = services().payments.store.get_charge(forms.order_key(key))
    return forms.own_charge(record, customer(request))


@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, key: str) -> HttpResponse:
    """GET: the "authenticate this payment" link's page. POST: off to the bank's challenge."""
    record = own_charge(request, key)
    if request.method == "GET":
        if record.is_settled:
            return see_other(forms.return_path(key))
        return HttpResponse(pages(request).pay(record))
    started = services().payments.start_authentication(
        key, return_url=forms.return_url(base_url(request), key)
    )
    if isinstance(started, AuthenticationStarted):
        return see_other(started.url)  # the bank's challenge
    return see_other(forms.return_path(key))


@require_GET
def paid(request: HttpRequest, key: str) -> HttpResponse:
    own_charge(request, key)
    result = services().payments.complete_authentication(key)
    return HttpResponse(pages(request).authentication_result(key, result))


@require_POST
def cancel(request: HttpRequest, key: str) -> HttpResponse:
    own_charge(request, key)
    services().payments.cancel_charge(key)
    return see_other(forms.return_path(key))


@require_POST
def refund(request: HttpRequest, key: str) -> HttpResponse:
    own_charge(request, key)
    form = forms.refund_form(request.POST.dict())
    services().payments.refund(key, refund_key=form.refund_key, amount=form.amount)
    return see_other("/account?notice=refunded")
