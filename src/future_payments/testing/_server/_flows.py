"""What the customer does on the hosted pages: submit Checkout, pass or fail 3-D Secure."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from future_payments.testing._fake._errors import FakeCardError
from future_payments.testing._fake._fake import FakeStripe
from future_payments.testing._server import _pages, _queries
from future_payments.testing._server._card_form import (
    AUTHENTICATION_FAILED,
    CardForm,
    typed_expiry,
    validate,
)
from future_payments.testing._server._html import Response, message_page, redirect

Obj = dict[str, object]


def _html(status: int, body: bytes) -> Response:
    return Response(status, body)


def _no_session(session_id: str) -> Response:
    return _html(
        404,
        message_page("Checkout Session not found", f"FakeStripe has no session {session_id}."),
    )


def _closed_session(session: dict[str, object]) -> Response:
    """The page of a session that is no longer open."""
    if session["status"] == "complete":
        success = str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", str(session["id"]))
        return _html(
            200,
            message_page(
                "Payment method saved",
                "This Checkout Session is complete: your payment method was saved.",
                (success, "Return to the merchant"),
            ),
        )
    cancel = session.get("cancel_url")
    link = (str(cancel), "Return to the merchant") if cancel else None
    return _html(
        410,
        message_page(
            "This Checkout Session has expired",
            "The link you followed has expired. Return to the merchant and start again.",
            link,
        ),
    )


def show_checkout(fake: FakeStripe, session_id: str, error: str | None) -> Response:
    """``GET /checkout/<id>``: the form, or why it cannot be shown."""
    session = _queries.lookup(fake, session_id, "checkout.session")
    if session is None:
        return _no_session(session_id)
    if session["status"] != "open":
        return _closed_session(session)
    form_error = AUTHENTICATION_FAILED if error == "authentication_failed" else None
    return _html(200, _pages.checkout_page(session, form_error=form_error))


def submit_checkout(fake: FakeStripe, session_id: str, fields: dict[str, str]) -> Response:
    """``POST /checkout/<id>``: validate like Stripe, then complete the session in the fake."""
    session = _queries.lookup(fake, session_id, "checkout.session")
    if session is None:
        return _no_session(session_id)
    if session["status"] != "open":
        return _closed_session(session)
    form = CardForm.from_form(fields)
    types = session["payment_method_types"]
    if form.method not in types:
        return _html(400, _pages.checkout_page(session, form, form_error="Choose a method."))
    if form.method not in _pages.SIMULATED_METHOD_TYPES:
        message = f"FakeStripe does not simulate {form.method}: choose a card or a bank debit."
        return _html(400, _pages.checkout_page(session, form, form_error=message))
    try:
        if form.method == "card":
            errors = validate(form, fake.clock.now())
            if errors:
                return _html(400, _pages.checkout_page(session, form, errors))
            fake.complete_checkout(
                session_id,
                card=form.digits,
                authenticate=False,
                expiry=typed_expiry(form.expiry),
            )
        else:
            fake.complete_checkout(session_id, payment_method_type=form.method)
    except FakeCardError as exc:
        message = str(exc).partition(" (Checkout Session")[0]
        return _html(402, _pages.checkout_page(session, form, form_error=message))
    except ValueError:  # the session closed meanwhile (expired in another tab)
        return show_checkout(fake, session_id, None)
    after = _queries.lookup(fake, session_id, "checkout.session")
    assert after is not None
    if after["status"] == "complete":
        return redirect(_success_url(after))
    intent = str(after["setup_intent"])
    query = urlencode({"return_to": f"/checkout/{session_id}"})
    return redirect(f"/authenticate/{quote(intent)}?{query}")


def _success_url(session: dict[str, object]) -> str:
    return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", str(session["id"]))


def _local(path: str | None) -> str | None:
    """``path`` if it stays on this server (no open redirect through ``return_to``)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


def _hidden(query: dict[str, str]) -> dict[str, str]:
    return {k: query[k] for k in ("return_url", "return_to") if query.get(k)}


def show_challenge(fake: FakeStripe, intent_id: str, query: dict[str, str]) -> Response:
    """``GET /authenticate/<id>``: the challenge, if the intent waits for one."""
    intent = _queries.lookup(fake, intent_id, ("setup_intent", "payment_intent"))
    if intent is None:
        return _html(404, message_page("Nothing to authenticate", f"No such intent {intent_id}."))
    if intent["status"] != "requires_action":
        return _html(
            409,
            message_page(
                "Nothing to authenticate",
                f"{intent_id} is {intent['status']}: it does not wait for authentication.",
            ),
        )
    return _html(200, _pages.challenge_page(intent, _hidden(query)))


def submit_challenge(fake: FakeStripe, intent_id: str, fields: dict[str, str]) -> Response:
    """``POST /authenticate/<id>``: the customer completes or fails the challenge."""
    outcome = fields.get("outcome")
    if outcome not in ("complete", "fail"):
        return _html(400, message_page("Bad request", "outcome must be complete or fail."))
    try:
        fake.authenticate(intent_id, succeed=outcome == "complete")
    except LookupError:
        return _html(404, message_page("Nothing to authenticate", f"No such intent {intent_id}."))
    except ValueError as exc:
        return _html(409, message_page("Nothing to authenticate", str(exc)))
    session = fake.session_of_intent(intent_id)
    if session is not None:
        if session["status"] == "complete":
            return redirect(_success_url(session))
        back = _local(fields.get("return_to")) or f"/checkout/{quote(str(session['id']))}"
        return redirect(_with_query(back, {"error": "authentication_failed"}))
    intent = _queries.lookup(fake, intent_id, ("setup_intent", "payment_intent"))
    assert intent is not None
    succeeded = intent["status"] in ("succeeded", "processing")
    return_url = fields.get("return_url")
    if not return_url:
        title = "Authentication complete" if succeeded else "Authentication failed"
        return _html(200, message_page(title, f"{intent_id} is now {intent['status']}."))
    kind = str(intent["object"])
    return redirect(
        _with_query(
            return_url,
            {
                kind: intent_id,
                f"{kind}_client_secret": str(intent["client_secret"]),
                "redirect_status": "succeeded" if succeeded else "failed",
            },
        )
    )


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(extra.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
