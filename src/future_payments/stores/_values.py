"""What every store can keep: the check that refuses, before any work, what no database holds.

PostgreSQL cannot store NUL in text, no UTF-8 database can store a lone surrogate, the SQL
stores' key columns hold 255 characters and their integers 64 bits. So that every store answers
alike (a test on ``MemoryStore`` means the same on PostgreSQL), every store refuses such a value
with ``UnstorableValue`` before it reads or writes anything: ``@refuses_unstorable`` wraps each
``Store`` method of a class with the check of its arguments, found by parameter name.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, cast

import attrs

from future_payments._limits import MAX_REF_LENGTH, SHORT_LENGTH, TEXT_LENGTH, TOKEN_LENGTH
from future_payments.errors import UnstorableValue
from future_payments.stores._protocol import Store

_KEYS = (
    "customer_ref",
    "customer_id",
    "session_id",
    "payment_method_id",
    "id",
    "event_id",
    "event_ids",
    "idempotency_key",
    "payment_intent_id",
    "refund_key",
    "refund_id",
    "key",
)
LIMITS: dict[str, int] = {
    **dict.fromkeys(_KEYS, MAX_REF_LENGTH),
    **dict.fromkeys(("currency", "status", "state", "last4", "kind"), SHORT_LENGTH),
    **dict.fromkeys(
        (
            "type",
            "event_type",
            "brand",
            "fingerprint",
            "code",
            "decline_code",
            "reason",
            "failure_reason",
        ),
        TEXT_LENGTH,
    ),
    "token": TOKEN_LENGTH,
}
"""The longest string each field or argument may hold, by name; unnamed text is unbounded."""

_INT64 = range(-(2**63), 2**63)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

S = TypeVar("S")


def check(name: str, value: object) -> None:
    """Raise ``UnstorableValue`` unless every store can keep ``value`` as ``name``."""
    kind = type(value)
    if kind is str:  # the common case first: keys and refs
        text = cast(str, value)
        limit = LIMITS.get(name.rpartition(".")[2].partition("[")[0])
        if _UNSTORABLE.search(text) is not None or (limit is not None and len(text) > limit):
            _refuse_text(name, text, limit)
    elif value is None or kind is bool:
        return
    elif kind is int or isinstance(value, int):
        if value not in _INT64:
            raise UnstorableValue(
                f"{name} is an integer of {cast(int, value).bit_length()} bits; stores keep "
                "signed 64-bit integers. Refuse it before it reaches the store."
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UnstorableValue(f"{name} is {value}; stores keep finite numbers only.")
    elif isinstance(value, str):
        check(name, str(value))  # a str subclass: as the plain string it stores as
    elif kind is list or kind is tuple:
        for position, item in enumerate(cast("list[object]", value)):
            check(f"{name}[{position}]", item)
    elif attrs.has(kind):
        for field in attrs.fields(cast(Any, kind)):
            check(f"{name}.{field.name}", getattr(value, field.name))
    else:
        raise UnstorableValue(
            f"{name} is a {kind.__name__}; stores keep str, int, float and bool values."
        )


def _refuse_text(name: str, value: str, limit: int | None) -> NoReturn:
    found = _UNSTORABLE.search(value)
    if found is not None:
        what = "a NUL character" if found.group() == "\x00" else "a lone surrogate"
        # Never the value itself: it may be a client secret.
        raise UnstorableValue(
            f"{name} contains {what} (at index {found.start()}), which no database column "
            "holds; refuse or clean such input before it reaches the store."
        )
    raise UnstorableValue(f"{name} is {len(value)} characters long; stores keep at most {limit}.")


def refuses_unstorable(cls: type[S]) -> type[S]:
    """Wrap each ``Store`` method of ``cls`` so that it checks its arguments first (``check``)."""
    for name, function in vars(Store).items():
        if name.startswith("_") or not inspect.isfunction(function):
            continue
        setattr(cls, name, _checked(getattr(cls, name)))
    return cls


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    names = list(inspect.signature(method).parameters)[1:]  # after self

    @functools.wraps(method)
    def checked(self: object, *args: object, **kwargs: object) -> Any:
        for position, value in enumerate(args):
            check(names[position], value)
        for name, value in kwargs.items():
            check(name, value)
        return method(self, *args, **kwargs)

    return checked
