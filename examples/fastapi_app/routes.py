"""The FastAPI routes: each one an awaited call or two into ``AsyncFuturePayments``."""

from __future__ import annotations

from typing import Annotated, cast
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from examples._shared import WEBHOOK_PATH, Pages, Services, forms
from future_payments import AsyncFuturePayments, ChargeResult, NeedsAuthentication
from future_payments.webhooks import handle_webhook_async

router = APIRouter(default_response_class=HTMLResponse)


def get_services(request: Request) -> Services[AsyncFuturePayments]:
    """The app's services, set by ``create_app``."""
    return cast(Services[AsyncFuturePayments], request.app.state.services)


def get_customer(request: Request) -> str:
    """The logged-in customer_ref (the demo's cookie)."""
    return forms.customer_ref(request.cookies.get(forms.CUSTOMER_COOKIE))


def get_pages(customer: Annotated[str, Depends(get_customer)]) -> Pages:
    """The page renderer for this request."""
    return Pages("FastAPI", customer)


Svc = Annotated[Services[AsyncFuturePayments], Depends(get_services)]
Customer = Annotated[str, Depends(get_customer)]
Page = Annotated[Pages, Depends(get_pages)]


async def read_form(request: Request) -> dict[str, str]:
    """The urlencoded form (parsed here: FastAPI's ``Form`` would need python-multipart)."""
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def see_other(location: str) -> RedirectResponse:
    """303: the browser follows with a GET, so a reload never re-posts a form."""
    return RedirectResponse(location, status_code=303)


@router.get("/")
async def home(pages: Page) -> str:
    return pages.home()


@router.post("/login")
async def login(request: Request) -> RedirectResponse:
    ref = forms.customer_ref((await read_form(request)).get("customer_ref"))
    response = see_other("/account")
    response.set_cookie(forms.CUSTOMER_COOKIE, ref, httponly=True, samesite="lax")
    return response


@router.post("/setup")
async def setup(request: Request, services: Svc, customer: Customer) -> RedirectResponse:
    success_url, cancel_url = forms.setup_urls(str(request.base_url))
    started = await services.payments.start_setup(
        customer, currency="usd", success_url=success_url, cancel_url=cancel_url
    )
    return see_other(started.url)


@router.get(forms.SUCCESS_PATH)
async def saved(services: Svc, session_id: str = "") -> RedirectResponse:
    await services.payments.complete_from_session(session_id)
    return see_other("/account?notice=saved")


@router.post(WEBHOOK_PATH)
async def webhook(request: Request, services: Svc) -> JSONResponse:
    body = await request.body()
    status, payload = await handle_webhook_async(services.payments, body, request.headers)
    return JSONResponse(payload, status)


@router.get("/account")
async def account(services: Svc, customer: Customer, pages: Page, notice: str | None = None) -> str:
    methods = await services.payments.payment_methods(customer)
    return pages.account(methods, idempotency_key=forms.new_idempotency_key(), notice=notice)


@router.post("/methods/{pm_id}/default")
async def make_default(pm_id: str, services: Svc, customer: Customer) -> RedirectResponse:
    await services.payments.set_default(customer, pm_id)
    return see_other("/account?notice=default")


@router.post("/methods/{pm_id}/remove")
async def remove(pm_id: str, services: Svc, customer: Customer) -> RedirectResponse:
    await services.payments.remove_payment_method(customer, pm_id)
    return see_other("/account?notice=removed")


@router.post("/charge", response_model=None)
async def charge(
    request: Request, services: Svc, customer: Customer, pages: Page
) -> str | RedirectResponse:
    form = forms.charge_form(await read_form(request))
    result = await services.payments.charge_saved(
        customer, form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        return see_other(f"/recover?payment_intent={result.payment_intent_id}")
    return pages.charge_result(result)


async def ledger(services: Svc, customer: str, payment_intent_id: str) -> ChargeResult:
    """``charge_saved`` again with the charge's own key: the ledger's answer, no request."""
    payments = services.payments
    found = await payments.store.run(lambda s: s.find_charge_by_payment_intent(payment_intent_id))
    record = forms.own_charge(found, customer)
    return await payments.charge_saved(
        record.customer_ref,
        record.amount,
        record.currency,
        idempotency_key=record.idempotency_key,
    )


@router.get("/recover", response_model=None)
async def recovery_page(
    services: Svc, customer: Customer, pages: Page, payment_intent: str = ""
) -> str | RedirectResponse:
    result = await ledger(services, customer, payment_intent)
    if not isinstance(result, NeedsAuthentication):
        return see_other(f"/recovered?payment_intent={payment_intent}")
    return pages.recovery(result)


@router.post("/recover")
async def recover(request: Request, services: Svc, customer: Customer) -> RedirectResponse:
    payment_intent_id = (await read_form(request)).get("payment_intent", "")
    result = await ledger(services, customer, payment_intent_id)
    if not isinstance(result, NeedsAuthentication):
        return see_other(f"/recovered?payment_intent={payment_intent_id}")
    # On-session now: the bank may ask for 3-D Secure, on a page we redirect the customer to.
    intent = await services.stripe.v1.payment_intents.confirm_async(
        result.payment_intent_id,
        params={
            "payment_method": result.payment_method_id,
            "return_url": forms.return_url(str(request.base_url)),
        },
    )
    if intent.next_action is not None and intent.next_action.redirect_to_url is not None:
        return see_other(str(intent.next_action.redirect_to_url.url))
    return see_other(f"/recovered?payment_intent={intent.id}")


@router.get(forms.RETURN_PATH)
async def recovered(
    services: Svc, customer: Customer, pages: Page, payment_intent: str = ""
) -> str:
    result = await ledger(services, customer, payment_intent)
    intent = await services.stripe.v1.payment_intents.retrieve_async(payment_intent)
    return pages.recovered(payment_intent, intent.status, result)
