"""Stripe's search query language, for ``/v1/customers/search`` and its siblings.

A query is clauses joined by ``AND`` or by ``OR`` (never both): ``email:'a@b.c'``,
``metadata['order']:'1001'``, ``status:'succeeded'``, ``amount>1000``, ``created>=1700000000``,
``name~'jen'`` (substring), ``-status:'canceled'`` (negation), ``customer:null``. Each resource
searches only its own fields; any other field answers 400 as Stripe does. The fake answers from
its current state at once, while real Stripe's index lags by up to a minute.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from future_payments.testing._fake._errors import invalid

Obj = dict[str, Any]

_CLAUSE = re.compile(
    r"""\s*(?P<neg>-)?
    (?P<field>metadata\[(?P<q>['"])(?P<key>[^'"]*)(?P=q)\]|[a-z_][a-z0-9_.]*)
    \s*(?P<op>>=|<=|:|~|>|<)\s*
    (?:(?P<vq>['"])(?P<text>(?:\\.|(?!(?P=vq)).)*)(?P=vq)|(?P<number>-?\d+(?:\.\d+)?)|(?P<null>null))
    \s*""",
    re.VERBOSE,
)
_JOIN = re.compile(r"(AND|OR)\s+", re.IGNORECASE)  # after a clause and its spaces


@attrs.frozen
class Clause:
    """One ``field op value`` test."""

    negated: bool
    field: str
    metadata_key: str | None
    op: str
    value: str | float | None

    def matches(self, obj: Obj) -> bool:
        """Whether ``obj`` satisfies the clause."""
        actual = _value(obj, self.field, self.metadata_key)
        result = self._test(actual)
        return not result if self.negated else result

    def _test(self, actual: Any) -> bool:
        if self.value is None:
            return actual is None
        if self.op == ":":
            if isinstance(self.value, float):
                return isinstance(actual, int | float) and actual == self.value
            return actual is not None and str(actual).lower() == str(self.value).lower()
        if self.op == "~":
            return actual is not None and str(self.value).lower() in str(actual).lower()
        if not isinstance(actual, int | float) or not isinstance(self.value, float):
            return False
        return {
            ">": actual > self.value,
            "<": actual < self.value,
            ">=": actual >= self.value,
            "<=": actual <= self.value,
        }[self.op]


def _value(obj: Obj, field: str, metadata_key: str | None) -> Any:
    if metadata_key is not None:
        return (obj.get("metadata") or {}).get(metadata_key)
    value: Any = obj
    for part in field.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, bool):
        return str(value).lower()
    return value


def _refuse(message: str) -> Exception:
    return invalid(message, param="query", stored=False)


def parse(query: str, fields: frozenset[str]) -> Callable[[Obj], bool]:
    """A test for objects matching ``query``; 400 for bad syntax or a field not searchable."""
    clauses: list[Clause] = []
    joins: set[str] = set()
    position = 0
    while position < len(query):
        match = _CLAUSE.match(query, position)
        if match is None:
            raise _refuse(
                f"Search query is invalid near position {position}: {query[position:][:30]!r}. "
                "Write clauses such as email:'jenny@example.com' or metadata['key']:'value'."
            )
        field = "metadata" if match["key"] is not None else match["field"]
        if field not in fields:
            raise _refuse(
                f"Field '{field}' is an unsupported search field for this resource. "
                f"Supported fields: {', '.join(sorted(fields))}."
            )
        value: str | float | None
        if match["null"] is not None:
            value = None
        elif match["number"] is not None:
            value = float(match["number"])
        else:
            value = re.sub(r"\\(.)", r"\1", match["text"])
        if match["op"] in (">", "<", ">=", "<=") and not isinstance(value, float):
            raise _refuse(f"Comparisons ({match['op']}) need a number, for field '{field}'.")
        clauses.append(Clause(bool(match["neg"]), field, match["key"], match["op"], value))
        position = match.end()
        join = _JOIN.match(query, position)
        if join is not None:
            joins.add(join.group(1).upper())
            position = join.end()
        elif position < len(query):
            joins.add("AND")  # clauses separated by a space
    if not clauses:
        raise _refuse("The search query is empty.")
    if len(joins) > 1:
        raise _refuse("A search query cannot mix AND and OR.")
    if joins == {"OR"}:
        return lambda obj: any(c.matches(obj) for c in clauses)
    return lambda obj: all(c.matches(obj) for c in clauses)
