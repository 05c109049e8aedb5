"""Fixtures for the acceptance harness: a FakeServer on the real clock, and a webhook receiver.

Everything under tests/external checks the fake against what nobody on this project wrote
(stripe-node, the Stripe CLI's trigger fixtures, Stripe's example objects and testing docs,
test-mode traffic recorded by other projects), over real HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from future_payments.testing import FakeServer, FakeStripe
from tests.external._http import Api

WEBHOOK_SECRET = "whsec_external_harness"
API_KEY = "sk_test_external_harness"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A served fake on the real clock, so signatures verify against real time."""
    with FakeServer(FakeStripe(webhook_secret=WEBHOOK_SECRET)) as running:
        yield running


@pytest.fixture
def api(server: FakeServer) -> Iterator[Api]:
    """Raw JSON calls to ``server``, as a client in any language sees them."""
    client = Api(server, API_KEY)
    try:
        yield client
    finally:
        client.close()
