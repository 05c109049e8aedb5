"""SQLiteStore: placeholder until the stores work lands (being written now)."""

from __future__ import annotations

from future_payments.stores._memory import MemoryStore


class SQLiteStore(MemoryStore):
    """Placeholder: replaced by the real SQLite implementation."""

    def __init__(self, path: str = "future_payments.db") -> None:
        super().__init__()
        self.path = path
