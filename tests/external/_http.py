"""A plain HTTP client for the served fake: raw JSON answers, as any language's client sees them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from future_payments.testing import FakeServer


class Api:
    """``/v1`` over HTTP with a test key; every call answers the decoded JSON body."""

    def __init__(self, server: FakeServer, api_key: str) -> None:
        self._http = httpx.Client(
            base_url=server.url,
            headers={"Authorization": f"Bearer {api_key}"},
            trust_env=False,
            timeout=30,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def call(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        **headers: str,
    ) -> tuple[int, dict[str, Any]]:
        """``method path`` with form ``data`` (the query string for GET and DELETE)."""
        if method in ("GET", "DELETE"):
            response = self._http.request(method, path, params=data, headers=headers)
        else:
            response = self._http.request(method, path, data=data, headers=headers)
        return response.status_code, response.json()

    def ok(self, method: str, path: str, data: dict[str, str] | None = None) -> dict[str, Any]:
        """The answer of a call that must succeed; a failure names Stripe's error."""
        status, body = self.call(method, path, data)
        if status >= 300:
            pytest.fail(f"{method} {path} answered {status}: {body.get('error')}", pytrace=False)
        return body
