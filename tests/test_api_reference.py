"""Every public name has a docstring and a place in the API reference (docs/api/*.md)."""

from __future__ import annotations

import importlib
import inspect
import os
import re
import sysconfig
from pathlib import Path

import griffe
import pytest

import future_payments

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_MODULES = (
    "future_payments",
    "future_payments.errors",
    "future_payments.stores",
    "future_payments.webhooks",
    "future_payments.redaction",
    "future_payments.worker",
    "future_payments.testing",
)
PUBLIC_NAMES = [
    (module, name) for module in PUBLIC_MODULES for name in importlib.import_module(module).__all__
]


def _documented() -> set[str]:
    """The dotted paths rendered by mkdocstrings (``::: path``) in the reference pages."""
    pages = (ROOT / "docs" / "api").glob("*.md")
    return {
        match[1]
        for page in pages
        for match in re.finditer(r"^:::\s+([\w.]+)", page.read_text("utf-8"), re.MULTILINE)
    }


def _resolve(path: str) -> object:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.fixture(scope="module")
def package() -> griffe.Object | griffe.Alias:
    """The installed package as mkdocstrings sees it: statically, docstrings included."""
    return griffe.load("future_payments", resolve_aliases=True, resolve_external=False)


@pytest.mark.parametrize(("module", "name"), PUBLIC_NAMES, ids=lambda v: str(v))
def test_public_name_has_a_docstring(
    module: str, name: str, package: griffe.Object | griffe.Alias
) -> None:
    """The name's docstring (a constant's: the string under its assignment) is not empty."""
    relative = module.removeprefix("future_payments").lstrip(".")
    found = package[f"{relative}.{name}" if relative else name]
    docstring = found.docstring.value.strip() if found.docstring else ""

    assert docstring, f"{module}.{name} has no docstring"


@pytest.mark.parametrize(("module", "name"), PUBLIC_NAMES, ids=lambda v: str(v))
def test_public_name_is_in_the_reference(module: str, name: str) -> None:
    """The name is rendered in docs/api/, under its own path or another public one."""
    documented = _documented()
    path = f"{module}.{name}"
    if path in documented:
        return
    obj = getattr(importlib.import_module(module), name)
    # A re-export (MemoryStore is in future_payments and future_payments.stores) counts once.
    same = [
        other
        for other in documented
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and _resolve(other) is obj
    ]

    assert same, f"{path} is not in docs/api/*.md; add '::: {path}' to the right page"


def test_reference_names_only_public_paths() -> None:
    """Every ``:::`` path in docs/api/ is a public name (or the errors module's overview)."""
    public = {f"{module}.{name}" for module, name in PUBLIC_NAMES}
    extra = _documented() - public - {"future_payments.errors"}

    assert set() == extra


@pytest.mark.skipif(
    not os.environ.get("FUTURE_PAYMENTS_WHEEL_TEST"), reason="only in `make test-wheel`"
)
def test_the_package_under_test_is_the_installed_wheel() -> None:
    """`make test-wheel` imports future_payments from site-packages, never from src/."""
    where = Path(future_payments.__file__).resolve()
    site = Path(sysconfig.get_paths()["purelib"]).resolve()

    assert site in where.parents
    assert (where.parent / "py.typed").is_file()
