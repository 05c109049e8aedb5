"""``future-payments worker`` as a real process, on a SQLite file and on PostgreSQL / MariaDB.

The test accepts webhook events into the store (``accept_event``, as a deferred endpoint does)
against a ``FakeServer``; the command, in its own process, reaches the same fake over HTTP
(``--api-base``) and the same store by its path or URL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from future_payments import FuturePayments, SQLiteStore
from future_payments.__main__ import main
from future_payments.stores import Store
from future_payments.testing import FakeServer
from future_payments.worker import drain_events
from tests._modes import accept_all, completed_checkout, methods
from tests.server.processes import Command
from tests.workers.conftest import Tables

API_KEY = "sk_test_worker_cli_secret"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake Stripe over HTTP that keeps its webhooks for the test to take."""
    with FakeServer() as running:
        yield running


def _payments(server: FakeServer, store: Store) -> FuturePayments:
    return FuturePayments(
        client=server.client(API_KEY), store=store, webhook_secret=server.fake.webhook_secret
    )


def _worker(*args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 -- our own CLI, our own arguments
        [sys.executable, "-m", "future_payments", "worker", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "STRIPE_API_KEY": API_KEY},
        timeout=timeout,
        check=False,
    )


def _printed(out: str) -> list[tuple[str, str, str]]:
    """The (event type, event id, action) of each event line."""
    return [
        (fields[2], fields[3], fields[4])
        for fields in (line.split() for line in out.splitlines())
        if len(fields) == 5 and fields[3].startswith("evt_")
    ]


def test_once_on_a_sqlite_file(server: FakeServer, tmp_path: Path) -> None:
    """--once processes every accepted event in the file, prints each, and exits 0."""
    path = tmp_path / "shop.db"
    with SQLiteStore(path) as store:
        payments = _payments(server, store)
        accepted = accept_all(payments, completed_checkout(payments, server.fake))

        done = _worker("--store", str(path), "--once", "--api-base", server.url)

        assert (0, "") == (done.returncode, done.stderr)
        printed = _printed(done.stdout)
        assert sorted(accepted) == sorted(event_id for _, event_id, _ in printed)
        assert ("checkout.session.completed", "saved") in {(t, a) for t, _, a in printed}
        assert done.stdout.splitlines()[-1].startswith(f"Drained: {len(accepted)} events")
        assert [("4242", "active", True)] == methods(payments)
        assert API_KEY not in done.stdout + done.stderr


def test_once_with_nothing_pending(server: FakeServer, tmp_path: Path) -> None:
    """--once on a store with nothing pending says so and exits 0."""
    done = _worker("--store", str(tmp_path / "empty.db"), "--once", "--api-base", server.url)

    assert (0, ["Drained: 0 events processed, none pending."]) == (
        done.returncode,
        done.stdout.splitlines(),
    )


def test_once_through_a_sqlalchemy_url(server: FakeServer, tmp_path: Path) -> None:
    """sqlite:///path is the SQLAlchemyStore on that file."""
    from future_payments.stores import SQLAlchemyStore

    url = f"sqlite:///{tmp_path / 'alchemy.db'}"
    with SQLAlchemyStore(url, create_schema=True) as store:
        payments = _payments(server, store)
        accepted = accept_all(payments, completed_checkout(payments, server.fake))

        done = _worker("--store", url, "--once", "--api-base", server.url)

        assert 0 == done.returncode, done.stderr
        assert sorted(accepted) == sorted(event_id for _, event_id, _ in _printed(done.stdout))
        assert [("4242", "active", True)] == methods(payments)


@pytest.mark.database
def test_once_on_a_database_server(server: FakeServer, tables: Tables) -> None:
    """--once on PostgreSQL and MariaDB, by URL and table prefix."""
    payments = _payments(server, tables.store)
    accepted = accept_all(payments, completed_checkout(payments, server.fake))

    done = _worker(
        "--store", tables.url, "--table-prefix", tables.prefix, "--once",
        "--api-base", server.url,
    )  # fmt: skip

    assert (0, "") == (done.returncode, done.stderr)
    assert sorted(accepted) == sorted(event_id for _, event_id, _ in _printed(done.stdout))
    assert [("4242", "active", True)] == methods(payments)


def test_sigterm_stops_it_cleanly(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running, it processes events as they are accepted; SIGTERM stops it with exit 0."""
    monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
    path = tmp_path / "shop.db"
    with SQLiteStore(path) as store:
        payments = _payments(server, store)
        worker = Command(
            ["worker", "--store", str(path), "--poll-interval", "50ms", "--api-base", server.url]
        )
        try:
            worker.expect(r"^Processing the webhook events accepted into SQLiteStore")
            accepted = accept_all(payments, completed_checkout(payments, server.fake))
            worker.expect(r"checkout\.session\.completed +evt_\w+ +saved$")
        finally:
            code = worker.stop(signal.SIGTERM)

        assert 0 == code, worker.err
        assert worker.out[-1].startswith(f"Stopped: {len(accepted)} events in ")
        assert "Traceback" not in "\n".join(worker.err)
        assert API_KEY not in "\n".join(worker.out + worker.err)
        assert [("4242", "active", True)] == methods(payments)


def _until(what: str, check: Callable[[], bool], worker: Command | None = None) -> None:
    deadline = time.monotonic() + 30
    while not check():
        if time.monotonic() > deadline:
            shown = f"; stdout {worker.out}, stderr {worker.err}" if worker else ""
            pytest.fail(f"no {what} within 30 s{shown}")
        time.sleep(0.02)


def test_a_failed_batch_is_reported_and_retried(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stripe failing a batch is reported on stderr, without the key; the worker goes on."""
    monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
    path = tmp_path / "shop.db"
    with SQLiteStore(path) as store:
        payments = _payments(server, store)
        accept_all(payments, completed_checkout(payments, server.fake))
        server.fake.fail_next("server_error", times=3)  # the first try and both SDK retries
        worker = Command(
            ["worker", "--store", str(path), "--poll-interval", "50ms", "--lease", "1s",
             "--api-base", server.url]
        )  # fmt: skip
        try:
            worker.expect(r"checkout\.session\.completed +evt_\w+ +saved$", timeout=30)
        finally:
            code = worker.stop(signal.SIGTERM)

        assert 0 == code, worker.err
        [reported] = [line for line in worker.err if "failed" in line]
        assert reported.startswith("future-payments worker: a batch of events failed, retrying")
        assert "StripeUnavailable" in reported
        assert ", 1 failed (" in worker.out[-1]
        assert API_KEY not in "\n".join(worker.out + worker.err)
        assert [("4242", "active", True)] == methods(payments)


@pytest.mark.slow
def test_a_second_signal_stops_it_at_once(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second SIGTERM during a batch stops it at once (exit 1); the events are taken again."""
    monkeypatch.setenv("STRIPE_API_KEY", API_KEY)
    path = tmp_path / "shop.db"
    with SQLiteStore(path) as store:
        payments = _payments(server, store)
        accepted = accept_all(payments, completed_checkout(payments, server.fake))
        before = len(server.fake.requests)
        server.fake.fail_next("slow", delay=10.0)  # the batch's first Stripe request hangs
        worker = Command(
            ["worker", "--store", str(path), "--lease", "1s", "--api-base", server.url]
        )
        try:
            _until("request from the worker", lambda: len(server.fake.requests) > before, worker)
            worker.process.send_signal(signal.SIGTERM)
            _until(
                "first stop", lambda: any("Stopping after" in line for line in worker.err), worker
            )
        finally:
            code = worker.stop(signal.SIGTERM)

        assert 1 == code, worker.err
        assert "Stopped at once" in "\n".join(worker.err)
        assert "Traceback" not in "\n".join(worker.err)
        processed: list[str] = []

        def all_processed() -> bool:
            processed.extend(o.event_id for o in drain_events(payments))
            return sorted(accepted) == sorted(processed)

        _until("events taken again after their lease", all_processed)
        assert [("4242", "active", True)] == methods(payments)


def test_a_missing_key_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --api-key or STRIPE_API_KEY it exits 2 and says which variable to set."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)

    assert 2 == main(["worker", "--store", str(tmp_path / "shop.db"), "--once"])
    assert "STRIPE_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("store", "message"),
    [
        ("redis://127.0.0.1:6379/0", "redis:// is not a database"),
        ("postgresql://u:hunter2@[::1", "not a database URL"),
    ],
)
def test_a_bad_store_is_a_usage_error(
    store: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A --store that names no usable database exits 2, with no password echoed."""
    assert 2 == main(["worker", "--store", store, "--api-key", API_KEY, "--once"])
    err = capsys.readouterr().err
    assert message in err
    assert "hunter2" not in err


def test_table_prefix_needs_a_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--table-prefix with a plain file is refused: a SQLiteStore has no prefix."""
    args = ["worker", "--store", str(tmp_path / "a.db"), "--table-prefix", "x_", "--once"]

    assert 2 == main([*args, "--api-key", API_KEY])
    assert "--table-prefix needs a database URL" in capsys.readouterr().err


@pytest.mark.parametrize(
    "option",
    [
        ["--limit", "0"],
        ["--limit", "1001"],
        ["--poll-interval", "0"],
        ["--lease", "0s"],
        ["--lease", "soon"],
    ],
)
def test_bad_numbers_are_usage_errors(
    option: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--limit, --poll-interval and --lease are checked before anything runs."""
    with pytest.raises(SystemExit) as exited:
        main(["worker", "--store", str(tmp_path / "a.db"), "--api-key", API_KEY, *option])

    assert 2 == exited.value.code
    assert option[0] in capsys.readouterr().err
    assert not (tmp_path / "a.db").exists()


def test_a_refused_key_fails_once_without_showing_it(server: FakeServer, tmp_path: Path) -> None:
    """--once exits 1 when Stripe refuses the key; the key is never printed."""
    path = tmp_path / "shop.db"
    with SQLiteStore(path) as store:
        payments = _payments(server, store)
        accept_all(payments, completed_checkout(payments, server.fake))

    done = subprocess.run(  # noqa: S603 -- our own CLI, our own arguments
        [sys.executable, "-m", "future_payments", "worker", "--store", str(path), "--once",
         "--api-base", server.url],
        capture_output=True,
        text=True,
        env={**os.environ, "STRIPE_API_KEY": "sk_live_not_a_test_key_at_all"},
        timeout=60,
        check=False,
    )  # fmt: skip

    assert 1 == done.returncode
    assert "sk_live_not_a_test_key_at_all" not in done.stdout + done.stderr


def test_a_postgres_url_is_postgresql() -> None:
    """postgres://, as some hosts print it, opens the PostgreSQL store (no connection yet)."""
    from future_payments._cli._worker import open_store

    store = open_store("postgres://app:hunter2@db.internal:5432/shop", None)
    try:
        assert "SQLAlchemyStore('postgresql+psycopg://app:***@db.internal:5432/shop'" in repr(store)
    finally:
        store.close()
