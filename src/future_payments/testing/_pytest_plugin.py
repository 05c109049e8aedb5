"""The pytest plugin (entry point ``pytest11``): fixtures for tests that run on the fake.

Installing ``future-payments`` is enough: ``fake_stripe``, ``stripe_client``, ``payments``,
``scenarios`` and ``stripe_mode`` are available in every test, no conftest needed.
(``future_payments``, the old name of ``payments``, still works for one release, with a
``DeprecationWarning``: it shadowed the package's own name in a test module.)

A test marked ``@pytest.mark.stripe_live`` runs twice: ``[fake]`` on the in-process fake and
``[stripe_live]`` against Stripe test mode, which is skipped unless ``STRIPE_TEST_SECRET_KEY``
holds a test-mode key. The key is never printed.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Literal, TypeAlias, cast

import pytest

if TYPE_CHECKING:
    import stripe

    from future_payments import FuturePayments
    from future_payments.testing._fake._fake import FakeStripe
    from future_payments.testing._scenarios import Scenarios

StripeMode: TypeAlias = Literal["fake", "stripe_live"]

KEY_VARIABLE = "STRIPE_TEST_SECRET_KEY"
"""The environment variable holding the Stripe test-mode key of ``[stripe_live]`` runs."""

WEBHOOK_SECRET_VARIABLE = "STRIPE_TEST_WEBHOOK_SECRET"  # noqa: S105 -- a variable name
"""Optional: the signing secret ``future_payments`` gets in ``[stripe_live]`` runs."""

_MARKER = "stripe_live"
_MODES: tuple[StripeMode, ...] = ("fake", "stripe_live")


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, so ``--strict-markers`` projects accept it."""
    config.addinivalue_line(
        "markers",
        f"{_MARKER}: run this test on the fake and again against Stripe test mode "
        f"(skipped unless {KEY_VARIABLE} is set to a test-mode key)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run a ``stripe_live`` test once per mode, when it uses the plugin's fixtures."""
    if metafunc.definition.get_closest_marker(_MARKER) and "stripe_mode" in metafunc.fixturenames:
        metafunc.parametrize("stripe_mode", _MODES, indirect=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A ``stripe_live`` test with its own client (none of our fixtures) needs the key too."""
    if item.get_closest_marker(_MARKER) and "stripe_mode" not in getattr(item, "fixturenames", ()):
        live_key()


def live_key() -> str:
    """The test-mode key from the environment; skip without one, fail on a live-mode key."""
    key = os.environ.get(KEY_VARIABLE, "")
    if not key:
        pytest.skip(
            f"{_MARKER}: set {KEY_VARIABLE} to a Stripe test-mode secret key (sk_test_... or "
            "rk_test_...) to run this test against Stripe test mode"
        )
    if not key.startswith(("sk_test_", "rk_test_")):
        # Never echo the value: a live key in a CI log is the very thing to prevent.
        pytest.fail(
            f"{KEY_VARIABLE} is not a test-mode key (it must start with sk_test_ or rk_test_); "
            "refusing to run against live mode",
            pytrace=False,
        )
    return key


@pytest.fixture
def stripe_mode(request: pytest.FixtureRequest) -> StripeMode:
    """``"fake"``, or ``"stripe_live"`` in the Stripe test-mode run of a marked test."""
    mode = cast("StripeMode", getattr(request, "param", "fake"))
    if mode == "stripe_live":
        live_key()
    return mode


@pytest.fixture
def fake_stripe(stripe_mode: StripeMode) -> FakeStripe:
    """A fresh in-process fake Stripe for this test."""
    if stripe_mode == "stripe_live":
        pytest.skip(
            "this test uses fake_stripe, which only exists on the fake: its [stripe_live] run "
            "is skipped (use stripe_client / payments alone to run against Stripe)"
        )
    from future_payments.testing._fake._fake import FakeStripe

    return FakeStripe()


@pytest.fixture
def stripe_client(request: pytest.FixtureRequest, stripe_mode: StripeMode) -> stripe.StripeClient:
    """A genuine ``stripe.StripeClient`` on ``fake_stripe``, or on Stripe test mode."""
    if stripe_mode == "stripe_live":
        import stripe

        return stripe.StripeClient(live_key(), max_network_retries=2)
    fake = cast("FakeStripe", request.getfixturevalue("fake_stripe"))
    return fake.client()


@pytest.fixture
def payments(
    request: pytest.FixtureRequest, stripe_mode: StripeMode, stripe_client: stripe.StripeClient
) -> FuturePayments:
    """A ``FuturePayments`` on a ``MemoryStore`` and ``stripe_client``.

    On the fake: the fake's webhook secret and clock (``now=fake_stripe.clock.now``). Against
    Stripe test mode: ``STRIPE_TEST_WEBHOOK_SECRET`` when set, and real time.
    """
    from future_payments import FuturePayments, MemoryStore

    if stripe_mode == "stripe_live":
        return FuturePayments(
            client=stripe_client,
            store=MemoryStore(),
            webhook_secret=os.environ.get(WEBHOOK_SECRET_VARIABLE) or None,
        )
    fake = cast("FakeStripe", request.getfixturevalue("fake_stripe"))
    return FuturePayments(
        client=stripe_client,
        store=MemoryStore(),
        webhook_secret=fake.webhook_secret,
        now=fake.clock.now,
    )


@pytest.fixture
def future_payments(payments: FuturePayments) -> FuturePayments:
    """Deprecated: the ``payments`` fixture under its old name (removed in the next release)."""
    warnings.warn(
        "the future_payments fixture is now called payments (the old name shadowed the "
        "future_payments package in test modules); rename the test's argument",
        DeprecationWarning,
        stacklevel=2,
    )
    return payments


@pytest.fixture
def scenarios(payments: FuturePayments, fake_stripe: FakeStripe) -> Scenarios:
    """One-call scenarios (``saved_card``, ``needs_authentication``, ``charged``,
    ``next_charge_fails``, ``deliver_webhooks``)."""
    from future_payments.testing._scenarios import Scenarios

    return Scenarios(payments, fake_stripe)
