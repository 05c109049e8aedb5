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
from future_payments import ChargeResult, FuturePayments, FuturePaymentsError, NeedsAuthentication
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
    methods = services().payments.payment_methods(customer(request))
    html = pages(request).account(
        methods,
        idempotency_key=forms.new_idempotency_key(),
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
    result = services().payments.charge_saved(
        customer(request), form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        return see_other(f"/recover?payment_intent={result.payment_intent_id}")
    return HttpResponse(pages(request).charge_result(result))


def ledger(request: HttpRequest, payment_intent_id: str) -> ChargeResult:
    """``charge_saved`` again with the charge's own key: the ledger's answer, no request."""
    payments = services().payments
    record = forms.own_charge(
        payments.store.find_charge_by_payment_intent(payment_intent_id), customer(request)
    )
    return payments.charge_saved(
        record.customer_ref,
        record.amount,
        record.currency,
        idempotency_key=record.idempotency_key,
    )


@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    """GET: the recovery page (the link to e-mail). POST: confirm on-session, go to the bank."""
    source = request.POST if request.method == "POST" else request.GET
    payment_intent_id = source.get("payment_intent", "")
    result = ledger(request, payment_intent_id)
    if not isinstance(result, NeedsAuthentication):
        return see_other(f"/recovered?payment_intent={payment_intent_id}")
    if request.method == "GET":
        return HttpResponse(pages(request).recovery(result))
    # On-session now: the bank may ask for 3-D Secure, on a page we redirect the customer to.
    intent = services().stripe.v1.payment_intents.confirm(
        result.payment_intent_id,
        params={
            "payment_method": result.payment_method_id,
            "return_url": forms.return_url(base_url(request)),
        },
    )
    if intent.next_action is not None and intent.next_action.redirect_to_url is not None:
        return see_other(str(intent.next_action.redirect_to_url.url))
    return see_other(f"/recovered?payment_intent={intent.id}")


@require_GET
def recovered(request: HttpRequest) -> HttpResponse:
    payment_intent_id = request.GET.get("payment_intent", "")
    result = ledger(request, payment_intent_id)
    intent = services().stripe.v1.payment_intents.retrieve(payment_intent_id)
    return HttpResponse(pages(request).recovered(payment_intent_id, intent.status, result))
