"""The dashboard at ``/``: what the fake holds, newest first; each object's JSON; resends.

Server-rendered like the hosted pages (no scripts, no external assets). It reads the fake
through its public read API only, so viewing it never shows up in ``fake.requests``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from future_payments._currencies import ZERO_DECIMAL
from future_payments.testing._server._html import Response, message_page, page

if TYPE_CHECKING:
    from future_payments.testing._server._server import FakeServer

Obj = dict[str, Any]
OVERVIEW_ROWS = 10
LIST_ROWS = 100


@attrs.frozen
class Kind:
    """One kind of object the dashboard lists: its ``object`` name, URL path and columns."""

    object: str
    path: str
    title: str
    columns: tuple[tuple[str, Callable[[Obj, Related], str]], ...]


@attrs.define
class Related:
    """Charges and refunds by PaymentIntent, read once per page."""

    charges: dict[str, list[Obj]] = attrs.Factory(dict)
    refunds: dict[str, list[Obj]] = attrs.Factory(dict)
    delivery: Callable[[str], str] = lambda event_id: ""

    @classmethod
    def of(cls, server: FakeServer) -> Related:
        """Group the fake's charges and refunds by the PaymentIntent they belong to."""
        related = cls(delivery=server._delivery_state)
        charge_intent: dict[str, str] = {}
        for charge in reversed(server.fake.objects("charge")):
            intent = charge.get("payment_intent")
            if isinstance(intent, str):
                related.charges.setdefault(intent, []).append(charge)
                charge_intent[str(charge["id"])] = intent
        for refund in reversed(server.fake.objects("refund")):
            intent = refund.get("payment_intent") or charge_intent.get(str(refund.get("charge")))
            if isinstance(intent, str):
                related.refunds.setdefault(intent, []).append(refund)
        return related


_PREFIXES = {
    "cus": "customers",
    "pm": "payment_methods",
    "cs": "checkout_sessions",
    "seti": "setup_intents",
    "pi": "payment_intents",
    "ch": "charges",
    "py": "charges",
    "re": "refunds",
    "pyr": "refunds",
    "evt": "events",
}
_SHORT = 18
_ID = re.compile(r"&quot;((?:cus|pm|cs|seti|pi|ch|py|re|pyr|evt)_(?:test_)?[A-Za-z0-9]+)&quot;")


def link(object_id: object, *, short: bool = True) -> str:
    """An object id as a link to its detail page (plain text when it is not an id).

    ``short`` cuts ids past 18 characters (Checkout Session ids are 66) with an ellipsis.
    """
    if not isinstance(object_id, str) or not object_id:
        return '<span class="muted">-</span>'
    path = _PREFIXES.get(object_id.split("_", 1)[0])
    shown = object_id if not short or len(object_id) <= _SHORT else f"{object_id[:_SHORT]}…"
    text = f'<code title="{escape(object_id)}">{escape(shown)}</code>'
    return f'<a href="/{path}/{quote(object_id)}">{text}</a>' if path else text


def when(timestamp: object) -> str:
    """A unix timestamp as ``2027-01-15 08:00:00`` UTC, on one line."""
    if not isinstance(timestamp, int):
        return '<span class="muted">-</span>'
    moment = datetime.datetime.fromtimestamp(timestamp, datetime.UTC)
    return f'<time class="nowrap" datetime="{moment.isoformat()}">{moment:%Y-%m-%d %H:%M:%S}</time>'


def money(amount: object, currency: object) -> str:
    """``1999, "usd"`` as ``19.99 USD`` (whole units for zero-decimal currencies)."""
    if not isinstance(amount, int) or not isinstance(currency, str):
        return '<span class="muted">-</span>'
    value = f"{amount}" if currency in ZERO_DECIMAL else f"{amount / 100:.2f}"
    return f'<span class="nowrap">{value} {escape(currency.upper())}</span>'


def _text(value: object) -> str:
    return escape(str(value)) if value not in (None, "") else '<span class="muted">-</span>'


def _card(pm: Obj, related: Related) -> str:
    details = pm.get(str(pm.get("type")))
    if not isinstance(details, dict):
        return _text(pm.get("type"))
    brand = details.get("brand") or details.get("bank_name") or pm.get("type")
    last4 = details.get("last4")
    text = f"{brand} •••• {last4}" if last4 else str(brand)
    if details.get("exp_month"):
        text += f" {int(details['exp_month']):02}/{details.get('exp_year')}"
    return f'<span class="nowrap">{escape(text)}</span>'


def _intent_money(intent: Obj, related: Related) -> str:
    return money(intent.get("amount"), intent.get("currency"))


def _charges(intent: Obj, related: Related) -> str:
    charges = related.charges.get(str(intent["id"]), [])
    refunds = related.refunds.get(str(intent["id"]), [])
    parts = [link(c["id"]) for c in charges]
    for refund in refunds:
        amount = money(refund.get("amount"), refund.get("currency"))
        parts.append(f'<span class="nowrap">{link(refund["id"])} &minus;{amount}</span>')
    return "<br>".join(parts) or '<span class="muted">-</span>'


def _delivery(event: Obj, related: Related) -> str:
    return escape(related.delivery(str(event["id"])))


def _resend_button(event: Obj, related: Related) -> str:
    return (
        f'<form class="inline" method="post" action="/events/{quote(str(event["id"]))}/resend">'
        '<button type="submit" class="small secondary">Resend</button></form>'
    )


def _field(name: str, render: Callable[[object], str] = _text) -> Callable[[Obj, Related], str]:
    return lambda obj, related: render(obj.get(name))


def _id(obj: Obj, related: Related) -> str:
    return link(obj["id"])


def _created(obj: Obj, related: Related) -> str:
    return when(obj.get("created"))


KINDS: tuple[Kind, ...] = (
    Kind(
        "customer",
        "customers",
        "Customers",
        (("Customer", _id), ("Email", _field("email")), ("Name", _field("name")),
         ("Created", _created)),
    ),
    Kind(
        "payment_method",
        "payment_methods",
        "Payment methods",
        (("Payment method", _id), ("Type", _field("type")), ("Details", _card),
         ("Customer", _field("customer", link)), ("Created", _created)),
    ),
    Kind(
        "checkout.session",
        "checkout_sessions",
        "Checkout sessions",
        (("Session", _id), ("Mode", _field("mode")), ("Status", _field("status")),
         ("Customer", _field("customer", link)), ("SetupIntent", _field("setup_intent", link)),
         ("Created", _created)),
    ),
    Kind(
        "setup_intent",
        "setup_intents",
        "SetupIntents",
        (("SetupIntent", _id), ("Status", _field("status")),
         ("Customer", _field("customer", link)),
         ("Payment method", _field("payment_method", link)), ("Created", _created)),
    ),
    Kind(
        "payment_intent",
        "payment_intents",
        "PaymentIntents",
        (("PaymentIntent", _id), ("Amount", _intent_money), ("Status", _field("status")),
         ("Customer", _field("customer", link)),
         ("Payment method", _field("payment_method", link)),
         ("Charges and refunds", _charges), ("Created", _created)),
    ),
    Kind(
        "charge",
        "charges",
        "Charges",
        (("Charge", _id), ("Amount", _intent_money), ("Status", _field("status")),
         ("PaymentIntent", _field("payment_intent", link)),
         ("Refunded", lambda c, r: money(c.get("amount_refunded"), c.get("currency"))),
         ("Created", _created)),
    ),
    Kind(
        "refund",
        "refunds",
        "Refunds",
        (("Refund", _id), ("Amount", _intent_money), ("Status", _field("status")),
         ("Charge", _field("charge", link)), ("PaymentIntent", _field("payment_intent", link)),
         ("Created", _created)),
    ),
    Kind(
        "event",
        "events",
        "Events",
        (("Event", _id), ("Type", _field("type")), ("Created", _created),
         ("Delivery", _delivery), ("", _resend_button)),
    ),
)  # fmt: skip
BY_PATH = {kind.path: kind for kind in KINDS}
BY_OBJECT = {kind.object: kind for kind in KINDS}
_OVERVIEW = ("customers", "payment_methods", "checkout_sessions", "payment_intents", "events")


def _nav(current: str | None) -> str:
    links = ['<a href="/">Overview</a>' if current else "<strong>Overview</strong>"]
    for kind in KINDS:
        if kind.path == current:
            links.append(f"<strong>{escape(kind.title)}</strong>")
        else:
            links.append(f'<a href="/{kind.path}">{escape(kind.title)}</a>')
    return f'<nav class="tabs" aria-label="Dashboard">{"".join(links)}</nav>'


def _table(kind: Kind, objects: list[Obj], related: Related, caption: str) -> str:
    head = "".join(f'<th scope="col">{escape(title)}</th>' for title, _ in kind.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{render(obj, related)}</td>" for _, render in kind.columns) + "</tr>"
        for obj in objects
    )
    empty = f'<tr><td colspan="{len(kind.columns)}" class="muted">None yet.</td></tr>'
    return (
        f'<div class="scroll"><table><caption class="muted">{caption}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows or empty}</tbody></table></div>"
    )


def _header(server: FakeServer, title: str, current: str | None) -> str:
    return (
        '<p class="badge">TEST MODE</p>'
        f'<h1>{escape(title)}</h1><p class="muted">FakeStripe at <code>{escape(server.url)}'
        f"</code></p>{_nav(current)}"
    )


def overview(server: FakeServer) -> Response:
    """``GET /``: where the API is, the webhook secret, and the newest objects of each kind."""
    target = server.webhook_url
    facts = (
        '<dl class="facts">'
        f"<dt>API base</dt><dd><code>{escape(server.url)}</code> (the <code>/v1</code> API; "
        "any <code>sk_test_...</code> key)</dd>"
        f"<dt>Webhook secret</dt><dd><code>{escape(server.fake.webhook_secret)}</code></dd>"
        "<dt>Webhooks to</dt><dd>"
        + (f"<code>{escape(target)}</code>" if target else "not forwarded (no webhook URL)")
        + f"; failed deliveries {escape(server.retry.describe())}</dd>"
        "<dt>Follow from a shell</dt><dd><code>future-payments listen --forward-to URL "
        f"--api-base {escape(server.url)}</code></dd></dl>"
    )
    related = Related.of(server)
    sections = []
    for path in _OVERVIEW:
        kind = BY_PATH[path]
        everything = server.fake.objects(kind.object)
        shown = everything[:OVERVIEW_ROWS]
        more = f' <a href="/{kind.path}">all {len(everything)}</a>' if everything else ""
        sections.append(
            f'<section aria-labelledby="{kind.path}"><h2 id="{kind.path}">'
            f"{escape(kind.title)}{more}</h2>"
            + _table(kind, shown, related, f"Newest first; {len(shown)} of {len(everything)}.")
            + "</section>"
        )
    body = _header(server, "FakeStripe dashboard", None) + facts + "".join(sections)
    return Response(200, page("Dashboard - FakeStripe", body, wide=True))


def listing(server: FakeServer, path: str) -> Response:
    """``GET /<kind>``: the newest objects of one kind."""
    kind = BY_PATH[path]
    everything = server.fake.objects(kind.object)
    shown = everything[:LIST_ROWS]
    caption = f"Newest first; {len(shown)} of {len(everything)}."
    body = _header(server, kind.title, kind.path) + _table(kind, shown, Related.of(server), caption)
    return Response(200, page(f"{kind.title} - FakeStripe", body, wide=True))


def detail(server: FakeServer, path: str, object_id: str, notice: str | None) -> Response:
    """``GET /<kind>/<id>``: one object's JSON, with links to the objects it names."""
    kind = BY_PATH[path]
    obj = server.fake.retrieve(object_id)
    if obj is None or obj.get("object") != kind.object:
        return Response(
            404, message_page("Not found", f"FakeStripe has no {kind.object} {object_id}.")
        )
    related = Related.of(server)
    summary = _table(kind, [obj], related, "")
    extra = ""
    if kind.object == "event":
        extra = _attempts(server, object_id)
    elif kind.object == "customer":
        extra = _owned(server, object_id, related)
    shown = escape(json.dumps(obj, indent=2))
    linked = _ID.sub(lambda m: f"&quot;{link(m.group(1), short=False)}&quot;", shown)
    flash = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    body = (
        _header(server, f"{kind.title[:-1] if kind.title.endswith('s') else kind.title}", path)
        + flash
        + summary
        + extra
        + f"<h2>JSON</h2><pre><code>{linked}</code></pre>"
    )
    return Response(200, page(f"{object_id} - FakeStripe", body, wide=True))


def _attempts(server: FakeServer, event_id: str) -> str:
    rows = []
    for who, attempt in server._attempts_by(event_id):
        outcome = escape(attempt.error) if attempt.error else f"HTTP {attempt.status}"
        if attempt.ok:
            after = "acknowledged"
        elif attempt.retry_in is not None:
            after = f"retry in {attempt.retry_in:.3g} s"
        else:
            after = "given up"
        rows.append(
            f"<tr><td>{attempt.attempt}</td><td>{when(attempt.at)}</td><td>{who}</td>"
            f"<td><code>{escape(attempt.url)}</code></td><td>{outcome}</td><td>{after}</td></tr>"
        )
    empty = '<tr><td colspan="6" class="muted">No delivery attempt yet.</td></tr>'
    return (
        "<h2>Delivery attempts</h2><table><thead><tr>"
        + "".join(
            f'<th scope="col">{h}</th>' for h in ("Attempt", "At", "By", "URL", "Answer", "Then")
        )
        + f"</tr></thead><tbody>{''.join(rows) or empty}</tbody></table>"
    )


def _owned(server: FakeServer, customer_id: str, related: Related) -> str:
    parts = []
    for path in ("payment_methods", "checkout_sessions", "payment_intents"):
        kind = BY_PATH[path]
        mine = [o for o in server.fake.objects(kind.object) if o.get("customer") == customer_id]
        parts.append(
            f"<h2>{escape(kind.title)}</h2>" + _table(kind, mine, related, "Newest first.")
        )
    return "".join(parts)


def resend(server: FakeServer, event_id: str) -> Response:
    """``POST /events/<id>/resend``: deliver the event again, then back to its page."""
    try:
        server.resend(event_id)
    except LookupError:
        return Response(404, message_page("Not found", f"FakeStripe has no event {event_id}."))
    return Response(303, location=f"/events/{quote(event_id)}?resent=1")


def resent_notice(server: FakeServer) -> str:
    """What the page says after a resend."""
    where = f"to {server.webhook_url} and " if server.webhook_url else ""
    return f"Resent {where}to every future-payments listen following this server."
