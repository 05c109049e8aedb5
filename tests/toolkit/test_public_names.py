"""The toolkit's names are exported from future_payments.testing."""

from __future__ import annotations

import future_payments.testing


def test_toolkit_names_are_public() -> None:
    """Scenarios, delivery and vcrpy helpers are in __all__ and resolve."""
    names = {
        "Delivered",
        "Scenarios",
        "SupportsPost",
        "deliver_webhooks",
        "saved_card",
        "vcr_config",
    }

    assert names <= set(future_payments.testing.__all__)
    assert all(getattr(future_payments.testing, name) is not None for name in names)


def test_all_is_sorted() -> None:
    """__all__ stays sorted (ruff's order: constants, classes, functions)."""
    assert sorted(
        future_payments.testing.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n)
    ) == list(future_payments.testing.__all__)
