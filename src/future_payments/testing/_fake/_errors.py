"""Stripe's error answers, and the exceptions the fake's own helpers raise."""

from __future__ import annotations

from typing import Any

DOC_URL = "https://docs.stripe.com/error-codes/"


class StripeErrorResponse(Exception):
    """An error answer: HTTP status plus Stripe's ``{"error": {...}}`` body.

    ``stored`` says whether the request had started executing, so an idempotency key keeps (and
    replays) this answer: parameter validation failures are not stored, as on Stripe.
    ``commit`` says whether the changes made before the error stand (a declined card leaves its
    intent ``requires_payment_method`` and records events); every other error leaves nothing.
    """

    def __init__(
        self,
        status: int,
        *,
        type: str,
        message: str,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        extra: dict[str, Any] | None = None,
        stored: bool = False,
        commit: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.stored = stored
        self.commit = commit
        self.headers = headers or {}
        error: dict[str, Any] = {}
        if code is not None:
            error["code"] = code
        if decline_code is not None:
            error["decline_code"] = decline_code
        if code is not None:
            error["doc_url"] = DOC_URL + code.replace("_", "-")
        error["message"] = message
        if param is not None:
            error["param"] = param
        error["type"] = type
        error.update(extra or {})
        self.error = error

    def body(self, request_id: str, now: int) -> dict[str, Any]:
        """The JSON body Stripe would send, with its request log link."""
        error = dict(self.error)
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}?t={now}"
        return {"error": error}


def invalid(
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    status: int = 400,
    stored: bool = True,
) -> StripeErrorResponse:
    """A 400 ``invalid_request_error`` raised while the request executes (stored under a key)."""
    return StripeErrorResponse(
        status, type="invalid_request_error", message=message, param=param, code=code, stored=stored
    )


def rejected(
    message: str, *, param: str | None = None, code: str | None = None
) -> StripeErrorResponse:
    """A 400 for parameters Stripe refuses before executing anything (never stored)."""
    return invalid(message, param=param, code=code, stored=False)


def missing_param(param: str) -> StripeErrorResponse:
    """``parameter_missing`` for a required parameter."""
    return rejected(f"Missing required param: {param}.", param=param, code="parameter_missing")


def unknown_param(param: str) -> StripeErrorResponse:
    """``parameter_unknown`` for a name Stripe does not have here."""
    return rejected(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def invalid_enum(param: str, value: str, allowed: list[str]) -> StripeErrorResponse:
    """The error for a value outside an enumeration."""
    if len(allowed) > 1:
        options = ", ".join(allowed[:-1]) + f", or {allowed[-1]}"
    else:
        options = allowed[0] if allowed else "(nothing)"
    return rejected(
        f"Invalid {param}: must be one of {options}", param=param, code="parameter_invalid_string"
    )


def no_such(kind: str, object_id: str, *, param: str = "id") -> StripeErrorResponse:
    """404 ``resource_missing`` for an unknown id."""
    return invalid(
        f"No such {kind}: '{object_id}'", param=param, code="resource_missing", status=404
    )


def unexpected_state(kind: str, message: str) -> StripeErrorResponse:
    """400 ``*_unexpected_state`` when an object cannot take this action now."""
    return invalid(message, code=f"{kind}_unexpected_state")


def not_simulated(what: str) -> StripeErrorResponse:
    """A 400 saying plainly that the fake does not simulate this part of the API."""
    return rejected(f"FakeStripe does not simulate {what}. See docs/fake.md for what it covers.")


class FakeCardError(Exception):
    """Raised by ``FakeStripe.complete_checkout`` when the customer's card cannot be set up.

    Mirrors what the hosted Checkout page shows the customer: the session stays ``open`` and its
    SetupIntent carries ``last_setup_error``. ``code`` is ``card_declined`` (or ``expired_card``,
    ``processing_error``...), ``decline_code`` the issuer's reason.
    """

    def __init__(self, message: str, *, code: str, decline_code: str | None) -> None:
        super().__init__(message)
        self.code = code
        self.decline_code = decline_code


class ConnectionDropped(Exception):
    """Raised by ``FakeStripe.handle_request`` when a fault drops the connection.

    A transport turns it into ``stripe.APIConnectionError``; an HTTP server closes the socket.
    """
