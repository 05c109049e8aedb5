"""Reading request parameters the way Stripe validates them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from future_payments.testing._fake._errors import (
    StripeErrorResponse,
    invalid,
    invalid_enum,
    missing_param,
    unknown_param,
)

REQUEST_PARAMS = frozenset({"expand"})


class Args:
    """Typed access to one request's parameters; unknown names are rejected up front."""

    def __init__(self, params: dict[str, Any], allowed: Iterable[str], *, prefix: str = "") -> None:
        self._params = params
        self._prefix = prefix
        allowed_set = set(allowed) | REQUEST_PARAMS if not prefix else set(allowed)
        for name in params:
            if name not in allowed_set:
                raise unknown_param(self._name(name))

    def _name(self, name: str) -> str:
        return f"{self._prefix}[{name}]" if self._prefix else name

    def __contains__(self, name: str) -> bool:
        return name in self._params

    def raw(self, name: str) -> Any:
        """The undecoded value (string, dict or list), or None."""
        return self._params.get(name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter; ``""`` counts as unset, as in Stripe's form encoding."""
        value = self._params.get(name)
        if value is None or value == "":
            if required:
                raise missing_param(self._name(name))
            return None
        if not isinstance(value, str):
            raise invalid(
                f"Invalid string: {self._name(name)} must be a string",
                param=self._name(name),
                code="parameter_invalid_string",
            )
        return value

    def required_str(self, name: str) -> str:
        """A string parameter that must be present."""
        value = self.string(name, required=True)
        assert value is not None
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        """A boolean parameter sent as ``true``/``false``."""
        value = self._params.get(name)
        if value is None:
            return default
        if value not in ("true", "false"):
            raise invalid(
                f"Invalid boolean: {value!r}",
                param=self._name(name),
                code="parameter_invalid_boolean",
            )
        return bool(value == "true")

    def integer(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter."""
        value = self._params.get(name)
        if value is None or value == "":
            if required:
                raise missing_param(self._name(name))
            return None
        if not isinstance(value, str) or not value.lstrip("-").isdigit():
            raise invalid(
                f"Invalid integer: {value!r}",
                param=self._name(name),
                code="parameter_invalid_integer",
            )
        return int(value)

    def enum(self, name: str, allowed: list[str], default: str | None = None) -> str | None:
        """A string that must be one of ``allowed``."""
        value = self.string(name)
        if value is None:
            return default
        if value not in allowed:
            raise invalid_enum(self._name(name), value, allowed)
        return value

    def nested(self, name: str, allowed: Iterable[str]) -> Args | None:
        """A hash parameter such as ``card[...]``, itself checked for unknown names."""
        value = self._params.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(
                f"Invalid hash: {self._name(name)} must be a hash",
                param=self._name(name),
                code="parameter_invalid_hash",
            )
        return Args(value, allowed, prefix=self._name(name))

    def str_list(self, name: str) -> list[str] | None:
        """A list of strings, sent as ``name[0]=...``."""
        value = self._params.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise invalid(
                f"Invalid array: {self._name(name)} must be an array of strings",
                param=self._name(name),
                code="parameter_invalid_array",
            )
        return list(value)

    def metadata(self, current: dict[str, str] | None = None) -> dict[str, str]:
        """``metadata[...]`` merged into ``current``; an empty value removes a key."""
        result = dict(current or {})
        value = self._params.get("metadata")
        if value is None:
            return result
        if value == "":
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise invalid(
                "Invalid hash: metadata must map keys to strings",
                param="metadata",
                code="parameter_invalid_hash",
            )
        for key, item in value.items():
            if len(key) > 40:
                raise invalid(
                    "Metadata keys can have up to 40 characters", param=f"metadata[{key}]"
                )
            if item == "":
                result.pop(key, None)
            else:
                result[key] = item
        return result


def expand_paths(params: dict[str, Any]) -> list[str]:
    """The ``expand[]`` paths of a request."""
    value = params.get("expand")
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid("Invalid array: expand must be an array of strings", param="expand")
    return list(value)


def limit_of(args: Args) -> int:
    """The ``limit`` of a list request (1 to 100, default 10)."""
    limit = args.integer("limit")
    if limit is None:
        return 10
    if not 1 <= limit <= 100:
        raise StripeErrorResponse(
            400,
            type="invalid_request_error",
            message="Invalid limit: must be between 1 and 100",
            param="limit",
            code="parameter_invalid_integer",
        )
    return limit
