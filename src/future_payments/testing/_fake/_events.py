"""Events: retrieve and list."""

from __future__ import annotations

from typing import Any

from future_payments.testing._fake._store import Context, Obj, State
from future_payments.testing._fake._validation import Args


def retrieve(state: State, ctx: Context, event_id: str, params: dict[str, Any]) -> Obj:
    """GET /v1/events/{id}."""
    Args(params, ())
    return state.get("event", event_id, "event")


def list_all(state: State, ctx: Context, params: dict[str, Any]) -> Obj:
    """GET /v1/events, filtered by ``type`` (``*`` wildcards as Stripe) or ``types[]``."""
    args = Args(params, ("type", "types", "limit", "starting_after", "ending_before"))
    one = args.string("type")
    several = set(args.str_list("types") or [])

    def matches(event_type: str) -> bool:
        if one is not None:
            if one.endswith("*"):
                return event_type.startswith(one[:-1])
            return event_type == one
        return not several or event_type in several

    return state.page("event", args, "/v1/events", lambda e: matches(e["type"]))
