"""The Flask routes: each one a call or two into ``FuturePayments``."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from examples._shared import WEBHOOK_PATH, Pages, Services, forms
from future_payments import ChargeResult, FuturePayments, NeedsAuthentication
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
    methods = services().payments.payment_methods(customer())
    return pages().account(
        methods,
        idempotency_key=forms.new_idempotency_key(),
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
def charge() -> str | BaseResponse:
    form = forms.charge_form(request.form)
    result = services().payments.charge_saved(
        customer(), form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        return see_other(f"/recover?payment_intent={result.payment_intent_id}")
    return pages().charge_result(result)


def ledger(payment_intent_id: str) -> ChargeResult:
    """``charge_saved`` again with the charge's own key: the ledger's answer, no request."""
    payments = services().payments
    record = forms.own_charge(
        payments.store.find_charge_by_payment_intent(payment_intent_id), customer()
    )
    return payments.charge_saved(
        record.customer_ref,
        record.amount,
        record.currency,
        idempotency_key=record.idempotency_key,
    )


@blueprint.get("/recover")
def recovery_page() -> str | BaseResponse:
    payment_intent_id = request.args.get("payment_intent", "")
    result = ledger(payment_intent_id)
    if not isinstance(result, NeedsAuthentication):
        return see_other(f"/recovered?payment_intent={payment_intent_id}")
    return pages().recovery(result)


@blueprint.post("/recover")
def recover() -> BaseResponse:
    payment_intent_id = request.form.get("payment_intent", "")
    result = ledger(payment_intent_id)
    if not isinstance(result, NeedsAuthentication):
        return see_other(f"/recovered?payment_intent={payment_intent_id}")
    # On-session now: the bank may ask for 3-D Secure, on a page we redirect the customer to.
    intent = services().stripe.v1.payment_intents.confirm(
        result.payment_intent_id,
        params={
            "payment_method": result.payment_method_id,
            "return_url": forms.return_url(request.host_url),
        },
    )
    if intent.next_action is not None and intent.next_action.redirect_to_url is not None:
        return see_other(str(intent.next_action.redirect_to_url.url))
    return see_other(f"/recovered?payment_intent={intent.id}")


@blueprint.get(forms.RETURN_PATH)
def recovered() -> str:
    payment_intent_id = request.args.get("payment_intent", "")
    result = ledger(payment_intent_id)
    intent = services().stripe.v1.payment_intents.retrieve(payment_intent_id)
    return pages().recovered(payment_intent_id, intent.status, result)
