"""The request contract, read from the pinned ``stripe`` package's own ``stripe.params`` TypedDicts.

Each served endpoint names the SDK's params TypedDict (``CustomerCreateParams``...). From it
this module builds, once and lazily, a tree of checks: hashes with their known and required
keys, ``Literal`` enums, integers, booleans, decimals, strings, maps and arrays. A request's
decoded form is walked against that tree: an unknown name answers ``parameter_unknown`` with
Stripe's nested ``param`` (``payment_method_data[card][foo]``), a wrong value its
``parameter_invalid_*``, and the values come back typed (``"true"`` -> ``True``, ``"12"`` ->
``12``). An empty string is kept as ``None``: it is how Stripe's form encoding unsets a field.

The request options every params TypedDict inherits (``idempotency_key``, ``api_key``...) are
sent as headers by the SDK, not as parameters, so they are not part of the contract.
"""

from __future__ import annotations

import importlib
import re
import threading
import types
import typing
from collections.abc import Mapping
from typing import Any, ForwardRef

from stripe._request_options import RequestOptions

from future_payments.testing._fake._errors import (
    invalid_enum,
    missing_param,
    rejected,
    unknown_param,
)

_OPTIONS = frozenset(RequestOptions.__annotations__)
_INTEGER = re.compile(r"-?\d+\Z")
_DECIMAL = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\Z")


class Check:
    """One node of the contract: checks a decoded value and returns it typed."""

    kind = "value"

    def check(self, value: Any, name: str) -> Any:
        """The typed value, or a Stripe error naming ``name``."""
        raise NotImplementedError


class Text(Check):
    """A string."""

    kind = "string"

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, str):
            raise rejected(
                f"Invalid string: {name} must be a string",
                param=name,
                code="parameter_invalid_string",
            )
        return value


class _Scalar(Check):
    """A scalar sent as text: its pattern, its conversion, and its error's words."""

    pattern: re.Pattern[str]

    def convert(self, value: str) -> Any:
        """The typed value of a text that matched."""
        raise NotImplementedError

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, str) or not self.pattern.match(value):
            raise rejected(
                f"Invalid {self.kind}: {_shown(value)}",
                param=name,
                code=f"parameter_invalid_{self.kind}",
            )
        return self.convert(value)


class Integer(_Scalar):
    """An integer, sent as its decimal digits."""

    kind = "integer"
    pattern = _INTEGER

    def convert(self, value: str) -> Any:
        return int(value)


class Decimal(_Scalar):
    """A decimal number."""

    kind = "decimal"
    pattern = _DECIMAL

    def convert(self, value: str) -> Any:
        return float(value)


class Boolean(_Scalar):
    """``true`` or ``false``."""

    kind = "boolean"
    pattern = re.compile(r"(true|false)\Z")

    def convert(self, value: str) -> Any:
        return value == "true"


class Enum(Check):
    """One of the ``Literal`` values the SDK declares."""

    kind = "string"

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values
        self._set = frozenset(values)

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, str) or value not in self._set:
            raise invalid_enum(name, _shown(value), list(self.values))
        return value


class Empty(Check):
    """``Literal['']``: only the empty string, which unsets the field."""

    def check(self, value: Any, name: str) -> Any:
        raise rejected(
            f"Invalid value for {name}: only an empty string is accepted here", param=name
        )


class Anything(Check):
    """A value the SDK declares without a shape: taken as sent."""

    def check(self, value: Any, name: str) -> Any:
        return value


class Array(Check):
    """A list, sent as ``name[0]=...``."""

    kind = "array"

    def __init__(self, item: Check) -> None:
        self.item = item

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, list):
            raise rejected(
                f"Invalid array: {name} must be an array",
                param=name,
                code="parameter_invalid_array",
            )
        return [_checked(self.item, item, f"{name}[{i}]") for i, item in enumerate(value)]


class Map(Check):
    """A hash of free keys (``metadata``)."""

    kind = "hash"

    def __init__(self, item: Check) -> None:
        self.item = item

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            raise rejected(
                f"Invalid hash: {name} must be a hash", param=name, code="parameter_invalid_hash"
            )
        return {k: _checked(self.item, v, f"{name}[{k}]") for k, v in value.items()}


class Hash(Check):
    """A TypedDict: known keys, some of them required; its fields are built on first use."""

    kind = "hash"

    def __init__(self, typed_dict: type, *, top: bool = False) -> None:
        self._source = typed_dict
        self._top = top
        self._fields: dict[str, Check] | None = None
        self._required: tuple[str, ...] = ()
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The SDK's name of the TypedDict, e.g. ``CustomerCreateParams``."""
        return self._source.__name__

    def fields(self) -> dict[str, Check]:
        """Every declared key and its check (built once)."""
        if self._fields is None:
            with self._lock:
                if self._fields is None:
                    self._build()
        assert self._fields is not None
        return self._fields

    def required(self) -> tuple[str, ...]:
        """The keys the SDK declares as required."""
        self.fields()
        return self._required

    def _build(self) -> None:
        namespace = vars(importlib.import_module(self._source.__module__))
        annotations: Mapping[str, Any] = self._source.__annotations__
        fields = {}
        for key, annotation in annotations.items():
            if self._top and key in _OPTIONS:
                continue
            fields[key] = _compile(annotation, namespace)
        required: frozenset[str] = getattr(self._source, "__required_keys__", frozenset())
        self._required = tuple(k for k in annotations if k in required and k in fields)
        self._fields = fields

    def check(self, value: Any, name: str) -> Any:
        if not isinstance(value, dict):
            raise rejected(
                f"Invalid hash: {name} must be a hash", param=name, code="parameter_invalid_hash"
            )
        return self.check_fields(value, name)

    def check_fields(self, value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
        """Check every key of ``value`` (unknown names first), then the required ones."""
        fields = self.fields()
        for key in value:
            if key not in fields:
                raise unknown_param(_join(prefix, key))
        out = {key: _checked(fields[key], item, _join(prefix, key)) for key, item in value.items()}
        for key in self._required:
            if out.get(key) is None:
                raise missing_param(_join(prefix, key))
        return out


class OneOf(Check):
    """A union: the first alternative whose shape matches the value."""

    def __init__(self, options: tuple[Check, ...]) -> None:
        self.options = options

    def check(self, value: Any, name: str) -> Any:
        shape = "hash" if isinstance(value, dict) else "array" if isinstance(value, list) else None
        fitting = [o for o in self.options if _fits(o, shape)]
        if not fitting:
            # Report the error of the first alternative: what Stripe says for a wrong shape.
            return self.options[0].check(value, name)
        error = None
        for option in fitting:
            try:
                return option.check(value, name)
            except Exception as exc:
                error = error or exc
        assert error is not None
        raise error


def _fits(check: Check, shape: str | None) -> bool:
    if isinstance(check, Anything):
        return True
    if shape is None:
        return check.kind not in ("hash", "array")
    return check.kind == shape


def _checked(check: Check, value: Any, name: str) -> Any:
    """``value`` checked, with ``""`` kept as ``None`` (Stripe's way to unset a field)."""
    if value == "":
        return None
    return check.check(value, name)


def _join(prefix: str, key: str) -> str:
    return f"{prefix}[{key}]" if prefix else key


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else type(value).__name__


# -- compiling annotations -----------------------------------------------------------------------

_SCALARS: dict[Any, type[Check]] = {str: Text, int: Integer, float: Decimal, bool: Boolean}


def _compile(annotation: Any, namespace: Mapping[str, Any]) -> Check:
    """The check for one annotation of a params TypedDict."""
    if isinstance(annotation, str):
        annotation = ForwardRef(annotation)
    if isinstance(annotation, ForwardRef):
        annotation = eval(annotation.__forward_arg__, dict(namespace))  # noqa: S307 - the SDK's own annotations
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.NotRequired, typing.Required):
        return _compile(args[0], namespace)
    if annotation in _SCALARS:
        return _SCALARS[annotation]()
    if origin is typing.Literal:
        values = tuple(str(a) for a in args if a != "")
        return Enum(values) if values else Empty()
    if origin in (typing.Union, types.UnionType):
        return _union(args, namespace)
    if origin is list:
        return Array(_compile(args[0], namespace) if args else Anything())
    if origin is dict:
        return Map(_compile(args[1], namespace) if len(args) == 2 else Anything())
    if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
        return Hash(annotation)
    if isinstance(annotation, type) and annotation.__name__ == "UntypedStripeObject":
        return Map(Anything())
    if origin is not None and getattr(origin, "__name__", "") == "UntypedStripeObject":
        return Map(_compile(args[0], namespace) if args else Anything())
    return Anything()


def _union(args: tuple[Any, ...], namespace: Mapping[str, Any]) -> Check:
    """A union; ``Literal[...] | str`` is an open enum in the SDK's typing, checked as the enum."""
    compiled = [_compile(a, namespace) for a in args if a is not type(None)]
    # ``Literal['']`` only says "an empty string unsets it", which every check allows.
    compiled = [c for c in compiled if not isinstance(c, Empty)] or [Empty()]
    literals = [c for c in compiled if isinstance(c, Enum)]
    if literals:
        values = tuple(v for c in literals for v in c.values)
        others = [c for c in compiled if not isinstance(c, (Enum, Text))]
        compiled = [Enum(values), *others]
    if len(compiled) == 1:
        return compiled[0]
    # Typed scalars first: "12" for ``int|str`` is the integer.
    order = {"hash": 0, "array": 0, "integer": 1, "decimal": 2, "boolean": 3, "string": 4}
    compiled.sort(key=lambda c: order.get(c.kind, 5))
    return OneOf(tuple(compiled))


# -- the params TypedDicts, by their SDK names ----------------------------------------------------

_CONTRACTS: dict[str, Hash] = {}
_CONTRACTS_LOCK = threading.Lock()


def _module_of(name: str) -> str:
    """``checkout.SessionCreateParams`` -> ``stripe.params.checkout._session_create_params``."""
    package, _, cls = name.rpartition(".")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", cls).lower()
    return "stripe.params." + (f"{package}." if package else "") + "_" + snake


def contract(name: str) -> Hash:
    """The contract of the SDK's params TypedDict ``name`` (``checkout.SessionCreateParams``)."""
    found = _CONTRACTS.get(name)
    if found is None:
        with _CONTRACTS_LOCK:
            found = _CONTRACTS.get(name)
            if found is None:
                module = importlib.import_module(_module_of(name))
                found = Hash(getattr(module, name.rpartition(".")[2]), top=True)
                _CONTRACTS[name] = found
    return found
