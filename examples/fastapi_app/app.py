"""The FastAPI app factory: the services go in ``app.state``, errors become pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import stripe
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from examples._shared import FormError, Pages, Services, forms
from examples._shared.forms import UnknownCharge
from examples.fastapi_app import routes
from future_payments import AsyncFuturePayments, FuturePaymentsError


def create_app(services: Services[AsyncFuturePayments], *, close_services: bool = False) -> FastAPI:
    """A FastAPI app on ``services`` (from ``services_from_env``, or a test's fake).

    At shutdown the app closes the services' async connection pool, and with
    ``close_services`` the services too (uvicorn ends the process on SIGTERM right after).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if services.http_client is not None:
            # The async connection pool belongs to this event loop: close it on it.
            # stripe 16 leaves close_async unannotated.
            await services.http_client.close_async()  # type: ignore[no-untyped-call]
        if close_services:
            services.close()

    app = FastAPI(
        title="future_payments FastAPI example", docs_url=None, redoc_url=None, lifespan=lifespan
    )
    app.state.services = services
    app.include_router(routes.router)
    for error in (FuturePaymentsError, FormError, UnknownCharge, stripe.StripeError):
        app.add_exception_handler(error, _error_page)
    app.add_exception_handler(HTTPException, _http_error)
    return app


def _safe_pages(request: Request) -> Pages:
    # An error page must render even when the error is a bad customer cookie.
    ref = forms.customer_ref_or_default(request.cookies.get(forms.CUSTOMER_COOKIE))
    return Pages("FastAPI", ref)


async def _error_page(request: Request, exc: Exception) -> HTMLResponse:
    status, html = _safe_pages(request).error(exc)
    return HTMLResponse(html, status)


async def _http_error(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return HTMLResponse(_safe_pages(request).not_found(), 404)
    return HTMLResponse(_safe_pages(request).layout(str(exc.detail), ""), exc.status_code)
