"""Many threads and processes completing one session on SQLiteStore store one method."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import attrs

from future_payments import FuturePayments, SavedPaymentMethod, SQLiteStore
from future_payments.testing import FakeStripe
from tests._shared_fake import SharedFake, shared_fake
from tests.facade.conftest import CANCEL_URL, SUCCESS_URL


def _complete_in_process(shared: SharedFake, db: str, session_id: str) -> dict[str, Any]:
    payments = FuturePayments(client=shared.client(), store=SQLiteStore(db))
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
    """Four processes completing one session on one SQLite file store one method.

    The processes share one fake Stripe, served from a manager process (tests/_shared_fake.py).
    """
    db = str(tmp_path / "race.db")
    with shared_fake() as shared:
        payments = FuturePayments(client=shared.client(), store=SQLiteStore(db))
        setup = payments.start_setup(
            "user-42", currency="usd", success_url=SUCCESS_URL, cancel_url=CANCEL_URL
        )
        shared.proxy().complete_checkout(setup.session_id)

        with multiprocessing.get_context("spawn").Pool(4) as pool:
            results = pool.starmap(_complete_in_process, [(shared, db, setup.session_id)] * 4)

    assert 1 == len({tuple(sorted(r.items())) for r in results})
    assert [results[0]["id"]] == [m.id for m in payments.payment_methods("user-42")]
