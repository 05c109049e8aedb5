"""The Checkout form's validation, on its own."""

from __future__ import annotations

import datetime

import pytest

from future_payments.testing._server._card_form import CardForm, grouped, validate

JUNE_2027 = int(datetime.datetime(2027, 6, 15, tzinfo=datetime.UTC).timestamp())


@pytest.mark.parametrize(
    ("expiry", "expected"),
    [
        ("05 / 27", {"expiry": "Your card's expiration date is in the past."}),
        ("06 / 27", {}),
        ("0627", {}),
        ("06/2027", {}),
        ("12 / 26", {"expiry": "Your card's expiration year is in the past."}),
        ("12 / 99", {"expiry": "Your card's expiration year is invalid."}),
        ("ab / cd", {"expiry": "Your card's expiration date is incomplete."}),
    ],
)
def test_expiry_against_the_clock(expiry: str, expected: dict[str, str]) -> None:
    """The expiry is checked against the given time, month by month."""
    form = CardForm(number="4242424242424242", expiry=expiry, cvc="123")

    assert expected == validate(form, JUNE_2027)


def test_valid_form_has_no_errors() -> None:
    """A complete, valid form yields no message."""
    assert {} == validate(
        CardForm(number="4242 4242 4242 4242", expiry="12/30", cvc="123"), JUNE_2027
    )


def test_amex_grouping() -> None:
    """American Express numbers are grouped 4-6-5, others by four."""
    assert ("3782 822463 10005", "4242 4242 4242 4242") == (
        grouped("378282246310005"),
        grouped("4242424242424242"),
    )
