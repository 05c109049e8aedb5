"""Test helpers: an in-process, stateful fake Stripe driven through the real ``stripe`` package.

Start with ``FakeStripe``; ``docs/testing.md`` shows a pytest fixture and each helper in use,
``docs/fake.md`` what is simulated and what is not.
"""

from __future__ import annotations

from future_payments.testing._delivery import Delivered, SupportsPost, deliver_webhooks
from future_payments.testing._fake._cards import (
    DELAYED_METHOD_TYPES,
    TEST_CARDS,
    TEST_PAYMENT_METHODS,
    TestCard,
)
from future_payments.testing._fake._clock import FakeClock
from future_payments.testing._fake._errors import ConnectionDropped, FakeCardError
from future_payments.testing._fake._fake import FakeStripe, RecordedRequest
from future_payments.testing._fake._webhooks import WebhookDelivery
from future_payments.testing._scenarios import (
    Scenarios,
    charged,
    needs_authentication,
    saved_card,
)
from future_payments.testing._server import DeliveryAttempt, FakeServer, RetrySchedule
from future_payments.testing._vcr import vcr_config

__all__ = [
    "DELAYED_METHOD_TYPES",
    "TEST_CARDS",
    "TEST_PAYMENT_METHODS",
    "ConnectionDropped",
    "Delivered",
    "DeliveryAttempt",
    "FakeCardError",
    "FakeClock",
    "FakeServer",
    "FakeStripe",
    "RecordedRequest",
    "RetrySchedule",
    "Scenarios",
    "SupportsPost",
    "TestCard",
    "WebhookDelivery",
    "charged",
    "deliver_webhooks",
    "needs_authentication",
    "saved_card",
    "vcr_config",
]
