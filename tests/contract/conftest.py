"""The contract suite's one switch: ``FUTURE_PAYMENTS_CONTRACT=fake|replay|live``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.contract._backends import Backend, backend, contract_mode


def pytest_report_header() -> str:
    """Say which Stripe the contract suite talks to."""
    return f"future_payments contract mode: {contract_mode()}"


@pytest.fixture
def contract(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """The Stripe this run's contract tests talk to, with the customer's actions."""
    with backend(contract_mode(), request.node.name) as chosen:
        yield chosen
