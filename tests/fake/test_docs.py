"""docs/fake.md says what the fake does: its ignored parameters, its cards, its defaults."""

from __future__ import annotations

import re
from pathlib import Path

from future_payments.testing import TEST_CARDS, TEST_PAYMENT_METHODS, FakeStripe

from ._ignored import UNSEEN, documented

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "fake.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = PAGE.index(f"## {title}")
    end = PAGE.find("\n## ", start + 1)
    return PAGE[start : end if end != -1 else None]


def test_ignored_table_is_what_the_fake_ignores() -> None:
    """The "Accepted and ignored" table lists exactly the parameters that change nothing."""
    rows = re.findall(r"^\| `([A-Z]+ [^`]+)` \| (.+) \|$", _section("Accepted and ignored"), re.M)
    table = {key: re.findall(r"`([a-z_]+)`", names) for key, names in rows}
    assert documented() == table


def test_unseen_parameters_name_declared_ones() -> None:
    """The trial's exceptions are all parameters the fake does act on (none is stale)."""
    assert all(reason for reason in UNSEEN.values())


def test_every_test_card_number_is_documented() -> None:
    """Each number of TEST_CARDS appears in the page."""
    assert [] == [number for number in TEST_CARDS if number not in PAGE]


def test_every_test_payment_method_is_documented() -> None:
    """Each pm_card_* id (aliases too) appears in the page, or follows pm_card_<country>."""
    countries = {c.payment_method for c in TEST_CARDS.values() if c.payment_method.count("_") == 2}
    missing = [pm for pm in TEST_PAYMENT_METHODS if pm not in PAGE and pm not in countries]
    assert [] == missing


def test_default_configuration_table_is_the_default() -> None:
    """The table of default payment method types matches a new fake's configuration."""
    config = FakeStripe().payment_method_configuration
    section = _section("What is simulated")
    rows = dict(
        re.findall(
            r"^\| (setup-mode Checkout Session|SetupIntent|PaymentIntent) \| (.+) \|$",
            section,
            re.M,
        )
    )
    documented_types = {k: re.findall(r"`([a-z_]+)`", v) for k, v in rows.items()}
    assert {
        "setup-mode Checkout Session": config.checkout_setup,
        "SetupIntent": config.setup_intent,
        "PaymentIntent": config.payment_intent,
    } == documented_types
