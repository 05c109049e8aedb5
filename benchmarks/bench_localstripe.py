"""Our in-process fake against localstripe, for the requests both of them answer.

Run ``python -m benchmarks.bench_localstripe``. ``main()`` returns the figures as a dict, or
raises ``Skipped`` when localstripe cannot be installed or started.

localstripe (GPL-3.0) is installed from PyPI into its own venv under ``.bench/`` (never into the
project's venv, never imported here: it is only run, as a program) and started on 127.0.0.1 on a
free port for the duration of the benchmark, then stopped.

Both sides are driven by the same ``stripe.StripeClient`` code: through ``FakeStripe``'s
in-process transport, and through the SDK's default HTTP client (``requests``, keep-alive) to
localstripe. One round is seven requests on a new customer; the rounds alternate between the
two sides so that both run under the same machine conditions. Each figure is the mean over all
rounds; the ratio is localstripe time / fake time (above 1: the fake is faster).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import stripe

from future_payments.testing import FakeStripe

LOCALSTRIPE = "localstripe==1.15.10"
VENV = Path(__file__).resolve().parent.parent / ".bench" / "localstripe"
ROUNDS = 60
WARMUP_ROUNDS = 5
START_TIMEOUT = 30.0
INSTALL_TIMEOUT = 300.0

# localstripe runs its aiohttp app bound to 127.0.0.1 only (its own entry point listens on every
# interface). It keeps its state in /tmp/localstripe.pickle, rewritten on every change: that is
# part of its cost as shipped, so it is measured as it is.
_LAUNCHER = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None, access_log=None)"
)

OPERATIONS = (
    "customer_create",
    "customer_retrieve",
    "payment_method_create",
    "payment_method_attach",
    "setup_intent_create",
    "setup_intent_confirm",
    "off_session_charge",
)


class Skipped(Exception):
    """The benchmark cannot run here; the message says why."""


def _install() -> Path:
    """localstripe's interpreter in its own venv, installing it on first use."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == LOCALSTRIPE:
        return python
    try:
        if not python.exists():
            subprocess.run(  # noqa: S603 -- fixed arguments, no shell
                [sys.executable, "-m", "venv", str(VENV)],
                check=True,
                capture_output=True,
                timeout=INSTALL_TIMEOUT,
            )
        subprocess.run(  # noqa: S603 -- fixed arguments, no shell
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                LOCALSTRIPE,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or ["no output"]
        raise Skipped(f"installing {LOCALSTRIPE} failed: {last[0]}") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Skipped(f"installing {LOCALSTRIPE} failed: {exc}") from exc
    stamp.write_text(LOCALSTRIPE)
    return python


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _running(python: Path) -> Iterator[str]:
    """Start localstripe on 127.0.0.1, wait until it answers, stop it afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 -- fixed arguments, no shell
        [str(python), "-c", _LAUNCHER, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                error = (server.stderr.read() if server.stderr else b"").decode(errors="replace")
                last = error.strip().splitlines()[-1:] or [f"exit code {server.returncode}"]
                raise Skipped(f"localstripe did not start: {last[0]}")
            try:
                request = urllib.request.Request(  # noqa: S310 -- our own http://127.0.0.1 URL
                    f"{base}/v1/customers", headers={"Authorization": "Bearer sk_test_bench"}
                )
                with urllib.request.urlopen(request, timeout=1):  # noqa: S310 -- as above
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise Skipped(
                        f"localstripe did not answer on {base} within {START_TIMEOUT:.0f} s"
                    ) from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


def _round(client: stripe.StripeClient, costs: dict[str, float]) -> None:
    """One customer through the seven requests; adds each one's seconds to ``costs``."""
    clock = time.perf_counter
    started = clock()
    customer = client.v1.customers.create(params={"email": "payer@example.com"})
    costs["customer_create"] += (now := clock()) - started
    client.v1.customers.retrieve(customer.id)
    costs["customer_retrieve"] += (then := clock()) - now
    card: stripe.params.PaymentMethodCreateParamsCard = {
        "number": "4242424242424242",
        "exp_month": 12,
        "exp_year": 2034,
        "cvc": "123",
    }
    pm = client.v1.payment_methods.create(params={"type": "card", "card": card})
    costs["payment_method_create"] += (now := clock()) - then
    client.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    costs["payment_method_attach"] += (then := clock()) - now
    intent = client.v1.setup_intents.create(
        params={"customer": customer.id, "payment_method_types": ["card"]}
    )
    costs["setup_intent_create"] += (now := clock()) - then
    confirmed = client.v1.setup_intents.confirm(intent.id, params={"payment_method": pm.id})
    costs["setup_intent_confirm"] += (then := clock()) - now
    charge = client.v1.payment_intents.create(
        params={
            "amount": 1999,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": pm.id,
            "confirm": True,
            "off_session": True,
        }
    )
    costs["off_session_charge"] += clock() - then
    if confirmed.status != "succeeded" or charge.status != "succeeded":
        raise AssertionError(f"unexpected outcome: {confirmed.status}, {charge.status}")


def compare(fake_client: stripe.StripeClient, other: stripe.StripeClient) -> dict[str, float]:
    """Mean milliseconds per operation on each side and their ratios, from alternating rounds."""
    zero: Callable[[], dict[str, float]] = lambda: dict.fromkeys(OPERATIONS, 0.0)  # noqa: E731
    for _ in range(WARMUP_ROUNDS):
        _round(fake_client, zero())
        _round(other, zero())
    ours, theirs = zero(), zero()
    for _ in range(ROUNDS):
        _round(fake_client, ours)
        _round(other, theirs)
    figures: dict[str, float] = {}
    for name in OPERATIONS:
        figures[f"{name}_fake_ms"] = ours[name] / ROUNDS * 1000
        figures[f"{name}_localstripe_ms"] = theirs[name] / ROUNDS * 1000
        figures[f"{name}_ratio"] = theirs[name] / ours[name]
    figures["total_fake_ms"] = sum(ours.values()) / ROUNDS * 1000
    figures["total_localstripe_ms"] = sum(theirs.values()) / ROUNDS * 1000
    figures["total_ratio"] = sum(theirs.values()) / sum(ours.values())
    return figures


def main() -> dict[str, float]:
    """Install and start localstripe, compare, stop it; print and return the figures."""
    python = _install()
    fake = FakeStripe()
    with _running(python) as base:
        other = stripe.StripeClient("sk_test_bench", base_addresses={"api": base})
        figures = compare(fake.client(), other)
    width = max(len(name) for name in OPERATIONS)
    print(f"{'operation':<{width}}  {'fake ms':>8}  {'localstripe ms':>14}  {'ratio':>6}")
    for name in (*OPERATIONS, "total"):
        print(
            f"{name:<{width}}  {figures[f'{name}_fake_ms']:8.3f}  "
            f"{figures[f'{name}_localstripe_ms']:14.3f}  {figures[f'{name}_ratio']:6.1f}"
        )
    return figures


if __name__ == "__main__":
    main()
