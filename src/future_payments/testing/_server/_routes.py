"""Which page answers a request outside ``/v1``: the dashboard, the hosted pages, the tools."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import unquote

import attrs

from future_payments.testing._server import _dashboard, _flows, _tools_api
from future_payments.testing._server._html import Response, message_page

if TYPE_CHECKING:
    from future_payments.testing._server._server import FakeServer


@attrs.frozen
class PageRequest:
    """A request for a page: method, path, query and form fields, headers, raw body.

    Header names are lower case.
    """

    method: str
    path: str
    fields: dict[str, str]
    headers: Mapping[str, str]
    body: bytes


Page = Callable[["FakeServer", PageRequest, tuple[str, ...]], Response]
_ID = r"([A-Za-z0-9_]+)"
_KINDS = "|".join(kind.path for kind in _dashboard.KINDS)


def _detail(server: FakeServer, request: PageRequest, ids: tuple[str, ...]) -> Response:
    notice = _dashboard.resent_notice(server) if request.fields.get("resent") else None
    return _dashboard.detail(server, ids[0], ids[1], notice)


_ROUTES: list[tuple[str, str, Page]] = [
    ("GET", "/", lambda s, r, i: _dashboard.overview(s)),
    ("GET", f"/({_KINDS})", lambda s, r, i: _dashboard.listing(s, i[0])),
    ("GET", "/_events", lambda s, r, i: _dashboard.listing(s, "events")),
    ("GET", f"/({_KINDS})/{_ID}", _detail),
    ("POST", f"/events/{_ID}/resend", lambda s, r, i: _dashboard.resend(s, i[0])),
    (
        "GET",
        f"/checkout/{_ID}",
        lambda s, r, i: _flows.show_checkout(s.fake, i[0], r.fields.get("error")),
    ),
    ("POST", f"/checkout/{_ID}", lambda s, r, i: _flows.submit_checkout(s.fake, i[0], r.fields)),
    ("GET", f"/authenticate/{_ID}", lambda s, r, i: _flows.show_challenge(s.fake, i[0], r.fields)),
    (
        "POST",
        f"/authenticate/{_ID}",
        lambda s, r, i: _flows.submit_challenge(s.fake, i[0], r.fields),
    ),
    ("GET", "/_fake/config", lambda s, r, i: _tools_api.config(s)),
    ("GET", "/_fake/resends", lambda s, r, i: _tools_api.resends(s, r.fields)),
    ("POST", "/_fake/deliveries", lambda s, r, i: _tools_api.report(s, r.body)),
    ("POST", f"/_fake/events/{_ID}/resend", lambda s, r, i: _tools_api.resend(s, i[0])),
    (
        "POST",
        f"/_fake/payment_methods/{_ID}/network_update",
        lambda s, r, i: _tools_api.network_update(s, i[0], r.body),
    ),
]
_TABLE = [(method, re.compile(f"{pattern}/?$"), page) for method, pattern, page in _ROUTES]


def answer(server: FakeServer, request: PageRequest) -> Response:
    """The response of the page ``request`` asks for (404 when there is none)."""
    allowed = []
    for method, pattern, page in _TABLE:
        match = pattern.fullmatch(request.path)
        if match is None:
            continue
        if method != request.method:
            allowed.append(method)
            continue
        if method == "POST" and not _same_origin(request.headers):
            return Response(403, message_page("Forbidden", "Cross-site form posts are refused."))
        return page(server, request, tuple(unquote(g) for g in match.groups()))
    if allowed:
        return Response(
            405, message_page("Method not allowed", f"{request.path} answers {allowed[0]} only.")
        )
    return Response(404, message_page("Not found", f"Nothing at {request.path}."))


def _same_origin(headers: Mapping[str, str]) -> bool:
    """False for a browser's POST from another site (a page elsewhere submitting a form here).

    The pages send ``Referrer-Policy: no-referrer``, so a browser's own form posts carry
    ``Origin: null``; ``Sec-Fetch-Site`` tells them apart. Tools (curl, the CLI) send neither.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None or origin == "null":
        return True
    return origin.split("://", 1)[-1] == headers.get("host", "")
