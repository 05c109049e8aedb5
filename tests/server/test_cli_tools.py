"""``events list``, ``events resend`` and ``webhooks sign`` against a running fake."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe

from future_payments.__main__ import main
from future_payments.testing import FakeServer, FakeStripe
from future_payments.webhooks import verify_signature
from tests.server.conftest import START, TINY, Receiver


@pytest.fixture
def forwarding(fake: FakeStripe, receiver: Receiver) -> Iterator[FakeServer]:
    """A server forwarding to the receiver on a tiny retry schedule."""
    with FakeServer(fake, webhook_url=receiver.url, retry=TINY) as running:
        yield running


def test_events_list_newest_first(
    server: FakeServer, client: stripe.StripeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """events list: one line per event, newest first: time, type, id."""
    client.v1.customers.create()
    client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    newest_first = [e.id for e in client.v1.events.list().data]

    assert 0 == main(["events", "list", "--api-base", server.url])
    lines = capsys.readouterr().out.splitlines()
    assert newest_first == [line.split()[-1] for line in lines]
    assert ["payment_intent.created", "customer.created"] == [line.split()[2] for line in lines]


def test_events_list_by_type(
    server: FakeServer, client: stripe.StripeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """--type keeps one type (GET /v1/events?type=...)."""
    client.v1.customers.create()
    client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})

    main(["events", "list", "--type", "customer.created", "--api-base", server.url])
    assert ["customer.created"] == [
        line.split()[2] for line in capsys.readouterr().out.splitlines()
    ]


def test_events_list_as_json(
    server: FakeServer, client: stripe.StripeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints Stripe's list object."""
    client.v1.customers.create()

    main(["events", "list", "--json", "--limit", "1", "--api-base", server.url])
    listed = json.loads(capsys.readouterr().out)
    assert ("list", "customer.created") == (listed["object"], listed["data"][0]["type"])


def test_events_list_limit_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """--limit outside 1-100 is a usage error."""
    with pytest.raises(SystemExit):
        main(["events", "list", "--limit", "0"])
    assert "--limit" in capsys.readouterr().err


def test_resend_through_the_fake(
    forwarding: FakeServer, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    """events resend EVENT_ID: the fake POSTs it to its webhook URL again."""
    forwarding.client().v1.customers.create()
    forwarding.flush_webhooks()
    [event] = forwarding.client().v1.events.list().data

    assert 0 == main(["events", "resend", event.id, "--api-base", forwarding.url])
    forwarding.flush_webhooks()
    assert [event.id, event.id] == [json.loads(p.body)["id"] for p in receiver.posts()]
    assert f"Resent {event.id} to {receiver.url} and to every" in capsys.readouterr().out


def test_resend_straight_to_a_url(
    server: FakeServer,
    client: stripe.StripeClient,
    receiver: Receiver,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--webhook-url: POSTed there once, signed with the fake's secret; the answer printed."""
    client.v1.customers.create()
    [event] = client.v1.events.list().data

    code = main(
        ["events", "resend", event.id, "--webhook-url", f"{receiver.url}/hook",
         "--api-base", server.url]
    )  # fmt: skip
    [post] = receiver.posts()
    verify_signature(
        post.body, post.headers["Stripe-Signature"], "whsec_test_secret", now=lambda: START + 5
    )
    assert (0, event.id) == (code, json.loads(post.body)["id"])
    assert capsys.readouterr().out.rstrip().endswith(f"{event.id}  [200]")


def test_resend_to_a_failing_url(
    server: FakeServer, client: stripe.StripeClient, receiver: Receiver
) -> None:
    """A non-2xx answer from --webhook-url exits 1 (one attempt, no retries)."""
    client.v1.customers.create()
    [event] = client.v1.events.list().data
    receiver.statuses.append(500)

    code = main(
        ["events", "resend", event.id, "--webhook-url", receiver.url, "--api-base", server.url]
    )
    assert (1, 1) == (code, len(receiver.posts()))


@pytest.mark.parametrize("through_fake", [True, False])
def test_resend_of_an_unknown_event(
    server: FakeServer, receiver: Receiver, capsys: pytest.CaptureFixture[str], through_fake: bool
) -> None:
    """An event id the fake does not have: exit 1 and Stripe's message."""
    extra = [] if through_fake else ["--webhook-url", receiver.url]

    assert 1 == main(["events", "resend", "evt_nope", "--api-base", server.url, *extra])
    assert "evt_nope" in capsys.readouterr().err


def test_sign_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """webhooks sign prints a header that verify_signature and stripe both accept."""
    payload = tmp_path / "event.json"
    payload.write_bytes(json.dumps({"id": "evt_1", "object": "event"}).encode())

    assert 0 == main(["webhooks", "sign", str(payload), "--secret", "whsec_test"])
    header = capsys.readouterr().out.strip()
    verify_signature(payload.read_bytes(), header, "whsec_test")
    assert "evt_1" == stripe.Webhook.construct_event(payload.read_bytes(), header, "whsec_test").id


def test_sign_at_a_timestamp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--timestamp signs at that time."""
    payload = tmp_path / "event.json"
    payload.write_text("{}")

    main(["webhooks", "sign", str(payload), "--secret", "whsec_test", "--timestamp", "1700000000"])
    header = capsys.readouterr().out.strip()
    assert header.startswith("t=1700000000,v1=")
    verify_signature(b"{}", header, "whsec_test", now=lambda: 1_700_000_000)


def test_sign_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """FILE '-' reads the payload from standard input."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"a":1}')))

    assert 0 == main(["webhooks", "sign", "-", "--secret", "whsec_test", "--timestamp", "5"])
    verify_signature(b'{"a":1}', capsys.readouterr().out.strip(), "whsec_test", now=lambda: 5)


def test_sign_refuses_a_bad_secret_without_echoing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A secret that is not a whsec_ secret: exit 2, and its value is not printed."""
    payload = tmp_path / "event.json"
    payload.write_text("{}")

    assert 2 == main(["webhooks", "sign", str(payload), "--secret", "sk_live_NotASecret99"])
    assert "NotASecret99" not in capsys.readouterr().err


def test_sign_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A FILE that cannot be read: exit 2, saying which."""
    assert 2 == main(["webhooks", "sign", str(tmp_path / "nope.json"), "--secret", "whsec_x"])
    assert "nope.json" in capsys.readouterr().err
