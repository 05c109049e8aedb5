"""`future-payments demo` and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from future_payments.__main__ import SIGPIPE_EXIT, main
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
        "start_authentication() → AuthenticationStarted",
        "complete_authentication() on https://shop.example/pay/return → Charged",
        "the ledger and the webhooks agree: Charged",
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


def test_demo_says_where_the_store_is(tmp_path: Path) -> None:
    """With --db the demo names the whole path it kept; without, that the file is deleted."""
    kept: list[str] = []
    temporary: list[str] = []
    run_demo(str(tmp_path / "demo.db"), say=kept.append)
    run_demo(None, say=temporary.append)

    assert f"The store is kept in {tmp_path / 'demo.db'}" in kept[-1]
    assert "deleted" in temporary[0]
    assert "--db FILE" in temporary[-1]


def test_demo_is_quiet_on_a_closed_pipe() -> None:
    """`future-payments demo | head -1`: no traceback when the reader has gone away."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: every write fails
    try:
        done = subprocess.run(
            [sys.executable, "-m", "future_payments", "demo"],
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writer)

    assert (SIGPIPE_EXIT, b"") == (done.returncode, done.stderr)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the installed distribution's version."""
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert (0, f"future-payments {version('future-payments')}\n") == (
        exited.value.code,
        capsys.readouterr().out,
    )


COMMANDS = [
    ["demo"], ["fake", "serve"], ["listen"], ["trigger"], ["events", "list"],
    ["events", "resend"], ["webhooks", "sign"],
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_stands_on_its_own(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Each command's --help explains it without pointing at files an installed user lacks."""
    with pytest.raises(SystemExit):
        main([*command, "--help"])

    out = capsys.readouterr().out
    assert "docs/" not in out.replace("https://github.com/", "")
    assert len(out.split("\n\n")[1]) > 80  # a description, not only the usage line


@pytest.mark.parametrize("group", [["fake"], ["events"], ["webhooks"], []], ids=" ".join)
def test_group_without_command_prints_its_help(
    group: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A command group alone prints its own help and exits 0."""
    assert 0 == main(group)
    assert "COMMAND" in capsys.readouterr().out
