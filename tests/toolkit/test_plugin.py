"""The pytest plugin, as a user gets it: a sample project with no conftest, run by pytester.

The project only has future-payments installed (the plugin comes through the ``pytest11``
entry point) and a strict pytest configuration, as a careful project would.
"""

from __future__ import annotations

import pytest

PYPROJECT = """
[tool.pytest.ini_options]
addopts = ["-ra", "--strict-markers", "--strict-config"]
xfail_strict = true
filterwarnings = ["error"]
"""

SHOP = '''
"""The user's application code: what to do with each charge outcome."""

from future_payments import Charged, Declined, FuturePayments, NeedsAuthentication, Processing


def bill(payments: FuturePayments, customer_ref: str, order_id: int, amount: int) -> str:
    result = payments.charge_saved(
        customer_ref, amount, "usd", idempotency_key=f"order-{order_id}"
    )
    match result:
        case Charged():
            return "paid"
        case NeedsAuthentication():
            return "ask-customer-to-authenticate"
        case Declined(decline_code=code):
            return f"declined:{code}"
        case Processing():
            return "wait"
'''

TESTS = """
import pytest
import stripe

from future_payments import FuturePayments
from future_payments.testing import FakeStripe
from shop import bill


def test_fixtures_are_wired(payments, fake_stripe, stripe_client):
    assert isinstance(fake_stripe, FakeStripe)
    assert isinstance(stripe_client, stripe.StripeClient)
    assert isinstance(payments, FuturePayments)
    customer = stripe_client.v1.customers.create()
    assert [("POST", "/v1/customers")] == [(r.method, r.path) for r in fake_stripe.requests]
    assert customer.id.startswith("cus_")


def test_each_test_gets_a_fresh_fake(fake_stripe):
    assert [] == fake_stripe.requests


def test_future_payments_uses_the_fake(payments, fake_stripe):
    payments.start_setup(
        "user-1", currency="usd", success_url="https://shop.test/ok", cancel_url="https://shop.test/no"
    )
    assert ["/v1/customers", "/v1/checkout/sessions"] == [r.path for r in fake_stripe.requests]


def test_saved_card_and_paid(payments, scenarios):
    scenarios.saved_card("user-1")
    assert "paid" == bill(payments, "user-1", 1, 1999)


def test_needs_authentication(payments, scenarios):
    scenarios.saved_card("user-1")
    scenarios.next_charge_fails("authentication_required")
    assert "ask-customer-to-authenticate" == bill(payments, "user-1", 1, 1999)


def test_card_that_always_needs_authentication(payments, scenarios):
    scenarios.saved_card("user-1", card="4000002760003184")
    assert "ask-customer-to-authenticate" == bill(payments, "user-1", 1, 1999)


def test_declined_with_a_code(payments, fake_stripe, scenarios):
    scenarios.saved_card("user-1")
    fake_stripe.next_charge_fails("card_declined", decline_code="do_not_honor")
    assert "declined:do_not_honor" == bill(payments, "user-1", 1, 1999)


def test_webhooks_shuffled_and_duplicated(payments, fake_stripe):
    from future_payments.testing import deliver_webhooks, saved_card

    saved_card(payments, fake_stripe, "user-1")
    delivered = deliver_webhooks(
        fake_stripe, payments.complete_from_event, shuffle=True, seed=4, duplicate=2
    )
    assert "duplicate" in {d.response.action for d in delivered}
    assert 1 == len(payments.payment_methods("user-1"))


def test_webhooks_to_the_library(payments, scenarios):
    scenarios.saved_card("user-1")
    assert scenarios.deliver_webhooks()


@pytest.mark.stripe_live
def test_on_both(payments, stripe_client, stripe_mode):
    setup = payments.start_setup(
        "user-1", currency="usd", success_url="https://shop.test/ok", cancel_url="https://shop.test/no"
    )
    assert setup.session_id.startswith("cs_test_")
    assert stripe_mode in ("fake", "stripe_live")


@pytest.mark.stripe_live
def test_live_only_with_my_own_client():
    raise AssertionError("must not run without STRIPE_TEST_SECRET_KEY")
"""


DEPRECATED = """
def test_old_fixture_name(future_payments):
    assert future_payments is not None
"""


def _run(project: pytest.Pytester, *args: str) -> pytest.RunResult:
    # This venv holds the dev tools; a user's project with only future-payments has no
    # pytest-asyncio (which warns about its own config), so it is left out.
    return project.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:asyncio", *args)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A user's project: pyproject.toml, its app module and its tests, no conftest."""
    monkeypatch.delenv("STRIPE_TEST_SECRET_KEY", raising=False)
    monkeypatch.delenv("PYTEST_ADDOPTS", raising=False)
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makepyfile(shop=SHOP, test_shop=TESTS)
    return pytester


def test_every_fixture_and_helper_works_without_a_conftest(project: pytest.Pytester) -> None:
    """The sample project passes, the [stripe_live] runs skip with the reason."""
    result = _run(project)

    result.assert_outcomes(passed=10, skipped=2)
    reason = "*SKIPPED*stripe_live: set STRIPE_TEST_SECRET_KEY to a Stripe test-mode secret key*"
    result.stdout.fnmatch_lines([reason, reason])


def test_marked_test_runs_on_the_fake_and_live(project: pytest.Pytester) -> None:
    """A stripe_live test is collected once per mode."""
    result = _run(project, "--collect-only", "-q")

    result.stdout.fnmatch_lines(["*test_on_both[[]fake[]]", "*test_on_both[[]stripe_live[]]"])


def test_live_mode_key_is_refused_and_never_printed(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live-mode key fails the [stripe_live] runs, and its value appears nowhere."""
    monkeypatch.setenv("STRIPE_TEST_SECRET_KEY", "sk_live_DoNotPrintThis123")

    result = _run(project, "-k", "live or both")

    result.assert_outcomes(passed=1, errors=2)
    output = result.stdout.str() + result.stderr.str()
    assert "not a test-mode key" in output
    assert "DoNotPrintThis123" not in output


def test_old_fixture_name_warns(project: pytest.Pytester) -> None:
    """The fixture's old name still works for one release, with a DeprecationWarning."""
    project.makepyfile(test_old=DEPRECATED)

    result = _run(project, "-W", "default::DeprecationWarning", "test_old.py")

    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*DeprecationWarning: the future_payments fixture is now*"])


def test_old_fixture_name_fails_strict_suites(project: pytest.Pytester) -> None:
    """Under filterwarnings = error (the sample project's setting) the old name fails loudly."""
    project.makepyfile(test_old=DEPRECATED)

    result = _run(project, "test_old.py")

    result.assert_outcomes(errors=1)


def test_marker_is_registered(project: pytest.Pytester) -> None:
    """--markers lists stripe_live, so --strict-markers projects accept it."""
    result = _run(project, "--markers")

    result.stdout.fnmatch_lines(["@pytest.mark.stripe_live:*Stripe test mode*"])
