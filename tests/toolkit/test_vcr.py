"""vcr_config(): no secret reaches a cassette, and replays match despite idempotency keys."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request

from future_payments.testing import vcr_config
from future_payments.testing._vcr import scrub, scrub_request, scrub_response

LEAK = re.compile(r"\b(?:sk|rk)_|whsec_|_secret_")
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def _request(body: str, **headers: str) -> Request:
    headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return Request("POST", "https://api.stripe.com/v1/payment_intents", body.encode(), headers)


def test_settings() -> None:
    """The documented keys, with matching on method, path, query and body."""
    config = vcr_config()

    assert ["method", "path", "query", "body"] == config["match_on"]
    assert config["decode_compressed_response"] is True
    assert {"authorization", "idempotency-key", "stripe-account", "cookie"} <= set(
        config["filter_headers"]
    )


def test_scrub_text() -> None:
    """Keys, webhook secrets and client secrets become placeholders; other words stay."""
    text = (
        '{"key": "sk_test_abc123", "rk": "rk_live_XYZ", "w": "whsec_0a1b", '
        '"client_secret": "pi_123_secret_456", "risk_level": "normal", '
        '"message": "Invalid API Key provided: sk_test_********abcd"}'
    )

    scrubbed = scrub(text)

    assert LEAK.search(scrubbed) is None
    assert '"risk_level": "normal"' in scrubbed
    assert "REDACTED_API_KEY" in scrubbed


def test_request_body_is_normalized() -> None:
    """Form bodies are sorted, scrubbed and lose the library's idempotency key."""
    first = scrub_request(
        _request("b=2&metadata[future_payments_idempotency_key]=order-1&a=sk_test_x")
    )
    second = scrub_request(
        _request("a=sk_test_y&metadata[future_payments_idempotency_key]=order-2&b=2")
    )

    assert first.body == second.body
    assert b"a=REDACTED_API_KEY&b=2" == first.body


def test_request_headers_and_query_are_scrubbed() -> None:
    """A secret in a header or in the query string is scrubbed too."""
    request = Request(
        "GET",
        "https://api.stripe.com/v1/payment_intents/pi_1?client_secret=pi_1_secret_2",
        None,
        {"X-Custom": "whsec_abc"},
    )

    scrubbed = scrub_request(request)

    assert LEAK.search(scrubbed.uri) is None
    assert "REDACTED_WEBHOOK_SECRET" == scrubbed.headers["X-Custom"]


def test_response_is_scrubbed() -> None:
    """Response bodies lose client secrets; cookies and Idempotency-Key go; length is right."""
    body = json.dumps({"id": "pi_1", "client_secret": "pi_1_secret_abc"}).encode()
    response: dict[str, Any] = {
        "status": {"code": 200, "message": "OK"},
        "headers": {
            "Content-Type": ["application/json"],
            "Content-Length": [str(len(body))],
            "Set-Cookie": ["machine=1"],
            "Idempotency-Key": ["5b0c"],
        },
        "body": {"string": body},
    }

    scrubbed = scrub_response(response)

    assert LEAK.search(scrubbed["body"]["string"].decode()) is None
    assert {"Content-Type", "Content-Length"} == set(scrubbed["headers"])
    assert [str(len(scrubbed["body"]["string"]))] == scrubbed["headers"]["Content-Length"]


def test_missing_vcrpy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without vcrpy, the error says which extra to install."""
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "vcr" else real(name, *a)
    )

    with pytest.raises(ModuleNotFoundError, match=r"\.\[vcr\]"):
        vcr_config()


def test_no_cassette_holds_a_secret() -> None:
    """No committed cassette contains an sk_, rk_, whsec_ or client_secret value."""
    cassettes = sorted(CASSETTES.rglob("*.yaml"))

    leaks = [
        f"{path.relative_to(CASSETTES)}:{number}"
        for path in cassettes
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LEAK.search(line)
    ]

    assert cassettes
    assert [] == leaks
