"""The schema versions of the SQL stores, and the ordered steps from each to the next.

Both ``SQLiteStore`` and ``SQLAlchemyStore`` keep the same tables under the same names (the
SQLAlchemy ones with a prefix), so one list of steps migrates both: each store runs the steps
above the version it finds, in order, then creates the tables that are still missing from its
current layout. The next version appends a ``Step``. Steps only add, and every operation of a
step first checks whether it is done, so a step that stopped half-way can run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from future_payments.stores._rows import CHARGE_RANK_SQL

SCHEMA_VERSION = 3
"""The layout the stores write and read; older ones are migrated, newer ones refused."""


@attrs.frozen
class Step:
    """What one schema version adds to the one before it."""

    version: int
    """The version the tables have after this step."""
    columns: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    """Per table that existed before, the columns it gains (defined in the current layout)."""
    fill: Sequence[str] = ()
    """SQL that computes the new columns of stored rows; ``{charges}`` names that table."""
    tables: Sequence[str] = ()
    """The tables this version introduces (created from the current layout)."""
    exact_keys: bool = False
    """On MariaDB/MySQL, turn the key columns of the existing tables into binary ones."""


MIGRATIONS: Sequence[Step] = (
    Step(
        version=2,
        columns={"charges": ("disputed", "version", "state_rank")},
        fill=(f"UPDATE {{charges}} SET state_rank = {CHARGE_RANK_SQL}",),  # noqa: S608 - constants
        tables=("refunds", "attempts"),
        exact_keys=True,
    ),
    # Deferred webhooks: claims name their holder, and verified events can wait in the store.
    Step(version=3, columns={"events": ("claim_token",)}, tables=("pending_events",)),
)
"""Every step from version 1 on, in order; ``MIGRATIONS[-1].version == SCHEMA_VERSION``."""


def steps_after(version: int) -> list[Step]:
    """The steps that bring tables of ``version`` to ``SCHEMA_VERSION``, in order."""
    return [step for step in MIGRATIONS if step.version > version]


def tables_at(version: int, tables: Iterable[str]) -> list[str]:
    """Those of ``tables`` (today's names) that a database of ``version`` has."""
    later = {t for step in steps_after(version) for t in step.tables}
    return [t for t in tables if t not in later]


def columns_at(version: int, table: str, columns: Iterable[str]) -> set[str]:
    """Those of ``table``'s ``columns`` (today's) that it has at ``version``."""
    later = {c for step in steps_after(version) for c in step.columns.get(table, ())}
    return set(columns) - later
