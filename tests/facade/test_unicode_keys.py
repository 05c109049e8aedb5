"""Any Unicode ref or key works over real HTTP, not only in-process.

The derived Idempotency-Key travels in an HTTP header, which only carries Latin-1 (and the SDK's
``requests`` client refuses anything else), so a key such as ``заказ-1`` used to fail for ever over
HTTP while the in-process fake accepted it. Every test here talks HTTP to a ``FakeServer``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from future_payments import Charged, FuturePayments, MemoryStore
from future_payments._stripe import derived_key
from future_payments.testing import FakeServer, FakeStripe

REFS_AND_KEYS = [
    ("用户-42", "订单-1001"),
    ("user-€", "заказ-1"),
    ("user-1 ", "order-1 "),  # trailing spaces: a header would lose them
    ("ÅNGSTRÖM", "Ω-7"),
    ("x" * 255, "k" * 255),
]


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake Stripe over HTTP on loopback."""
    with FakeServer(FakeStripe()) as running:
        yield running


@pytest.mark.parametrize(("ref", "key"), REFS_AND_KEYS, ids=lambda v: repr(v)[:20])
def test_whole_flow_with_unicode_ref_and_key_over_http(
    server: FakeServer, ref: str, key: str
) -> None:
    """Setup, completion and a charge with such a ref and key succeed over HTTP."""
    fake = server.fake
    payments = FuturePayments(client=server.client(), store=MemoryStore())
    setup = payments.start_setup(
        ref,
        currency="usd",
        success_url="https://shop.example/ok?s={CHECKOUT_SESSION_ID}",
        cancel_url="https://shop.example/no",
    )
    fake.complete_checkout(setup.session_id)
    saved = payments.complete_from_session(setup.session_id)

    result = payments.charge_saved(ref, 1999, "usd", idempotency_key=key)

    assert ref == saved.customer_ref
    assert isinstance(result, Charged)
    sent = [r.idempotency_key for r in fake.requests if r.idempotency_key is not None]
    assert all(k.isascii() and k.isprintable() and len(k) <= 255 for k in sent)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("order-1", "order-1 "),
        ("order-1", "ORDER-1"),
        ("caf\u00e9", "cafe\u0301"),  # NFC and NFD spellings of "café"
        ("a:b", "a#b"),
    ],
)
def test_keys_that_differ_in_any_way_derive_different_stripe_keys(a: str, b: str) -> None:
    """Trailing spaces, case and normalisation all give distinct Idempotency-Keys."""
    assert derived_key("charge", a) != derived_key("charge", b)


def test_attempts_derive_distinct_keys() -> None:
    """Each attempt of one key has its own Idempotency-Key, and none equals another key's."""
    keys = {derived_key("charge", k, n) for k in ("a", "a#2", "b") for n in (1, 2, 3)}

    assert 9 == len(keys)
