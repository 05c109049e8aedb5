"""What the hosted pages read of a ``FakeStripe``: its public read API, nothing private.

A page view must not show up in ``fake.requests`` (tests count those) nor need an API key, so
the pages read the fake's state directly through ``FakeStripe.retrieve``/``objects`` rather than
through its ``/v1`` API.
"""

from __future__ import annotations

from typing import Any

from future_payments.testing._fake._fake import FakeStripe

Obj = dict[str, Any]


def lookup(fake: FakeStripe, object_id: str, kind: str | tuple[str, ...]) -> Obj | None:
    """A copy of the object ``object_id`` if it is of ``kind``."""
    kinds = (kind,) if isinstance(kind, str) else kind
    obj = fake.retrieve(object_id)
    return obj if obj is not None and obj.get("object") in kinds else None
