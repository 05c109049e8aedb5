"""Decode Stripe's form encoding (``a[b][0]=x``) into nested dicts and lists."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")

Params = dict[str, Any]


def decode_form(encoded: str) -> Params:
    """Turn ``card[number]=4242&expand[0]=x`` into ``{"card": {"number": ...}, "expand": [...]}``.

    Raises:
        ValueError: a key mixes a scalar and a nested value (``a=1&a[b]=2``).
    """
    root: Params = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        head, _, rest = key.partition("[")
        segments = [head, *_SEGMENT.findall("[" + rest)] if rest else [head]
        node: dict[str, Any] = root
        for segment in segments[:-1]:
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise ValueError(f"parameter {key!r} is both a value and a hash")
            node = child
        last = segments[-1]
        if last == "":
            # ``expand[]=a&expand[]=b``: append in order.
            last = str(sum(1 for k in node if k.isdigit()))
        node[last] = value
    return _listify(root)


def _listify(node: Params) -> Params:
    """Turn every dict whose keys are all integers into a list, recursively."""
    out: Params = {}
    for key, value in node.items():
        out[key] = _convert(value)
    return out


def _convert(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if value and all(k.isdigit() for k in value):
        return [_convert(value[k]) for k in sorted(value, key=int)]
    return {k: _convert(v) for k, v in value.items()}
