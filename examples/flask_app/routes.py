"""The Flask routes: each one a call or two into ``FuturePayments``."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from examples._shared import WEBHOOK_PATH, Pages, Services, forms
from examples._shared.pages import ChargeLine
from future_payments import AuthenticationStarted, FuturePayments, NeedsAuthentication
from future_payments.stores import ChargeRecord
from future_payments.webhooks import handle_webhook

EXTENSION = "future_payments_example"
blueprint = Blueprint("payments", __name__)


def services() -> Services[FuturePayments]:
    """The app's services, set by ``create_app``."""
    return cast(Services[FuturePayments], current_app.extensions[EXTENSION])


def customer() -> str:
    """The logged-in customer_ref (the demo's cookie)."""
    return forms.customer_ref(request.cookies.get(forms.CUSTOMER_COOKIE))


def pages() -> Pages:
    """The page renderer for this request."""
    return Pages("Flask", customer())


def see_other(location: str) -> BaseResponse:
    """303: the browser follows with a GET, so a reload never re-posts a form."""
    return redirect(location, 303)


@blueprint.get("/")
def home() -> str:
    return pages().home()


@blueprint.post("/login")
def login() -> BaseResponse:
    response = see_other("/account")
    ref = forms.customer_ref(request.form.get("customer_ref"))
    response.set_cookie(forms.CUSTOMER_COOKIE, ref, httponly=True, samesite="Lax")
    return response


@blueprint.post("/setup")
def setup() -> BaseResponse:
    success_url, cancel_url = forms.setup_urls(request.host_url)
    started = services().payments.start_setup(
        customer(), currency="usd", success_url=success_url, cancel_url=cancel_url
    )
    return see_other(started.url)


@blueprint.get(forms.SUCCESS_PATH)
def saved() -> BaseResponse:
    services().payments.complete_from_session(request.args.get("session_id", ""))
    return see_other("/account?notice=saved")


@blueprint.post(WEBHOOK_PATH)
def webhook() -> tuple[Response, int]:
    status, body = handle_webhook(services().payments, request.get_data(), dict(request.headers))
    return jsonify(body), status


@blueprint.get("/account")
def account() -> str:
    payments, ref = services().payments, customer()
    charges = [
        ChargeLine(record, payments.refunds(key))
        for key in services().orders.of(ref)
        if (record := payments.store.get_charge(key)) is not None
    ]
    return pages().account(
        payments.payment_methods(ref),
        idempotency_key=forms.new_idempotency_key(),
        charges=charges,
        notice=request.args.get("notice"),
    )


@blueprint.post("/methods/<pm_id>/default")
def make_default(pm_id: str) -> BaseResponse:
    services().payments.set_default(customer(), pm_id)
    return see_other("/account?notice=default")


@blueprint.post("/methods/<pm_id>/remove")
def remove(pm_id: str) -> BaseResponse:
    services().payments.remove_payment_method(customer(), pm_id)
    return see_other("/account?notice=removed")


@blueprint.post("/charge")
def charge() -> str:
    form = forms.charge_form(request.form)
    ref = customer()
    services().orders.add(ref, form.idempotency_key)
    result = services().payments.charge_saved(
        ref, form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        link = forms.pay_link(request.host_url, form.idempotency_key)
        return pages().authentication_needed(result, link)
    return pages().charge_result(result)


def own_charge(key: str) -> ChargeRecord:
    """The ledger row of one of the logged-in customer's charges (404 otherwise)."""
    record = services().payments.store.get_charge(forms.order_key(key))
    return forms.own_charge(record, customer())


@blueprint.get("/pay/<key>")
def pay_page(key: str) -> str | BaseResponse:
    """The "authenticate this payment" link: a page, so that a mail scanner starts nothing."""
    record = own_charge(key)
    if record.is_settled:
        return see_other(forms.return_path(key))
    return pages().pay(record)


@blueprint.post("/pay/<key>")
def pay(key: str) -> BaseResponse:
    own_charge(key)
    started = services().payments.start_authentication(
        key, return_url=forms.return_url(request.host_url, key)
    )
    if isinstance(started, AuthenticationStarted):
        return see_other(started.url)  # the bank's challenge
    return see_other(forms.return_path(key))


@blueprint.get("/pay/<key>/return")
def paid(key: str) -> str:
    own_charge(key)
    return pages().authentication_result(key, services().payments.complete_authentication(key))


@blueprint.post("/pay/<key>/cancel")
def cancel(key: str) -> BaseResponse:
    own_charge(key)
    services().payments.cancel_charge(key)
    return see_other(forms.return_path(key))


@blueprint.post("/charges/<key>/refund")
def refund(key: str) -> BaseResponse:
    own_charge(key)
    form = forms.refund_form(request.form)
    services().payments.refund(key, refund_key=form.refund_key, amount=form.amount)
    return see_other("/account?notice=refunded")
