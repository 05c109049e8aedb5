"""Recorded Stripe test-mode traffic of other projects, replayed against the served fake.

``data/recorded_traffic.json`` holds, per case, the requests a project sent and the facts of
Stripe's recorded answer (status, error code and param, key fields and their values); each case
names its source (a recorded fixture file in a public repository, or the answers recorded in
shared/reference/stripe-facts.md). The requests go over HTTP as form posts; the last answer
must show every fact.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from future_payments.testing import FakeServer
from tests.external.conftest import API_KEY

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "recorded_traffic.json").read_text()
)["cases"]
_MISSING = object()
_PLACEHOLDER = re.compile(r"\{(\w+)\.([\w.]+)\}")


def _get(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict) or part not in document:
            return _MISSING
        document = document[part]
    return document


def _fill(text: str, answers: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name, path = match.group(1), match.group(2)
        if name not in answers:
            return match.group(0)  # e.g. {CHECKOUT_SESSION_ID}, which Stripe fills in itself
        return str(_get(answers[name], path))

    return _PLACEHOLDER.sub(value, text)


def _replay(server: FakeServer, case: dict[str, Any]) -> tuple[httpx.Response, dict[str, Any]]:
    answers: dict[str, Any] = {}
    response = None
    with httpx.Client(
        base_url=server.url,
        headers={"Authorization": f"Bearer {API_KEY}"},
        trust_env=False,
        timeout=30,
    ) as http:
        for request in case["requests"]:
            params = [(k, _fill(v, answers)) for k, v in request["params"]]
            response = http.request(
                request["method"], _fill(request["path"], answers), data=dict(params)
            )
            answers[request["as"]] = response.json()
    assert response is not None
    return response, answers


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_recorded_answer(server: FakeServer, case: dict[str, Any]) -> None:
    """The fake answers the recorded requests with the facts of Stripe's recorded answer."""
    response, answers = _replay(server, case)
    answer = response.json()
    expect = case["expect"]

    seen = {
        "status": response.status_code,
        **{path: _get(answer, path) for path in expect.get("facts", {})},
        **{
            path: bool(re.search(pattern, str(_get(answer, path))))
            for path, pattern in expect.get("patterns", {}).items()
        },
        **{path: _get(answer, path) for path in expect.get("same", {})},
        **{path: _get(answer, path) is _MISSING for path in expect.get("absent", [])},
        **{f"header {h}": response.headers.get(h) for h in expect.get("headers", {})},
    }
    wanted = {
        "status": expect["status"],
        **expect.get("facts", {}),
        **dict.fromkeys(expect.get("patterns", {}), True),
        **{path: _get(answers, other) for path, other in expect.get("same", {}).items()},
        **dict.fromkeys(expect.get("absent", []), True),
        **{f"header {h}": v for h, v in expect.get("headers", {}).items()},
    }
    assert wanted == {k: (None if v is _MISSING else v) for k, v in seen.items()}, case["source"]
