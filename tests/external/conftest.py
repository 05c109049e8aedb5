"""Fixtures for the acceptance harness: a FakeServer on the real clock, and a webhook receiver.

Everything under tests/external checks the fake against what nobody on this project wrote
(stripe-node, the Stripe CLI's trigger fixtures, Stripe's example objects and testing docs,
test-mode traffic recorded by other projects), over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from future_payments.testing import FakeServer, FakeStripe

WEBHOOK_SECRET = "whsec_external_harness"
API_KEY = "sk_test_external_harness"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A served fake on the real clock, so signatures verify against real time."""
    with FakeServer(FakeStripe(webhook_secret=WEBHOOK_SECRET)) as running:
        yield running
