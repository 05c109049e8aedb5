"""Rows <-> value objects, shared by the SQL stores (sqlite3 rows and SQLAlchemy row mappings).

Values go in as one dict per record, keyed by column (``*_params``); rows come out through
``*_from_row``. Also the SQL both stores derive from the models: the rank of a stored state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar, cast

import attrs

from future_payments._models import (
    CHARGE_STATE_RANK,
    REFUND_STATUS_RANK,
    SETTLED_CHARGE_STATES,
    Attempt,
    ChargeRecord,
    PendingEvent,
    RefundRecord,
    SavedPaymentMethod,
    SetupSessionRecord,
)

R = TypeVar("R")

SETTLED_STATES: tuple[str, ...] = tuple(sorted(SETTLED_CHARGE_STATES))
"""The settled charge states in a fixed order, for ``NOT IN (...)`` clauses."""


class Row(Protocol):
    """Anything that reads a column by name: ``sqlite3.Row``, SQLAlchemy's ``RowMapping``."""

    def __getitem__(self, key: str, /) -> Any: ...


def method_params(method: SavedPaymentMethod, *, as_of: int) -> dict[str, Any]:
    """A method's columns, ``as_of`` included; never ``is_default`` (the store decides it)."""
    values = attrs.asdict(method)
    del values["is_default"]
    return {**values, "as_of": as_of}


def charge_params(charge: ChargeRecord) -> dict[str, Any]:
    """A ledger row's columns, its ``state_rank`` included."""
    return {**attrs.asdict(charge), "state_rank": charge.rank}


def refund_params(refund: RefundRecord) -> dict[str, Any]:
    """A refund's columns, its ``status_rank`` included."""
    return {**attrs.asdict(refund), "status_rank": refund.rank}


def session_from_row(row: Row) -> SetupSessionRecord:
    """A ``setup_sessions`` row as its value object."""
    return _record(SetupSessionRecord, row)


def method_from_row(row: Row) -> SavedPaymentMethod:
    """A ``payment_methods`` row as its value object."""
    return _record(SavedPaymentMethod, row)


def charge_from_row(row: Row) -> ChargeRecord:
    """A ``charges`` row as its value object."""
    return _record(ChargeRecord, row)


def refund_from_row(row: Row) -> RefundRecord:
    """A ``refunds`` row as its value object."""
    return _record(RefundRecord, row)


def attempt_from_row(row: Row) -> Attempt:
    """An ``attempts`` row as its value object (``key`` is the ``attempt_key`` column)."""
    return _record(Attempt, row, key="attempt_key")


def pending_from_row(row: Row) -> PendingEvent:
    """A ``pending_events`` row (its lease left out) as its value object."""
    return _record(PendingEvent, row)


def _record(cls: type[R], row: Row, **columns: str) -> R:
    """``cls`` from a row of the store's own tables, whose columns are named after its fields.

    ``columns`` maps a field to another column name. Flags come back as 0/1 from SQLite and
    MariaDB, hence ``bool``; states and statuses are the strings the store wrote.
    """
    values = {}
    for field in attrs.fields(cast(Any, cls)):
        value = row[columns.get(field.name, field.name)]
        values[field.name] = bool(value) if field.type in ("bool", bool) else value
    return cls(**values)


def rank_case(column: str, ranks: Mapping[Any, int]) -> str:
    """SQL that maps ``column``'s stored state to its rank (for migrating older rows)."""
    whens = " ".join(f"WHEN '{state}' THEN {rank}" for state, rank in ranks.items())
    return f"CASE {column} {whens} ELSE 0 END"


CHARGE_RANK_SQL = rank_case("state", CHARGE_STATE_RANK)
"""``charges.state_rank`` computed from ``charges.state``."""

REFUND_RANK_SQL = rank_case("status", REFUND_STATUS_RANK)
"""``refunds.status_rank`` computed from ``refunds.status``."""
