"""The whole Django configuration, in code: no settings module, no database for Django itself.

The example's services live in the setting ``FUTURE_PAYMENTS``; tests swap them with
``override_settings(FUTURE_PAYMENTS=...)``.
"""

from __future__ import annotations

import secrets
from typing import Any

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

from examples._shared import Services
from future_payments import FuturePayments

SETTINGS: dict[str, Any] = {
    "DEBUG": False,
    # A demo key per process; a real project reads it from its environment.
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost", "[::1]", "testserver"],
    "ROOT_URLCONF": "examples.django_app.urls",
    "INSTALLED_APPS": [],
    "DATABASES": {},
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "examples.django_app.views.ErrorPages",
    ],
    "USE_TZ": True,
    "FUTURE_PAYMENTS": None,
}


def configure(services: Services[FuturePayments] | None = None) -> None:
    """Configure Django for the example once per process (later calls change nothing)."""
    if not settings.configured:
        settings.configure(**{**SETTINGS, "FUTURE_PAYMENTS": services})
        django.setup()


def create_app(services: Services[FuturePayments]) -> WSGIHandler:
    """The example as a WSGI app on ``services`` (one per process: settings are global)."""
    configure(services)
    if settings.FUTURE_PAYMENTS is not services:
        raise RuntimeError(
            "Django is already configured with other services; use "
            "override_settings(FUTURE_PAYMENTS=...) to swap them."
        )
    return get_wsgi_application()
