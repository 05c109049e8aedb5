"""Where the contract suite runs: the fake, cassettes, Stripe test mode, or the fake's server.

``FUTURE_PAYMENTS_CONTRACT`` picks one (default ``fake``). The customer's part (completing
Checkout) is the only step that differs between a fake and real Stripe, so it sits behind
``CustomerActions``: on the fake the customer fills the hosted page; on Stripe test mode, where
no browser is at hand, a SetupIntent is confirmed with a ``pm_card_*`` test PaymentMethod.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol, cast
from urllib.parse import urlsplit

import attrs
import pytest
import stripe
import yaml

from future_payments.testing import FakeStripe, vcr_config

Mode = Literal["fake", "replay", "live", "record-fake"]
MODES: tuple[Mode, ...] = ("fake", "replay", "live", "record-fake")
MODE_VARIABLE = "FUTURE_PAYMENTS_CONTRACT"
KEY_VARIABLE = "STRIPE_TEST_SECRET_KEY"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "contract"
STRIPE_HOST = "api.stripe.com"


def contract_mode() -> Mode:
    """The mode chosen by ``FUTURE_PAYMENTS_CONTRACT``; ``fake`` when unset."""
    value = os.environ.get(MODE_VARIABLE, "fake").strip() or "fake"
    if value not in MODES:
        raise pytest.UsageError(f"{MODE_VARIABLE}={value!r}: use one of {', '.join(MODES)}")
    return cast("Mode", value)


class CustomerActions(Protocol):
    """What the customer does in a browser, done without one."""

    def save_card(self, client: stripe.StripeClient, session_id: str) -> str:
        """Save a 4242 Visa for the session's customer; return the succeeded SetupIntent's id."""
        ...


@attrs.frozen
class ThroughCheckout:
    """The customer completes the hosted Checkout page (on the fake); then the library's GET.

    ``act`` is None when replaying a cassette recorded on the fake's server: the customer's
    part happened inside the server then, and only the HTTP requests are replayed.
    """

    act: Callable[[str], None] | None

    def save_card(self, client: stripe.StripeClient, session_id: str) -> str:
        if self.act is not None:
            self.act(session_id)
        session = client.v1.checkout.sessions.retrieve(
            session_id, params={"expand": ["setup_intent.payment_method"]}
        )
        assert "complete" == session.status
        setup_intent = session.setup_intent
        assert isinstance(setup_intent, stripe.SetupIntent)
        return setup_intent.id


@attrs.frozen
class ThroughSetupIntent:
    """Stripe test mode: confirm a SetupIntent for the customer with ``pm_card_visa``."""

    def save_card(self, client: stripe.StripeClient, session_id: str) -> str:
        session = client.v1.checkout.sessions.retrieve(session_id)
        assert isinstance(session.customer, str)
        setup_intent = client.v1.setup_intents.create(
            params={
                "customer": session.customer,
                "payment_method": "pm_card_visa",
                "payment_method_types": ["card"],
                "usage": "off_session",
                "confirm": True,
            }
        )
        return setup_intent.id


@attrs.frozen
class Backend:
    """A Stripe to run the contract on: a client and the customer's actions."""

    mode: Mode
    client: stripe.StripeClient
    customer: CustomerActions


def recorded_on_stripe(cassette: Path) -> bool:
    """Whether ``cassette`` was recorded against api.stripe.com (else on the fake's server)."""
    data: dict[str, Any] = yaml.safe_load(cassette.read_text()) or {}
    hosts = {urlsplit(i["request"]["uri"]).hostname for i in data.get("interactions", [])}
    return STRIPE_HOST in hosts


@contextmanager
def backend(mode: Mode, name: str) -> Iterator[Backend]:
    """The backend of ``mode`` for the test ``name`` (its cassette is ``<name>.yaml``)."""
    cassette = CASSETTES / f"{name}.yaml"
    if mode == "fake":
        fake = FakeStripe()
        act = _complete_as_customer(fake)
        yield Backend(mode, fake.client(), ThroughCheckout(act))
        return
    import vcr

    if mode == "replay":
        if not cassette.exists():
            pytest.fail(f"no cassette {cassette.name}: record it, see tests/cassettes/README.md")
        actions: CustomerActions = (
            ThroughSetupIntent() if recorded_on_stripe(cassette) else ThroughCheckout(None)
        )
        player = vcr.VCR(**vcr_config(), record_mode="none")
        with player.use_cassette(str(cassette)) as played:
            # The SDK's default HTTP client, aimed at api.stripe.com: vcrpy answers every
            # request from the cassette and refuses (record_mode="none") anything else.
            yield Backend(mode, stripe.StripeClient("sk_test_replay"), actions)
            assert played.all_played, f"{cassette.name}: some recorded requests were not made"
        return
    recorder = vcr.VCR(**vcr_config(), record_mode="all")
    if mode == "live":
        key = os.environ.get(KEY_VARIABLE, "")
        if not key:
            pytest.skip(
                f"{MODE_VARIABLE}=live records against Stripe test mode: set {KEY_VARIABLE} to "
                "a test-mode secret key (sk_test_...)"
            )
        if not key.startswith(("sk_test_", "rk_test_")):
            pytest.fail(f"{KEY_VARIABLE} is not a test-mode key; refusing to run", pytrace=False)
        CASSETTES.mkdir(parents=True, exist_ok=True)
        cassette.unlink(missing_ok=True)
        with recorder.use_cassette(str(cassette)):
            yield Backend(mode, stripe.StripeClient(key), ThroughSetupIntent())
        return
    from future_payments.testing import FakeServer

    CASSETTES.mkdir(parents=True, exist_ok=True)
    cassette.unlink(missing_ok=True)
    with FakeServer() as server, recorder.use_cassette(str(cassette)):
        act = _complete_as_customer(server.fake)
        yield Backend(mode, server.client("sk_test_contract"), ThroughCheckout(act))


def _complete_as_customer(fake: FakeStripe) -> Callable[[str], None]:
    return lambda session_id: fake.complete_checkout(session_id, payment_method="pm_card_visa")
