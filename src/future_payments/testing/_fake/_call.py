"""What every handler receives (``Call``), and the helpers handlers share.

A handler is ``(call: Call) -> Obj``: the state, who is asking, the ids in the path and the
request's parameters, already checked against the SDK's contract and typed (``None`` for a
parameter sent empty, which unsets a field).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import attrs

from future_payments.testing._fake._declarations import fields_of, shaped
from future_payments.testing._fake._errors import rejected
from future_payments.testing._fake._state import Context, Obj, State

Params = dict[str, Any]

# Parameters that are never a field to echo, whatever their name.
_NOT_FIELDS = frozenset({"expand", "limit", "starting_after", "ending_before", "created"})


@attrs.frozen
class Call:
    """One request, as a handler sees it."""

    state: State
    ctx: Context
    ids: tuple[str, ...]
    params: Params

    @property
    def id(self) -> str:
        """The (first) id in the path."""
        return self.ids[0]


Handler = Callable[[Call], Obj]


def echoed(
    cls: type, params: Params, *, skip: Iterable[str] = (), current: Obj | None = None
) -> dict[str, Any]:
    """The parameters that name a field of ``cls``, shaped as ``cls`` declares that field.

    ``metadata`` is left to ``merged_metadata``; ``skip`` names the ones the handler sets itself.
    With ``current`` (an update), a hash sent in part keeps the keys it does not name.
    """
    fields = fields_of(cls)
    leave = _NOT_FIELDS | {"metadata", *skip}
    out = {}
    for name, value in params.items():
        if name not in fields or name in leave:
            continue
        old = None if current is None else current.get(name)
        if isinstance(value, dict) and isinstance(old, dict):
            value = _merged(old, value)
        out[name] = shaped(value, fields[name])
    return out


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = dict(old)
    for key, value in new.items():
        before = out.get(key)
        out[key] = (
            _merged(before, value)
            if isinstance(value, dict) and isinstance(before, dict)
            else value
        )
    return out


def merged_metadata(current: dict[str, str] | None, params: Params) -> dict[str, str]:
    """``metadata`` after this request: keys set, keys sent empty removed, ``metadata=`` clears."""
    result = dict(current or {})
    if "metadata" not in params:
        return result
    value = params["metadata"]
    if value is None:
        return {}
    for key, item in value.items():
        if len(key) > 40:
            raise rejected(
                f"Invalid metadata: metadata keys can have up to 40 characters ({key[:40]}...).",
                param=f"metadata[{key}]",
            )
        if item is None:
            result.pop(key, None)
        elif len(str(item)) > 500:
            raise rejected(
                "Invalid metadata: metadata values can have up to 500 characters.",
                param=f"metadata[{key}]",
            )
        else:
            result[key] = str(item)
    if len(result) > 50:
        raise rejected(
            "Invalid metadata: an object can have at most 50 metadata keys.", param="metadata"
        )
    return result


def changes_of(obj: Obj, changes: dict[str, Any]) -> Obj:
    """``previous_attributes`` of an update: the old values of the fields that changed."""
    return {k: obj.get(k) for k, v in changes.items() if obj.get(k) != v}


def updated(
    call: Call, obj: Obj, changes: dict[str, Any], *events: str, always: bool = False
) -> Obj:
    """Apply ``changes`` and record ``events`` with ``previous_attributes`` if anything changed
    (or ``always``)."""
    previous = changes_of(obj, changes)
    call.state.update(obj, changes)
    if previous or always:
        for event in events:
            call.state.record_event(call.ctx, event, obj, previous)
    return obj
