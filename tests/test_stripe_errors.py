"""Every stripe exception class is translated to this library's errors, once, at the boundary."""

from __future__ import annotations

import pytest
import stripe

from future_payments import FuturePaymentsError, StripeFailure
from future_payments._stripe import translate
from future_payments.errors import (
    StripeAuthenticationFailed,
    StripeRateLimited,
    StripeRequestRejected,
    StripeUnavailable,
)


def _error(cls: type[stripe.StripeError]) -> stripe.StripeError:
    body = {"error": {"type": "api_error", "message": "boom", "code": "some_code"}}
    if cls in (stripe.CardError, stripe.InvalidRequestError):
        return cls("boom", "amount", "some_code", json_body=body, http_status=400)  # type: ignore[call-arg]
    return cls("boom", json_body=body, http_status=500)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("stripe_class", "ours"),
    [
        (stripe.AuthenticationError, StripeAuthenticationFailed),
        (stripe.PermissionError, StripeAuthenticationFailed),
        (stripe.RateLimitError, StripeRateLimited),
        (stripe.APIConnectionError, StripeUnavailable),
        (stripe.APIError, StripeUnavailable),
        (stripe.InvalidRequestError, StripeRequestRejected),
        (stripe.IdempotencyError, StripeRequestRejected),
        (stripe.CardError, StripeRequestRejected),
        (stripe.StripeError, StripeFailure),
    ],
)
def test_each_stripe_error_is_mapped(
    stripe_class: type[stripe.StripeError], ours: type[FuturePaymentsError]
) -> None:
    """A stripe exception becomes the matching error of ours, carrying code and message."""
    translated = translate(_error(stripe_class))

    assert type(translated) is ours
    assert "boom" in str(translated)


def test_every_stripe_error_class_is_covered() -> None:
    """No public stripe exception class falls through to the generic StripeFailure by accident."""
    classes = {
        getattr(stripe, n)
        for n in dir(stripe)
        if isinstance(getattr(stripe, n), type)
        and issubclass(getattr(stripe, n), stripe.StripeError)
    }
    generic = {
        c
        for c in classes
        if type(translate(_error(c))) is StripeFailure and c is not stripe.StripeError
    }
    # Signature errors never reach the boundary: webhooks are verified by our own code.
    assert {c.__name__ for c in generic} <= {
        "SignatureVerificationError",
        "TemporarySessionExpiredError",
    }
