"""The operations' core is written once, without I/O; two small drivers run it.

An operation is a generator that yields effects — a Stripe call or a store call — and receives
their results. ``run_sync`` performs them with blocking calls; ``run_async`` with the ``stripe``
package's ``*_async`` methods and an ``AsyncStore``. The logic of every operation therefore
exists once, for both facades.

A Stripe call names the SDK's own service method (``stripe.PaymentIntentService.create``), so
mypy checks the service, the method and its ``params`` TypedDict at the call site. A Stripe
error raised by a call is thrown back into the operation at the ``yield``, so that the operation
can turn card outcomes into results; whatever escapes is translated to this library's errors at
the boundary (``_stripe.translate``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Mapping
from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

import attrs
import stripe

from future_payments._objects import Malformed, list_page
from future_payments._stripe import Data, send, send_async, translate
from future_payments.errors import ConnectionLost, DatabaseBusy, StoreError
from future_payments.stores._protocol import AsyncStore, Store

T = TypeVar("T")
V = TypeVar("V")
R = TypeVar("R")
S = TypeVar("S")
P = ParamSpec("P")

_PAGE = 100  # Stripe's largest page


@attrs.frozen
class StripeCall:
    """One Stripe request: an SDK service method and the arguments after ``self``."""

    method: Callable[..., object]
    args: tuple[object, ...]
    kwargs: Mapping[str, object]


@attrs.frozen
class StoreCall:
    """A call on the store, as a function of it."""

    call: Callable[[Store], object]


Effect: TypeAlias = StripeCall | StoreCall
Op: TypeAlias = Generator[Effect, Any, T]


def call_stripe(
    method: Callable[Concatenate[S, P], R], *args: P.args, **kwargs: P.kwargs
) -> Op[Data]:
    """Yield one Stripe request; its result, as plain data, is the value.

    ``method`` is the SDK's unbound service method, e.g. ``stripe.CustomerService.create``;
    the arguments are checked against its signature.
    """
    result: Data = yield StripeCall(method, args, kwargs)
    return result


def call_stripe_list(
    method: Callable[..., object], params: Mapping[str, object], parse: Callable[[Data], V]
) -> Op[list[V]]:
    """Every object of a Stripe list, page after page: one request per 100 objects.

    ``method`` is the SDK's list method (``stripe.PaymentIntentService.list``), ``params`` its
    filters; each object is read by ``parse``, and one of a shape Stripe never sends
    (``Malformed``) is left out.
    """
    page_params: dict[str, object] = {**params, "limit": _PAGE}
    found: list[V] = []
    while True:
        page: Data = yield StripeCall(method, (), {"params": page_params})
        items, more = list_page(page)
        for item in items:
            try:
                found.append(parse(dict(item)))
            except Malformed:
                continue
        if not more or not items:
            return found
        page_params["starting_after"] = str(items[-1].get("id"))


def call_store(fn: Callable[[Store], T]) -> Op[T]:
    """Yield one store call; its result is the value."""
    result: T = yield StoreCall(fn)
    return result


def run_sync(op: Op[T], client: stripe.StripeClient, store: Store) -> T:
    """Drive an operation with blocking calls."""
    to_send: object = None
    to_throw: BaseException | None = None
    try:
        while True:
            effect = op.throw(to_throw) if to_throw is not None else op.send(to_send)
            to_send, to_throw = None, None
            if isinstance(effect, StoreCall):
                to_send = effect.call(store)
                continue
            try:
                to_send = send(client, effect.method, effect.args, effect.kwargs)
            except stripe.StripeError as exc:
                to_throw = exc
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except stripe.StripeError as exc:
        raise translate(exc) from exc


async def run_async(op: Op[T], client: stripe.StripeClient, store: AsyncStore) -> T:
    """Drive an operation on the event loop: ``*_async`` Stripe calls, ``store.run`` awaited."""
    to_send: object = None
    to_throw: BaseException | None = None
    try:
        while True:
            effect = op.throw(to_throw) if to_throw is not None else op.send(to_send)
            to_send, to_throw = None, None
            if isinstance(effect, StoreCall):
                to_send = await store.run(effect.call)
                continue
            try:
                to_send = await send_async(client, effect.method, effect.args, effect.kwargs)
            except stripe.StripeError as exc:
                to_throw = exc
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    except stripe.StripeError as exc:
        raise translate(exc) from exc


_UNIT_ATTEMPTS = 5


@attrs.define
class _Unit:
    """An operation driven in units: what to feed it next, and the Stripe call it waits on."""

    op: Op[Any]
    to_send: object = None
    to_throw: BaseException | None = None
    call: StripeCall | None = None
    done: bool = False
    value: object = None
    started: bool = False

    def advance(self, store: Store) -> None:
        """Run the operation's store calls in one transaction, up to its next Stripe call.

        The operation's very first store call (the event's claim) runs alone, as its own
        transaction: an operation that ends with it (a duplicate, a type not acted on) never
        opens a block, and one that goes on pays for its claim what it would inside one.
        """
        effect = self._next()
        if effect is None:
            return
        if not self.started:
            self.started = True
            self.to_send = effect.call(store)
            effect = self._next()
            if effect is None:
                return
        with store.atomic() as tx:
            while effect is not None:
                self.to_send = effect.call(tx)
                effect = self._next()

    def _next(self) -> StoreCall | None:
        """The operation's next store call; None when it finished or waits on Stripe."""
        try:
            if self.to_throw is not None:
                effect = self.op.throw(self.to_throw)
            else:
                effect = self.op.send(self.to_send)
        except StopIteration as finished:
            self.done, self.value, self.call = True, finished.value, None
            return None
        self.to_send, self.to_throw = None, None
        if isinstance(effect, StripeCall):
            self.call = effect  # the unit commits before it is sent
            return None
        return effect

    def received(self, result: object, error: BaseException | None) -> None:
        self.to_send, self.to_throw, self.call = result, error, None


def run_units_sync(
    make_op: Callable[[], Op[T]],
    client: stripe.StripeClient,
    store: Store,
    *,
    on_error: Callable[[Store], object],
) -> T:
    """Drive an operation in units (see the module's docstring), with blocking calls.

    When the operation fails for good, ``on_error`` runs on the store (a transaction of its
    own: the failing unit was rolled back) before the error propagates.
    """
    try:
        return _units_sync(make_op, client, store)
    except BaseException:
        with contextlib.suppress(StoreError):
            on_error(store)
        raise


def _units_sync(make_op: Callable[[], Op[T]], client: stripe.StripeClient, store: Store) -> T:
    for attempt in range(1, _UNIT_ATTEMPTS + 1):
        unit = _Unit(make_op())
        try:
            while True:
                unit.advance(store)
                if unit.done:
                    return unit.value  # type: ignore[return-value]
                call = unit.call
                assert call is not None
                try:
                    unit.received(send(client, call.method, call.args, call.kwargs), None)
                except stripe.StripeError as exc:
                    unit.received(None, exc)
        except (DatabaseBusy, ConnectionLost) as exc:
            if attempt == _UNIT_ATTEMPTS or not _retry(exc, attempt):
                raise
        except stripe.StripeError as exc:
            raise translate(exc) from exc
        finally:
            unit.op.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _retry(exc: StoreError, attempt: int) -> bool:
    """Whether to run a failed operation again: after a conflict, or once after a lost
    connection (a pooled one the server dropped; the unit was rolled back, or committed and
    the operation's next run sees its own work)."""
    return isinstance(exc, DatabaseBusy) or attempt == 1


async def run_units_async(
    make_op: Callable[[], Op[T]],
    client: stripe.StripeClient,
    store: AsyncStore,
    *,
    on_error: Callable[[Store], object],
) -> T:
    """Drive an operation in units on the event loop: each unit is one ``store.run``."""
    try:
        return await _units_async(make_op, client, store)
    except BaseException:
        with contextlib.suppress(StoreError):
            await store.run(on_error)
        raise


async def _units_async(
    make_op: Callable[[], Op[T]], client: stripe.StripeClient, store: AsyncStore
) -> T:
    for attempt in range(1, _UNIT_ATTEMPTS + 1):
        unit = _Unit(make_op())
        try:
            while True:
                await store.run(unit.advance)
                if unit.done:
                    return unit.value  # type: ignore[return-value]
                call = unit.call
                assert call is not None
                try:
                    result = await send_async(client, call.method, call.args, call.kwargs)
                    unit.received(result, None)
                except stripe.StripeError as exc:
                    unit.received(None, exc)
        except (DatabaseBusy, ConnectionLost) as exc:
            if attempt == _UNIT_ATTEMPTS or not _retry(exc, attempt):
                raise
        except stripe.StripeError as exc:
            raise translate(exc) from exc
        finally:
            unit.op.close()
    raise AssertionError("unreachable")  # pragma: no cover
