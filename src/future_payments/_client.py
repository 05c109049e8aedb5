"""FuturePayments: placeholder while the facade is written."""

from __future__ import annotations


class FuturePayments:
    """Placeholder."""
