"""What the pinned ``stripe`` package declares, read independently of the fake's own reader.

``sdk_endpoints()`` reads the SDK's service modules (their source, with ``ast``) for each
endpoint's method, path template and params TypedDict; ``declared_parameters()`` walks a params
TypedDict with ``typing`` and yields every parameter, nested as Stripe writes it, with a value
of its declared type.
"""

from __future__ import annotations

import ast
import importlib
import pathlib
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, ForwardRef

import stripe
from stripe._request_options import RequestOptions

_OPTIONS = set(RequestOptions.__annotations__)


def sdk_endpoints() -> dict[tuple[str, str], str]:
    """``(METHOD, /v1/path/{template}) -> params TypedDict name`` for every service method."""
    root = pathlib.Path(stripe.__file__).parent
    out: dict[tuple[str, str], str] = {}
    for source in sorted([*root.glob("_*_service.py"), *root.glob("*/_*_service.py")]):
        package = "" if source.parent == root else source.parent.name + "."
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.FunctionDef) or node.name.endswith("_async"):
                continue
            annotation = next(
                (
                    ast.unparse(a.annotation)
                    for a in node.args.args
                    if a.arg == "params" and a.annotation is not None
                ),
                "",
            )
            found = re.search(r"['\"](\w+Params)['\"]", annotation)
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "_request":
                    method = call.args[0]
                    path = call.args[1]
                    if isinstance(path, ast.Call):
                        path = path.func.value  # type: ignore[attr-defined]
                    if isinstance(method, ast.Constant) and isinstance(path, ast.Constant):
                        name = package + found.group(1) if found else ""
                        out[(str(method.value).upper(), str(path.value))] = name
    return out


def params_class(name: str) -> type:
    """The SDK's params TypedDict ``name`` (``checkout.SessionCreateParams``)."""
    package, _, cls = name.rpartition(".")
    module = importlib.import_module("stripe.params" + (f".{package}" if package else ""))
    found: type = getattr(module, cls)
    return found


def _resolve(annotation: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(annotation, ForwardRef):
        annotation = eval(annotation.__forward_arg__, namespace)  # noqa: S307 - SDK annotations
    origin = typing.get_origin(annotation)
    if origin in (typing.NotRequired, typing.Required):
        return _resolve(typing.get_args(annotation)[0], namespace)
    return annotation


def _alternatives(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def sample(annotation: Any, namespace: dict[str, Any]) -> Any:
    """A value of the declared type, as the SDK would encode it (strings, lists, dicts)."""
    annotation = _resolve(annotation, namespace)
    options = _alternatives(annotation)
    # Prefer a shape over the empty-string literal and over free strings.
    options.sort(
        key=lambda a: (
            typing.get_origin(a) is typing.Literal and "" in typing.get_args(a),
            a is str,
        )
    )
    chosen = options[0]
    origin = typing.get_origin(chosen)
    if origin is typing.Literal:
        return str(next(v for v in typing.get_args(chosen) if v != ""))
    if chosen is bool:
        return "true"
    if chosen is int:
        return "1"
    if chosen is float:
        return "1.5"
    if chosen is str:
        return "x"
    if origin is list:
        return [sample(typing.get_args(chosen)[0], namespace)]
    if origin is dict or getattr(origin, "__name__", "") == "UntypedStripeObject":
        return {"k": "v"}
    if isinstance(chosen, type) and hasattr(chosen, "__required_keys__"):
        return required_of(chosen)
    return "x"


def _literal_values(annotation: Any) -> list[str]:
    return [
        str(v)
        for a in _alternatives(annotation)
        if typing.get_origin(a) is typing.Literal
        for v in typing.get_args(a)
        if v != ""
    ]


def _namespace(cls: type) -> dict[str, Any]:
    return dict(vars(importlib.import_module(cls.__module__)))


def filled(annotation: Any, namespace: dict[str, Any]) -> Any:
    """Like ``sample``, but a hash also gets its first optional key, so it is never empty."""
    value = sample(annotation, namespace)
    resolved = _resolve(annotation, namespace)
    for option in _alternatives(resolved):
        target = (
            _resolve(typing.get_args(option)[0], namespace)
            if typing.get_origin(option) is list
            else option
        )
        if (
            isinstance(target, type)
            and hasattr(target, "__required_keys__")
            and isinstance(value, dict | list)
        ):
            inner = _namespace(target)
            first = next((k for k in target.__annotations__ if k not in _OPTIONS), None)
            if first is not None:
                extra = {first: filled(target.__annotations__[first], inner)}
                if isinstance(value, list):
                    value = [{**value[0], **extra}] if value else [extra]
                else:
                    value = {**value, **extra}
            break
    return value


def top_level(cls: type) -> Iterator[tuple[str, list[Any]]]:
    """Each top-level parameter of ``cls`` with the values to try: every enum value, or one."""
    namespace = _namespace(cls)
    for key, annotation in cls.__annotations__.items():
        if key in _OPTIONS:
            continue
        values = _literal_values(_resolve(annotation, namespace)) or [filled(annotation, namespace)]
        yield key, values


def required_of(cls: type) -> dict[str, Any]:
    """A hash with a sample for each key ``cls`` requires."""
    namespace = _namespace(cls)
    return {
        key: sample(annotation, namespace)
        for key, annotation in cls.__annotations__.items()
        if key in cls.__required_keys__ and key not in _OPTIONS  # type: ignore[attr-defined]
    }


def declared_parameters(
    cls: type, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every parameter of ``cls``, nested ones included: ``(path, request fragment)``.

    The fragment holds the parameter with a sample value inside the required keys of each
    enclosing hash, ready to merge into a request.
    """
    namespace = _namespace(cls)
    for key, annotation in cls.__annotations__.items():
        if not prefix and key in _OPTIONS:
            continue
        path = (*prefix, key)
        yield path, {key: sample(annotation, namespace)}
        for value in _literal_values(_resolve(annotation, namespace))[1:]:
            yield path, {key: value}  # every other value of an enum too
        for inner in _alternatives(_resolve(annotation, namespace)):
            target = inner
            if typing.get_origin(inner) is list:
                target = typing.get_args(inner)[0]
                target = _resolve(target, namespace)
            if isinstance(target, type) and hasattr(target, "__required_keys__"):
                listed = typing.get_origin(inner) is list
                for sub_path, fragment in declared_parameters(target, path):
                    value = {**required_of(target), **fragment}
                    yield sub_path, {key: [value] if listed else value}
