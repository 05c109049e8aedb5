"""Send a trigger's requests to a server the way the Stripe CLI does.

Written from reading the CLI's Go code (stripe/stripe-cli at f5f390bc): ``pkg/fixtures``
(``Execute``, ``makeRequest``, ``createParams``), ``pkg/parsers`` (``ParsePath``,
``ParseToFormData``, ``ParseQuery``) and ``pkg/requests`` / ``pkg/stripe`` (the encoding and the
headers). What it does, step by step:

- ``${name:json.path}`` in a path or a string value is replaced by that field of the answer of
  the earlier step ``name`` (a gjson path: dots, numeric indexes); ``${.env:VAR}`` by the
  environment variable; ``${name:path|default}`` falls back to the default; a reference that
  finds nothing leaves the text as it was.
- Parameters are form-encoded in ``key=value`` pairs: nested objects as ``parent[key]``, arrays
  of scalars as ``parent[]`` (one pair each), arrays of objects as ``parent[i][key]``; booleans
  as ``true``/``false``, numbers without a decimal point when whole. Keys are query-escaped with
  the brackets kept literal, values query-escaped (space as ``+``).
- A POST carries the pairs as its body; any other method (DELETE here) carries them in the
  query string. Every request has ``Content-Type: application/x-www-form-urlencoded``,
  ``Accept-Encoding: identity``, ``Authorization: Bearer <key>``, the CLI's ``User-Agent`` and
  ``X-Stripe-Client-User-Agent``; ``Stripe-Version`` only when ``--api-version`` is given
  (``stripe trigger`` has no default), so the account's default version applies.
- A step answering 300 or more stops the trigger, unless the error's ``type`` is the step's
  ``expected_error_type``; the answer of a failed step is empty for later references.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote_plus, urlsplit

import attrs

from tests.external.cli_triggers import Step, Trigger

CLI_VERSION = "master"  # pkg/version: what a build without a release tag reports
_REFERENCE = re.compile(r"\$\{([^|}]+):([^|}]+)\|?([^/\n]+)?\}")


@attrs.frozen
class Sent:
    """One request as sent, and its answer."""

    step: Step
    method: str
    path: str
    body: str
    status: int
    answer: dict[str, Any]


class TriggerFailed(AssertionError):
    """A step answered an error that the trigger does not tolerate."""


def _gjson(document: Any, path: str) -> str:
    for part in path.split("."):
        if isinstance(document, Mapping):
            document = document.get(part)
        elif isinstance(document, list) and part.isdigit() and int(part) < len(document):
            document = document[int(part)]
        else:
            return ""
    if document is None:
        return ""
    if isinstance(document, bool):
        return "true" if document else "false"
    if isinstance(document, dict | list):
        return json.dumps(document)
    return str(document)


def resolve(text: str, answers: Mapping[str, Any]) -> str:
    """``text`` with its first reference replaced, as ``parsers.ParseQuery`` does."""
    match = _REFERENCE.search(text)
    if match is None:
        return text
    name, query, default = match.group(1), match.group(2), match.group(3)
    fallback = default or text
    if name == ".env":
        found = os.environ.get(query, "")
        return text.replace(match.group(0), found) if found else fallback
    if name not in answers:
        raise TriggerFailed(f"an undeclared fixture name was referenced: {name}")
    found = _gjson(answers[name], query)
    return text.replace(match.group(0), found) if found else fallback


def resolve_path(path: str, answers: Mapping[str, Any]) -> str:
    """Every reference in a path replaced (``parsers.ParsePath``)."""
    return _REFERENCE.sub(lambda m: resolve(m.group(0), answers), path)


def _scalar(value: object, answers: Mapping[str, Any]) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return resolve(value, answers)
    return None


def form_pairs(params: Mapping[str, object], answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ``key=value`` pairs of ``parsers.ParseToFormData``."""
    return list(_map_pairs(params, "", -1, answers))


def _map_pairs(
    params: Mapping[str, object], parent: str, index: int, answers: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    for key, value in params.items():
        if parent and index >= 0:
            name = f"{parent}[{index}][{key}]"
        elif parent:
            name = f"{parent}[{key}]"
        else:
            name = key
        if isinstance(value, Mapping):
            yield from _map_pairs(value, name, -1, answers)
        elif isinstance(value, list):
            yield from _list_pairs(value, name, answers)
        else:
            scalar = _scalar(value, answers)
            if scalar is not None:
                yield name, scalar


def _list_pairs(
    values: list[object], parent: str, answers: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    index = -1
    for value in values:
        if isinstance(value, Mapping):
            index += 1
            yield from _map_pairs(value, parent, index, answers)
        elif isinstance(value, list):
            yield from _list_pairs(value, parent, answers)
        elif isinstance(value, str):
            # Go's array branch formats strings and ints, but JSON numbers decode as float64:
            # numbers and booleans inside arrays are skipped.
            yield f"{parent}[]", resolve(value, answers)


def encode(pairs: list[tuple[str, str]]) -> str:
    """``requests.encode``: keys escaped with literal brackets, values query-escaped."""
    return "&".join(
        f"{quote_plus(k).replace('%5B', '[').replace('%5D', ']')}={quote_plus(v)}" for k, v in pairs
    )


def cli_headers(api_key: str, api_version: str | None = None) -> dict[str, str]:
    """The headers ``stripe.Client.PerformRequest`` sets on a v1 request."""
    client_agent = {
        "name": "stripe-cli",
        "version": CLI_VERSION,
        "publisher": "stripe",
        "os": platform.system().lower(),
        "uname": platform.platform(),
    }
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Encoding": "identity",
        "User-Agent": f"Stripe/v1 stripe-cli/{CLI_VERSION}",
        "X-Stripe-Client-User-Agent": json.dumps(client_agent, separators=(",", ":")),
        "Authorization": f"Bearer {api_key}",
    }
    if api_version:
        headers["Stripe-Version"] = api_version
    return headers


def replay(
    trigger: Trigger, base_url: str, api_key: str, api_version: str | None = None
) -> list[Sent]:
    """Send every step of ``trigger`` to ``base_url``; raise ``TriggerFailed`` as the CLI would."""
    where = urlsplit(base_url)
    answers: dict[str, Any] = {}
    sent: list[Sent] = []
    for step in trigger.steps:
        method = step.method.upper()
        path = resolve_path(step.path, answers)
        data = encode(form_pairs(step.params, answers))
        target = path if method == "POST" or not data else f"{path}?{data}"
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=30)
        try:
            connection.request(
                method,
                target,
                body=data if method == "POST" else None,
                headers=cli_headers(api_key, api_version),
            )
            response = connection.getresponse()
            status, raw = response.status, response.read()
        finally:
            connection.close()
        try:
            answer = json.loads(raw) if raw else {}
        except ValueError:
            answer = {"unparsed": raw.decode("utf-8", "replace")}
        sent.append(Sent(step, method, path, data, status, answer))
        if status >= 300:
            error_type = (answer.get("error") or {}).get("type")
            if step.expected_error_type is None or error_type != step.expected_error_type:
                raise TriggerFailed(
                    f"{trigger.event}: {step.name} ({method} {path}) answered {status}: "
                    f"{json.dumps(answer)[:600]}"
                )
            answers[step.name] = {}
        else:
            answers[step.name] = answer
    return sent
