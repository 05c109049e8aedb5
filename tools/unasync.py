"""Generate ``AsyncFuturePayments`` (``_async_client.py``) from ``FuturePayments`` (``_client.py``).

The sync facade is the one source of both: signatures, defaults and docstrings are written once.
Each rule below is a textual change that makes the async twin; ``tests/test_facade_parity.py``
regenerates the twin in memory and fails when the committed file differs. Run ``make generate``
(``python tools/unasync.py``) after editing ``_client.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "future_payments"
SOURCE = "_client.py"
TARGET = "_async_client.py"

HEADER = (
    f"# Generated from {SOURCE} by tools/unasync.py: edit {SOURCE}, then run `make generate`.\n"
)

# (pattern, replacement), applied in order to the whole text.
RULES: tuple[tuple[str, str], ...] = (
    (
        r"The one source of both facades: .*",
        "Generated from ``_client.py`` by ``tools/unasync.py``.",
    ),
    (
        r"Every method blocks until its Stripe requests and store writes are done\.",
        "Every method is a coroutine: Stripe is called through the SDK's ``*_async`` methods and\n"
        "    the store's work runs through ``AsyncStore.run``, so nothing blocks the event loop.",
    ),
    (r"``SQLiteStore\(\"future_payments\.db\"\)``", "``ThreadedStore(SQLiteStore(...))``"),
    (r'SQLiteStore\("future_payments\.db"\)', 'ThreadedStore(SQLiteStore("future_payments.db"))'),
    (r"\bFuturePayments\b", "AsyncFuturePayments"),
    (r"\bStore\b", "AsyncStore"),
    (r"\bstore_or_default\b", "async_store_or_default"),
    (r"return run_sync\(", "return await run_async("),
    (r"\brun_sync\b", "run_async"),
    (r"return run_units_sync\(", "return await run_units_async("),
    (r"\brun_units_sync\b", "run_units_async"),
    # Every method but dunders and properties becomes a coroutine.
    (r"(?<!@property\n)    def (?!__)", "    async def "),
    (r"(?<!def )(?<!await )self\._run\(", "await self._run("),
    (r"(?<!def )(?<!await )self\._run_event\(", "await self._run_event("),
)


def generate(source: str) -> str:
    """The async twin of the sync facade's source text."""
    text = source
    for pattern, replacement in RULES:
        text = re.sub(pattern, replacement, text)
    return HEADER + text


def main() -> int:
    """Write ``_async_client.py``; exit 1 if ``--check`` finds it out of date."""
    generated = generate((PACKAGE / SOURCE).read_text())
    target = PACKAGE / TARGET
    if "--check" in sys.argv[1:]:
        if target.read_text() != generated:
            print(f"{target} is out of date: run `make generate`", file=sys.stderr)
            return 1
        return 0
    target.write_text(generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
