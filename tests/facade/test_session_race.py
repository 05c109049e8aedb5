"""Many threads and processes completing one session on SQLiteStore store one method."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import stripe

from future_payments import FuturePayments, SavedPaymentMethod, SQLiteStore
from future_payments.testing import FakeStripe
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL


class _CannedSession(stripe.HTTPClient):
    """Answers every request with one recorded response: the fake's expanded session.

    Processes cannot share the in-process fake; what they race on is the store, and the
    Stripe answer for a completed session is the same for every caller.
    """

    name = "canned"

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self._body = body

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        post_data: Any = None,
        *,
        _usage: list[str] | None = None,
    ) -> tuple[str, int, Mapping[str, str]]:
        return self._body.decode(), 200, {"request-id": "req_canned"}

    def close(self) -> None:
        pass


def _complete_in_process(db: str, session_id: str, body: bytes) -> dict[str, Any]:
    client = stripe.StripeClient("sk_test_canned", http_client=_CannedSession(body))
    payments = FuturePayments(client=client, store=SQLiteStore(db))
    return attrs.asdict(payments.complete_from_session(session_id))


def _completed_session(tmp_path: Path) -> tuple[FakeStripe, FuturePayments, str]:
    fake = FakeStripe()
    payments = FuturePayments(client=fake.client(), store=SQLiteStore(tmp_path / "race.db"))
    setup = payments.start_setup(
        "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
    )
    fake.complete_checkout(setup.session_id)
    return fake, payments, setup.session_id


def test_eight_threads_store_one_method(tmp_path: Path) -> None:
    """Eight threads completing one session get equal records; one is stored."""
    _, payments, session_id = _completed_session(tmp_path)
    barrier = threading.Barrier(8)
    results: list[SavedPaymentMethod] = []

    def complete() -> None:
        barrier.wait()
        results.append(payments.complete_from_session(session_id))

    threads = [threading.Thread(target=complete) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert 8 == len(results)
    assert 1 == len(set(results))
    assert results[:1] == payments.payment_methods("user-42")


def test_four_processes_store_one_method(tmp_path: Path) -> None:
    """Four processes completing one session on one SQLite file store one method."""
    fake, payments, session_id = _completed_session(tmp_path)
    status, _, body = fake.handle_request(
        "GET",
        f"/v1/checkout/sessions/{session_id}?expand[0]=setup_intent.payment_method",
        {"Authorization": "Bearer sk_test_fake"},
        None,
    )
    assert 200 == status
    db = str(tmp_path / "race.db")

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.starmap(_complete_in_process, [(db, session_id, body)] * 4)

    assert 1 == len({tuple(sorted(r.items())) for r in results})
    assert [results[0]["id"]] == [m.id for m in payments.payment_methods("user-42")]
