"""The shape of the package: imports point down the layers, the facades are twins, calls typed."""

from __future__ import annotations

import ast
import importlib.util
import inspect
import pathlib
from collections.abc import Iterator

import stripe

import future_payments
from future_payments import AsyncFuturePayments, FuturePayments
from future_payments._stripe import SERVICES

PACKAGE = pathlib.Path(future_payments.__file__).parent
ROOT = "future_payments"


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _library_modules() -> dict[str, pathlib.Path]:
    """Every module of the package outside testing/ (the fake may import the library freely)."""
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "testing" not in path.relative_to(PACKAGE).parts
    }


def _imports(name: str, path: pathlib.Path, known: set[str]) -> Iterator[str]:
    """The package modules ``name`` imports, anywhere in it (TYPE_CHECKING and functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                )
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in known else base)
        for target in targets:
            if not target.startswith(ROOT):
                continue
            # Importing a.b.c runs a.b first: count the parent packages that are not ours.
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                parent = ".".join(parts[:depth])
                if parent in known and parent != name and not name.startswith(parent + "."):
                    yield parent


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    """No cycle among the library's modules, type-only and function-level imports included."""
    modules = _library_modules()
    known = set(modules)
    graph = {name: set(_imports(name, path, known)) for name, path in modules.items()}

    assert [] == _cycles(graph)


def test_core_never_imports_the_facades_or_the_endpoint() -> None:
    """The layers below the facades never import them (nor the web endpoint above them).

    Above them: the package, the endpoint's public module, the command line's entry and demo,
    and ``future_payments.worker``, whose loops call a facade.
    """
    modules = _library_modules()
    known = set(modules)
    upper = {
        "future_payments._client",
        "future_payments._async_client",
        "future_payments._endpoint",
    }
    lower = {
        n
        for n in known
        if n
        not in upper
        | {
            ROOT,
            "future_payments.webhooks",
            "future_payments.__main__",
            "future_payments._demo",
            "future_payments.worker",
        }
    }
    offenders = {
        name: sorted(set(_imports(name, modules[name], known)) & upper) for name in sorted(lower)
    }

    assert {} == {k: v for k, v in offenders.items() if v}


def _public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in vars(cls).items()
        if callable(member) and (not name.startswith("_") or name == "__init__")
    }


def test_facades_have_the_same_methods_and_parameters() -> None:
    """FuturePayments and AsyncFuturePayments offer the same methods with the same parameters."""
    sync, async_ = _public_methods(FuturePayments), _public_methods(AsyncFuturePayments)

    assert sorted(sync) == sorted(async_)
    for name, signature in sync.items():
        twin = async_[name]
        shape = [(p.name, p.kind, p.default) for p in signature.parameters.values()]
        assert shape == [(p.name, p.kind, p.default) for p in twin.parameters.values()], name


def test_every_async_facade_method_is_a_coroutine() -> None:
    """Every public method of AsyncFuturePayments is a coroutine function; none of the sync one."""
    for name, member in vars(AsyncFuturePayments).items():
        if callable(member) and not name.startswith("_"):
            assert inspect.iscoroutinefunction(member), name
    for name, member in vars(FuturePayments).items():
        if callable(member) and not name.startswith("_"):
            assert not inspect.iscoroutinefunction(member), name


def test_facades_share_their_docstrings() -> None:
    """The async facade's docstrings are the sync facade's, generated from one source."""
    for name in _public_methods(FuturePayments):
        sync_doc = inspect.getdoc(getattr(FuturePayments, name))
        assert sync_doc == inspect.getdoc(getattr(AsyncFuturePayments, name)), name


def test_async_facade_is_generated_from_the_sync_one() -> None:
    """_async_client.py is exactly what tools/unasync.py makes of _client.py (make generate)."""
    tool = pathlib.Path(__file__).resolve().parents[1] / "tools" / "unasync.py"
    spec = importlib.util.spec_from_file_location("unasync", tool)
    assert spec is not None
    assert spec.loader is not None
    unasync = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(unasync)
    source = (PACKAGE / "_client.py").read_text()

    assert unasync.generate(source) == (PACKAGE / "_async_client.py").read_text()


def test_every_called_sdk_method_has_an_async_twin() -> None:
    """Each method of the services the operations call has an ``*_async`` twin, same params."""
    for service, _get in SERVICES:
        for name, member in vars(service).items():
            if name.startswith("_") or name.endswith("_async") or not callable(member):
                continue
            twin = getattr(service, f"{name}_async")
            assert (
                inspect.signature(member).parameters.keys()
                == inspect.signature(twin).parameters.keys()
            ), f"{service.__name__}.{name}"


def test_services_table_matches_the_client() -> None:
    """Each service in the table is what the client's v1 namespace holds at that place."""
    client = stripe.StripeClient("sk_test_architecture")
    for service, get in SERVICES:
        assert isinstance(get(client.v1), service)
