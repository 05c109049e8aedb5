"""`future-payments demo` and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from future_payments.__main__ import main
from future_payments._demo import run_demo


def test_demo_walks_the_whole_flow(tmp_path: Path) -> None:
    """The demo saves cards, charges, recovers authentication and shows a decline."""
    lines: list[str] = []

    assert 0 == run_demo(str(tmp_path / "demo.db"), say=lines.append)

    text = "\n".join(lines)
    for expected in (
        "saved visa •••• 3155",
        "→ Charged",
        "same key again: no request",
        "→ NeedsAuthentication",
        "is now succeeded",
        "updated the ledger: Charged",
        "Declined (code=card_declined, decline_code=generic_decline)",
    ):
        assert expected in text
    assert (tmp_path / "demo.db").exists()


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    """`--help` names each command."""
    with pytest.raises(SystemExit) as exited:
        main(["--help"])

    out = capsys.readouterr().out
    assert 0 == exited.value.code
    assert "demo" in out
    assert "fake" in out
