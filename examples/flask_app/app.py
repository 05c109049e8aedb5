"""The Flask app factory: the services go in ``app.extensions``, errors become pages."""

from __future__ import annotations

import stripe
from flask import Flask, Response, request

from examples._shared import FormError, Pages, Services, forms
from examples._shared.forms import UnknownCharge
from examples.flask_app import routes
from future_payments import FuturePayments, FuturePaymentsError


def create_app(services: Services[FuturePayments]) -> Flask:
    """A Flask app on ``services`` (from ``services_from_env``, or a test's fake)."""
    app = Flask(__name__)
    app.extensions[routes.EXTENSION] = services
    app.register_blueprint(routes.blueprint)
    for error in (FuturePaymentsError, FormError, UnknownCharge, stripe.StripeError):
        app.register_error_handler(error, _error_page)
    app.register_error_handler(404, _not_found)
    return app


def _error_page(exc: Exception) -> Response:
    status, html = _safe_pages().error(exc)
    return Response(html, status)


def _not_found(exc: Exception) -> Response:
    return Response(_safe_pages().not_found(), 404)


def _safe_pages() -> Pages:
    # An error page must render even when the error is a bad customer cookie.
    return Pages("Flask", forms.customer_ref_or_default(request.cookies.get(forms.CUSTOMER_COOKIE)))
