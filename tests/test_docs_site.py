"""The built documentation site works opened from disk (file://), with nothing from the network."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
_LINK = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` of this repository into a temporary directory."""
    out = tmp_path_factory.mktemp("site")
    subprocess.run(  # noqa: S603 -- mkdocs on our own docs
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return out


def _links(page: Path) -> list[str]:
    return _LINK.findall(page.read_text(encoding="utf-8"))


def test_every_local_link_is_a_file(site: Path) -> None:
    """Each relative href/src of each page names a file, not a directory (file:// has no index)."""
    broken = []
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # served by a web server only, never opened from disk
            continue
        for link in _links(page):
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "//", "mailto:")) or not parts.path:
                continue
            if parts.path.startswith("/"):
                broken.append(f"{page.relative_to(site)}: {link} (absolute)")
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {link}")
    assert [] == broken[:20]


# Material's offline plugin loads this shim so that search runs from file://; without a
# network, pages and navigation still work and only the search box does not.
_SEARCH_SHIM = "https://unpkg.com/iframe-worker/shim"


def test_nothing_but_the_search_shim_comes_from_the_network(site: Path) -> None:
    """No stylesheet, script or font comes from another host (links to other sites aside)."""
    remote = re.compile(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"')
    offending = [
        f"{page.relative_to(site)}: {match.group(1)}"
        for page in site.rglob("*.html")
        for match in remote.finditer(page.read_text(encoding="utf-8"))
        if match.group(1) != _SEARCH_SHIM
    ]
    assert [] == offending[:10]


def test_search_works_offline(site: Path) -> None:
    """The search index is inlined (the offline plugin), so search needs no fetch()."""
    assert (site / "search" / "search_index.js").is_file()
