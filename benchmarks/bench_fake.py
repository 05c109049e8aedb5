"""How much the fake Stripe adds to the SDK's own cost, and whether it grows with its store.

Run ``python -m benchmarks.bench_fake``. ``main()`` returns the figures as a dict.

1. The whole flow (create customer, create setup session, complete it, retrieve the session with
   ``setup_intent.payment_method`` expanded, off-session charge) through ``FakeStripe``, against
   the same requests answered by a canned-response ``stripe.HTTPClient`` that replays the fake's
   recorded answers: the SDK's own cost. The ratio is fake time / canned time.
2. Per-operation cost with 100 and with 100,000 objects stored (ratio ~1 means O(1)).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from future_payments.testing import FakeStripe

FLOW_RUNS = 300
OPERATION_RUNS = 300
SMALL, LARGE = 100, 100_000


def flow(fake: FakeStripe | None, client: stripe.StripeClient) -> None:
    """The library's whole save-then-charge flow, as the requests it makes."""
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "setup",
            "currency": "usd",
            "customer": customer.id,
            "success_url": "https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}",
        }
    )
    if fake is not None:
        fake.complete_checkout(session.id)
    done = client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["setup_intent.payment_method"]}
    )
    intent = done.setup_intent
    pm = intent.payment_method if isinstance(intent, stripe.SetupIntent) else None
    client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id if isinstance(pm, stripe.PaymentMethod) else "pm_card_visa",
            "confirm": True,
            "off_session": True,
        }
    )


class CannedHTTPClient(stripe.HTTPClient):
    """Answers each request with the next recorded answer: only the SDK's own work remains."""

    name = "canned"

    def __init__(self, answers: list[tuple[str, int, Mapping[str, str]]]) -> None:
        super().__init__()
        self._answers = answers
        self._next = 0

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        answer = self._answers[self._next % len(self._answers)]
        self._next += 1
        return answer

    def close(self) -> None:
        """Nothing to close."""


class RecordingHTTPClient(CannedHTTPClient):
    """Passes requests to a fake and keeps its answers for the canned client."""

    def __init__(self, inner: stripe.HTTPClient) -> None:
        super().__init__([])
        self._inner = inner

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        answer = self._inner.request(method, url, headers, post_data)
        self._answers.append(answer)
        return answer


def _timed(runs: int, step: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        step()
    return (time.perf_counter() - started) / runs


def flow_figures() -> dict[str, float]:
    """Mean seconds per flow through the fake and through canned answers, and their ratio."""
    fake = FakeStripe()
    client = fake.client()
    for _ in range(20):  # warm up both paths
        flow(fake, client)
    recorder = RecordingHTTPClient(fake.http_client())
    flow(fake, stripe.StripeClient("sk_test_bench", http_client=recorder))
    canned = stripe.StripeClient("sk_test_bench", http_client=CannedHTTPClient(recorder._answers))
    for _ in range(20):
        flow(None, canned)
    # Interleave the two so both run under the same process conditions (heap size, caches).
    fake_time = canned_time = 0.0
    for _ in range(FLOW_RUNS):
        fake_time += _timed(1, lambda: flow(fake, client))
        canned_time += _timed(1, lambda: flow(None, canned))
    return {
        "flow_fake_ms": fake_time / FLOW_RUNS * 1000,
        "flow_canned_sdk_ms": canned_time / FLOW_RUNS * 1000,
        "flow_ratio": fake_time / canned_time,
        "fake_added_percent": (fake_time / canned_time - 1) * 100,
    }


def _fill(fake: FakeStripe, count: int) -> None:
    """Store ``count`` customers straight through the entry point (no SDK, to be quick)."""
    headers = {"Authorization": "Bearer sk_test_bench"}
    for index in range(count):
        fake.handle_request("POST", "/v1/customers", headers, f"email=c{index}%40example.com")
    fake.webhooks()
    fake.requests.clear()


def _operations(fake: FakeStripe) -> dict[str, Callable[[], object]]:
    client = fake.client()
    customer = client.v1.customers.create().id
    session_params: stripe.params.checkout.SessionCreateParams = {
        "mode": "setup",
        "currency": "usd",
        "customer": customer,
        "success_url": "https://shop.example/ok",
    }
    session = client.v1.checkout.sessions.create(params=session_params).id
    fake.complete_checkout(session)
    pm = client.v1.checkout.sessions.retrieve(session, params={"expand": ["setup_intent"]})
    intent = pm.setup_intent
    pm_id = str(intent.payment_method) if isinstance(intent, stripe.SetupIntent) else ""
    return {
        "customer_create": lambda: client.v1.customers.create(),
        "customer_retrieve": lambda: client.v1.customers.retrieve(customer),
        "session_create": lambda: client.v1.checkout.sessions.create(params=session_params),
        "session_retrieve_expanded": lambda: client.v1.checkout.sessions.retrieve(
            session, params={"expand": ["setup_intent.payment_method"]}
        ),
        "off_session_charge": lambda: client.v1.payment_intents.create(
            params={
                "amount": 1999,
                "currency": "usd",
                "customer": customer,
                "payment_method": pm_id,
                "confirm": True,
                "off_session": True,
            }
        ),
        "customer_list_first_page": lambda: client.v1.customers.list(params={"limit": 10}),
    }


def scaling_figures() -> dict[str, float]:
    """Mean microseconds per operation with SMALL and LARGE objects stored, and the ratios.

    Both fakes are filled first and measured in alternating rounds, so that the machine's load
    and the process's heap (the garbage collector's work grows with it) weigh on both alike:
    the ratio is what the number of stored objects adds.
    """
    figures: dict[str, float] = {}
    fakes = {}
    for size in (SMALL, LARGE):
        fake = FakeStripe()
        _fill(fake, size)
        fakes[size] = (fake, _operations(fake))
    for _, operations in fakes.values():
        for step in operations.values():  # warm up
            for _ in range(20):
                step()
    costs: dict[int, dict[str, float]] = {SMALL: {}, LARGE: {}}
    for name in fakes[SMALL][1]:
        rounds: dict[int, list[float]] = {SMALL: [], LARGE: []}
        for _ in range(5):  # best of five alternating rounds, to keep scheduler noise out
            for size, (_, operations) in fakes.items():
                rounds[size].append(_timed(OPERATION_RUNS // 5, operations[name]))
        for size in (SMALL, LARGE):
            costs[size][name] = min(rounds[size])
    for fake, _ in fakes.values():
        fake.webhooks()
    for name in costs[SMALL]:
        figures[f"{name}_us_at_{SMALL}"] = costs[SMALL][name] * 1e6
        figures[f"{name}_us_at_{LARGE}"] = costs[LARGE][name] * 1e6
        figures[f"{name}_ratio"] = costs[LARGE][name] / costs[SMALL][name]
    return figures


def main() -> dict[str, float]:
    """Run both measurements once, print them, and return them."""
    figures = {**flow_figures(), **scaling_figures()}
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:10.2f}")
    return figures


if __name__ == "__main__":
    main()
