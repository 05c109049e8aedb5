"""Stripe event bodies: read a webhook payload into a ``ParsedEvent`` of plain JSON data.

Parsing is separate from verification (``_signature``): a delivery can be verified once and parsed
later, or parsed without verification when it came from a trusted queue.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from typing import Any, NoReturn

import attrs

from future_payments._signature import raise_wrong_payload_type
from future_payments.errors import MalformedPayload


@attrs.frozen
class ParsedEvent:
    """A Stripe event, read from a webhook body: plain JSON data, no SDK objects.

    ``data_object`` is a read-only view of the event's ``data.object``; values nested inside it
    are plain JSON (dicts, lists, str, int, float, bool, None). ``previous_attributes`` is
    ``data.previous_attributes`` (present on ``*.updated`` events), else ``None``.

    Neither mapping appears in the repr: event objects can carry a ``client_secret``.
    """

    id: str
    type: str
    created: int
    livemode: bool
    api_version: str | None
    data_object: Mapping[str, Any] = attrs.field(repr=False, hash=False)
    previous_attributes: Mapping[str, Any] | None = attrs.field(repr=False, hash=False)
    account: str | None = None
    """The connected account the event is about (Connect), or None for the platform's own."""

    @property
    def object_id(self) -> str | None:
        """The id of the object the event is about (``data.object.id``).

        ``None`` only for the few objects without one (``balance.available`` carries a balance).
        """
        value = self.data_object.get("id")
        return value if isinstance(value, str) else None


def parse_event(payload: bytes | str) -> ParsedEvent:
    """Read a Stripe event from a webhook body, without verifying it.

    Call :func:`verify_signature` first unless the body came from a trusted source, or use
    :func:`construct_event` for both.

    Raises:
        MalformedPayload: The body is not JSON, not an object, or lacks ``id``, ``type``,
            ``created``, ``livemode`` or ``data.object`` of the right JSON types.
    """
    if not isinstance(payload, str | bytes | bytearray):
        raise_wrong_payload_type(payload)
    try:
        event = json.loads(payload, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        # ValueError covers JSONDecodeError and UnicodeDecodeError; RecursionError, absurd nesting.
        raise MalformedPayload(
            "The webhook body is not valid JSON. Pass the raw request body exactly as "
            "received, and check that this URL receives only Stripe webhooks."
        ) from exc
    if not isinstance(event, dict):
        _malformed(f"the body is a JSON {_json_kind(event)}, not an object")
    kind = event.get("object", "event")
    if kind != "event":
        if kind == "v2.core.event":
            _malformed(
                "it is a thin (v2) event notification, which this library does not handle; "
                "configure the endpoint to send snapshot events"
            )
        _malformed("its 'object' field is not 'event'")

    event_id = event.get("id")
    event_type = event.get("type")
    created = event.get("created")
    livemode = event.get("livemode")
    api_version = event.get("api_version")
    data = event.get("data")
    if not isinstance(event_id, str) or not event_id:
        _malformed("'id' is missing or not a non-empty string")
    if not isinstance(event_type, str) or not event_type:
        _malformed("'type' is missing or not a non-empty string")
    if not isinstance(created, int) or isinstance(created, bool) or not 0 <= created < 2**63:
        _malformed("'created' is missing or not a Unix time in seconds")
    if not isinstance(livemode, bool):
        _malformed("'livemode' is missing or not a boolean")
    if api_version is not None and not isinstance(api_version, str):
        _malformed("'api_version' is not a string")
    account = event.get("account")
    if account is not None and not isinstance(account, str):
        _malformed("'account' is not a string")
    if not isinstance(data, dict):
        _malformed("'data' is missing or not an object")
    data_object = data.get("object")
    if not isinstance(data_object, dict):
        _malformed("'data.object' is missing or not an object")
    previous = data.get("previous_attributes")
    if previous is not None and not isinstance(previous, dict):
        _malformed("'data.previous_attributes' is not an object")

    return ParsedEvent(
        id=event_id,
        type=event_type,
        created=created,
        livemode=livemode,
        api_version=api_version,
        account=account or None,
        data_object=types.MappingProxyType(data_object),
        previous_attributes=None if previous is None else types.MappingProxyType(previous),
    )


def _malformed(reason: str) -> NoReturn:
    raise MalformedPayload(
        f"The webhook body is not a Stripe event: {reason}. Check that this URL receives only "
        "Stripe webhooks and that the body is passed exactly as received."
    )


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"
