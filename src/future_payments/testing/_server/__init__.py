"""The fake Stripe as a local HTTP server: the API, hosted Checkout and 3-D Secure pages, webhooks.

``FakeServer`` is exported from ``future_payments.testing``; ``docs/server.md`` shows it in use.
"""

from __future__ import annotations

from future_payments.testing._server._forwarder import DeliveryAttempt
from future_payments.testing._server._retry import RetrySchedule
from future_payments.testing._server._server import FakeServer

__all__ = ["DeliveryAttempt", "FakeServer", "RetrySchedule"]
