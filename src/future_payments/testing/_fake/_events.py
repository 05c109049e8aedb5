"""Events: retrieve and list (``created`` ranges, ``type``, ``types``, ``delivery_success``)."""

from __future__ import annotations

from future_payments.testing._fake import _lists
from future_payments.testing._fake._call import Call
from future_payments.testing._fake._errors import rejected
from future_payments.testing._fake._state import Obj


def retrieve(call: Call) -> Obj:
    """GET /v1/events/{id}."""
    return call.state.get("event", call.id, "event")


def list_all(call: Call) -> Obj:
    """GET /v1/events.

    ``type`` takes one type or a ``*`` wildcard (``payment_intent.*``); ``types`` up to 20 exact
    types. ``delivery_success=true`` keeps the events already delivered, which here means taken
    by ``FakeStripe.webhooks()`` (or forwarded by the server); ``false`` the ones still waiting.
    """
    params = call.params
    one = params.get("type")
    several = params.get("types")
    if one is not None and several is not None:
        raise rejected("You may only specify one of these parameters: type, types.")
    if several is not None and len(several) > 20:
        raise rejected("You may pass at most 20 types.", param="types")
    wanted = set(several or ())
    delivered = params.get("delivery_success")
    taken = call.state.taken

    def matches(event: Obj) -> bool:
        event_type = event["type"]
        if one is not None:
            if one.endswith("*") and not event_type.startswith(one[:-1]):
                return False
            if not one.endswith("*") and event_type != one:
                return False
        if wanted and event_type not in wanted:
            return False
        return delivered is None or (event["id"] in taken) == delivered

    return _lists.page(call.state, "event", params, "/v1/events", matches)
