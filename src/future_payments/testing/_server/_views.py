"""Read-only looks into a ``FakeStripe``'s state for the hosted pages.

The pages read the fake's objects directly, under its lock, instead of calling its ``/v1`` API:
a page view must not show up in ``fake.requests`` (tests count those) nor need an API key.
"""

from __future__ import annotations

from typing import Any

from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._fake._store import snapshot
from future_payments.testing._fake._validation import Args

Obj = dict[str, Any]


def lookup(fake: FakeStripe, object_id: str, kind: str | tuple[str, ...]) -> Obj | None:
    """A copy of the object ``object_id`` if it is of ``kind``; expires due sessions first."""
    kinds = (kind,) if isinstance(kind, str) else kind
    with fake._lock:
        fake._state.expire_due(fake._customer_context())
        obj = fake._state.objects.get(object_id)
        if obj is None or obj["object"] not in kinds:
            return None
        return snapshot(obj)


def session_of_intent(fake: FakeStripe, intent_id: str) -> Obj | None:
    """A copy of the Checkout Session a SetupIntent belongs to, if any."""
    with fake._lock:
        session_id = fake._state.session_of_intent.get(intent_id)
    return None if session_id is None else lookup(fake, session_id, "checkout.session")


def recent_events(fake: FakeStripe, limit: int) -> list[Obj]:
    """The ``limit`` newest events, newest first (only the fields the events page shows)."""
    with fake._lock:
        fake._state.expire_due(fake._customer_context())
        page = fake._state.page("event", Args({"limit": str(limit)}, ("limit",)), "/v1/events")
        return [{"id": e["id"], "type": e["type"], "created": e["created"]} for e in page["data"]]


def pending_event_ids(fake: FakeStripe) -> set[str]:
    """Events recorded but not yet taken by ``fake.webhooks()``."""
    with fake._lock:
        return set(fake._state.webhook_queue)


def pending_count(fake: FakeStripe) -> int:
    """How many events ``fake.webhooks()`` would hand out now."""
    with fake._lock:
        fake._state.expire_due(fake._customer_context())
        return len(fake._state.webhook_queue)
