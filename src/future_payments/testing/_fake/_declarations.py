"""What the ``stripe`` package's resource classes declare: fields, nested shapes, expandables.

The SDK annotates each field of ``stripe.Customer``, ``stripe.Charge``... with its type:
``Optional[ExpandableField["Customer"]]`` for an expandable id, a nested ``StripeObject`` class
for a hash (``Customer.InvoiceSettings``), ``ListObject["Refund"]`` for an embedded list. This
module reads those annotations once per class and offers what the fake builds from them:
``blank(cls)``, an object with every declared field; ``shaped(value, field)``, a request's hash
filled out to the declared shape; and the expandable fields that ``expand[]`` may name.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, ForwardRef

import attrs
import stripe
from stripe._list_object import ListObject

Obj = dict[str, Any]


@attrs.frozen
class Field:
    """One declared field.

    Attributes:
        name: the field's name.
        optional: the SDK allows ``None``.
        nested: the ``StripeObject`` class of a nested hash.
        expandable: the name of the resource an id here can be expanded into.
        listed: the field holds a ``list`` (of ``nested`` hashes or of expandable ids).
        list_object: the name of the resource a ``ListObject`` field lists.
        mapping: a free-keyed hash (``metadata``).
    """

    name: str
    optional: bool
    nested: type | None = None
    expandable: str | None = None
    listed: bool = False
    list_object: str | None = None
    mapping: bool = False


def _name_of(ref: Any) -> str | None:
    if isinstance(ref, ForwardRef):
        return ref.__forward_arg__
    if isinstance(ref, type) and issubclass(ref, stripe.StripeObject):
        return ref.__name__
    return None


def _field(name: str, annotation: Any) -> Field:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    optional = False
    if origin in (typing.Union, types.UnionType):
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        if str in rest:
            targets = [n for n in (_name_of(a) for a in rest if a is not str) if n]
            if targets:
                return Field(name, optional, expandable=targets[0])
        if len(rest) == 1:
            inner = _field(name, rest[0])
            return attrs.evolve(inner, optional=optional or inner.optional)
        return Field(name, optional)
    if origin is list:
        item = _field(name, args[0]) if args else Field(name, False)
        return Field(name, optional, nested=item.nested, expandable=item.expandable, listed=True)
    if origin is ListObject or annotation is ListObject:
        return Field(name, optional, list_object=_name_of(args[0]) if args else None)
    if origin is dict or getattr(origin or annotation, "__name__", "") == "UntypedStripeObject":
        return Field(name, optional, mapping=True)
    if isinstance(annotation, type) and issubclass(annotation, stripe.StripeObject):
        return Field(name, optional, nested=annotation)
    return Field(name, optional)


@functools.cache
def fields_of(cls: type) -> dict[str, Field]:
    """Every field ``cls`` declares (``OBJECT_NAME`` aside), by name."""
    out = {}
    for klass in reversed(cls.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if name != "OBJECT_NAME" and not name.startswith("_"):
                out[name] = _field(name, annotation)
    return out


def _empty(field: Field) -> Any:
    if field.optional:
        return None
    if field.listed:
        return []
    if field.mapping:
        return {}
    if field.nested is not None:
        return blank(field.nested)
    return None


def blank(cls: type, *, leave_out: frozenset[str] = frozenset()) -> Obj:
    """An object with every field ``cls`` declares: ``None``, or ``[]``/``{}`` where required."""
    fresh: Obj = _fresh(_template(cls, leave_out))
    return fresh


@functools.cache
def _template(cls: type, leave_out: frozenset[str]) -> Obj:
    return {name: _empty(f) for name, f in fields_of(cls).items() if name not in leave_out}


def _fresh(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value


def shaped(value: Any, field: Field) -> Any:
    """``value`` (a request's hash or list) filled out to the shape ``field`` declares."""
    if value is None:
        return None
    if field.listed and isinstance(value, list):
        item = attrs.evolve(field, listed=False, optional=True)
        return [shaped(v, item) for v in value]
    if field.nested is not None and isinstance(value, dict):
        declared = fields_of(field.nested)
        out = {name: _empty(f) for name, f in declared.items()}
        for key, item in value.items():
            if key in declared:
                out[key] = shaped(item, declared[key])
        return out
    return value


def resource(name: str) -> type | None:
    """The SDK class of a resource named in an annotation (``"PaymentMethod"``), if it has one."""
    found = getattr(stripe, name, None)
    if found is None:
        found = getattr(stripe.checkout, name, None)
    return found if isinstance(found, type) else None
