"""``future-payments listen`` as a real process, following a running fake over HTTP."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import stripe

from future_payments.__main__ import main
from future_payments.testing import FakeServer, FakeStripe
from future_payments.webhooks import verify_signature
from tests.server.conftest import Receiver
from tests.server.processes import Command, running

TINY_RETRIES = ["--retry-first", "10ms", "--retry-max", "20ms", "--retry-for", "10s"]
LINE = r"(?P<type>[a-z_.]+)\s+(?P<id>evt_\w+)\s+\[(?P<answer>[^\]]+)\](?P<then>.*)$"


@contextmanager
def listening(server: FakeServer, *args: str) -> Iterator[Command]:
    """``listen --api-base server.url ARGS``, once its banner is out."""
    with running(["listen", "--api-base", server.url, *args]) as command:
        command.expect(r"^Press Ctrl-C to stop\.")
        yield command


@pytest.fixture
def forwarding(server: FakeServer, receiver: Receiver) -> Iterator[Command]:
    """listen forwarding to the receiver's /webhook, retrying on a tiny schedule."""
    with listening(server, "--forward-to", f"{receiver.url}/webhook", *TINY_RETRIES) as command:
        yield command


def wait_for_posts(receiver: Receiver, count: int) -> None:
    """Block until the receiver has ``count`` POSTs (at most 15 s)."""
    deadline = time.monotonic() + 15
    while len(receiver.posts()) < count:
        assert time.monotonic() < deadline, f"{len(receiver.posts())} of {count} POSTs came"
        time.sleep(0.01)


def test_triggered_event_is_forwarded_signed(
    server: FakeServer,
    receiver: Receiver,
    forwarding: Command,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """trigger -> listen -> POSTed to the app, signed with the fake's secret; one line each."""
    assert 0 == main(["trigger", "customer.created", "--api-base", server.url])
    event_id = capsys.readouterr().out.split()[-1]
    line = forwarding.expect(LINE)
    wait_for_posts(receiver, 1)

    [post] = receiver.posts()
    verify_signature(
        post.body, post.headers["Stripe-Signature"], "whsec_test_secret", now=server.fake.clock.now
    )
    event = json.loads(post.body)
    assert ("/webhook", event_id, "customer.created") == (post.path, event["id"], event["type"])
    assert ("customer.created", event_id, "200") == line.group("type", "id", "answer")


def test_banner_tells_the_secret(server: FakeServer, forwarding: Command) -> None:
    """The banner prints the fake's webhook secret, as `stripe listen` prints its own."""
    assert "Your webhook signing secret is whsec_test_secret" in forwarding.out


def test_events_before_the_start_are_not_forwarded(
    server: FakeServer, client: stripe.StripeClient, receiver: Receiver
) -> None:
    """Only events recorded after listen started are forwarded."""
    client.v1.customers.create()
    with listening(server, "--forward-to", receiver.url) as command:
        newer = client.v1.customers.create()
        command.expect(LINE)

    assert [newer.id] == [json.loads(p.body)["data"]["object"]["id"] for p in receiver.posts()]


def test_resent_event_is_received_again(
    server: FakeServer,
    receiver: Receiver,
    forwarding: Command,
    client: stripe.StripeClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """events resend EVENT_ID: the app receives the same event once more."""
    client.v1.customers.create()
    [event] = client.v1.events.list().data
    forwarding.expect(LINE)

    assert 0 == main(["events", "resend", event.id, "--api-base", server.url])
    forwarding.expect(LINE)
    wait_for_posts(receiver, 2)

    assert [event.id, event.id] == [json.loads(p.body)["id"] for p in receiver.posts()]
    assert f"Resent {event.id} to every `future-payments listen`" in capsys.readouterr().out


def test_failing_endpoint_is_retried_until_it_answers(
    server: FakeServer, receiver: Receiver, forwarding: Command, client: stripe.StripeClient
) -> None:
    """500, 500, then 200: three attempts on the schedule, each line says what comes next."""
    receiver.statuses.extend([500, 500])
    client.v1.customers.create()
    lines = [forwarding.expect(LINE) for _ in range(3)]

    assert [("500", 1), ("500", 1), ("200", 0)] == [
        (m["answer"], m["then"].count("next in")) for m in lines
    ]
    assert ["attempt 1", "attempt 2"] == [m["then"].split(",")[0].strip() for m in lines[:2]]
    assert 1 == len({p.body for p in receiver.posts()})


def test_attempts_show_on_the_dashboard(
    server: FakeServer, receiver: Receiver, forwarding: Command, client: stripe.StripeClient
) -> None:
    """listen reports each attempt to the fake, whose event page lists them."""
    receiver.statuses.append(503)
    client.v1.customers.create()
    [event] = client.v1.events.list().data
    forwarding.expect(LINE)
    forwarding.expect(LINE)
    deadline = time.monotonic() + 10
    while len(server.attempts_of(event.id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    assert [(503, 1), (200, 2)] == [(a.status, a.attempt) for a in server.attempts_of(event.id)]


def test_only_the_chosen_types(
    server: FakeServer, receiver: Receiver, client: stripe.StripeClient
) -> None:
    """--events narrows what is forwarded; a.* picks a family."""
    with listening(server, "--forward-to", receiver.url, "--events", "payment_intent.*") as command:
        client.v1.customers.create()
        client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
        command.expect(LINE)

    assert ["payment_intent.created"] == [json.loads(p.body)["type"] for p in receiver.posts()]


def test_without_forward_to_events_are_printed(
    server: FakeServer, client: stripe.StripeClient
) -> None:
    """Without --forward-to each event is printed, nothing sent."""
    with listening(server) as command:
        customer = client.v1.customers.create()
        line = command.expect(r"(customer\.created)\s+(evt_\w+)$")

    [event] = client.v1.events.list().data
    assert (event.id, customer.id) == (line.group(2), event.data.object["id"])


def test_print_secret(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    """--print-secret prints the fake's secret alone, for $(...) in a shell."""
    assert 0 == main(["listen", "--print-secret", "--api-base", server.url])
    assert "whsec_test_secret\n" == capsys.readouterr().out


def test_no_fake_there(capsys: pytest.CaptureFixture[str]) -> None:
    """Without a fake at --api-base, listen says how to start one and exits 2."""
    code = main(["listen", "--forward-to", "http://127.0.0.1:9/x", "--api-base", dead_url()])

    assert (2, True) == (code, "future-payments fake serve" in capsys.readouterr().err)


def test_stops_on_sigterm(server: FakeServer, receiver: Receiver) -> None:
    """SIGTERM stops listen cleanly, exit code 0."""
    command = Command(["listen", "--api-base", server.url, "--forward-to", receiver.url])
    command.expect(r"^Press Ctrl-C")

    assert 0 == command.stop(signal.SIGTERM)
    assert ["Stopped listening."] == command.err


def test_follows_a_restarted_fake(receiver: Receiver) -> None:
    """A fake restarted on the same port: listen notices and forwards the new fake's events."""
    first = FakeServer(FakeStripe(webhook_secret="whsec_first")).start()
    port = first.url.rsplit(":", 1)[1]
    first.client().v1.customers.create()
    command = Command(["listen", "--api-base", first.url, "--forward-to", receiver.url])
    try:
        command.expect(r"^Press Ctrl-C")
        first.stop()
        with FakeServer(FakeStripe(webhook_secret="whsec_second"), port=int(port)) as second:
            second.client().v1.customers.create()
            command.expect(LINE)
            wait_for_posts(receiver, 1)
    finally:
        first.stop()
        command.stop()

    [post] = receiver.posts()
    verify_signature(post.body, post.headers["Stripe-Signature"], "whsec_second")
    assert any("restarted" in line and "secret changed" in line for line in command.err)


def test_bad_forward_to(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    """--forward-to must be an http(s) URL: a usage error before anything runs."""
    with pytest.raises(SystemExit) as exited:
        main(["listen", "--forward-to", "localhost:8000", "--api-base", server.url])

    assert (2, True) == (exited.value.code, "--forward-to" in capsys.readouterr().err)


def dead_url() -> str:
    """A loopback URL nothing listens on."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
