"""What the three apps share: configuration from the environment, forms, and pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from examples._shared import FormError, Pages, forms, services_from_env
from examples._shared.pages import ChargeLine, card_label, error_status, money

from future_payments import (
    AsyncFuturePayments,
    FuturePayments,
    NeedsAuthentication,
    Refunded,
    SavedPaymentMethod,
    SessionNotComplete,
)
from future_payments.stores import ChargeRecord


def test_without_a_key_the_app_runs_on_a_fake_server(tmp_path: Path) -> None:
    """No STRIPE_SECRET_KEY: a FakeServer starts, forwarding webhooks to the app's route."""
    env = {"FUTURE_PAYMENTS_DB": str(tmp_path / "example.db")}
    services = services_from_env(FuturePayments, app_url="http://127.0.0.1:8000/", environ=env)
    try:
        assert services.fake_server is not None
        assert "http://127.0.0.1:8000/webhooks/stripe" == services.fake_server.webhook_url
        setup = services.payments.start_setup(
            "demo", currency="usd", success_url="http://a.test/ok", cancel_url="http://a.test/"
        )
        assert setup.url.startswith(f"{services.fake_server.url}/checkout/")
        assert (tmp_path / "example.db").exists()
    finally:
        services.close()
    services.close()  # a second close does nothing


def test_with_a_key_the_app_talks_to_the_configured_api(tmp_path: Path) -> None:
    """STRIPE_SECRET_KEY and STRIPE_API_BASE select that API; no fake is started."""
    env = {
        "STRIPE_SECRET_KEY": "sk_test_example",
        "STRIPE_WEBHOOK_SECRET": "whsec_example",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        "FUTURE_PAYMENTS_DB": str(tmp_path / "example.db"),
    }
    services = services_from_env(AsyncFuturePayments, app_url="http://127.0.0.1:8000", environ=env)
    try:
        assert services.fake_server is None
        assert services.http_client is not None
        assert "http://127.0.0.1:9" == services.stripe._requestor.base_addresses.get("api")
    finally:
        services.close()


def test_default_database_is_a_temporary_file_removed_at_close() -> None:
    """Without FUTURE_PAYMENTS_DB the SQLite file lives in a temp dir that close() removes."""
    env = {"STRIPE_SECRET_KEY": "sk_test_example", "STRIPE_WEBHOOK_SECRET": "whsec_example"}
    services = services_from_env(FuturePayments, app_url="http://127.0.0.1:8000", environ=env)
    path = Path(services.payments.store.path)  # type: ignore[attr-defined]
    assert path.parent.exists()
    services.close()
    assert not path.parent.exists()


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "demo-user"), ("", "demo-user"), (" alice@x ", "alice@x")]
)
def test_customer_ref_from_the_cookie(value: str | None, expected: str) -> None:
    """An absent cookie is the demo user; spaces around a ref are dropped."""
    assert expected == forms.customer_ref(value)


def test_bad_customer_ref_is_a_form_error_but_error_pages_still_render() -> None:
    """A ref with markup is refused; error pages fall back to the demo user."""
    with pytest.raises(FormError):
        forms.customer_ref("<b>")
    assert "demo-user" == forms.customer_ref_or_default("<b>")


def test_setup_urls_carry_the_session_placeholder() -> None:
    """success_url has Stripe's {CHECKOUT_SESSION_ID}; both stay on the app."""
    success, cancel = forms.setup_urls("http://127.0.0.1:8000/")
    assert "http://127.0.0.1:8000/saved?session_id={CHECKOUT_SESSION_ID}" == success
    assert "http://127.0.0.1:8000/account?notice=cancelled" == cancel


def test_idempotency_keys_are_fresh_and_accepted_by_the_form() -> None:
    """Each key is new, and the charge form reads it back."""
    key = forms.new_idempotency_key()
    assert key != forms.new_idempotency_key()
    form = forms.charge_form({"amount": "1999", "currency": "USD", "idempotency_key": key})
    assert (1999, "usd", key) == (form.amount, form.currency, form.idempotency_key)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(1999, "usd", "19.99 USD"), (500, "jpy", "500 JPY"), (5, "eur", "0.05 EUR")],
)
def test_money(amount: int, currency: str, expected: str) -> None:
    """Minor units shown in major units; zero-decimal currencies as they are."""
    assert expected == money(amount, currency)


def method(**changes: object) -> SavedPaymentMethod:
    values: dict[str, object] = {
        "id": "pm_1",
        "customer_ref": "demo-user",
        "customer_id": "cus_1",
        "type": "card",
        "brand": "visa",
        "last4": "4242",
        "exp_month": 4,
        "exp_year": 2031,
    }
    values.update(changes)
    return SavedPaymentMethod(**values)  # type: ignore[arg-type]


def test_card_label() -> None:
    """Brand, last four digits and expiry; the type for methods without a brand."""
    assert "Visa •••• 4242, expires 04/2031" == card_label(method())
    no_brand = method(type="sepa_debit", brand=None, exp_month=None, exp_year=None)
    assert "Sepa Debit •••• 4242" == card_label(no_brand)


def test_account_page_shows_the_pending_badge_and_no_default_button_for_it() -> None:
    """A pending method (SEPA, bank account) is listed with its badge, and cannot be default."""
    page = Pages("Test", "demo-user").account(
        [method(is_default=True), method(id="pm_2", status="pending")], idempotency_key="charge-k"
    )
    assert '<span class="badge pending">pending</span>' in page
    assert "/methods/pm_2/default" not in page
    assert "/methods/pm_2/remove" in page


def test_every_form_carries_the_csrf_field() -> None:
    """Django's hidden token goes into each form of a page."""
    csrf = '<input type="hidden" name="csrfmiddlewaretoken" value="t">'
    page = Pages("Test", "demo-user", csrf).account(
        [method(is_default=True)], idempotency_key="charge-k"
    )
    assert page.count("<form") == page.count(csrf)
    assert 3 == page.count(csrf)  # Remove, Save a card, Charge


def test_pages_escape_what_they_show() -> None:
    """Customer refs and messages are HTML-escaped."""
    page = Pages("Test", 'a"<b>').home()
    assert "<b>" not in page.split("<main>")[0].split("Logged in as")[1]
    status, html = Pages("Test", "x").error(SessionNotComplete("<script>", status="open"))
    assert 409 == status
    assert "<script>" not in html


def test_authentication_pages_keep_the_client_secret_out() -> None:
    """The client_secret never reaches the HTML: the server confirms on the customer's behalf."""
    needs = NeedsAuthentication("pi_1", "pi_1_secret_x", 1999, "usd", "pm_1")
    pages = Pages("Test", "demo-user")
    needed = pages.authentication_needed(needs, "http://127.0.0.1:8000/pay/charge-k")
    result = pages.authentication_result("charge-k", needs)
    assert "pi_1_secret_x" not in needed + result
    assert 'href="http://127.0.0.1:8000/pay/charge-k"' in needed
    assert 'action="/pay/charge-k"' in result


def record(**changes: object) -> ChargeRecord:
    values: dict[str, object] = {
        "idempotency_key": "charge-k",
        "customer_ref": "demo-user",
        "amount": 1999,
        "currency": "usd",
        "payment_method_id": "pm_1",
        "state": "succeeded",
        "payment_intent_id": "pi_1",
    }
    values.update(changes)
    return ChargeRecord(**values)  # type: ignore[arg-type]


def test_charge_list_offers_what_is_left_to_refund() -> None:
    """A failed refund gives its amount back; the form's maximum is what is left."""
    refunds = [
        Refunded("re_1", "pi_1", 500, "usd", "succeeded", "refund-a"),
        Refunded(
            "re_2", "pi_1", 700, "usd", "failed", "refund-b", failure_reason="lost_or_stolen_card"
        ),
    ]
    page = Pages("Test", "demo-user").account(
        [method(is_default=True)],
        idempotency_key="charge-n",
        charges=[ChargeLine(record(), refunds)],
    )
    assert 'max="1499"' in page
    assert "7.00 USD refunded: failed (lost_or_stolen_card)" in page


def test_fully_refunded_or_unfinished_charges_have_no_refund_form() -> None:
    """Nothing left, or not charged: no refund form; an unfinished one links to its page."""
    full = ChargeLine(record(), [Refunded("re_1", "pi_1", 1999, "usd", "pending", "refund-a")])
    waiting = ChargeLine(record(idempotency_key="charge-w", state="requires_action"))
    page = Pages("Test", "demo-user").account(
        [], idempotency_key="charge-n", charges=[full, waiting]
    )
    assert "/refund" not in page
    assert 'href="/pay/charge-w"' in page


def test_refund_form_reads_an_empty_amount_as_the_rest() -> None:
    """An empty amount is None (what is left); a key is required."""
    key = forms.new_refund_key()
    assert (None, key) == (forms.refund_form({"amount": "", "refund_key": key}).amount, key)
    assert 500 == forms.refund_form({"amount": "500", "refund_key": key}).amount
    with pytest.raises(FormError):
        forms.refund_form({"amount": "5.00", "refund_key": key})
    with pytest.raises(FormError):
        forms.refund_form({"amount": ""})


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (FormError("x"), 400),
        (SessionNotComplete("x", status="open"), 409),
        (RuntimeError("x"), 500),
    ],
)
def test_error_status(error: Exception, status: int) -> None:
    """Each error the pages know has its HTTP status."""
    assert status == error_status(error)[0]
