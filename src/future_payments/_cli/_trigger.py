"""``future-payments trigger EVENT``: make an event happen on a running fake, as an app would.

Each trigger (``_triggers.py``) is a few named steps: Stripe API calls through the real
``stripe`` package, and what the customer does on the fake's hosted pages (a form POST to the
Checkout page, the 3-D Secure challenge). ``--override step:param=value`` changes a step's
parameters, as with ``stripe trigger``. After the steps, the events they caused are read back
from ``GET /v1/events`` and printed; the trigger succeeded if the named event is among them.
"""

from __future__ import annotations

import datetime
import html
import http.client
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO, TypeVar
from urllib.parse import urlencode, urlsplit

import attrs
import stripe

from future_payments._cli._listen import events_after
from future_payments._cli._remote import Remote, RemoteError

T = TypeVar("T")
Params = dict[str, Any]
_OVERRIDE = re.compile(r"^(?P<step>[a-z_]+):(?P<path>[A-Za-z0-9_.\[\]]+)=(?P<value>.*)$", re.S)


class TriggerFailed(Exception):
    """A step failed, or the event did not happen; the message says which and why."""


@attrs.frozen
class Trigger:
    """How to make one event happen: its named steps, and the code that runs them."""

    event: str
    summary: str
    steps: tuple[str, ...]
    run: Callable[[Run], None]


def parse_overrides(texts: Sequence[str]) -> dict[str, Params]:
    """``["customer:email=a@b.c", "checkout_session:metadata.plan=pro"]`` by step.

    A parameter path nests with dots or brackets (``a.b``, ``a[b]``, ``items[0][price]``).

    Raises:
        ValueError: a text not shaped ``step:param=value``.
    """
    by_step: dict[str, Params] = {}
    for text in texts:
        match = _OVERRIDE.match(text)
        if match is None:
            raise ValueError(
                f"--override {text!r}: write step:param=value, "
                "e.g. customer:email=jenny@example.com"
            )
        keys = [k for k in re.split(r"[.\[\]]+", match["path"]) if k]
        if not keys:
            raise ValueError(f"--override {text!r} names no parameter")
        target = by_step.setdefault(match["step"], {})
        for key in keys[:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                raise ValueError(f"--override {text!r}: {key} is set to a value already")
        target[keys[-1]] = match["value"]
    return by_step


def merge(params: Params, changes: Mapping[str, Any]) -> Params:
    """``params`` with ``changes`` laid over it (nested dicts merged, list items by index)."""
    merged: Params = dict(params)
    for key, value in changes.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, list):
            items = list(current)
            for index, item in sorted(value.items()):
                if not index.isdigit():
                    raise ValueError(f"{key} is a list: override its items by index, not {index}")
                if int(index) < len(items):
                    items[int(index)] = item
                else:
                    items.append(item)
            merged[key] = items
        elif isinstance(value, dict) and isinstance(current, dict):
            merged[key] = merge(current, value)
        else:
            merged[key] = value
    return merged


class Run:
    """One trigger being run: the client, the overrides, and what it printed so far."""

    def __init__(
        self, remote: Remote, trigger: Trigger, overrides: dict[str, Params], out: TextIO
    ) -> None:
        unknown = sorted(set(overrides) - set(trigger.steps))
        if unknown:
            raise ValueError(
                f"trigger {trigger.event} has no step {', '.join(unknown)}; its steps are: "
                f"{', '.join(trigger.steps)}"
            )
        self.remote = remote
        self.client = remote.client
        self._trigger = trigger
        self._overrides = overrides
        self._out = out
        self.now = remote.config().time

    def params(self, step: str, params: Params) -> Params:
        """The parameters of ``step`` with its overrides."""
        assert step in self._trigger.steps, f"{step} is not declared by {self._trigger.event}"
        return merge(params, self._overrides.get(step, {}))

    def call(self, step: str, method: Callable[..., T], params: Params | None = None) -> T:
        """Run an API step: ``method(params=...)`` with the step's overrides; print the object."""
        merged = self.params(step, params or {})
        try:
            obj = method(params=merged)
        except stripe.StripeError as exc:
            raise TriggerFailed(f"{step}: {_stripe_message(exc)}") from exc
        self.show(step, obj)
        return obj

    def call_declined(
        self, step: str, method: Callable[..., object], params: Params, field: str
    ) -> stripe.StripeObject:
        """An API step that must end in a card error; prints the object the error names."""
        try:
            method(params=self.params(step, params))
        except stripe.CardError as exc:
            obj = getattr(exc.error, field, None) if exc.error is not None else None
            if not isinstance(obj, stripe.StripeObject):
                raise TriggerFailed(f"{step}: the card error names no {field}") from exc
            self.show(step, obj, f"declined: {exc.code}")
            return obj
        except stripe.StripeError as exc:
            raise TriggerFailed(f"{step}: {_stripe_message(exc)}") from exc
        raise TriggerFailed(f"{step}: expected a card error, but the request succeeded")

    def show(self, step: str, obj: object, note: str | None = None) -> None:
        """Print one created (or changed) object: step, kind, id."""
        kind = getattr(obj, "object", type(obj).__name__)
        object_id = getattr(obj, "id", "")
        suffix = f"  ({note})" if note else ""
        print(f"{step:<26} {kind:<18} {object_id}{suffix}", file=self._out, flush=True)

    def complete_checkout(self, step: str, session: stripe.checkout.Session) -> None:
        """The customer fills in the session's hosted Checkout page and submits it.

        Passes a 3-D Secure challenge when the card asks for one (override
        ``checkout_page:authenticate=fail`` to fail it).
        """
        if not session.url:
            raise TriggerFailed(f"{step}: the Checkout Session has no url")
        year = datetime.datetime.fromtimestamp(self.now, datetime.UTC).year + 3
        fields = self.params(
            step,
            {
                "method": "card",
                "number": "4242 4242 4242 4242",
                "expiry": f"12 / {year % 100:02}",
                "cvc": "123",
                "name": "Jenny Rosen",
                "authenticate": "complete",
            },
        )
        outcome = fields.pop("authenticate")
        status, location = self._form(session.url, fields)
        if status == 303 and location and "/authenticate/" in location:
            print(f"{step:<26} {'3-D Secure':<18} {outcome}", file=self._out, flush=True)
            path, _, query = location.partition("?")
            back = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            status, location = self._form(
                path, {"outcome": outcome, **{k: v for k, v in back.items() if k == "return_to"}}
            )
        if status != 303:
            raise TriggerFailed(f"{step}: the Checkout page answered {status}: {location}")
        print(f"{step:<26} {'redirect':<18} {location}", file=self._out, flush=True)

    def _form(self, url: str, fields: Mapping[str, str]) -> tuple[int, str | None]:
        """POST a form to a page of the fake, as the customer's browser would.

        Returns the status and the redirect target, or for a page the messages it shows.
        """
        parts = urlsplit(url if "://" in url else f"{self.remote.api_base}{url}")
        connection = http.client.HTTPConnection(parts.netloc, timeout=10)
        try:
            connection.request(
                "POST",
                parts.path,
                body=urlencode(fields),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = connection.getresponse()
            page = response.read().decode("utf-8", "replace")
            if response.status == 303:
                return response.status, response.getheader("Location")
            shown = re.findall(r'class="(?:form|field)-error"[^>]*>([^<]+)<', page)
            return response.status, " ".join(html.unescape(m) for m in shown) or "no message"
        except OSError as exc:
            raise TriggerFailed(f"the hosted page at {url} did not answer: {exc}") from exc
        finally:
            connection.close()


def run_trigger(
    *,
    triggers: Mapping[str, Trigger],
    event: str,
    api_base: str,
    api_key: str,
    overrides: Sequence[str],
    out: TextIO,
    err: TextIO,
) -> int:
    """Run one trigger; 0 when the event happened, 1 when not, 2 for bad arguments."""
    trigger = triggers.get(event)
    if trigger is None:
        print(f"future-payments trigger: no trigger for {event!r}. Available:", file=err)
        for name in sorted(triggers):
            print(f"  {name:<40} {triggers[name].summary}", file=err)
        return 2
    try:
        remote = Remote(api_base, api_key)
        run = Run(remote, trigger, parse_overrides(overrides), out)
        before = remote.client.v1.events.list(params={"limit": 1}).data
    except ValueError as exc:
        print(f"future-payments trigger: {exc}", file=err)
        return 2
    except (RemoteError, stripe.StripeError) as exc:
        print(f"future-payments trigger: {_stripe_message(exc)}", file=err)
        return 2
    try:
        trigger.run(run)
    except TriggerFailed as exc:
        print(f"Trigger failed: {exc}", file=err)
        return 1
    caused = events_after(remote.client, before[0].id if before else None)
    print("Events:", file=out)
    for caused_event in caused:
        print(f"  {caused_event.type:<40} {caused_event.id}", file=out)
    wanted = [e for e in caused if e.type == event]
    if not wanted:
        print(f"Trigger failed: the steps ran, but the fake recorded no {event} event.", file=err)
        return 1
    print(f"Trigger succeeded: {event} {wanted[-1].id}", file=out, flush=True)
    return 0


def _stripe_message(exc: Exception) -> str:
    if isinstance(exc, stripe.APIConnectionError):
        return "no FakeStripe answers there; start one with `future-payments fake serve`"
    if isinstance(exc, stripe.StripeError):
        return str(exc.user_message or exc)
    return str(exc)
