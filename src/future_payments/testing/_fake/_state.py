"""The fake's one ``State``: every object, the event log, faults, queued failures, idempotency.

Objects live in a dict keyed by id, with per-kind creation order (and ``created`` times, for
range filters) kept beside it, so a lookup costs the same with 100 or 100,000 objects.

Every write goes through ``State`` (``add``, ``update``, ``record_event``...) and is journaled:
``transaction()`` undoes all of them when a request is refused, so a rejected request leaves
the objects, the event log and the webhook queue exactly as they were.

A stored object changes only by having top-level fields replaced (``update``); nested hashes
and lists are never changed in place once stored. So an event's snapshot of an object is a
shallow copy that shares the nested values, which stay as they were when the event happened.
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from future_payments.testing._fake._cards import TestCard
from future_payments.testing._fake._clock import FakeClock
from future_payments.testing._fake._errors import StripeErrorResponse, no_such
from future_payments.testing._fake._faults import FaultQueue
from future_payments.testing._fake._idempotency import IdempotencyStore
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._methods import MethodConfiguration

Obj = dict[str, Any]
_MISSING = object()


@attrs.frozen
class Context:
    """Who caused a change: the API request (id, idempotency key) and its API version."""

    request_id: str | None
    idempotency_key: str | None
    api_version: str


@attrs.frozen
class ChargeFailure:
    """A failure queued by ``FakeStripe.next_charge_fails`` for the next card charge."""

    code: str
    decline_code: str | None


def snapshot(obj: Obj) -> Obj:
    """A deep, independent copy of a JSON-shaped object (dicts, lists and scalars)."""
    copied: Obj = _copy(obj)
    return copied


def _copy(value: Any) -> Any:
    # A plain recursive copy: a third of a JSON round trip's cost; objects hold JSON types only.
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


class State:
    """Every object the fake holds, and everything else a request may read or change."""

    def __init__(self, clock: FakeClock, checkout_url_base: str) -> None:
        self.clock = clock
        self.checkout_url_base = checkout_url_base  # a new session's url starts with it
        # None: 3-D Secure redirects point at Stripe's hooks host, as on Stripe; a local server
        # sets it to its own /authenticate/ page.
        self.authentication_url_base: str | None = None
        self.methods = MethodConfiguration()
        self.objects: dict[str, Obj] = {}
        self._order: dict[str, list[str]] = defaultdict(list)
        self._created: dict[str, list[int]] = defaultdict(list)
        self._position: dict[str, int] = {}
        self.removed: set[str] = set()  # ids that stay readable but leave every list
        self.cards: dict[str, TestCard] = {}  # pm id -> card behaviour
        self.set_up: set[str] = set()  # pm ids set up for off-session use
        self.consumed: set[str] = set()  # pm ids detached: never usable again
        self.session_of_intent: dict[str, str] = {}  # seti id -> cs id
        self.refunds_of: dict[str, list[str]] = {}  # ch id -> re ids, oldest first
        self.taken: set[str] = set()  # event ids handed out by webhooks()
        self.webhook_queue: deque[str] = deque()
        self.faults = FaultQueue()
        self.charge_failures: deque[ChargeFailure] = deque()
        self.idempotency = IdempotencyStore()
        self._timers: list[tuple[int, int, str, str]] = []  # (due, seq, action, object id)
        self._timer_seq = 0
        self.on_timer: Callable[[str, str, Context], None] | None = None
        self._journal: list[Callable[[], object]] | None = None

    # -- the journal ----------------------------------------------------------------------------

    def on_undo(self, step: Callable[[], object]) -> None:
        """Run ``step`` if the current transaction is undone."""
        if self._journal is not None:
            self._journal.append(step)

    @contextmanager
    def transaction(self, *, keep: tuple[type[BaseException], ...] = ()) -> Iterator[None]:
        """Keep the writes of the block, or undo all of them if it raises.

        A ``StripeErrorResponse`` with ``commit=True`` (a declined card), or an exception of a
        type in ``keep``, keeps what was done before it, as Stripe keeps a failed attempt.
        """
        outer, self._journal = self._journal, []
        try:
            yield
        except BaseException as exc:
            kept = isinstance(exc, keep) or (isinstance(exc, StripeErrorResponse) and exc.commit)
            if not kept:
                for step in reversed(self._journal):
                    step()
                self._journal = outer
                raise
            self._merge(outer)
            raise
        self._merge(outer)

    def _merge(self, outer: list[Callable[[], object]] | None) -> None:
        done, self._journal = self._journal, outer
        if outer is not None and done:
            outer.extend(done)

    # -- writes ----------------------------------------------------------------------------------

    def add(self, obj: Obj) -> Obj:
        """Store a new object, remembering its creation order for lists."""
        kind, object_id = obj["object"], obj["id"]
        order = self._order[kind]
        self._position[object_id] = len(order)
        order.append(object_id)
        self._created[kind].append(int(obj.get("created") or self.clock.now()))
        self.objects[object_id] = obj

        def undo() -> None:
            order.pop()
            self._created[kind].pop()
            del self._position[object_id]
            del self.objects[object_id]

        self.on_undo(undo)
        return obj

    def update(self, obj: Obj, changes: dict[str, Any] | None = None, **more: Any) -> Obj:
        """Set fields of a stored object (journaled); returns the object."""
        changes = {**(changes or {}), **more}
        before = {key: obj.get(key, _MISSING) for key in changes}
        obj.update(changes)

        def undo() -> None:
            for key, value in before.items():
                if value is _MISSING:
                    obj.pop(key, None)
                else:
                    obj[key] = value

        self.on_undo(undo)
        return obj

    def replace(self, obj: Obj, new: Obj) -> None:
        """Replace a stored object's whole content (a deleted customer becomes its stub)."""
        old = dict(obj)
        obj.clear()
        obj.update(new)

        def undo() -> None:
            obj.clear()
            obj.update(old)

        self.on_undo(undo)

    def remove_from_lists(self, object_id: str) -> None:
        """The object stays readable by id but leaves every list."""
        self.removed.add(object_id)
        self.on_undo(lambda: self.removed.discard(object_id))

    def remember_card(self, pm_id: str, card: TestCard) -> None:
        """Record how the card behind ``pm_id`` behaves."""
        self.cards[pm_id] = card
        self.on_undo(lambda: self.cards.pop(pm_id, None))

    def mark(self, name: str, object_id: str, value: bool = True) -> None:
        """Add ``object_id`` to (or take it from) the set ``name``: ``set_up`` or ``consumed``."""
        marks: set[str] = getattr(self, name)
        had = object_id in marks
        if value:
            marks.add(object_id)
        else:
            marks.discard(object_id)
        self.on_undo(lambda: (marks.add if had else marks.discard)(object_id))

    def link_session(self, intent_id: str, session_id: str) -> None:
        """Remember that a SetupIntent belongs to a Checkout Session."""
        self.session_of_intent[intent_id] = session_id
        self.on_undo(lambda: self.session_of_intent.pop(intent_id, None))

    def link_refund(self, charge_id: str, refund_id: str) -> None:
        """Remember a Refund of a Charge."""
        refunds = self.refunds_of.setdefault(charge_id, [])
        refunds.append(refund_id)
        self.on_undo(refunds.pop)

    def schedule(self, due: int, action: str, object_id: str) -> None:
        """Run ``action`` on ``object_id`` once the clock reaches ``due`` (see ``run_due``)."""
        self._timer_seq += 1
        entry = (due, self._timer_seq, action, object_id)
        heapq.heappush(self._timers, entry)

        def undo() -> None:
            self._timers.remove(entry)
            heapq.heapify(self._timers)

        self.on_undo(undo)

    def record_event(
        self, ctx: Context, event_type: str, obj: Obj, previous: Obj | None = None
    ) -> Obj:
        """Record an Event with a snapshot of ``obj`` and queue it for webhook delivery."""
        data: Obj = {"object": dict(obj)}  # shallow: nested values are never changed in place
        if previous is not None:
            data["previous_attributes"] = previous
        event: Obj = {
            "id": new_id("evt"),
            "object": "event",
            "api_version": ctx.api_version,
            "created": self.clock.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": ctx.request_id, "idempotency_key": ctx.idempotency_key},
            "type": event_type,
        }
        self.add(event)
        self.webhook_queue.append(event["id"])
        self.on_undo(self.webhook_queue.pop)
        return event

    # -- reads -----------------------------------------------------------------------------------

    def get(self, kind: str, object_id: str, label: str, *, param: str = "id") -> Obj:
        """The ``kind`` object with ``object_id``, or 404 ``resource_missing``."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind or obj.get("deleted"):
            raise no_such(label, object_id, param=param)
        return obj

    def ids_of(self, kind: str, *, limit: int | None = None) -> list[str]:
        """The ids of every listed ``kind`` object, newest first (at most ``limit``)."""
        out = []
        for object_id in reversed(self._order[kind]):
            if object_id in self.removed:
                continue
            out.append(object_id)
            if limit is not None and len(out) >= limit:
                break
        return out

    def position(self, object_id: str) -> int | None:
        """Where ``object_id`` sits in its kind's creation order."""
        return self._position.get(object_id)

    def order(self, kind: str) -> list[str]:
        """The ids of ``kind`` in creation order (read only)."""
        return self._order[kind]

    def created_range(self, kind: str, low: int | None, high: int | None) -> tuple[int, int]:
        """Positions ``[start, stop)`` of the ``kind`` objects created in ``[low, high]``."""
        created = self._created[kind]
        start = 0 if low is None else bisect.bisect_left(created, low)
        stop = len(created) if high is None else bisect.bisect_right(created, high)
        return start, stop

    def run_due(self, ctx: Context) -> None:
        """Run every scheduled action whose time has come on the clock (expiry, settlement)."""
        now = self.clock.now()
        while self._timers and self._timers[0][0] <= now:
            _, _, action, object_id = heapq.heappop(self._timers)
            if self.on_timer is not None:
                self.on_timer(action, object_id, ctx)
