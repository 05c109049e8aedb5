"""``future-payments fake serve`` as a real process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import attrs
import pytest
import stripe

from future_payments.__main__ import main


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
