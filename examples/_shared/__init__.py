"""What the three example apps share: configuration, the fake at startup, the pages."""

from __future__ import annotations

from examples._shared import forms
from examples._shared.config import WEBHOOK_PATH, Services, describe, services_from_env
from examples._shared.forms import FormError
from examples._shared.pages import Pages

__all__ = [
    "WEBHOOK_PATH",
    "FormError",
    "Pages",
    "Services",
    "describe",
    "forms",
    "services_from_env",
]
