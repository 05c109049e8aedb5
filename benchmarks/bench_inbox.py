"""Webhooks at scale: the event inbox against the floor of two bare transactions per event.

Run with ``python -m benchmarks.bench_inbox`` (``python -m benchmarks inbox -v`` for the table
and this benchmark's own printout). Every figure is a ratio of two rates measured in this run.

Databases: PostgreSQL and MariaDB (the servers of the test suite, ``FUTURE_PAYMENTS_PG_URL`` /
``FUTURE_PAYMENTS_MYSQL_URL`` or the 127.0.0.1 defaults; one that cannot be reached is left out
with a note) and SQLite on a temporary file. Each server run creates its own tables (a random
prefix) and drops them afterwards.

1. The floor, per database: two one-statement transactions per event on a raw driver
   connection (psycopg, PyMySQL, sqlite3 in WAL mode as ``SQLiteStore`` opens it): the event id
   inserted into a scratch table, then that row marked done, each transaction committed on its
   own. Events per second; the rates below are divided by it.
2. Inline, one worker: ``complete_from_event`` on ``SQLAlchemyStore`` (and ``SQLiteStore``,
   and ``SQLAlchemyStore`` on SQLite) for (a) a type the library does not act on
   (``customer.created``), (b) duplicates of those, already processed, and (c) a change
   without a Stripe request: ``payment_method.automatically_updated`` (the fake's card
   updater, ``FakeStripe.update_card``) for cards saved beforehand through the public flow.
   Floor and inline deliveries alternate in rounds, so both see the same machine.
3. Workers: 1, 4 and 8 processes (spawn; each builds its own facade and store), released
   together by a barrier, on (c)-type events: inline (``complete_from_event``) and deferred
   (all events accepted with ``accept_event``, timed, then ``process_events()`` until it finds
   nothing, timed). Events per second per worker over the one-connection floor, measured in
   the same rounds as that worker count's runs; and the scaling of the throughput, most workers
   over one, with the floor's own scaling over as many raw connections for comparison.
4. The endpoint: ``handle_webhook(..., deferred=True)`` against ``handle_webhook(...)`` for a
   (c)-type event: time to answer the delivery.

For the SQLAlchemy stores the statements, commits and pool checkouts per event are counted
(SQLAlchemy's ``before_cursor_execute``, ``commit`` and pool ``checkout`` events) in a short
extra pass that is not timed; they are printed and returned, not rows of the table. The
drivers' own round trips (psycopg's ``BEGIN``, a pool pre-ping at checkout) are not counted.
The floor, deliveries, worker processes and counters are in ``benchmarks/_inbox.py``.

Sizes come from the environment: ``BENCH_INBOX_EVENTS`` (deliveries per figure, default 600),
``BENCH_INBOX_WORKERS`` (default ``1,4,8``), ``BENCH_INBOX_DATABASES`` (default
``postgresql,mariadb,sqlite``) and ``BENCH_INBOX_METHODS`` (saved cards the updates go to,
default 32).
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import attrs

from benchmarks._inbox import (
    SECRET,
    Cards,
    Floor,
    StoreSpec,
    Workers,
    accept,
    close_store,
    counting,
    deferred_task,
    deliver,
    drain,
    facade,
    floor_task,
    ignored_deliveries,
    inline_task,
    new_ids,
    open_store,
    span,
    worker_pool,
)
from future_payments import FuturePayments, FuturePaymentsError, SQLiteStore
from future_payments.testing import FakeStripe
from future_payments.webhooks import handle_webhook

SERVERS = {
    "postgresql": ("FUTURE_PAYMENTS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    "mariadb": ("FUTURE_PAYMENTS_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
}
DATABASES = ("postgresql", "mariadb", "sqlite")
EVENTS = 600
WORKER_COUNTS = (1, 4, 8)
METHODS = 32
KINDS = ("ignored", "duplicate", "changing")
ROUNDS = 6  # floor and inline deliveries alternate in this many rounds
ROUNDS_PER_COUNT = 3  # the same with worker processes, per worker count
MODES = ("floor", "inline", "accept", "process")
WARMUP = 10  # deliveries of each kind before the clock starts
COUNTED = 20  # deliveries of each kind in the statement-counting pass


class Skipped(Exception):
    """Nothing could be measured here (no database was reachable)."""


@attrs.frozen
class Config:
    """How much to measure; from the environment (see the module docstring)."""

    events: int = EVENTS
    workers: tuple[int, ...] = WORKER_COUNTS
    databases: tuple[str, ...] = DATABASES
    methods: int = METHODS

    @classmethod
    def from_environ(cls) -> Config:
        """The defaults, overridden by ``BENCH_INBOX_*`` variables."""
        env = os.environ
        workers = env.get("BENCH_INBOX_WORKERS")
        databases = env.get("BENCH_INBOX_DATABASES")
        config = cls(
            events=int(env.get("BENCH_INBOX_EVENTS", EVENTS)),
            workers=tuple(int(w) for w in workers.split(",")) if workers else WORKER_COUNTS,
            databases=tuple(d.strip() for d in databases.split(",")) if databases else DATABASES,
            methods=int(env.get("BENCH_INBOX_METHODS", METHODS)),
        )
        unknown = set(config.databases) - set(DATABASES)
        if unknown:
            raise ValueError(f"BENCH_INBOX_DATABASES: unknown {sorted(unknown)}; have {DATABASES}")
        if config.events < ROUNDS or config.methods < 1 or min(config.workers) < 1:
            raise ValueError(f"BENCH_INBOX_*: too small to measure: {config}")
        return config


# -- one database ------------------------------------------------------------------------------


@attrs.frozen
class Target:
    """One database: its floor, its main store, and further stores measured inline only."""

    name: str
    floor: Floor
    spec: StoreSpec
    inline_only: tuple[tuple[str, StoreSpec], ...] = ()


def _timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _inline(
    target: Target,
    stores: dict[str, tuple[FuturePayments, Cards]],
    config: Config,
    figures: dict[str, float],
) -> None:
    """Phase 1 and 2: the floor and each store's inline rates, alternating in rounds."""
    per_round = config.events // ROUNDS
    floor_conn = target.floor.connect()
    try:
        target.floor.events(floor_conn, new_ids(WARMUP))
        for payments, cards in stores.values():
            warm = ignored_deliveries(WARMUP)
            deliver(payments, warm + warm + cards.updates(WARMUP))
        floor_s = 0.0
        seconds = {(name, kind): 0.0 for name in stores for kind in KINDS}
        for _ in range(ROUNDS):
            ids = new_ids(per_round)
            floor_s += _timed(partial(target.floor.events, floor_conn, ids))
            for name, (payments, cards) in stores.items():
                fresh, changes = ignored_deliveries(per_round), cards.updates(per_round)
                seconds[name, "ignored"] += _timed(partial(deliver, payments, fresh))
                seconds[name, "duplicate"] += _timed(partial(deliver, payments, fresh))
                seconds[name, "changing"] += _timed(partial(deliver, payments, changes))
    finally:
        floor_conn.close()
    events = per_round * ROUNDS
    floor_rate = events / floor_s
    figures[f"{target.name}_floor_events_per_second"] = floor_rate
    for (name, kind), spent in seconds.items():
        figures[f"{name}_inline_{kind}_ratio"] = events / spent / floor_rate


def _count(name: str, what: str, work: Callable[[], object]) -> dict[str, float]:
    with counting() as counts:
        work()
    return {
        f"{name}_{what}_statements_per_event": counts.statements / COUNTED,
        f"{name}_{what}_commits_per_event": counts.commits / COUNTED,
        f"{name}_{what}_checkouts_per_event": counts.checkouts / COUNTED,
    }


def _statement_counts(
    stores: dict[str, tuple[FuturePayments, Cards]], figures: dict[str, float]
) -> None:
    """Per event, for the SQLAlchemy stores: statements, commits, pool checkouts."""
    for name, (payments, cards) in stores.items():
        if isinstance(payments.store, SQLiteStore):
            continue  # not SQLAlchemy: nothing to listen to
        fresh = ignored_deliveries(COUNTED)
        changes, later = cards.updates(COUNTED), cards.updates(COUNTED)
        figures |= _count(name, "ignored", partial(deliver, payments, fresh))
        figures |= _count(name, "duplicate", partial(deliver, payments, fresh))
        figures |= _count(name, "changing", partial(deliver, payments, changes))
        figures |= _count(name, "accept", partial(accept, payments, later))
        figures |= _count(name, "process", partial(drain, payments))


def _endpoint(
    target: Target, payments: FuturePayments, cards: Cards, config: Config
) -> dict[str, float]:
    """Phase 4: answer time of the endpoint, deferred against inline, alternating."""
    count = max(1, config.events // 3)
    inline, deferred = cards.updates(count), cards.updates(count)
    inline_s = deferred_s = 0.0
    for (body, signature), (later_body, later_signature) in zip(inline, deferred, strict=True):
        headers = {"Stripe-Signature": signature}
        later_headers = {"Stripe-Signature": later_signature}
        started = time.perf_counter()
        status, _ = handle_webhook(payments, body, headers)
        inline_s += time.perf_counter() - started
        started = time.perf_counter()
        later_status, _ = handle_webhook(payments, later_body, later_headers, deferred=True)
        deferred_s += time.perf_counter() - started
        if (status, later_status) != (200, 200):
            raise AssertionError(f"the endpoint answered {status} and {later_status}")
    drain(payments)  # leave nothing pending for the worker phases
    return {
        f"{target.name}_endpoint_inline_ms": inline_s / count * 1000,
        f"{target.name}_endpoint_deferred_ms": deferred_s / count * 1000,
        f"{target.name}_endpoint_ratio": deferred_s / inline_s,
    }


def _floor_seconds(workers: Workers, floor: Floor, count: int, events: int) -> float:
    ids = new_ids(events)
    return span(workers.run(floor_task, [(floor, ids[w::count]) for w in range(count)]))


def _scaled(
    workers: Workers, target: Target, cards: Cards, config: Config, figures: dict[str, float]
) -> None:
    """Phase 3: throughput with each worker count, inline and deferred, and the floor's.

    Each worker count runs in rounds; a round measures the one-connection floor, the floor on
    as many connections as workers, inline, then deferred, so that every rate of a worker count
    is divided by a floor measured among them (the machine is shared: its speed drifts).
    """
    name, spec = target.name, target.spec
    chunk = max(1, config.events // ROUNDS_PER_COUNT)
    seconds: dict[tuple[str, int], float] = dict.fromkeys(
        ((mode, count) for mode in ("one", *MODES) for count in config.workers), 0.0
    )
    for count in config.workers:
        for _ in range(ROUNDS_PER_COUNT):
            one = _floor_seconds(workers, target.floor, 1, chunk)
            seconds["one", count] += one
            seconds["floor", count] += (
                one if count == 1 else _floor_seconds(workers, target.floor, count, chunk)
            )

            deliveries = cards.updates(chunk)
            shares = [(spec, deliveries[w::count]) for w in range(count)]
            seconds["inline", count] += span(workers.run(inline_task, shares))

            deliveries = cards.updates(chunk)
            shares = [(spec, deliveries[w::count]) for w in range(count)]
            results = workers.run(deferred_task, shares)
            handled = sum(done for _, _, done in results)
            if handled != chunk:
                raise AssertionError(f"{name}: process_events handled {handled} of {chunk}")
            seconds["accept", count] += span([accepted for accepted, _, _ in results])
            seconds["process", count] += span([processed for _, processed, _ in results])
    events = chunk * ROUNDS_PER_COUNT
    for mode in MODES:
        for count in config.workers:
            rate = events / seconds[mode, count]
            figures[f"{name}_{mode}_{count}w_events_per_second"] = rate
            if mode != "floor":
                floor = events / seconds["one", count]
                figures[f"{name}_{mode}_{count}w_ratio"] = rate / count / floor
    least, most = min(config.workers), max(config.workers)
    if most != least:
        for mode in MODES:
            # Same events in each: the throughput ratio is the inverse ratio of the times.
            scaling = seconds[mode, least] / seconds[mode, most]
            figures[f"{name}_{mode}_scaling_ratio"] = scaling


def _measure(target: Target, config: Config, workers: Workers, figures: dict[str, float]) -> None:
    started = time.perf_counter()
    fake = FakeStripe(webhook_secret=SECRET)
    stores: dict[str, tuple[FuturePayments, Cards]] = {}
    specs = {target.name: target.spec, **dict(target.inline_only)}
    target.floor.create()
    try:
        for name, spec in specs.items():
            payments = facade(open_store(spec), fake)
            stores[name] = (payments, Cards.save(fake, payments, config.methods))
        _inline(target, stores, config, figures)
        _statement_counts(stores, figures)
        main, cards = stores[target.name]
        figures |= _endpoint(target, main, cards, config)
        _scaled(workers, target, cards, config, figures)
    finally:
        workers.forget(target.spec)
        for payments, _ in stores.values():
            close_store(payments.store)
        target.floor.drop()
    figures[f"{target.name}_seconds"] = time.perf_counter() - started


def _server(
    name: str, config: Config, workers: Workers, figures: dict[str, float], notes: list[str]
) -> None:
    import sqlalchemy as sa

    from future_payments.stores import SQLAlchemyStore
    from future_payments.stores._sqlalchemy_schema import build_tables

    variable, default = SERVERS[name]
    url = os.environ.get(variable) or default
    shown = sa.make_url(url).render_as_string(hide_password=True)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5}, hide_parameters=True)
    prefix = f"bi{secrets.token_hex(4)}_"
    try:
        try:
            SQLAlchemyStore(engine, table_prefix=prefix, create_schema=True)
        except (FuturePaymentsError, sa.exc.DBAPIError) as exc:
            notes.append(f"{name} skipped: {shown} unreachable ({type(exc).__name__})")
            return
        try:
            floor = Floor(name, url, f"{prefix}floor")
            _measure(Target(name, floor, ("sqlalchemy", url, prefix)), config, workers, figures)
        except ImportError as exc:
            notes.append(f"{name} skipped: its raw driver is missing ({exc})")
        finally:
            build_tables(prefix).metadata.drop_all(engine)
    finally:
        engine.dispose()


def _sqlite(config: Config, workers: Workers, figures: dict[str, float]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "inbox.db")
        other = ("sqlalchemy", f"sqlite:///{Path(tmp) / 'inbox-sqlalchemy.db'}", "fp_")
        from future_payments.stores import SQLAlchemyStore

        SQLAlchemyStore(other[1], table_prefix=other[2], create_schema=True).close()
        target = Target(
            "sqlite",
            Floor("sqlite", path, "bench_floor"),
            ("sqlite", path),
            (("sqlite_sqlalchemy", other),),
        )
        created = SQLiteStore(path)
        created.list_payment_methods("bench-create")  # the file and its tables
        created.close()
        _measure(target, config, workers, figures)


def _report(figures: dict[str, float], config: Config, notes: list[str]) -> None:
    print(
        f"bench_inbox: {config.events} deliveries per figure, workers {config.workers}, "
        f"{config.methods} saved cards updated round robin"
    )
    for key, value in figures.items():
        shown = f"{value:,.0f}" if key.endswith("per_second") else f"{value:.2f}"
        print(f"  {key:<52} {shown:>10}")
    for note in notes:
        print(note)


def main() -> dict[str, float]:
    """Measure every reachable database once; print and return the figures.

    Ratios are ``*_ratio``; ``*_events_per_second``, ``*_ms``, ``*_per_event`` and
    ``*_seconds`` are the raw figures behind them.
    """
    config = Config.from_environ()
    figures: dict[str, float] = {}
    notes: list[str] = []
    with worker_pool(config.workers) as workers:
        for name in config.databases:
            if name == "sqlite":
                _sqlite(config, workers, figures)
            else:
                _server(name, config, workers, figures, notes)
    _report(figures, config, notes)
    if not figures:
        raise Skipped("; ".join(notes) or "no database to measure")
    return figures


if __name__ == "__main__":
    main()
