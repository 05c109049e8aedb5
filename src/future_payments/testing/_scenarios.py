"""One-call scenarios on the fake, through the library's public flow only.

Nothing is faked around ``FuturePayments``: a saved card is made by ``start_setup``, the
customer's side of Checkout (``FakeStripe.complete_checkout``) and ``complete_from_session``,
exactly as in production. The scenario's events stay pending in ``fake.webhooks()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from future_payments.testing._delivery import Delivered, SupportsPost, deliver_webhooks

if TYPE_CHECKING:
    from future_payments import (
        Charged,
        ChargeResult,
        FuturePayments,
        NeedsAuthentication,
        SavedPaymentMethod,
    )
    from future_payments.testing._fake._fake import FakeStripe

SUCCESS_URL = "https://app.example/payment-methods/saved?session_id={CHECKOUT_SESSION_ID}"
"""The ``success_url`` scenarios pass to ``start_setup``."""

CANCEL_URL = "https://app.example/payment-methods/cancel"
"""The ``cancel_url`` scenarios pass to ``start_setup``."""

AUTHENTICATION_CARD = "4000002760003184"
"""The test card that needs authentication on every charge (``needs_authentication``)."""


def saved_card(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str,
    *,
    card: str | None = None,
    payment_method: str | None = None,
    currency: str = "usd",
    email: str | None = None,
) -> SavedPaymentMethod:
    """Give ``customer_ref`` a saved, set-up card in ``payments``' store, in one call.

    Runs the real flow: ``start_setup`` (creating the Stripe Customer the first time),
    ``fake.complete_checkout`` (3-D Secure passed when the card asks for it) and
    ``complete_from_session``. The first saved method becomes the default.

    Args:
        payments: a ``FuturePayments`` whose client talks to ``fake``.
        fake: the ``FakeStripe`` acting as Stripe and as the customer.
        customer_ref: the app's id for the payer.
        card: a card number from ``TEST_CARDS`` (default ``4242424242424242``); it then behaves
            as the card table says on every charge, e.g. ``4000002760003184`` always needs
            authentication off-session.
        payment_method: a ``pm_card_*`` id instead of ``card``.
        currency: the setup session's currency.
        email: the e-mail of a Customer created by this call.

    Returns:
        The stored ``SavedPaymentMethod``.

    Raises:
        FakeCardError: the card cannot be set up (e.g. ``4000000000009995``).
    """
    setup = payments.start_setup(
        customer_ref,
        currency=currency,
        success_url=SUCCESS_URL,
        cancel_url=CANCEL_URL,
        email=email,
    )
    fake.complete_checkout(setup.session_id, card=card, payment_method=payment_method)
    return payments.complete_from_session(setup.session_id)


def needs_authentication(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str,
    *,
    amount: int = 1999,
    currency: str = "usd",
    idempotency_key: str | None = None,
) -> NeedsAuthentication:
    """A charge of ``customer_ref`` that the bank wants the customer to authenticate.

    Saves ``AUTHENTICATION_CARD`` (``saved_card``) and charges it off-session with
    ``charge_saved``: Stripe answers 402 ``authentication_required``. Recover it with
    ``payments.start_authentication(idempotency_key, return_url=...)`` and
    ``fake.authenticate(started.url)`` (the customer passing the challenge).

    Args:
        idempotency_key: the charge's key; ``f"needs-authentication-{customer_ref}"`` when
            omitted.

    Returns:
        The ``NeedsAuthentication`` result.
    """
    from future_payments import NeedsAuthentication

    key = idempotency_key or f"needs-authentication-{customer_ref}"
    result = _charge_new_card(
        payments, fake, customer_ref, AUTHENTICATION_CARD, amount, currency, key
    )
    if not isinstance(result, NeedsAuthentication):  # the fake's card table changed
        raise AssertionError(f"{AUTHENTICATION_CARD} did not need authentication: {result!r}")
    return result


def charged(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str,
    *,
    amount: int = 1999,
    currency: str = "usd",
    idempotency_key: str | None = None,
    card: str | None = None,
) -> Charged:
    """A charge of ``customer_ref`` that went through: something to refund.

    Saves ``card`` (default 4242; ``4000000000007726`` leaves its refunds pending,
    ``4000000000005126`` makes them fail, ``4000000000000259`` draws a dispute) and charges it
    off-session with ``charge_saved``.

    Args:
        idempotency_key: the charge's key; ``f"charged-{customer_ref}"`` when omitted.

    Returns:
        The ``Charged`` result.
    """
    from future_payments import Charged

    key = idempotency_key or f"charged-{customer_ref}"
    result = _charge_new_card(payments, fake, customer_ref, card, amount, currency, key)
    if not isinstance(result, Charged):
        raise AssertionError(f"the charge with {card or '4242'} did not go through: {result!r}")
    return result


def _charge_new_card(
    payments: FuturePayments,
    fake: FakeStripe,
    customer_ref: str,
    card: str | None,
    amount: int,
    currency: str,
    idempotency_key: str,
) -> ChargeResult:
    """Save ``card`` for the customer and charge that very card (not the default) once."""
    method = saved_card(payments, fake, customer_ref, card=card, currency=currency)
    return payments.charge_saved(
        customer_ref,
        amount,
        currency,
        idempotency_key=idempotency_key,
        payment_method_id=method.id,
    )


@attrs.define
class Scenarios:
    """The scenario helpers bound to one ``FuturePayments`` and its ``FakeStripe``.

    The pytest plugin's ``scenarios`` fixture is one of these, built on the ``future_payments``
    and ``fake_stripe`` fixtures. Not thread-safe beyond what the fake and the store are.
    """

    payments: FuturePayments
    fake: FakeStripe

    def saved_card(
        self,
        customer_ref: str,
        *,
        card: str | None = None,
        payment_method: str | None = None,
        currency: str = "usd",
        email: str | None = None,
    ) -> SavedPaymentMethod:
        """A saved, set-up card for ``customer_ref`` (see ``testing.saved_card``)."""
        return saved_card(
            self.payments,
            self.fake,
            customer_ref,
            card=card,
            payment_method=payment_method,
            currency=currency,
            email=email,
        )

    def needs_authentication(
        self,
        customer_ref: str,
        *,
        amount: int = 1999,
        currency: str = "usd",
        idempotency_key: str | None = None,
    ) -> NeedsAuthentication:
        """A charge awaiting authentication (see ``testing.needs_authentication``)."""
        return needs_authentication(
            self.payments,
            self.fake,
            customer_ref,
            amount=amount,
            currency=currency,
            idempotency_key=idempotency_key,
        )

    def charged(
        self,
        customer_ref: str,
        *,
        amount: int = 1999,
        currency: str = "usd",
        idempotency_key: str | None = None,
        card: str | None = None,
    ) -> Charged:
        """A charge that went through (see ``testing.charged``)."""
        return charged(
            self.payments,
            self.fake,
            customer_ref,
            amount=amount,
            currency=currency,
            idempotency_key=idempotency_key,
            card=card,
        )

    def next_charge_fails(
        self, reason: str = "card_declined", *, decline_code: str | None = None, times: int = 1
    ) -> None:
        """Make the next card charge fail with ``reason`` (see ``FakeStripe.next_charge_fails``)."""
        self.fake.next_charge_fails(reason, decline_code=decline_code, times=times)

    def deliver_webhooks(
        self,
        to: Callable[[bytes, str], Any] | SupportsPost | None = None,
        *,
        url: str | None = None,
        shuffle: bool = False,
        seed: int = 0,
        duplicate: int = 1,
    ) -> list[Delivered]:
        """Deliver the pending webhooks; to ``payments.complete_from_event`` when ``to`` is None.

        See ``future_payments.testing.deliver_webhooks`` for the options.
        """
        target = self.payments.complete_from_event if to is None else to
        return deliver_webhooks(
            self.fake, target, url=url, shuffle=shuffle, seed=seed, duplicate=duplicate
        )
