"""``FakeStripe``: the single entry point, its state lock, and the customer's actions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs
import stripe

from future_payments.testing._fake import _checkout, _customer_actions, _payment_intents
from future_payments.testing._fake._clock import FakeClock
from future_payments.testing._fake._errors import ConnectionDropped, StripeErrorResponse, invalid
from future_payments.testing._fake._faults import FAULT_KINDS, Fault, FaultKind, FaultQueue
from future_payments.testing._fake._forms import decode_form
from future_payments.testing._fake._headers import Headers
from future_payments.testing._fake._idempotency import IdempotencyStore, fingerprint
from future_payments.testing._fake._ids import new_id, random_token
from future_payments.testing._fake._router import Router
from future_payments.testing._fake._store import Context, State, snapshot
from future_payments.testing._fake._validation import expand_paths
from future_payments.testing._fake._webhooks import WebhookDelivery, sign

_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")


@attrs.frozen
class RecordedRequest:
    """One request that reached the fake.

    Attributes:
        method: ``GET``, ``POST`` or ``DELETE``.
        path: the path without query string, e.g. ``/v1/customers``.
        params: the decoded form and query parameters (nested dicts and lists of strings).
        idempotency_key: the ``Idempotency-Key`` header of a POST, else None.
    """

    method: str
    path: str
    params: dict[str, Any] = attrs.field(eq=False)
    idempotency_key: str | None


@attrs.frozen
class _Incoming:
    method: str
    path: str
    params: dict[str, Any]
    headers: Headers
    fault: Fault | None
    error: StripeErrorResponse | None


# Error codes of a charge; any other reason is a decline code under ``card_declined``.
_CHARGE_ERROR_CODES = frozenset(
    {
        "authentication_required",
        "card_declined",
        "expired_card",
        "incorrect_cvc",
        "incorrect_number",
        "incorrect_zip",
        "processing_error",
    }
)


def _charge_failure(reason: str, decline_code: str | None) -> tuple[str, str | None]:
    """``(code, decline_code)`` of a ``next_charge_fails`` reason."""
    for name, value in (("reason", reason), ("decline_code", decline_code)):
        if value is not None and not (isinstance(value, str) and value.isidentifier()):
            raise ValueError(f"{name} must be a Stripe error or decline code, got {value!r}")
    if reason not in _CHARGE_ERROR_CODES:
        if decline_code is not None:
            raise ValueError(
                f"{reason!r} is a decline code already; pass decline_code= only with "
                "reason='card_declined'"
            )
        return "card_declined", reason
    if reason == "card_declined":
        return reason, decline_code or "generic_decline"
    return reason, decline_code or reason


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


class FakeStripe:
    """An in-process, stateful Stripe for tests, driven through the real ``stripe`` package.

    Thread-safe: one lock guards all state, so many threads may share one fake.
    See ``docs/fake.md`` for what it simulates and what it does not.
    """

    def __init__(
        self,
        *,
        webhook_secret: str | None = None,
        start_time: float | None = None,
        checkout_url_base: str = _checkout.DEFAULT_URL_BASE,
    ) -> None:
        self.webhook_secret = webhook_secret or f"whsec_{random_token(32)}"
        self.clock = FakeClock(start_time)
        self.requests: list[RecordedRequest] = []
        self.api_version: str = stripe.api_version
        self._lock = threading.RLock()
        self._state = State(self.clock, checkout_url_base)
        self._state.on_expire = lambda session, ctx: _checkout.expire(self._state, ctx, session)
        self._router = Router()
        self._idempotency = IdempotencyStore()
        self._faults = FaultQueue()

    def __repr__(self) -> str:
        return f"<FakeStripe objects={len(self._state.objects)} requests={len(self.requests)}>"

    # -- wiring ---------------------------------------------------------------------------

    @property
    def checkout_url_base(self) -> str:
        """What a new Checkout Session's ``url`` starts with (the id and a fragment follow)."""
        return self._state.checkout_url_base

    @checkout_url_base.setter
    def checkout_url_base(self, value: str) -> None:
        with self._lock:
            self._state.checkout_url_base = value

    @property
    def authentication_url_base(self) -> str | None:
        """Where a 3-D Secure ``redirect_to_url`` points: ``<base><intent_id>?return_url=...``.

        None (the default) points at Stripe's hooks host, as Stripe does; ``FakeServer`` sets
        it to its own ``/authenticate/`` page.
        """
        return self._state.authentication_url_base

    @authentication_url_base.setter
    def authentication_url_base(self, value: str | None) -> None:
        with self._lock:
            self._state.authentication_url_base = value

    def client(
        self,
        api_key: str = "sk_test_fake",
        *,
        max_network_retries: int | None = None,
        stripe_account: str | None = None,
        stripe_version: str | None = None,
    ) -> stripe.StripeClient:
        """A ``stripe.StripeClient`` whose requests this fake answers, in-process."""
        return stripe.StripeClient(
            api_key,
            http_client=self.http_client(),
            max_network_retries=max_network_retries,
            stripe_account=stripe_account,
            stripe_version=stripe_version,
        )

    def http_client(self) -> stripe.HTTPClient:
        """The ``stripe.HTTPClient`` transport, for ``StripeClient(http_client=...)``."""
        from future_payments.testing._fake._transport import FakeHTTPClient

        return FakeHTTPClient(self)

    # -- the single entry point -----------------------------------------------------------

    def handle_request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request as Stripe would: ``(status, headers, JSON body)``.

        ``url`` may be absolute or a path with query string.

        Raises:
            ConnectionDropped: a ``connection_before``/``connection_after`` fault fired.
        """
        incoming = self.receive(method, url, headers, body)
        if incoming.fault is not None and incoming.fault.kind == "slow":
            time.sleep(incoming.fault.delay)
        return self.answer(incoming)

    def receive(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> _Incoming:
        """First half of ``handle_request``: parse and pick a fault (no state changes)."""
        method = method.upper()
        parts = urlsplit(url)
        error = None
        try:
            params = decode_form(parts.query) if parts.query else {}
            if body:
                text = body.decode("utf-8") if isinstance(body, bytes) else body
                params.update(decode_form(text))
        except (ValueError, UnicodeDecodeError) as exc:
            params = {}
            error = invalid(f"Invalid request body: {exc}")
        with self._lock:
            fault = self._faults.take(method, parts.path)
        if fault is not None and fault.kind == "connection_before":
            raise ConnectionDropped(
                f"FakeStripe dropped the connection before {method} {parts.path} reached it "
                "(fault 'connection_before')"
            )
        return _Incoming(method, parts.path, params, Headers(headers), fault, error)

    def answer(self, incoming: _Incoming) -> tuple[int, dict[str, str], bytes]:
        """Second half of ``handle_request``: record, process under the lock, respond."""
        key = incoming.headers.get("Idempotency-Key") if incoming.method == "POST" else None
        with self._lock:
            request_id = new_id("req", 14)
            ctx = Context(
                request_id, key, incoming.headers.get("Stripe-Version") or self.api_version
            )
            self.requests.append(
                RecordedRequest(incoming.method, incoming.path, incoming.params, key)
            )
            headers = {
                "Content-Type": "application/json",
                "Request-Id": request_id,
                "Stripe-Version": ctx.api_version,
            }
            if key is not None:
                headers["Idempotency-Key"] = key
            try:
                status, body, replayed = self._process(incoming, ctx)
            except StripeErrorResponse as exc:
                status, body, replayed = exc.status, _dumps(exc.body(request_id)), False
                headers.update(exc.headers)
            if replayed:
                headers["Idempotent-Replayed"] = "true"
        if incoming.fault is not None and incoming.fault.kind == "connection_after":
            raise ConnectionDropped(
                f"FakeStripe processed {incoming.method} {incoming.path} and then dropped the "
                "connection (fault 'connection_after')"
            )
        return status, headers, body

    def _process(self, incoming: _Incoming, ctx: Context) -> tuple[int, bytes, bool]:
        if incoming.error is not None:
            raise incoming.error
        self._authenticate(incoming.headers)
        fault = incoming.fault
        if fault is not None and fault.kind == "rate_limit":
            retry = {} if fault.should_retry is None else {"Stripe-Should-Retry": "false"}
            if fault.should_retry:
                retry["Stripe-Should-Retry"] = "true"
            raise StripeErrorResponse(
                429,
                type="invalid_request_error",
                code="rate_limit",
                message="Too many requests hit the API too quickly. We recommend an "
                "exponential backoff of your requests. (FakeStripe fault 'rate_limit')",
                headers=retry,
            )
        self._state.expire_due(Context(None, None, self.api_version))
        key, print_ = ctx.idempotency_key, ""
        if key is not None:
            self._idempotency.check_key(key)
            print_ = fingerprint(incoming.method, incoming.path, incoming.params)
            stored = self._idempotency.lookup(key, print_, self.clock.now())
            if stored is not None:
                return stored.status, stored.body, True
        if fault is not None and fault.kind == "server_error":
            error = StripeErrorResponse(
                500,
                type="api_error",
                message="An unknown error occurred while processing the request. "
                "(FakeStripe fault 'server_error')",
                stored=True,
            )
            status, body = 500, _dumps(error.body(str(ctx.request_id)))
        else:
            handler, ids = self._router.find(incoming.method, incoming.path)
            paths = expand_paths(incoming.params)
            params = {k: v for k, v in incoming.params.items() if k != "expand"}
            try:
                obj = handler(self._state, ctx, ids, params)
                status, body = 200, _dumps(self._state.expand(obj, paths))
            except StripeErrorResponse as exc:
                if not exc.stored or key is None:
                    raise
                status, body = exc.status, _dumps(exc.body(str(ctx.request_id)))
        if key is not None:
            self._idempotency.store(key, print_, status, body, self.clock.now())
        return status, body, False

    def _authenticate(self, headers: Headers) -> None:
        auth = headers.get("Authorization", "")
        api_key = auth[7:] if auth.startswith("Bearer ") else ""
        if not api_key:
            message = (
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY')."
            )
        elif not api_key.startswith(_TEST_KEY_PREFIXES):
            message = (
                f"Invalid API Key provided: {api_key[:8]}{'*' * 8}{api_key[-4:]} "
                "(FakeStripe accepts only sk_test_... and rk_test_... keys)"
            )
        else:
            return
        raise StripeErrorResponse(401, type="invalid_request_error", message=message)

    # -- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        delay: float = 0.0,
        should_retry: bool | None = None,
    ) -> None:
        """Make the next ``times`` matching requests fail with ``kind`` (see docs/fake.md).

        Args:
            kind: ``connection_before``, ``connection_after``, ``server_error``,
                ``rate_limit`` or ``slow``.
            method: only requests with this HTTP method (any when None).
            path: only requests whose path starts with this prefix, e.g. ``/v1/payment_intents``.
            times: how many matching requests this fault hits.
            delay: for ``slow``: real seconds to wait before answering.
            should_retry: for ``rate_limit``: send ``Stripe-Should-Retry`` with this value.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {FAULT_KINDS}")
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            self._faults.add(Fault(kind, method, path, times, delay, should_retry))

    def next_charge_fails(
        self, reason: str = "card_declined", *, decline_code: str | None = None, times: int = 1
    ) -> None:
        """Make the next ``times`` card charges fail with ``reason``, whatever the card.

        A charge is the confirmation of a PaymentIntent with a card (delayed methods are not
        affected). ``authentication_required`` answers 402 off-session (or with
        ``error_on_requires_action``) and starts a 3-D Secure challenge on-session.

        Args:
            reason: an error code (``authentication_required``, ``card_declined``,
                ``expired_card``, ``incorrect_cvc``, ``processing_error``...) or a decline code
                (``insufficient_funds``, ``lost_card``, ``do_not_honor``...), which declines with
                code ``card_declined``.
            decline_code: the issuer's decline code of a ``card_declined`` (default
                ``generic_decline``).
            times: how many charges fail.
        """
        code, decline = _charge_failure(reason, decline_code)
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        with self._lock:
            _payment_intents.queue_failure(
                self._state, _payment_intents.ChargeFailure(code, decline), times
            )

    # -- the customer's side ------------------------------------------------------------------

    def _customer_context(self) -> Context:
        return Context(None, None, self.api_version)

    def complete_checkout(
        self,
        session_id: str,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        payment_method_type: str | None = None,
        authenticate: bool = True,
        expiry: tuple[int, int] | None = None,
    ) -> None:
        """Act as the customer: fill the hosted Checkout page of an open setup session.

        Args:
            session_id: the ``cs_test_...`` id.
            card: a card number (default ``4242424242424242``); behaves as ``TEST_CARDS`` says.
            payment_method: a ``pm_card_*`` test id (or an existing ``pm_...``) instead.
            payment_method_type: ``sepa_debit`` or ``us_bank_account``: the session completes
                and its SetupIntent stays ``processing`` until ``settle``.
            authenticate: pass a 3-D Secure challenge; False abandons it, leaving the session
                open and the SetupIntent ``requires_action``.
            expiry: ``(month, four-digit year)`` typed with ``card``; three years ahead when
                omitted.

        Raises:
            FakeCardError: the card cannot be set up; the session stays open.
            ValueError: the session is not open, or the method is not offered.
            LookupError: no such session or PaymentMethod.
        """
        with self._lock:
            _customer_actions.complete_checkout(
                self._state,
                self._customer_context(),
                session_id,
                card=card,
                payment_method=payment_method,
                payment_method_type=payment_method_type,
                authenticate=authenticate,
                expiry=expiry,
            )

    def expire_checkout(self, session_id: str) -> None:
        """Expire an open Checkout Session now, as if its 24 hours had run out."""
        with self._lock:
            _customer_actions.expire_checkout(self._state, self._customer_context(), session_id)

    def settle(self, intent_id: str, *, succeed: bool = True) -> None:
        """Settle a ``processing`` SetupIntent or PaymentIntent of a delayed method."""
        with self._lock:
            _customer_actions.settle(self._state, self._customer_context(), intent_id, succeed)

    def authenticate(self, intent_id: str, *, succeed: bool = True) -> None:
        """The customer passes (or fails) the 3-D Secure challenge of an intent."""
        with self._lock:
            _customer_actions.authenticate(
                self._state, self._customer_context(), intent_id, succeed
            )

    # -- reading the state (for pages, tools and tests; never counted as requests) -----------

    def retrieve(self, object_id: str) -> dict[str, Any] | None:
        """A copy of the object with ``object_id`` (any kind), or None. Not a request."""
        with self._lock:
            self._state.expire_due(self._customer_context())
            obj = self._state.objects.get(object_id)
            return None if obj is None else snapshot(obj)

    def objects(self, kind: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Copies of the objects of ``kind`` (``"customer"``, ``"event"``...), newest first.

        Not a request: nothing is recorded in ``requests``.
        """
        with self._lock:
            self._state.expire_due(self._customer_context())
            ids = self._state.ids_of(kind, limit=limit)
            return [snapshot(self._state.objects[i]) for i in ids]

    def session_of_intent(self, intent_id: str) -> dict[str, Any] | None:
        """A copy of the Checkout Session a SetupIntent belongs to, or None."""
        with self._lock:
            session_id = self._state.session_of_intent.get(intent_id)
        return None if session_id is None else self.retrieve(session_id)

    def pending_event_ids(self) -> set[str]:
        """Ids of the events recorded but not yet handed out by ``webhooks()``."""
        with self._lock:
            self._state.expire_due(self._customer_context())
            return set(self._state.webhook_queue)

    # -- webhooks -----------------------------------------------------------------------------

    def webhooks(self) -> list[WebhookDelivery]:
        """Signed deliveries of the events not taken yet, oldest first (and mark them taken)."""
        with self._lock:
            self._state.expire_due(self._customer_context())
            deliveries = []
            queue = self._state.webhook_queue
            while queue:
                event = self._state.objects[queue.popleft()]
                body = json.dumps(event, indent=2).encode()
                signature = sign(body, self.webhook_secret, self.clock.now())
                deliveries.append(WebhookDelivery(body, signature, event["type"], event["id"]))
            return deliveries
