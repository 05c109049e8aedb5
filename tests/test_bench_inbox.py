"""benchmarks/bench_inbox.py in a tiny configuration: its figures exist; never how fast they are."""

from __future__ import annotations

import math

import pytest

# Slow: it spawns worker processes. That also keeps it out of `make test-wheel`, whose tree has
# no benchmarks/ (which is why the benchmark is imported inside the tests, not up here).
pytestmark = pytest.mark.slow

TINY = {
    "BENCH_INBOX_EVENTS": "6",
    "BENCH_INBOX_WORKERS": "1,4",
    "BENCH_INBOX_METHODS": "4",
}


def test_every_figure_is_a_positive_finite_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite, every ratio the benchmark promises is there, positive and finite."""
    from benchmarks import bench_inbox
    from benchmarks.__main__ import DESCRIPTIONS

    for name, value in {**TINY, "BENCH_INBOX_DATABASES": "sqlite"}.items():
        monkeypatch.setenv(name, value)

    figures = bench_inbox.main()

    expected = {
        *(f"{store}_inline_{kind}_ratio" for store in ("sqlite", "sqlite_sqlalchemy")
          for kind in ("ignored", "duplicate", "changing")),
        *(f"sqlite_{mode}_{workers}w_ratio" for mode in ("inline", "accept", "process")
          for workers in (1, 4)),
        *(f"sqlite_{mode}_scaling_ratio" for mode in ("floor", "inline", "accept", "process")),
        "sqlite_endpoint_ratio",
        "sqlite_floor_events_per_second",
        "sqlite_sqlalchemy_ignored_statements_per_event",
    }  # fmt: skip
    assert set() == expected - set(figures)
    assert {} == {k: v for k, v in figures.items() if not (math.isfinite(v) and v > 0)}
    ratios = {k for k in figures if k.endswith("ratio")}
    assert set() == ratios - set(DESCRIPTIONS["bench_inbox"])


def test_an_unreachable_server_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that cannot be reached is left out with a note: the benchmark is skipped."""
    from benchmarks import bench_inbox
    from benchmarks.__main__ import _is_skip

    for name, value in {**TINY, "BENCH_INBOX_WORKERS": "1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BENCH_INBOX_DATABASES", "postgresql")
    monkeypatch.setenv("FUTURE_PAYMENTS_PG_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")

    with pytest.raises(bench_inbox.Skipped, match="postgresql skipped") as raised:
        bench_inbox.main()
    assert _is_skip(raised.value)
