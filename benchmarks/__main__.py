"""``python -m benchmarks`` (``make bench``): every benchmark once, one table of ratios.

Each ``benchmarks/bench_*.py`` has ``main() -> dict[str, float]``. Its own printout is kept
quiet (``-v`` shows it); every figure named ``*ratio`` or ``*speedup`` becomes a row of the table,
described below when the benchmark is known. A benchmark that cannot run here — a missing
optional dependency, a database that is not reachable, localstripe that would not install — is
reported as skipped with the reason, and does not fail the command. A benchmark that breaks
does: its row says FAILED and the exit code is 1, after the whole table is printed.

Usage: ``python -m benchmarks [-v] [NAME ...]`` with names like ``facade`` or ``bench_facade``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs


def _inbox_descriptions() -> dict[str, tuple[str, str, str]]:
    """bench_inbox: each database's rates against its floor of two raw transactions per event."""
    floors = {"postgresql": "psycopg", "mariadb": "PyMySQL", "sqlite": "sqlite3, WAL"}
    stores = {
        "postgresql": "postgresql",
        "mariadb": "mariadb",
        "sqlite": "SQLiteStore",
        "sqlite_sqlalchemy": "SQLAlchemyStore on SQLite",
    }
    kinds = {"ignored": "customer.created", "duplicate": "duplicates", "changing": "card updates"}
    modes = {"inline": "inline", "accept": "accept_event", "process": "process_events"}
    per_floor = "x the floor's events/s"
    found: dict[str, tuple[str, str, str]] = {}
    for store, shown in stores.items():
        floor = f"floor: 2 transactions, {floors[store.partition('_')[0]]}"
        for kind, events in kinds.items():
            found[f"{store}_inline_{kind}_ratio"] = (
                f"{shown}: {events}, inline, 1 worker",
                floor,
                per_floor,
            )
    for db, driver in floors.items():
        floor = f"floor: 2 transactions, {driver}"
        found[f"{db}_endpoint_ratio"] = (
            f"{db}: handle_webhook(deferred=True)",
            "handle_webhook(), inline",
            "answer time ÷ inline's",
        )
        for mode, call in modes.items():
            for workers in (1, 4, 8):
                what = f"{db}: {call}, {workers} process{'es' if workers > 1 else ''}, per process"
                found[f"{db}_{mode}_{workers}w_ratio"] = (what, floor, per_floor)
        for mode, call in {"floor": f"floor ({driver})", **modes}.items():
            found[f"{db}_{mode}_scaling_ratio"] = (
                f"{db}: {call}, 8 processes",
                "the same, 1 process",
                "x the throughput",
            )
    return found


# figure -> (what is measured, compared with, how to read the ratio)
DESCRIPTIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    "bench_inbox": _inbox_descriptions(),
    "bench_facade": {
        "memory_ratio": (
            "facade flow, MemoryStore",
            "the same raw stripe calls",
            "facade time ÷ raw time",
        ),
        "sqlite_ratio": (
            "facade flow, SQLiteStore",
            "the same raw stripe calls",
            "facade time ÷ raw time",
        ),
    },
    "bench_webhooks": {
        "speedup": (
            "verify_signature + parse_event",
            "stripe.Webhook.construct_event",
            "x faster",
        ),
    },
    "bench_async": {
        "async_speedup": (
            "100 charges, asyncio.gather",
            "the same 100 one after another",
            "x faster",
        ),
    },
    "bench_fake": {
        "flow_ratio": (
            "whole flow through FakeStripe",
            "the SDK answering canned bytes",
            "fake time ÷ SDK-only time",
        ),
    },
    "bench_localstripe": {
        "total_ratio": (
            "7 requests, in-process FakeStripe",
            "localstripe over loopback HTTP",
            "x faster",
        ),
    },
}
SKIP_EXCEPTIONS = ("Skipped", "DatabaseUnreachable", "DatabaseDriverMissing")


@attrs.frozen
class Row:
    """One line of the table."""

    benchmark: str
    measure: str
    against: str
    value: str
    reading: str


def _describe(bench: str, figure: str, value: float) -> Row:
    known = DESCRIPTIONS.get(bench, {}).get(figure)
    if known is not None:
        return Row(bench, known[0], known[1], f"{value:.2f}", known[2])
    if bench == "bench_fake" and figure.endswith("_ratio"):
        operation = figure.removesuffix("_ratio").replace("_", " ")
        reading = "time at 100,000 ÷ at 100"
        return Row(bench, f"{operation}, 100,000 objects", "100 objects", f"{value:.2f}", reading)
    if bench == "bench_localstripe" and figure.endswith("_ratio"):
        operation = figure.removesuffix("_ratio").replace("_", " ")
        return Row(bench, f"{operation}, FakeStripe", "localstripe", f"{value:.1f}", "x faster")
    return Row(bench, figure.replace("_", " "), "(see the benchmark)", f"{value:.2f}", "")


def _store_rows(bench: str, figures: dict[str, float]) -> list[Row]:
    """bench_stores reports events/s as ``backend/workers/kind``: turn them into ratios."""
    rates = {tuple(key.split("/")): value for key, value in figures.items() if key.count("/") == 2}
    rows: list[Row] = []
    backends = list(dict.fromkeys(backend for backend, _, _ in rates))
    for backend in backends:
        one = rates.get((backend, "1", "fresh"))
        if not one:
            continue
        rows.append(
            Row(bench, f"{backend}: new events, 1 worker", "(baseline)", f"{one:,.0f}", "events/s")
        )
        for (name, workers, kind), rate in rates.items():
            if name != backend or (workers, kind) == ("1", "fresh"):
                continue
            what = "new events" if kind == "fresh" else "duplicates"
            rows.append(
                Row(
                    bench,
                    f"{backend}: {what}, {workers} worker{'s' if workers != '1' else ''}",
                    f"{backend}: new events, 1 worker",
                    f"{rate / one:.2f}",
                    "x the rate",
                )
            )
        base = rates.get(("sqlite", "1", "fresh"))
        if backend != "sqlite" and base:
            rows.append(
                Row(bench, f"{backend}: new events, 1 worker", "sqlite", f"{one / base:.2f}",
                    "x the rate")
            )  # fmt: skip
    return rows


def _is_skip(exc: BaseException) -> bool:
    if isinstance(exc, ImportError):
        return True
    return any(cls.__name__ in SKIP_EXCEPTIONS for cls in type(exc).__mro__)


def discover() -> list[str]:
    """The benchmark modules, by name, sorted."""
    folder = Path(__file__).resolve().parent
    return sorted(
        info.name for info in pkgutil.iter_modules([str(folder)]) if info.name.startswith("bench_")
    )


def run_one(name: str, verbose: bool) -> tuple[list[Row], float, bool]:
    """Rows for one benchmark, its seconds, and whether it broke."""
    started = time.perf_counter()
    output = io.StringIO()
    sink = contextlib.nullcontext() if verbose else contextlib.redirect_stdout(output)
    try:
        with sink:
            module = importlib.import_module(f"benchmarks.{name}")
            bench: Callable[[], dict[str, float]] = module.main
            figures = bench()
    except Exception as exc:
        elapsed = time.perf_counter() - started
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if _is_skip(exc):
            return [Row(name, "skipped", "", "-", reason)], elapsed, False
        print(output.getvalue(), end="", file=sys.stderr)
        traceback.print_exc()
        return [Row(name, "FAILED", "", "-", f"{type(exc).__name__}: {reason}")], elapsed, True
    elapsed = time.perf_counter() - started
    if name == "bench_stores":
        return _store_rows(name, figures) or [Row(name, "no figures", "", "-", "")], elapsed, False
    rows = [
        _describe(name, figure, value)
        for figure, value in figures.items()
        if figure.endswith(("ratio", "speedup"))
    ]
    return rows or [Row(name, "no ratio reported", "", "-", "")], elapsed, False


def render(rows: Sequence[Row], seconds: dict[str, float]) -> str:
    """The table, as Markdown (readable in a terminal, pasteable into docs/performance.md)."""
    header = ("benchmark", "measure", "compared with", "ratio", "reading", "run")
    lines = [
        (r.benchmark, r.measure, r.against, r.value, r.reading, f"{seconds[r.benchmark]:.1f} s")
        for r in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(cells) for cells in lines)])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks once and print one table; 1 if any of them broke."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show their own output")
    args = parser.parse_args(argv)
    available = discover()
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in args.names] or available
    unknown = sorted(set(wanted) - set(available))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (have: {', '.join(available)})")

    rows: list[Row] = []
    seconds: dict[str, float] = {}
    broken = False
    for name in wanted:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        found, seconds[name], failed = run_one(name, args.verbose)
        rows.extend(found)
        broken |= failed
    print(render(rows, seconds))
    print(
        f"\n{len(wanted)} benchmarks, {sum(seconds.values()):.0f} s, one run on "
        f"Python {sys.version.split()[0]}; ratios from a shared machine: expect ±20 % between runs."
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
