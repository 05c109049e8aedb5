"""Deliver the fake's pending webhooks to a handler, in order, shuffled or duplicated.

Stripe does not promise order and may deliver one event more than once: a handler is correct
only if it copes with both. These helpers make the two easy to test.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from future_payments.testing._fake._webhooks import WebhookDelivery

if TYPE_CHECKING:
    from future_payments.testing._fake._fake import FakeStripe


class SupportsPost(Protocol):
    """A framework test client: Flask's, Django's, or Starlette's/FastAPI's ``TestClient``."""

    @property
    def post(self) -> Callable[..., Any]:
        """The client's ``post(url, ...)``."""
        ...


@attrs.frozen
class Delivered:
    """One delivery made, and what the handler answered.

    Attributes:
        delivery: the signed ``WebhookDelivery`` (body, signature, type, event_id).
        response: the callable's return value, or the test client's response.
    """

    delivery: WebhookDelivery
    response: Any

    @property
    def type(self) -> str:
        """The event type, e.g. ``checkout.session.completed``."""
        return self.delivery.type

    @property
    def event_id(self) -> str:
        """The event's ``evt_...`` id."""
        return self.delivery.event_id

    @property
    def status_code(self) -> int | None:
        """The response's HTTP status when a test client answered, else None."""
        status = getattr(self.response, "status_code", None)
        return status if isinstance(status, int) else None


def deliver_webhooks(
    fake: FakeStripe,
    to: Callable[[bytes, str], Any] | SupportsPost,
    *,
    url: str | None = None,
    shuffle: bool = False,
    seed: int = 0,
    duplicate: int = 1,
    deliveries: Iterable[WebhookDelivery] | None = None,
) -> list[Delivered]:
    """Deliver every pending webhook of ``fake`` (``fake.webhooks()``) to a handler.

    Args:
        fake: the ``FakeStripe`` whose events are delivered (and marked taken).
        to: a callable ``(body, signature) -> Any`` such as ``payments.complete_from_event``;
            or, with ``url``, a test client with ``.post``: Flask and Django clients get
            ``data=body, content_type="application/json"``, an ``httpx.Client`` (Starlette's
            and FastAPI's ``TestClient``, also on ``httpx2``) gets ``content=body``; both get the
            ``Stripe-Signature`` header.
        url: the webhook endpoint's path or URL on the test client.
        shuffle: deliver in a random order, reproducible with ``seed``.
        seed: the seed of the shuffle.
        duplicate: deliver each event this many times (identical body and signature).
        deliveries: deliver these instead of taking ``fake.webhooks()``.

    Returns:
        What was delivered, in delivery order, with each response. A handler that raises
        stops the delivery; the exception propagates.

    Raises:
        ValueError: ``duplicate`` below 1.
        TypeError: ``to`` is not callable without ``url``, or has no ``post`` with it.
    """
    if duplicate < 1:
        raise ValueError(f"duplicate must be at least 1, got {duplicate}")
    send = _sender(to, url)
    pending = list(fake.webhooks() if deliveries is None else deliveries)
    order = [delivery for delivery in pending for _ in range(duplicate)]
    if shuffle:
        random.Random(seed).shuffle(order)  # noqa: S311 -- test ordering, not cryptography
    return [Delivered(delivery, send(delivery)) for delivery in order]


def _sender(
    to: Callable[[bytes, str], Any] | SupportsPost, url: str | None
) -> Callable[[WebhookDelivery], Any]:
    if url is None:
        if not callable(to):
            raise TypeError(
                f"{type(to).__name__} is not callable: pass a callable (body, signature) -> Any, "
                "or a test client together with url='/your/webhook/path'."
            )
        handler = to
        return lambda delivery: handler(delivery.body, delivery.signature)
    post = getattr(to, "post", None)
    if not callable(post):
        raise TypeError(
            f"url= needs a test client with a .post method; {type(to).__name__} has none."
        )
    endpoint = url
    if _is_httpx_client(to):
        # httpx deprecates raw bytes in data=; content= is its way to send a body as is.
        return lambda d: post(endpoint, content=d.body, headers=_headers(d, with_content_type=True))
    return lambda d: post(
        endpoint, data=d.body, content_type="application/json", headers=_headers(d)
    )


def _is_httpx_client(client: object) -> bool:
    """Whether ``client`` is an ``httpx.Client`` (or ``httpx2``'s, Starlette's newer base)."""
    for name in ("httpx", "httpx2"):
        module = sys.modules.get(name)
        client_class = getattr(module, "Client", None)
        if isinstance(client_class, type) and isinstance(client, client_class):
            return True
    return False


def _headers(delivery: WebhookDelivery, *, with_content_type: bool = False) -> dict[str, str]:
    headers = {"Stripe-Signature": delivery.signature}
    if with_content_type:
        headers["Content-Type"] = "application/json"
    return headers
