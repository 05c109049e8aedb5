"""``FakeStripe``: the entry point, its lock, the customer's actions and the public read API."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

import attrs
import stripe

from future_payments.testing._fake import _checkout, _customer_actions
from future_payments.testing._fake._clock import FakeClock
from future_payments.testing._fake._errors import FakeCardError
from future_payments.testing._fake._faults import FAULT_KINDS, Fault, FaultKind
from future_payments.testing._fake._ids import random_token
from future_payments.testing._fake._methods import MethodConfiguration
from future_payments.testing._fake._pipeline import Exchange, Pipeline, Received
from future_payments.testing._fake._state import ChargeFailure, Context, State, snapshot
from future_payments.testing._fake._webhooks import WebhookDelivery, sign


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
        instant_retries: bool = True,
    ) -> None:
        self.webhook_secret = webhook_secret or f"whsec_{random_token(32)}"
        self.clock = FakeClock(start_time)
        self.requests: list[RecordedRequest] = []
        self.api_version: str = stripe.api_version
        self.instant_retries = instant_retries
        self._lock = threading.RLock()
        self._state = State(self.clock, checkout_url_base)
        state = self._state
        state.on_timer = lambda action, oid, ctx: _customer_actions.on_timer(
            state, action, oid, ctx
        )
        self._pipeline = Pipeline(state, self._lock, lambda: self.api_version, self._record)

    def __repr__(self) -> str:
        return f"<FakeStripe objects={len(self._state.objects)} requests={len(self.requests)}>"

    def _record(self, received: Received) -> None:
        self.requests.append(
            RecordedRequest(
                received.method, received.path, received.params, received.idempotency_key
            )
        )

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

    @property
    def payment_method_configuration(self) -> MethodConfiguration:
        """The account's default payment method configuration; change its lists in a test.

        A Checkout Session, SetupIntent or PaymentIntent created without a list of types takes
        them from here (``checkout_setup``, ``setup_intent``, ``payment_intent``), keeping those
        that work in its currency.
        """
        return self._state.methods

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
        """The in-process ``stripe.HTTPClient`` transport, for ``StripeClient(http_client=...)``."""
        from future_payments.testing._fake._transport import FakeHTTPClient

        return FakeHTTPClient(self)

    def network_http_client(self) -> stripe.HTTPClient:
        """The SDK's default HTTP client with this fake's ``instant_retries`` back-off, for
        clients that reach the fake over real HTTP (``FakeServer.client()``)."""
        from future_payments.testing._fake._transport import network_http_client

        return network_http_client(self)

    # -- the single entry point -----------------------------------------------------------

    def handle_request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request as Stripe would: ``(status, headers, JSON body)``.

        ``url`` may be absolute or a path with query string.

        Raises:
            ConnectionDropped: a ``connection_before``/``connection_after`` fault fired.
        """
        answer = self.begin(method, url, headers, body).wait_and_finish()
        return answer.status, answer.headers, answer.body

    def begin(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> Exchange:
        """The first half of ``handle_request``, for transports that wait their own way.

        Wait ``exchange.delay`` seconds (a ``slow`` fault), then call ``exchange.finish()``.
        """
        return self._pipeline.begin(method, url, headers, body)

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
            self._state.faults.add(Fault(kind, method, path, times, delay, should_retry))

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
            self._state.charge_failures.extend([ChargeFailure(code, decline)] * times)

    # -- the customer's side ------------------------------------------------------------------

    def _act(self, action: Any, *args: Any, **kwargs: Any) -> None:
        """Run a customer action under the lock, as one change (undone if it raises)."""
        ctx = Context(None, None, self.api_version)
        with self._lock:
            state = self._state
            with state.transaction():
                state.run_due(ctx)
            with state.transaction(keep=(FakeCardError,)):
                action(state, ctx, *args, **kwargs)

    def complete_checkout(
        self,
        session: str,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        payment_method_type: str | None = None,
        authenticate: bool = True,
        expiry: tuple[int, int] | None = None,
    ) -> None:
        """Act as the customer: fill the hosted Checkout page of an open setup session.

        Args:
            session: the ``cs_test_...`` id, or the session's ``url`` (what an app's route
                redirects the customer to).
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
        self._act(
            _customer_actions.complete_checkout,
            session,
            card=card,
            payment_method=payment_method,
            payment_method_type=payment_method_type,
            authenticate=authenticate,
            expiry=expiry,
        )

    def expire_checkout(self, session: str) -> None:
        """Expire an open Checkout Session (id or url) now, as if its 24 hours had run out."""
        self._act(_customer_actions.expire_checkout, session)

    def settle(self, object_id: str, *, succeed: bool = True) -> None:
        """Settle a ``processing`` SetupIntent/PaymentIntent of a delayed method, or a
        ``pending`` Refund."""
        self._act(_customer_actions.settle, object_id, succeed)

    def update_card(
        self,
        payment_method: str,
        *,
        exp_month: int | None = None,
        exp_year: int | None = None,
        last4: str | None = None,
    ) -> None:
        """The card network updates an attached card, as Stripe's card account updater does.

        Records ``payment_method.automatically_updated``. With no argument the card is renewed
        (its expiry year moves three years on).

        Raises:
            LookupError: no such card PaymentMethod.
            ValueError: the method is not attached, or a value is not a card's.
        """
        self._act(_customer_actions.update_card, payment_method, exp_month, exp_year, last4)

    def authenticate(self, intent: str, *, succeed: bool = True) -> None:
        """The customer passes (or fails) the 3-D Secure challenge of an intent.

        Args:
            intent: the ``seti_``/``pi_`` id, or the challenge's url
                (``next_action.redirect_to_url.url``).
            succeed: pass the challenge (False fails it).
        """
        self._act(_customer_actions.authenticate, intent, succeed)

    # -- reading the state (for pages, tools and tests; never counted as requests) -----------

    def _read_lock(self) -> threading.RLock:
        with self._lock, self._state.transaction():
            self._state.run_due(Context(None, None, self.api_version))
        return self._lock

    def retrieve(self, object_id: str) -> dict[str, Any] | None:
        """A copy of the object with ``object_id`` (any kind), or None. Not a request."""
        with self._read_lock():
            obj = self._state.objects.get(object_id)
            return None if obj is None else snapshot(obj)

    def objects(self, kind: str, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Copies of the objects of ``kind`` (``"customer"``, ``"charge"``, ``"event"``...),
        newest first; deleted customers are left out. Not a request."""
        with self._read_lock():
            ids = self._state.ids_of(kind, limit=limit)
            return [snapshot(self._state.objects[i]) for i in ids]

    def session_of_intent(self, intent_id: str) -> dict[str, Any] | None:
        """A copy of the Checkout Session a SetupIntent belongs to, or None."""
        with self._lock:
            session_id = self._state.session_of_intent.get(intent_id)
        return None if session_id is None else self.retrieve(session_id)

    def charges_of(self, payment_intent_id: str) -> list[dict[str, Any]]:
        """Copies of the Charges of a PaymentIntent, newest first."""
        with self._read_lock():
            state = self._state
            found = [
                snapshot(state.objects[i])
                for i in reversed(state.order("charge"))
                if state.objects[i]["payment_intent"] == payment_intent_id
            ]
        return found

    def refunds_of(self, charge_id: str) -> list[dict[str, Any]]:
        """Copies of the Refunds of a Charge, newest first."""
        with self._read_lock():
            ids = self._state.refunds_of.get(charge_id, [])
            return [snapshot(self._state.objects[i]) for i in reversed(ids)]

    def pending_event_ids(self) -> set[str]:
        """Ids of the events recorded but not yet handed out by ``webhooks()``."""
        with self._read_lock():
            return set(self._state.webhook_queue)

    # -- webhooks -----------------------------------------------------------------------------

    def webhooks(self) -> list[WebhookDelivery]:
        """Signed deliveries of the events not taken yet, oldest first (and mark them taken)."""
        with self._read_lock():
            deliveries = []
            queue = self._state.webhook_queue
            while queue:
                event_id = queue.popleft()
                self._state.taken.add(event_id)
                event = self._state.objects[event_id]
                body = json.dumps(event, indent=2).encode()
                signature = sign(body, self.webhook_secret, self.clock.now())
                deliveries.append(WebhookDelivery(body, signature, event["type"], event["id"]))
            return deliveries
