"""List answers: newest first, ``limit``, cursors, and the ``created`` range filter.

Objects of a kind are kept in creation order with their ``created`` times beside them, and
the fake clock only moves forward, so ``created[gte]=...`` is found by bisection: a filtered
page costs the same with 100 or 100,000 objects stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from future_payments.testing._fake._errors import invalid, no_such, rejected
from future_payments.testing._fake._state import Obj, State

Keep = Callable[[Obj], bool]


def _bounds(created: Any) -> tuple[int | None, int | None]:
    """``(lowest, highest)`` created time of a ``created`` filter (an integer or gt/gte/lt/lte)."""
    if created is None:
        return None, None
    if isinstance(created, int):
        return created, created
    lows = [created[k] + (k == "gt") for k in ("gt", "gte") if created.get(k) is not None]
    highs = [created[k] - (k == "lt") for k in ("lt", "lte") if created.get(k) is not None]
    low = max(lows) if lows else None
    high = min(highs) if highs else None
    return low, high


def matching(params: dict[str, Any], names: tuple[str, ...]) -> Keep:
    """Keep the objects whose fields ``names`` equal the parameters of those names (if sent)."""
    wanted = {name: params[name] for name in names if params.get(name) is not None}
    return lambda obj: all(obj[name] == value for name, value in wanted.items())


def page(
    state: State, kind: str, params: dict[str, Any], url: str, keep: Keep | None = None
) -> Obj:
    """A list object of ``kind``, newest first, per ``limit``/``starting_after``/``ending_before``.

    ``params`` are already checked against the endpoint's contract; ``created`` narrows by time.
    """
    limit = params.get("limit")
    if limit is None:
        limit = 10
    if not 1 <= limit <= 100:
        raise rejected(
            "Invalid limit: must be between 1 and 100",
            param="limit",
            code="parameter_invalid_integer",
        )
    after = params.get("starting_after")
    before = params.get("ending_before")
    if after is not None and before is not None:
        raise rejected(
            "You may only specify one of these parameters: ending_before, starting_after."
        )
    start, stop = state.created_range(kind, *_bounds(params.get("created")))
    order = state.order(kind)
    removed = state.removed
    taken: list[Obj] = []

    def take(index: int) -> bool:
        object_id = order[index]
        if object_id in removed:
            return False
        obj = state.objects[object_id]
        if keep is None or keep(obj):
            taken.append(obj)
        return len(taken) > limit

    if before is not None:
        for index in range(max(start, _cursor(state, kind, before, "ending_before") + 1), stop):
            if take(index):
                break
        has_more = len(taken) > limit
        data = list(reversed(taken[:limit]))
    else:
        top = stop if after is None else min(stop, _cursor(state, kind, after, "starting_after"))
        for index in range(top - 1, start - 1, -1):
            if take(index):
                break
        has_more = len(taken) > limit
        data = taken[:limit]
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def _cursor(state: State, kind: str, object_id: str, param: str) -> int:
    obj = state.objects.get(object_id)
    position = state.position(object_id)
    if obj is None or obj["object"] != kind or position is None:
        raise no_such(kind.replace("_", " ").replace(".", " "), object_id, param=param)
    return position


def search_page(state: State, kind: str, params: dict[str, Any], url: str, keep: Keep) -> Obj:
    """A ``search_result`` of ``kind``, newest first; ``page`` is the token of ``next_page``."""
    limit = params.get("limit") or 10
    if not 1 <= limit <= 100:
        raise rejected(
            "Invalid limit: must be between 1 and 100",
            param="limit",
            code="parameter_invalid_integer",
        )
    order = state.order(kind)
    top = len(order)
    token = params.get("page")
    if token is not None:
        position = state.position(token) if token in state.objects else None
        if position is None:
            raise invalid("Invalid page: the page token is not valid.", param="page")
        top = position
    taken: list[Obj] = []
    for index in range(top - 1, -1, -1):
        object_id = order[index]
        if object_id in state.removed:
            continue
        obj = state.objects[object_id]
        if keep(obj):
            taken.append(obj)
            if len(taken) > limit:
                break
    has_more = len(taken) > limit
    data = taken[:limit]
    return {
        "object": "search_result",
        "data": data,
        "has_more": has_more,
        "next_page": data[-1]["id"] if has_more else None,
        "url": url,
    }
