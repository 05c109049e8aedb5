"""The code examples in README.md and docs/ run, so they cannot rot.

Every fenced block tagged ```python is executed; blocks tagged ```py (illustrations that need an
app, a framework or a real Stripe account), ```sh, ```text and so on are not, but ```py blocks
must still parse. A page's python blocks run in order in one namespace, so later blocks use
names from earlier ones, in a fresh temporary working directory.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")


def blocks(page: Path, language: str) -> list[tuple[int, str]]:
    """The fenced blocks of one language, as (line number of the fence, dedented code)."""
    found: list[tuple[int, str]] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        info = opening["info"].strip().split()
        body: list[str] = []
        index += 1
        while index < len(lines):
            stripped = lines[index].strip()
            if stripped.startswith(fence) and set(stripped) == {fence[0]}:
                break
            line = lines[index]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        start = index - len(body)
        index += 1
        if info and info[0] == language:
            found.append((start, "\n".join(body) + "\n"))
    return found


def _pages_with(language: str) -> list[Path]:
    return [page for page in PAGES if blocks(page, language)]


def _id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("page", _pages_with("python"), ids=_id)
def test_python_blocks_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each ```python block of the page runs, in order, in one namespace."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for line, code in blocks(page, "python"):
        compiled = compile(code, f"{_id(page)}:{line}", "exec")
        exec(compiled, namespace)  # noqa: S102 -- running our own documentation is the point


@pytest.mark.parametrize("page", _pages_with("py"), ids=_id)
def test_illustrative_blocks_parse(page: Path) -> None:
    """Each ```py block (shown, not run) is at least valid Python."""
    for line, code in blocks(page, "py"):
        try:
            ast.parse(code, f"{_id(page)}:{line}")
        except SyntaxError:
            # Illustrations may await at the top level, as inside an async view.
            compile(code, f"{_id(page)}:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_fence_reader_finds_blocks() -> None:
    """The block reader sees the quick start's examples (guards against a silent no-op)."""
    assert len(blocks(ROOT / "docs" / "quickstart.md", "python")) >= 3


def test_going_live_lists_the_handled_events() -> None:
    """docs/going-live.md tells users to enable exactly the events the library acts on."""
    from future_payments._events import HANDLERS

    text = (ROOT / "docs" / "going-live.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_]+\.[a-z_.]+)` \|", text, re.MULTILINE)

    assert sorted(HANDLERS) == sorted(listed)
