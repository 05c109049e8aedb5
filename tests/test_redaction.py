"""The redaction filter keeps Stripe secrets out of logs, including the stripe package's own."""

from __future__ import annotations

import logging

import pytest

from future_payments import FuturePayments, MemoryStore
from future_payments.redaction import REDACTED, RedactSecrets, redact, redact_stripe_logs
from future_payments.testing import FakeStripe, saved_card


@pytest.mark.parametrize(
    "secret",
    [
        "pi_3NxAbCdEf_secret_GhIjKlMnOp",
        "seti_1AbC_secret_XyZ",
        "sk_test_51AbCdEf",
        "rk_live_9Zz",
        "whsec_AbCdEf123",
    ],
)
def test_redact_replaces_each_kind_of_secret(secret: str) -> None:
    """Client secrets, API keys and webhook secrets become [REDACTED]; the rest stays."""
    assert f"body={REDACTED} ok" == redact(f"body={secret} ok")


def test_ids_are_not_secrets() -> None:
    """Plain object ids are left alone."""
    text = "pi_3NxAbCdEf cus_Abc seti_1AbC pm_card_visa"

    assert text == redact(text)


def test_stripe_debug_log_of_a_charge_carries_no_client_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With the filter installed, the stripe package's DEBUG response bodies hold no secret."""
    stripe_logger = logging.getLogger("stripe")
    installed = redact_stripe_logs()
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), store=MemoryStore())
    saved_card(payments, fake, "user-42", card="4000002760003184")
    try:
        with caplog.at_level(logging.DEBUG, logger="stripe"):
            result = payments.charge_saved("user-42", 1999, "usd", idempotency_key="order-1")
    finally:
        stripe_logger.removeFilter(installed)

    secret = getattr(result, "client_secret", None)
    assert secret is not None
    bodies = [r.getMessage() for r in caplog.records if r.name == "stripe"]
    assert any("API response body" in b for b in bodies)
    assert not any(secret in b for b in bodies)


def test_installing_twice_adds_one_filter() -> None:
    """redact_stripe_logs is idempotent."""
    target = logging.getLogger("test-redaction")
    first = redact_stripe_logs(target)

    assert first is redact_stripe_logs(target)
    assert 1 == sum(isinstance(f, RedactSecrets) for f in target.filters)
    target.removeFilter(first)
