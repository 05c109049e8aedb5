"""The operations' core is written once, without I/O; two small drivers run it.

An operation is a generator that yields effects — a Stripe call or a store call — and receives
their results. ``run_sync`` performs them with blocking calls; ``run_async`` with the ``stripe``
package's ``*_async`` methods and the store off the event loop (or natively, for an async
store). The logic of the four operations therefore exists once, for both facades.

A Stripe error raised by a call is thrown back into the operation at the ``yield``, so that the
operation can turn card outcomes into results; whatever escapes is translated to this library's
errors at the boundary (``_stripe.translate``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeAlias, TypeVar

import attrs
import stripe

from future_payments._stripe import plain, translate
from future_payments.stores._protocol import Store

T = TypeVar("T")


@attrs.frozen
class StripeCall:
    """``client.v1.<service>.<method>(*args, params=..., options=...)``."""

    service: str  # dotted, e.g. "checkout.sessions"
    method: str  # e.g. "create"
    args: tuple[str, ...] = ()
    params: Mapping[str, Any] | None = None
    idempotency_key: str | None = None


@attrs.frozen
class StoreCall:
    """A call on the store, as a function of it."""

    call: Callable[[Store], Any]


Effect: TypeAlias = StripeCall | StoreCall
Op: TypeAlias = Generator[Effect, Any, T]


def call_stripe(
    service: str,
    method: str,
    *args: str,
    params: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Op[Any]:
    """Yield one Stripe request; its result (a ``StripeObject``) is the value."""
    return (yield StripeCall(service, method, args, params, idempotency_key))


def call_store(fn: Callable[[Store], T]) -> Op[T]:
    """Yield one store call; its result is the value."""
    result: T = yield StoreCall(fn)
    return result


def _bound(client: stripe.StripeClient, effect: StripeCall, suffix: str) -> Callable[..., Any]:
    target: Any = client.v1
    for part in effect.service.split("."):
        target = getattr(target, part)
    return getattr(target, effect.method + suffix)  # type: ignore[no-any-return]


def _kwargs(effect: StripeCall) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if effect.params is not None:
        kwargs["params"] = dict(effect.params)
    if effect.idempotency_key is not None:
        # Request options go in options=, never params=: the SDK would send them as form fields.
        kwargs["options"] = {"idempotency_key": effect.idempotency_key}
    return kwargs


def run_sync(op: Op[T], client: stripe.StripeClient, store: Store) -> T:
    """Drive an operation with blocking calls."""
    to_send: Any = None
    to_throw: BaseException | None = None
    try:
        while True:
            effect = op.throw(to_throw) if to_throw is not None else op.send(to_send)
            to_send, to_throw = None, None
            if isinstance(effect, StoreCall):
                to_send = effect.call(store)
                continue
            try:
                to_send = plain(_bound(client, effect, "")(*effect.args, **_kwargs(effect)))
            except stripe.StripeError as exc:
                to_throw = exc
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except stripe.StripeError as exc:
        raise translate(exc) from exc


async def run_async(op: Op[T], client: stripe.StripeClient, store: Any) -> T:
    """Drive an operation on the event loop: ``*_async`` Stripe calls, the store off-loop.

    A store whose methods are coroutine functions is awaited directly; any other store runs in
    a worker thread so that it never blocks the loop.
    """
    to_send: Any = None
    to_throw: BaseException | None = None
    try:
        while True:
            effect = op.throw(to_throw) if to_throw is not None else op.send(to_send)
            to_send, to_throw = None, None
            if isinstance(effect, StoreCall):
                to_send = await _store_async(effect, store)
                continue
            try:
                bound = _bound(client, effect, "_async")
                to_send = plain(await bound(*effect.args, **_kwargs(effect)))
            except stripe.StripeError as exc:
                to_throw = exc
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except stripe.StripeError as exc:
        raise translate(exc) from exc


async def _store_async(effect: StoreCall, store: Any) -> Any:
    if getattr(store, "is_async", False):
        result = effect.call(store)
        return await result if inspect.isawaitable(result) else result
    return await asyncio.to_thread(effect.call, store)
