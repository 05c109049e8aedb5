"""The example's URLs."""

from __future__ import annotations

from django.urls import path

from examples._shared import WEBHOOK_PATH, forms
from examples.django_app import views

urlpatterns = [
    path("", views.home),
    path("login", views.login),
    path("setup", views.setup),
    path(forms.SUCCESS_PATH.lstrip("/"), views.saved),
    path(WEBHOOK_PATH.lstrip("/"), views.webhook),
    path("account", views.account),
    path("methods/<str:pm_id>/default", views.make_default),
    path("methods/<str:pm_id>/remove", views.remove),
    path("charge", views.charge),
    path("pay/<str:key>", views.pay),
    path("pay/<str:key>/return", views.paid),
    path("pay/<str:key>/cancel", views.cancel),
    path("charges/<str:key>/refund", views.refund),
]

handler404 = "examples.django_app.views.not_found"
