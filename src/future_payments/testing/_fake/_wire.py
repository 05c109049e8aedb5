"""What real HTTP cannot carry, refused in-process exactly as the SDK's own HTTP clients refuse it.

Production code talks to Stripe through the ``stripe`` package's default client: ``requests``
for sync calls and ``httpx`` for async ones (or ``urllib`` when ``requests`` is missing). A
header value they cannot send (a newline in an API key read from a file, a ``€`` in an
idempotency key) fails there before any byte leaves. The in-process transport checks the same
rules and raises what that client raises, through the client's own error handler, so a test
on the fake fails where production would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NoReturn

from stripe import _http_client

_H11_VALUE = re.compile(r"([^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")
_URLLIB_ILLEGAL = re.compile(r"\n(?![ \t])|\r(?![ \t\n])")


def _requests_rules(name: str, value: str) -> None:
    import requests.utils

    requests.utils.check_header_validity((name, value))
    value.encode("latin-1")  # http.client sends header values as Latin-1


def _urllib_rules(name: str, value: str) -> None:
    encoded = value.encode("latin-1")
    if _URLLIB_ILLEGAL.search(value):
        raise ValueError(f"Invalid header value {encoded!r}")


def _httpx_rules(name: str, value: str) -> None:
    import h11

    value.encode("ascii")  # httpx encodes header values as ASCII by default
    if not _H11_VALUE.fullmatch(value):
        raise h11.LocalProtocolError(f"Illegal header value {value.encode()!r}")


def _rules_for(client: type) -> Any:
    if client.__name__ == "RequestsClient":
        return _requests_rules
    if client.__name__ == "HTTPXClient":
        return _httpx_rules
    if client.__name__ == "UrllibClient":
        return _urllib_rules
    return None


class Wire:
    """The header rules of the SDK's default sync and async clients, checked before sending."""

    def __init__(self) -> None:
        self._sync: Any = None
        self._async: Any = None
        # Header values already found sendable (User-Agent, Authorization... repeat).
        self._fine: set[tuple[bool, str, str]] = set()

    def check(self, headers: Mapping[str, str], *, asynchronous: bool) -> None:
        """Raise the SDK's ``APIConnectionError`` for a header its HTTP client cannot send."""
        if asynchronous:
            client_type = _http_client._default_async_client
        else:
            client_type = _http_client._default_sync_client
        rules = _rules_for(client_type)
        if rules is None:
            return
        fine = self._fine
        for name, value in headers.items():
            if (asynchronous, name, value) in fine:
                continue
            try:
                rules(name, value)
            except Exception as exc:  # whatever the client would have raised
                self._fail(client_type, exc, asynchronous=asynchronous)
            if len(fine) < 1024:
                fine.add((asynchronous, name, value))

    def _fail(self, client_type: type, exc: Exception, *, asynchronous: bool) -> NoReturn:
        attr = "_async" if asynchronous else "_sync"
        model = getattr(self, attr)
        if model is None:
            model = client_type()
            setattr(self, attr, model)
        model._handle_request_error(exc)
        raise AssertionError("unreachable: the client's handler raises")  # pragma: no cover
