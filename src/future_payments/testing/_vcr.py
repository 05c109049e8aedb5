"""vcrpy settings for recording Stripe traffic without secrets, and replaying it.

vcrpy is an optional dependency (in a clone: ``pip install '.[vcr]'``): it is imported here
only, when ``vcr_config()`` is called.
"""

from __future__ import annotations

import importlib.util
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

FILTERED_REQUEST_HEADERS = (
    "authorization",  # Bearer <secret key>
    "stripe-account",  # a connected account's id
    "idempotency-key",  # random per request: never the same twice
    "cookie",
    "user-agent",  # SDK and Python versions: they change with every upgrade
    "x-stripe-client-user-agent",  # uname and platform details of the recording machine
    "x-stripe-client-telemetry",  # the previous request's id and duration
)
"""Request headers never written to a cassette."""

DROPPED_RESPONSE_HEADERS = frozenset({"set-cookie", "idempotency-key"})
"""Response headers never written to a cassette (lower case)."""

IGNORED_BODY_PARAMETERS = frozenset(
    {"idempotency_key", "metadata[future_payments_idempotency_key]"}
)
"""Form parameters dropped before matching and recording: they differ between runs."""

_SECRETS = (
    # Secret and restricted API keys, also the masked form of Stripe's 401 message.
    (re.compile(r"\b(?:sk|rk)_[\w*]*"), "REDACTED_API_KEY"),
    (re.compile(r"\bwhsec_\w*"), "REDACTED_WEBHOOK_SECRET"),
    # client_secret values: pi_..._secret_..., seti_..._secret_..., cs_test_..._secret_...
    (re.compile(r"\b\w+_secret_\w+"), "REDACTED_CLIENT_SECRET"),
    (re.compile(r'("client_secret"\s*:\s*)"[^"]+"'), r'\1"REDACTED_CLIENT_SECRET"'),
)


def scrub(text: str) -> str:
    """``text`` with API keys, webhook secrets and client secrets replaced by placeholders."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _scrub_form(text: str) -> str:
    """A form body, sorted, without run-specific parameters, values scrubbed."""
    pairs = parse_qsl(text, keep_blank_values=True)
    kept = sorted(
        (key, "REDACTED_CLIENT_SECRET" if key == "client_secret" else scrub(value))
        for key, value in pairs
        if key not in IGNORED_BODY_PARAMETERS
    )
    return urlencode(kept)


def _scrub_body(body: Any, content_type: str) -> Any:
    if body is None or body == b"" or body == "":
        return body
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    elif isinstance(body, str):
        text = body
    else:
        return body
    text = _scrub_form(text) if "form-urlencoded" in content_type else scrub(text)
    return text.encode("utf-8")


def _header(headers: Any, name: str) -> str:
    value = headers.get(name, "") if headers is not None else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return str(value).lower()


def scrub_request(request: Any) -> Any:
    """vcrpy ``before_record_request``: scrub and normalize one request.

    Applied by vcrpy both before recording and before matching, so a replayed request matches
    its recording whatever its idempotency keys and secrets.
    """
    request.body = _scrub_body(request.body, _header(request.headers, "content-type"))
    parts = urlsplit(request.uri)
    if parts.query:
        request.uri = urlunsplit(parts._replace(query=_scrub_form(parts.query)))
    for name in list(request.headers):
        value = request.headers[name]
        if isinstance(value, str):
            request.headers[name] = scrub(value)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """vcrpy ``before_record_response``: drop cookies and keys, scrub secrets from the body."""
    headers: dict[str, Any] = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in DROPPED_RESPONSE_HEADERS:
            del headers[name]
            continue
        values = headers[name]
        if isinstance(values, list):
            headers[name] = [scrub(v) if isinstance(v, str) else v for v in values]
    body = response.get("body") or {}
    content = body.get("string")
    if isinstance(content, bytes | str) and content:
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        scrubbed = scrub(text).encode("utf-8")
        body["string"] = scrubbed if isinstance(content, bytes) else scrubbed.decode("utf-8")
        for name in headers:
            if name.lower() == "content-length":  # the placeholders change the length
                headers[name] = [str(len(scrubbed))]
    return response


def vcr_config() -> dict[str, Any]:
    """Settings for ``vcr.VCR(**vcr_config())`` or pytest-recording's ``vcr_config`` fixture.

    - ``filter_headers``: ``Authorization``, ``Stripe-Account``, ``Idempotency-Key``, cookies,
      ``User-Agent`` and the SDK's client headers are never recorded.
    - ``before_record_request`` / ``before_record_response``: ``sk_``/``rk_`` keys,
      ``whsec_`` secrets and ``client_secret`` values are replaced by ``REDACTED_...``
      placeholders in bodies, URLs and headers; form bodies are sorted and lose idempotency
      keys (``metadata[future_payments_idempotency_key]``); response cookies and
      ``Idempotency-Key`` are dropped.
    - ``match_on``: method, path, query (``expand``) and body. The body is compared after the
      same scrubbing (vcrpy applies ``before_record_request`` before matching), so idempotency
      keys and secrets never break a replay. Host is not matched: a cassette recorded against
      the fake's local server replays for a client aimed at ``api.stripe.com``.
    - ``decode_compressed_response``: cassettes hold readable JSON.

    Raises:
        ModuleNotFoundError: vcrpy is not installed (in a clone: ``pip install '.[vcr]'``).
    """
    if importlib.util.find_spec("vcr") is None:
        raise ModuleNotFoundError(
            "future_payments.testing.vcr_config() needs vcrpy: install the 'vcr' extra "
            "(in a clone: pip install '.[vcr]')",
            name="vcr",
        )
    return {
        "filter_headers": list(FILTERED_REQUEST_HEADERS),
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "match_on": ["method", "path", "query", "body"],
        "decode_compressed_response": True,
    }
