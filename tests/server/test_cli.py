"""``future-payments fake serve`` as a real process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import attrs
import pytest
import stripe

from future_payments.__main__ import main
from future_payments.webhooks import verify_signature
from tests.server.conftest import Receiver
from tests.server.processes import Command, running


@attrs.frozen
class Serving:
    """A running ``fake serve`` process, its URL and the banner it printed."""

    process: subprocess.Popen[str]
    url: str
    banner: str


@pytest.fixture
def serving() -> Iterator[Serving]:
    """``fake serve --port 0`` running, its whole banner read."""
    process = subprocess.Popen(
        [sys.executable, "-m", "future_payments", "fake", "serve", "--port", "0",
         "--webhook-secret", "whsec_cli_test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("FakeStripe listening on http://127.0.0.1:"), first
        lines = [first]
        while "Ctrl-C" not in lines[-1]:
            lines.append(process.stdout.readline())
        yield Serving(process, first.split()[-1], "".join(lines))
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)  # reaps it and closes the pipes


def test_serve_answers_the_stripe_client(serving: Serving) -> None:
    """The real stripe client creates and lists customers on the served fake."""
    client = stripe.StripeClient("sk_test_cli", base_addresses={"api": serving.url})
    created = client.v1.customers.create(params={"email": "cli@example.com"})

    assert [created.id] == [c.id for c in client.v1.customers.list().data]


def test_banner_shows_secret_and_client(serving: Serving) -> None:
    """The banner shows the webhook secret and how to point a StripeClient at the server."""
    assert "Webhook secret:  whsec_cli_test" in serving.banner
    assert f'base_addresses={{"api": "{serving.url}"}}' in serving.banner


def test_serve_stops_on_sigterm(serving: Serving) -> None:
    """SIGTERM stops it cleanly with exit code 0."""
    serving.process.send_signal(signal.SIGTERM)
    out, err = serving.process.communicate(timeout=10)

    assert (0, "FakeStripe stopped.") == (serving.process.returncode, out.strip())
    assert "Traceback" not in err


def test_serve_stops_on_ctrl_c(serving: Serving) -> None:
    """Ctrl-C (SIGINT) stops it cleanly too."""
    serving.process.send_signal(signal.SIGINT)
    out, err = serving.process.communicate(timeout=10)

    assert (0, "FakeStripe stopped.") == (serving.process.returncode, out.strip())
    assert "Traceback" not in err


def test_refuses_remote_host(capsys: pytest.CaptureFixture[str]) -> None:
    """A non-loopback --host is refused without --allow-remote."""
    code = main(["fake", "serve", "--host", "0.0.0.0", "--port", "0"])  # noqa: S104

    assert (2, True) == (code, "--allow-remote" in capsys.readouterr().err)


def test_rejects_a_secret_without_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    """--webhook-secret must look like a webhook secret."""
    with pytest.raises(SystemExit):
        main(["fake", "serve", "--webhook-secret", "nope"])

    assert "whsec_" in capsys.readouterr().err


def test_fake_without_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`future-payments fake` alone explains its subcommands."""
    assert 0 == main(["fake"])
    assert "serve" in capsys.readouterr().out


def _serve(*args: str) -> tuple[Command, str]:
    """``fake serve --port 0 ARGS`` as a process, once its banner is out; and its URL."""
    command = Command(["fake", "serve", "--port", "0", "--webhook-secret", "whsec_cli_test", *args])
    url = command.expect(r"^FakeStripe listening on (http://\S+)").group(1)
    command.expect(r"Press Ctrl-C to stop\.$")
    return command, url


def test_trigger_listen_app_all_real_processes(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """fake serve | listen --forward-to app | trigger: the app gets the event, signed."""
    served, url = _serve()
    try:
        with running(["listen", "--api-base", url, "--forward-to", receiver.url]) as listening:
            listening.expect(r"^Press Ctrl-C")
            assert 0 == main(["trigger", "checkout.session.completed", "--api-base", url])
            listening.expect(r"checkout\.session\.completed\s+evt_\w+\s+\[200\]")
    finally:
        assert 0 == served.stop()

    posts = receiver.posts()
    for post in posts:
        verify_signature(post.body, post.headers["Stripe-Signature"], "whsec_cli_test")
    assert "checkout.session.completed" in [json.loads(p.body)["type"] for p in posts]


def test_serve_retries_a_failing_app_on_its_schedule(receiver: Receiver) -> None:
    """fake serve --webhook-url with --retry-*: 503, 503, then 200, each attempt logged."""
    receiver.statuses.extend([503, 503])
    served, url = _serve(
        "--webhook-url", receiver.url, "--retry-first", "10ms", "--retry-max", "20ms"
    )
    try:
        stripe.StripeClient("sk_test_cli", base_addresses={"api": url}).v1.customers.create()
        deadline = time.monotonic() + 15
        while len(receiver.posts()) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        served.stop()

    attempts = [line for line in served.err if "webhook evt_" in line]
    assert ["HTTP 503 (attempt 1)", "HTTP 503 (attempt 2)", "HTTP 200 (attempt 3)"] == [
        line.split(": ", 1)[1] for line in attempts
    ]


def test_serve_refuses_a_bad_duration(capsys: pytest.CaptureFixture[str]) -> None:
    """--retry-first takes a duration such as 5s or 2m."""
    with pytest.raises(SystemExit):
        main(["fake", "serve", "--retry-first", "soon"])

    assert "not a duration" in capsys.readouterr().err
