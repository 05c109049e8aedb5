"""stripe-node (the npm package, pinned in node/package-lock.json) against the served fake.

Each test runs one scenario of node/scenarios/ with plain ``node``: the script talks to the
FakeServer over HTTP with the options stripe-node documents (``host``, ``port``, ``protocol``)
and fails with every mismatch it found. The scripts name the Stripe documentation behind each
expectation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from future_payments.testing import FakeServer
from tests.external.conftest import API_KEY, WEBHOOK_SECRET

NODE_DIR = Path(__file__).parent / "node"
TIMEOUT = 120


def _environment(server: FakeServer, **extra: str) -> dict[str, str]:
    if not (NODE_DIR / "node_modules" / "stripe").is_dir():
        pytest.fail("stripe-node is not installed: run `make pytest` (it runs npm ci) first")
    return {
        **os.environ,
        "FAKE_STRIPE_URL": server.url,
        "FAKE_STRIPE_KEY": API_KEY,
        "FAKE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **extra,
    }


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH (Node.js 20 runs these scenarios)")
    return node


def run_scenario(server: FakeServer, name: str, **extra: str) -> None:
    """Run ``scenarios/<name>.js``; fail with its output unless every check passed."""
    env = _environment(server, **extra)
    done = subprocess.run(  # noqa: S603 - a fixed script of ours, run by the node on PATH
        [_node(), f"scenarios/{name}.js"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{name} (exit {done.returncode}):\n{done.stdout}{done.stderr}", pytrace=False)


def test_checkout_setup(server: FakeServer) -> None:
    """Setup-mode Checkout completed on the hosted page saves the card on the customer."""
    run_scenario(server, "checkout_setup")


def test_three_d_secure_at_setup(server: FakeServer) -> None:
    """A 3-D Secure card at setup passes the challenge page, then charges off-session."""
    run_scenario(server, "three_d_secure_setup")


@pytest.mark.parametrize(
    "case",
    [
        "success",
        "authentication_required",
        "insufficient_funds",
        "card_declined",
        "charge_customer_fail",
    ],
)
def test_off_session_charge(server: FakeServer, case: str) -> None:
    """An off-session charge answers each test card's documented outcome."""
    run_scenario(server, "off_session", CARD_CASE=case)


def test_idempotency(server: FakeServer) -> None:
    """Idempotency keys replay the first answer and refuse other parameters."""
    run_scenario(server, "idempotency")


def test_pagination(server: FakeServer) -> None:
    """autoPagingEach and starting_after walk more than 100 customers."""
    run_scenario(server, "pagination")


def test_expand(server: FakeServer) -> None:
    """expand of latest_charge, setup_intent.payment_method and inside lists."""
    run_scenario(server, "expand")


def test_customer_created_with_payment_method(server: FakeServer) -> None:
    """customers.create with payment_method and its default, expanded on retrieve."""
    run_scenario(server, "customer_payment_method")


def test_webhooks_verified_by_construct_event(server: FakeServer) -> None:
    """Forwarded events verify with stripe.webhooks.constructEvent and the fake's secret."""
    env = _environment(server)
    with subprocess.Popen(  # noqa: S603 - a fixed script of ours, run by the node on PATH
        [_node(), "scenarios/webhooks.js"],
        cwd=NODE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdin is not None
        assert process.stdout is not None
        first = process.stdout.readline()
        if first.startswith("LISTENING "):
            server.webhook_url = f"http://127.0.0.1:{first.split()[1]}/stripe/webhook"
            process.stdin.write("go\n")
            process.stdin.flush()
        try:
            rest, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
    if process.returncode != 0:
        pytest.fail(f"webhooks (exit {process.returncode}):\n{first}{rest}", pytrace=False)
