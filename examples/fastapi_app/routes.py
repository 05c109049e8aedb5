"""The FastAPI routes: each one an awaited call or two into ``AsyncFuturePayments``."""

from __future__ import annotations

from typing import Annotated, cast
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from examples._shared import WEBHOOK_PATH, Pages, Services, forms
from examples._shared.pages import ChargeLine
from future_payments import AsyncFuturePayments, AuthenticationStarted, NeedsAuthentication
from future_payments.stores import ChargeRecord
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
    payments = services.payments
    keys = services.orders.of(customer)
    records = await payments.store.run(lambda s: [s.get_charge(key) for key in keys])
    charges = [
        ChargeLine(record, await payments.refunds(record.idempotency_key))
        for record in records
        if record is not None
    ]
    return pages.account(
        await payments.payment_methods(customer),
        idempotency_key=forms.new_idempotency_key(),
        charges=charges,
        notice=notice,
    )


@router.post("/methods/{pm_id}/default")
async def make_default(pm_id: str, services: Svc, customer: Customer) -> RedirectResponse:
    await services.payments.set_default(customer, pm_id)
    return see_other("/account?notice=default")


@router.post("/methods/{pm_id}/remove")
async def remove(pm_id: str, services: Svc, customer: Customer) -> RedirectResponse:
    await services.payments.remove_payment_method(customer, pm_id)
    return see_other("/account?notice=removed")


@router.post("/charge")
async def charge(request: Request, services: Svc, customer: Customer, pages: Page) -> str:
    form = forms.charge_form(await read_form(request))
    services.orders.add(customer, form.idempotency_key)
    result = await services.payments.charge_saved(
        customer, form.amount, form.currency, idempotency_key=form.idempotency_key
    )
    if isinstance(result, NeedsAuthentication):
        link = forms.pay_link(str(request.base_url), form.idempotency_key)
        return pages.authentication_needed(result, link)
    return pages.charge_result(result)


async def own_charge(services: Svc, customer: str, key: str) -> ChargeRecord:
    """The ledger row of one of the logged-in customer's charges (404 otherwise)."""
    checked = forms.order_key(key)
    record = await services.payments.store.run(lambda s: s.get_charge(checked))
    return forms.own_charge(record, customer)


@router.get("/pay/{key}", response_model=None)
async def pay_page(
    key: str, services: Svc, customer: Customer, pages: Page
) -> str | RedirectResponse:
    """The "authenticate this payment" link: a page, so that a mail scanner starts nothing."""
    record = await own_charge(services, customer, key)
    if record.is_settled:
        return see_other(forms.return_path(key))
    return pages.pay(record)


@router.post("/pay/{key}")
async def pay(key: str, request: Request, services: Svc, customer: Customer) -> RedirectResponse:
    await own_charge(services, customer, key)
    started = await services.payments.start_authentication(
        key, return_url=forms.return_url(str(request.base_url), key)
    )
    if isinstance(started, AuthenticationStarted):
        return see_other(started.url)  # the bank's challenge
    return see_other(forms.return_path(key))


@router.get("/pay/{key}/return")
async def paid(key: str, services: Svc, customer: Customer, pages: Page) -> str:
    await own_charge(services, customer, key)
    return pages.authentication_result(key, await services.payments.complete_authentication(key))


@router.post("/pay/{key}/cancel")
async def cancel(key: str, services: Svc, customer: Customer) -> RedirectResponse:
    await own_charge(services, customer, key)
    await services.payments.cancel_charge(key)
    return see_other(forms.return_path(key))


@router.post("/charges/{key}/refund")
async def refund(key: str, request: Request, services: Svc, customer: Customer) -> RedirectResponse:
    await own_charge(services, customer, key)
    form = forms.refund_form(await read_form(request))
    await services.payments.refund(key, refund_key=form.refund_key, amount=form.amount)
    return see_other("/account?notice=refunded")
