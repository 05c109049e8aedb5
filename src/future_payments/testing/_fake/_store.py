"""The fake's state: objects by id, creation order for lists, events, expansion."""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import attrs

from future_payments.testing._fake._cards import TestCard
from future_payments.testing._fake._clock import FakeClock
from future_payments.testing._fake._errors import invalid, no_such, not_simulated
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._validation import Args, limit_of

Obj = dict[str, Any]

# Which fields of each object type hold an expandable id.
EXPANDABLE: dict[str, frozenset[str]] = {
    "checkout.session": frozenset(
        {"customer", "setup_intent", "payment_intent", "invoice", "subscription", "payment_link"}
    ),
    "setup_intent": frozenset(
        {"customer", "payment_method", "latest_attempt", "mandate", "single_use_mandate"}
        | {"application", "on_behalf_of"}
    ),
    "payment_intent": frozenset(
        {"customer", "payment_method", "latest_charge", "review", "application", "on_behalf_of"}
        | {"payment_record", "source"}
    ),
    "payment_method": frozenset({"customer"}),
    "customer": frozenset({"default_source", "test_clock"}),
}


@attrs.frozen
class Context:
    """Who caused a change: the API request (id, idempotency key) and its API version."""

    request_id: str | None
    idempotency_key: str | None
    api_version: str


def snapshot(obj: Obj) -> Obj:
    """A deep, independent copy of a JSON-shaped object (dicts, lists and scalars)."""
    copied: Obj = _copy(obj)
    return copied


def _copy(value: Any) -> Any:
    # A plain recursive copy: a third of a JSON round trip's cost, and objects here only ever
    # hold JSON types.
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(item) for item in value]
    return value


class State:
    """Every object the fake holds, keyed by id so a lookup never depends on how many exist."""

    def __init__(self, clock: FakeClock, checkout_url_base: str) -> None:
        self.clock = clock
        self.checkout_url_base = checkout_url_base  # a new session's url starts with it
        # None: 3-D Secure redirects point at Stripe's hooks host, as on Stripe; a local server
        # sets it to its own /authenticate/ page.
        self.authentication_url_base: str | None = None
        self.objects: dict[str, Obj] = {}
        self._order: dict[str, list[str]] = defaultdict(list)
        self._position: dict[str, int] = {}
        self.cards: dict[str, TestCard] = {}  # pm id -> card behaviour
        self.set_up: set[str] = set()  # pm ids set up for off-session use
        self.session_of_intent: dict[str, str] = {}  # seti id -> cs id
        self.session_setup_data: dict[str, Obj] = {}  # cs id -> setup_intent_data
        self.webhook_queue: deque[str] = deque()
        self._expiries: list[tuple[int, str]] = []
        self.on_expire: Callable[[Obj, Context], None] | None = None

    def add(self, obj: Obj) -> Obj:
        """Store a new object, remembering its creation order for lists."""
        order = self._order[obj["object"]]
        self._position[obj["id"]] = len(order)
        order.append(obj["id"])
        self.objects[obj["id"]] = obj
        return obj

    def ids_of(self, kind: str, *, limit: int | None = None) -> list[str]:
        """The ids of every ``kind`` object, newest first (at most ``limit``)."""
        order = self._order[kind]
        newest = reversed(order) if limit is None else reversed(order[-limit:] if limit else [])
        return list(newest)

    def get(self, kind: str, object_id: str, label: str, *, param: str = "id") -> Obj:
        """The ``kind`` object with ``object_id``, or 404 ``resource_missing``."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise no_such(label, object_id, param=param)
        return obj

    def schedule_expiry(self, expires_at: int, session_id: str) -> None:
        """Remember when an open Checkout Session runs out."""
        heapq.heappush(self._expiries, (expires_at, session_id))

    def expire_due(self, ctx: Context) -> None:
        """Expire every open session whose ``expires_at`` has passed on the clock."""
        now = self.clock.now()
        while self._expiries and self._expiries[0][0] <= now:
            _, session_id = heapq.heappop(self._expiries)
            session = self.objects[session_id]
            if session["status"] == "open" and self.on_expire is not None:
                self.on_expire(session, ctx)

    def record_event(
        self, ctx: Context, event_type: str, obj: Obj, previous: Obj | None = None
    ) -> Obj:
        """Record an Event with a snapshot of ``obj`` and queue it for webhook delivery."""
        data: Obj = {"object": snapshot(obj)}
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
        return event

    def page(
        self, kind: str, args: Args, url: str, keep: Callable[[Obj], bool] | None = None
    ) -> Obj:
        """A list object, newest first, with ``limit``/``starting_after``/``ending_before``."""
        limit = limit_of(args)
        order = self._order[kind]
        after = args.string("starting_after")
        before = args.string("ending_before")
        if after is not None and before is not None:
            raise invalid(
                "You may only specify one of these parameters: ending_before, starting_after."
            )
        taken: list[Obj] = []
        if before is not None:
            start = self._cursor(kind, before, "ending_before") + 1
            for index in range(start, len(order)):
                obj = self.objects[order[index]]
                if keep is None or keep(obj):
                    taken.append(obj)
                    if len(taken) > limit:
                        break
            has_more = len(taken) > limit
            data = list(reversed(taken[:limit]))
        else:
            start = self._cursor(kind, after, "starting_after") if after else len(order)
            for index in range(start - 1, -1, -1):
                obj = self.objects[order[index]]
                if keep is None or keep(obj):
                    taken.append(obj)
                    if len(taken) > limit:
                        break
            has_more = len(taken) > limit
            data = taken[:limit]
        return {"object": "list", "data": data, "has_more": has_more, "url": url}

    def _cursor(self, kind: str, object_id: str, param: str) -> int:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind:
            raise no_such(kind.replace("_", " ").replace(".", " "), object_id, param=param)
        return self._position[object_id]

    def expand(self, obj: Obj, paths: list[str]) -> Obj:
        """``obj`` with each ``expand[]`` path (``a.b.c``) replaced by the full object."""
        for path in paths:
            obj = self._expand(obj, path.split("."), path)
        return obj

    def _expand(self, value: Any, parts: list[str], path: str) -> Any:
        if not parts or value is None:
            return value
        head, rest = parts[0], parts[1:]
        if not isinstance(value, dict):
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        copy = dict(value)
        if copy.get("object") == "list" and head == "data":
            copy["data"] = [self._expand(item, rest, path) for item in copy["data"]]
            return copy
        if copy.get("object") == "checkout.session" and head == "line_items" and not rest:
            copy["line_items"] = {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/checkout/sessions/{copy['id']}/line_items",
            }
            return copy
        if head not in EXPANDABLE.get(str(copy.get("object")), frozenset()):
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        target = copy.get(head)
        if isinstance(target, str):
            found = self.objects.get(target)
            if found is None:
                raise not_simulated(f"expanding {head} ({target})")
            target = found
        copy[head] = self._expand(target, rest, path)
        return copy
