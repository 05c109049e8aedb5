"""The hosted pages: Checkout, the 3-D Secure challenge, and the index."""

from __future__ import annotations

from html import escape
from typing import Any

from future_payments.testing._fake._cards import DELAYED_METHOD_TYPES, TEST_CARDS
from future_payments.testing._server._card_form import CardForm, behaviour, grouped
from future_payments.testing._server._html import page

_METHOD_LABELS = {
    "card": "Card",
    "sepa_debit": "SEPA Direct Debit",
    "us_bank_account": "US bank account",
}
_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express"}
SIMULATED_METHOD_TYPES = ("card", *DELAYED_METHOD_TYPES)
"""The method types the hosted page can complete; the others are shown, disabled."""
_DELAYED_NOTES = {
    "sepa_debit": "FakeStripe uses the test IBAN DE89 3704 0044 0532 0130 00.",
    "us_bank_account": "FakeStripe uses a test checking account (routing 110000000).",
}


def _field(
    name: str,
    label: str,
    value: str,
    error: str | None,
    *,
    focus: bool,
    extra: str,
) -> str:
    error_id = f"{name}-error"
    invalid = ' aria-invalid="true"' if error else ""
    autofocus = " autofocus" if focus else ""
    return (
        f'<div><label for="{name}">{escape(label)}</label>'
        f'<input type="text" id="{name}" name="{name}" value="{escape(value)}" '
        f'aria-describedby="{error_id}"{invalid}{autofocus} {extra}>'
        f'<p class="field-error" id="{error_id}" aria-live="polite">{escape(error or "")}</p>'
        "</div>"
    )


def _methods(types: list[str], chosen: str, focus: bool) -> str:
    if types == ["card"]:
        return '<input type="hidden" name="method" value="card">'
    options = []
    for pm_type in types:
        label = escape(_METHOD_LABELS.get(pm_type, pm_type))
        if pm_type not in SIMULATED_METHOD_TYPES:
            # Offered by the session (dynamic payment methods), but FakeStripe cannot complete it.
            options.append(
                f'<label class="choice"><input type="radio" name="method" value="{pm_type}" '
                f'disabled> {label} <span class="muted">(not simulated by FakeStripe)</span>'
                "</label>"
            )
            continue
        checked = " checked" if pm_type == chosen else ""
        autofocus = " autofocus" if focus and pm_type == chosen else ""
        options.append(
            f'<label class="choice"><input type="radio" name="method" value="{pm_type}"'
            f"{checked}{autofocus}> {label}</label>"
        )
    notes = " ".join(_DELAYED_NOTES[t] for t in types if t in _DELAYED_NOTES)
    return (
        "<fieldset><legend>Payment method</legend>"
        + "".join(options)
        + f'<p class="muted">Bank debits stay pending until they settle. {escape(notes)}</p>'
        "</fieldset>"
    )


def _test_cards() -> str:
    rows = []
    for card in TEST_CARDS.values():
        setup, charges = behaviour(card)
        brand = _BRANDS.get(card.brand, card.brand)
        rows.append(
            f"<tr><td><code>{grouped(card.number)}</code></td><td>{escape(brand)}</td>"
            f"<td>{escape(setup)}</td><td>{escape(charges)}</td></tr>"
        )
    return (
        '<section aria-labelledby="test-cards"><h2 id="test-cards">Test cards</h2>'
        '<p class="muted">Any future expiry date (MM / YY), any CVC (4 digits for American '
        "Express). Any other number that passes the Luhn check is saved like 4242.</p>"
        '<table><thead><tr><th scope="col">Number</th><th scope="col">Brand</th>'
        '<th scope="col">When saved</th><th scope="col">Later off-session charges</th></tr>'
        "</thead><tbody>" + "".join(rows) + "</tbody></table></section>"
    )


def checkout_page(
    session: dict[str, Any],
    form: CardForm | None = None,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
) -> bytes:
    """The hosted Checkout page of an open setup-mode session."""
    form = form or CardForm()
    errors = errors or {}
    types: list[str] = list(session["payment_method_types"])
    chosen = form.method if form.method in types else types[0]
    first_error = next((f for f in ("number", "expiry", "cvc") if f in errors), None)
    focus = first_error or ("number" if form_error or "card" in types else "method")
    cancel = ""
    if session.get("cancel_url"):
        cancel = f'<p><a href="{escape(session["cancel_url"])}">&larr; Cancel</a></p>'
    email = session.get("customer_email")
    who = f" for {escape(email)}" if email else ""
    card_fields = ""
    if "card" in types:
        card_fields = (
            "<fieldset><legend>Card information</legend>"
            + _field(
                "number",
                "Card number",
                form.number,
                errors.get("number"),
                focus=focus == "number",
                extra='inputmode="numeric" autocomplete="cc-number" '
                'placeholder="1234 1234 1234 1234"',
            )
            + '<div class="row">'
            + _field(
                "expiry",
                "Expiration date (MM / YY)",
                form.expiry,
                errors.get("expiry"),
                focus=focus == "expiry",
                extra='inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY"',
            )
            + _field(
                "cvc",
                "CVC",
                form.cvc,
                errors.get("cvc"),
                focus=focus == "cvc",
                extra='inputmode="numeric" autocomplete="cc-csc" placeholder="CVC"',
            )
            + "</div>"
            + _field(
                "name",
                "Name on card",
                form.name,
                None,
                focus=False,
                extra='autocomplete="cc-name"',
            )
            + "</fieldset>"
        )
    body = (
        f'<p class="badge">TEST MODE</p>{cancel}'
        f"<h1>Save a payment method</h1>"
        f'<p class="muted">Saved{who} for future payments. Nothing is charged now.</p>'
        f'<form method="post" action="/checkout/{escape(session["id"])}" novalidate>'
        + _methods(types, chosen, focus == "method")
        + card_fields
        + f'<p class="form-error" id="form-error" role="alert">{escape(form_error or "")}</p>'
        '<button type="submit" class="wide">Save</button></form>'
        + (_test_cards() if "card" in types else "")
    )
    return page("Save a payment method - FakeStripe Checkout", body)


def challenge_page(intent: dict[str, Any], hidden: dict[str, str]) -> bytes:
    """The 3-D Secure test challenge of a ``requires_action`` intent."""
    what = "saving your card"
    if intent["object"] == "payment_intent":
        amount = intent["amount"] / 100
        what = f"a payment of {amount:.2f} {intent['currency'].upper()}"
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items()
    )
    body = (
        '<p class="badge">TEST MODE</p><h1>3D Secure test page</h1>'
        f"<p>Your bank asks you to confirm {escape(what)}. On real Stripe this is your bank's "
        "page; here you decide how the challenge ends.</p>"
        f'<form method="post" action="/authenticate/{escape(intent["id"])}">{fields}'
        '<button type="submit" name="outcome" value="complete" autofocus>'
        "Complete authentication</button> "
        '<button type="submit" name="outcome" value="fail" class="secondary">'
        "Fail authentication</button></form>"
    )
    return page("3D Secure test page - FakeStripe", body)
