"""The one boundary with the ``stripe`` package: sending calls, error translation, key derivation.

Everything the operations read from Stripe crosses here as plain data (``dict``), converted once
in ``send``/``send_async``, so the same code handles API responses and webhook payloads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

import stripe
from stripe._v1_services import V1Services

from future_payments.errors import (
    FuturePaymentsError,
    StripeAuthenticationFailed,
    StripeFailure,
    StripeRateLimited,
    StripeRequestRejected,
    StripeUnavailable,
)

Data = dict[str, Any]

_KEY_PREFIX = "future-payments"
_MAX_STRIPE_KEY = 255


SERVICES: tuple[tuple[type, Callable[[V1Services], object]], ...] = (
    (stripe.CustomerService, lambda v1: v1.customers),
    (stripe.PaymentMethodService, lambda v1: v1.payment_methods),
    (stripe.SetupIntentService, lambda v1: v1.setup_intents),
    (stripe.PaymentIntentService, lambda v1: v1.payment_intents),
    (stripe.RefundService, lambda v1: v1.refunds),
    (stripe.ChargeService, lambda v1: v1.charges),
    (stripe.checkout.SessionService, lambda v1: v1.checkout.sessions),
)
"""The SDK services the operations call, and where each hangs off ``client.v1``."""


def _service(client: stripe.StripeClient, method: Callable[..., object]) -> object:
    """The client's instance of the service that ``method`` (an unbound method) belongs to."""
    for owner, get in SERVICES:
        if vars(owner).get(method.__name__) is method:
            return get(client.v1)
    raise TypeError(f"{method.__qualname__} is not a method of a service in _stripe.SERVICES")


def send(
    client: stripe.StripeClient,
    method: Callable[..., object],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
) -> Data:
    """Call ``method`` on the client's service, blocking; the result as plain data."""
    return plain(method(_service(client, method), *args, **kwargs))


async def send_async(
    client: stripe.StripeClient,
    method: Callable[..., object],
    args: tuple[object, ...],
    kwargs: Mapping[str, object],
) -> Data:
    """The same call through the method's ``*_async`` twin, which every SDK method has."""
    service = _service(client, method)
    twin = getattr(type(service), f"{method.__name__}_async")
    return plain(await twin(service, *args, **kwargs))


def plain(obj: object) -> Data:
    """A ``StripeObject`` as plain data."""
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    raise TypeError(f"Stripe answered {type(obj).__name__}, not an object")


def keyed(idempotency_key: str) -> stripe.RequestOptions:
    """Request options carrying an Idempotency-Key (never put it in ``params``)."""
    return {"idempotency_key": idempotency_key}


# Characters a derived key may carry as they are. No space (an HTTP header loses trailing
# whitespace, so "order-1 " would collide with "order-1"), no "=" (it marks a hashed key) and no
# "#" (it marks the attempt): any other key is hashed, so every key is header-safe ASCII.
_READABLE = re.compile(r"[A-Za-z0-9_.:/@+\-]*")
_ATTEMPT_ROOM = 11  # "#" and up to ten digits


def derived_key(kind: str, key: str, attempt: int = 1) -> str:
    """The Stripe Idempotency-Key of attempt ``attempt`` at creating ``kind`` for ``key``.

    ``future-payments:<kind>:<key>`` for the first attempt, ``...#<n>`` for the next ones. A key
    outside ``[A-Za-z0-9_.:/@+-]``, or too long for Stripe's 255 characters, is replaced by
    ``=sha256:<hex>`` of its UTF-8 bytes: the result is always printable ASCII, fits an HTTP
    header, and differs for keys that differ in any way (trailing spaces, case, normalisation).
    """
    readable = f"{_KEY_PREFIX}:{kind}:{key}"
    if not _READABLE.fullmatch(key) or len(readable) + _ATTEMPT_ROOM > _MAX_STRIPE_KEY:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        readable = f"{_KEY_PREFIX}:{kind}:=sha256:{digest}"
    return readable if attempt == 1 else f"{readable}#{attempt}"


def error_body(exc: stripe.StripeError) -> Mapping[str, Any]:
    """The ``error`` object of a Stripe error response, as plain data."""
    body = exc.json_body
    if isinstance(body, Mapping):
        error = body.get("error")
        if isinstance(error, Mapping):
            return error
    return {}


def _request_id(exc: stripe.StripeError) -> str | None:
    request_id = exc.request_id
    return str(request_id) if request_id else None


def translate(exc: stripe.StripeError) -> FuturePaymentsError:
    """Map a ``stripe`` exception to this library's error (raise it ``from exc``)."""
    message = exc.user_message or str(exc) or type(exc).__name__
    code = exc.code
    status = exc.http_status
    rid = _request_id(exc)
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return StripeAuthenticationFailed(
            f"Stripe refused the API key: {message}. Check the key and its permissions.",
            code=code,
            http_status=status,
            request_id=rid,
        )
    if isinstance(exc, stripe.RateLimitError):
        return StripeRateLimited(
            f"Stripe is rate limiting this account: {message}. Retry later, more slowly.",
            code=code,
            http_status=status,
            request_id=rid,
        )
    if isinstance(exc, stripe.APIConnectionError | stripe.APIError):
        return StripeUnavailable(
            f"Stripe could not be reached or failed: {message}. Retrying is safe.",
            code=code,
            http_status=status,
            request_id=rid,
        )
    if isinstance(exc, stripe.InvalidRequestError | stripe.IdempotencyError | stripe.CardError):
        param = getattr(exc, "param", None)
        return StripeRequestRejected(
            f"Stripe rejected the request: {message}",
            code=code,
            param=param,
            http_status=status,
            request_id=rid,
        )
    return StripeFailure(f"Stripe failed: {message}", code=code, http_status=status, request_id=rid)


def api_key_livemode(client: stripe.StripeClient) -> bool | None:
    """Whether the client's key is a live key; None when it cannot tell."""
    key = getattr(getattr(client, "_requestor", None), "api_key", None)
    if not isinstance(key, str):
        return None
    if key.startswith(("sk_live_", "rk_live_")):
        return True
    if key.startswith(("sk_test_", "rk_test_")):
        return False
    return None
