"""The examples' HTML: plain server-rendered pages, inline CSS, no external assets.

``Pages`` renders for one request: it knows the framework's name (for the header), who is
logged in, and the hidden CSRF field every form must carry (Django's; empty elsewhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import stripe

from examples._shared import forms
from examples._shared.forms import NOTICES, FormError, UnknownCharge
from future_payments import (
    Charged,
    ChargeOutcomeUnknown,
    ChargeResult,
    Declined,
    FuturePaymentsError,
    IdempotencyConflict,
    InvalidInput,
    NeedsAuthentication,
    NotFound,
    Processing,
    Refunded,
    RefundOutcomeUnknown,
    SavedPaymentMethod,
    SessionExpired,
    SessionNotComplete,
    SetupFailed,
)
from future_payments.errors import ChargeNotRefundable, StripeUnavailable
from future_payments.stores import ChargeRecord

# Stripe's zero-decimal currencies: their amounts are whole units, not hundredths.
_ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)

CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1f36;background:#f6f9fc}
header{background:#0a2540;color:#fff;padding:.75rem 1.5rem;display:flex;gap:1rem}
header a{color:#fff;font-weight:600;text-decoration:none}header .who{margin-left:auto}
main{max-width:40rem;margin:2rem auto;padding:0 1.5rem}
section{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;padding:1rem 1.5rem;
margin:1rem 0}
ul.methods{list-style:none;padding:0}li.method{display:flex;gap:.5rem;align-items:center;
padding:.5rem 0;border-bottom:1px solid #e3e8ee}li.method .card{flex:1}
.badge{font-size:.75rem;border-radius:4px;padding:0 .4rem;background:#e3e8ee}
.badge.default{background:#d7f7c2;color:#05690d}.badge.pending{background:#fcedb9;color:#a04b00}
button{font:inherit;background:#635bff;color:#fff;border:0;border-radius:6px;
padding:.4rem .9rem;cursor:pointer}button.secondary{background:#e3e8ee;color:#1a1f36}
button:focus-visible,input:focus-visible{outline:3px solid #7a73ff;outline-offset:2px}
input{font:inherit;padding:.3rem .5rem;border:1px solid #c1c9d2;border-radius:6px}
label{display:inline-block;margin-right:.75rem}form.inline{display:inline}
.notice{background:#d7f7c2;padding:.5rem 1rem;border-radius:6px}
.error{background:#ffe7f2;padding:.5rem 1rem;border-radius:6px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}
code{font-size:.9em}
ul.charges{list-style:none;padding:0}li.charge{padding:.5rem 0;border-bottom:1px solid #e3e8ee}
li.charge .line{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
li.charge .what{flex:1}li.charge ul{margin:.25rem 0 0;padding-left:1.25rem;font-size:.9em}
input.cents{width:7rem}.link{word-break:break-all}
"""

_STATE_LABELS = {
    "pending": "outcome unknown",
    "requires_action": "needs authentication",
    "processing": "processing",
    "declined": "declined",
    "succeeded": "charged",
    "canceled": "cancelled",
}


def money(amount: int, currency: str) -> str:
    """``1999, "usd"`` -> ``19.99 USD`` (zero-decimal currencies as they are)."""
    if currency.lower() in _ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    return f"{amount / 100:.2f} {currency.upper()}"


def card_label(method: SavedPaymentMethod) -> str:
    """``Visa •••• 4242, expires 12/2034`` (or the method type for non-card methods)."""
    brand = (method.brand or method.type).replace("_", " ").title()
    label = f"{brand} •••• {method.last4 or '????'}"
    if method.exp_month and method.exp_year:
        label += f", expires {method.exp_month:02}/{method.exp_year}"
    return label


@dataclass(frozen=True)
class ChargeLine:
    """A charge on the account page: its ledger row and its refunds."""

    record: ChargeRecord
    refunds: Sequence[Refunded] = ()

    @property
    def refundable(self) -> int:
        """What is left to refund (refunds that failed or were canceled give theirs back)."""
        held = sum(r.amount for r in self.refunds if r.status not in ("failed", "canceled"))
        return self.record.amount - held


@dataclass(frozen=True)
class Pages:
    """Renders the examples' pages for one request."""

    framework: str
    customer_ref: str
    csrf_field: str = ""
    """Hidden ``<input>`` carrying the CSRF token, added to every form (Django's)."""

    def layout(self, title: str, body: str) -> str:
        """A whole HTML document around ``body``."""
        return (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · {escape(self.framework)} example</title>"
            f"<style>{CSS}</style></head><body>"
            f'<header><a href="/">future_payments</a><span>{escape(self.framework)} example'
            f'</span><span class="who">Logged in as <b id="customer">'
            f"{escape(self.customer_ref)}</b></span></header>"
            f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
        )

    def form(self, action: str, button: str, *, fields: str = "", css: str = "") -> str:
        """A POST form with one submit button."""
        klass = f' class="{css}"' if css else ""
        return (
            f'<form method="post" action="{escape(action)}"{klass}>{self.csrf_field}{fields}'
            f'<button type="submit"{" class=secondary" if "secondary" in css else ""}>'
            f"{escape(button)}</button></form>"
        )

    def home(self) -> str:
        """Log in as a customer ref; save a card; go to the account."""
        login = self.form(
            "/login",
            "Log in",
            fields=(
                '<label>Customer ref <input name="customer_ref" required maxlength="64" '
                f'value="{escape(self.customer_ref)}"></label>'
            ),
        )
        body = (
            "<section><p>Save a card now, charge it later: this example goes through Stripe "
            "Checkout in setup mode, stores the card, and charges it off-session.</p>"
            f"{self.form('/setup', 'Save a card')}</section>"
            f'<section><h2>Who are you?</h2>{login}<p><a href="/account">Your account</a></p>'
            "</section>"
        )
        return self.layout("Save a card", body)

    def account(
        self,
        methods: Sequence[SavedPaymentMethod],
        *,
        idempotency_key: str,
        charges: Sequence[ChargeLine] = (),
        notice: str | None = None,
    ) -> str:
        """The saved methods with their buttons, the charge form, and the charges made."""
        parts = []
        if notice is not None and notice in NOTICES:
            parts.append(f'<p class="notice" role="status">{escape(NOTICES[notice])}</p>')
        if methods:
            items = "".join(self._method_item(m) for m in methods)
            parts.append(f'<section><h2>Saved cards</h2><ul class="methods">{items}</ul>')
        else:
            parts.append('<section><p id="no-methods">No saved cards yet.</p>')
        parts.append(f"{self.form('/setup', 'Save a card')}</section>")
        if any(m.usable for m in methods):
            fields = (
                '<label>Amount (cents) <input name="amount" type="number" min="1" '
                'value="1999" required></label>'
                '<label>Currency <input name="currency" value="usd" size="3" maxlength="3" '
                "required></label>"
                f'<input type="hidden" name="idempotency_key" value="{escape(idempotency_key)}">'
            )
            parts.append(
                "<section><h2>Charge the default card</h2>"
                "<p>Off-session, as a subscription renewal or a later order would.</p>"
                f"{self.form('/charge', 'Charge', fields=fields)}</section>"
            )
        if charges:
            items = "".join(self._charge_item(line) for line in charges)
            parts.append(
                f'<section><h2>Your charges</h2><ul class="charges">{items}</ul></section>'
            )
        return self.layout("Your account", "".join(parts))

    def _charge_item(self, line: ChargeLine) -> str:
        record = line.record
        key = record.idempotency_key
        state = _STATE_LABELS[record.state]
        actions = ""
        if record.state == "succeeded" and line.refundable > 0:
            fields = (
                f'<label>Cents <input class="cents" name="amount" type="number" min="1" '
                f'max="{line.refundable}" placeholder="{line.refundable}" '
                f'aria-label="Amount to refund in cents, empty for all"></label>'
                f'<input type="hidden" name="refund_key" value="{forms.new_refund_key()}">'
            )
            actions = self.form(
                f"/charges/{key}/refund", "Refund", fields=fields, css="inline secondary"
            )
        elif record.state in ("requires_action", "declined") and record.payment_intent_id:
            actions = f'<a href="{escape(forms.pay_path(key))}">Authenticate</a>'
        refunds = "".join(
            f'<li class="refund">{money(r.amount, r.currency)} refunded: {escape(r.status)}'
            f"{f' ({escape(r.failure_reason)})' if r.failure_reason else ''}</li>"
            for r in line.refunds
        )
        return (
            f'<li class="charge" id="{escape(key)}"><div class="line"><span class="what">'
            f"{money(record.amount, record.currency)} — {escape(state)}"
            f"{' — disputed' if record.disputed else ''}</span>{actions}</div>"
            f"{f'<ul>{refunds}</ul>' if refunds else ''}</li>"
        )

    def _method_item(self, method: SavedPaymentMethod) -> str:
        badges = ""
        if method.is_default:
            badges += '<span class="badge default">default</span>'
        if method.status == "pending":
            badges += '<span class="badge pending">pending</span>'
        buttons = ""
        if method.usable and not method.is_default:
            buttons += self.form(
                f"/methods/{method.id}/default", "Make default", css="inline secondary"
            )
        buttons += self.form(f"/methods/{method.id}/remove", "Remove", css="inline secondary")
        return (
            f'<li class="method" id="{escape(method.id)}"><span class="card">'
            f"{escape(card_label(method))}</span>{badges}{buttons}</li>"
        )

    def charge_result(self, result: Charged | Declined | Processing) -> str:
        """What ``charge_saved`` answered (``NeedsAuthentication`` has its own page)."""
        amount = money(result.amount, result.currency)
        match result:
            case Charged(payment_intent_id=pi):
                title, text = "Charged", f"{amount} charged (PaymentIntent <code>{pi}</code>)."
            case Declined(code=code, decline_code=reason, message=message):
                title = "Declined"
                text = (
                    f"The bank declined {amount}: {escape(message)} "
                    f"(<code>{escape(code)}</code>"
                    f"{f', <code>{escape(reason)}</code>' if reason else ''}). "
                    "Try another card."
                )
            case Processing(payment_intent_id=pi):
                title = "Processing"
                text = f"{amount} is on its way (PaymentIntent <code>{pi}</code>); a webhook tells."
        body = (
            f'<section><p id="result">{text}</p>'
            '<p><a href="/account">Back to your account</a></p></section>'
        )
        return self.layout(title, body)

    def authentication_needed(self, result: NeedsAuthentication, link: str) -> str:
        """What the app does when the bank wants the customer: e-mail them a link."""
        body = (
            f"<section><p>The bank asks the customer to confirm the payment of "
            f"<b>{money(result.amount, result.currency)}</b>. The app e-mails them this link:</p>"
            f'<p class="link"><a id="authenticate-link" href="{escape(link)}">'
            f"{escape(link)}</a></p>"
            '<p><a href="/account">Back to your account</a></p></section>'
        )
        return self.layout("Authentication needed", body)

    def pay(self, record: ChargeRecord) -> str:
        """The page the e-mailed link opens: authenticate the payment, or cancel it."""
        key = record.idempotency_key
        body = (
            f"<section><p>Your bank asks you to confirm the payment of "
            f"<b>{money(record.amount, record.currency)}</b> before it goes through.</p>"
            f"{self.form(forms.pay_path(key), 'Authenticate payment', css='inline')} "
            f"{self._cancel_button(key)}"
            "<p><small>The server confirms the payment and sends you to your bank's page; no "
            "JavaScript is involved.</small></p></section>"
        )
        return self.layout("Confirm your payment", body)

    def authentication_result(self, key: str, result: ChargeResult) -> str:
        """The return page: what ``complete_authentication`` answered."""
        amount = money(result.amount, result.currency)
        again = ""
        match result:
            case Charged(payment_intent_id=pi):
                title, text = (
                    "Payment succeeded",
                    f"{amount} charged (PaymentIntent <code>{pi}</code>).",
                )
            case NeedsAuthentication():
                title = "Not finished yet"
                text = f"The bank is still waiting for you to confirm {amount}."
                again = self.form(forms.pay_path(key), "Authenticate payment", css="inline")
            case Declined(code="payment_intent_authentication_failure"):
                title = "Authentication failed"
                text = f"The bank could not confirm that it was you: {amount} was not charged."
                again = self.form(forms.pay_path(key), "Try again", css="inline")
            case Declined(code="canceled"):
                title, text = "Payment cancelled", f"{amount} will not be charged."
            case Declined(code=code, message=message):
                title = "Declined"
                text = (
                    f"The bank declined {amount}: {escape(message)} (<code>{escape(code)}</code>)."
                )
            case Processing():
                title, text = "Processing", f"{amount} is on its way; a webhook tells."
        if again:
            again = f"<p>{again} {self._cancel_button(key)}</p>"
        body = (
            f'<section><p id="result">{text}</p>{again}'
            "<dl><dt>complete_authentication()</dt>"
            f'<dd id="ledger">{type(result).__name__}</dd></dl>'
            '<p><a href="/account">Back to your account</a></p></section>'
        )
        return self.layout(title, body)

    def _cancel_button(self, key: str) -> str:
        return self.form(forms.cancel_path(key), "Cancel payment", css="inline secondary")

    def error(self, exc: Exception) -> tuple[int, str]:
        """The HTTP status and page for an error the user can act on."""
        status, title = error_status(exc)
        body = (
            f'<section><p class="error" role="alert">{escape(str(exc))}</p>'
            '<p><a href="/account">Back to your account</a></p></section>'
        )
        return status, self.layout(title, body)

    def not_found(self) -> str:
        """A 404 page."""
        return self.layout("Not found", '<section><p><a href="/">Home</a></p></section>')


def error_status(exc: Exception) -> tuple[int, str]:
    """HTTP status and page title for ``exc``."""
    match exc:
        case FormError() | InvalidInput():
            return 400, "Please check the form"
        case NotFound() | UnknownCharge():
            return 404, "Not found"
        case IdempotencyConflict():
            return 409, "Already used"
        case ChargeNotRefundable():
            return 409, "Not refundable"
        case SessionNotComplete():
            return 409, "Checkout not finished"
        case SessionExpired():
            return 410, "Checkout expired"
        case SetupFailed():
            return 422, "The card could not be saved"
        case ChargeOutcomeUnknown():
            return 503, "Outcome unknown: submit the form again, it will not charge twice"
        case RefundOutcomeUnknown():
            return 503, "Outcome unknown: submit the form again, it will not refund twice"
        case StripeUnavailable():
            return 503, "Stripe is unreachable, try again"
        case FuturePaymentsError() | stripe.StripeError():
            return 502, "Payment provider error"
    return 500, "Something went wrong"
