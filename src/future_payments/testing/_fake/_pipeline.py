"""The one request pipeline: auth -> idempotency -> faults -> route -> contract -> handle -> events.

Both transports (in-process and HTTP) call ``Pipeline.begin`` and then ``Exchange.finish``,
waiting ``Exchange.delay`` seconds in between their own way (``time.sleep`` or
``asyncio.sleep``); they know nothing of fault kinds. ``begin`` and ``finish`` each hold the
fake's lock; the delay does not, so a second request with the same idempotency key can arrive
while the first is still in flight and get Stripe's 409 ``idempotency_key_in_use``.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from future_payments.testing._fake import _expand
from future_payments.testing._fake._call import Call
from future_payments.testing._fake._errors import ConnectionDropped, StripeErrorResponse, rejected
from future_payments.testing._fake._faults import Fault
from future_payments.testing._fake._forms import decode_form
from future_payments.testing._fake._headers import Headers
from future_payments.testing._fake._idempotency import fingerprint
from future_payments.testing._fake._ids import new_id
from future_payments.testing._fake._routes import Router
from future_payments.testing._fake._state import Context, State

_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


@attrs.frozen
class Answer:
    """An HTTP answer: status, headers and the JSON body."""

    status: int
    headers: dict[str, str]
    body: bytes


@attrs.frozen
class Received:
    """What reached the fake, for ``FakeStripe.requests``."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def api_key_of(headers: Headers) -> str:
    """The API key of ``Authorization: Bearer <key>`` or of HTTP Basic auth (``curl -u key:``)."""
    auth = headers.get("Authorization", "").strip()
    scheme, _, credentials = auth.partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return ""


def _authenticate(headers: Headers) -> None:
    api_key = api_key_of(headers)
    if not api_key:
        raise StripeErrorResponse(401, type="invalid_request_error", message=_NO_KEY)
    if not api_key.startswith(_TEST_KEY_PREFIXES):
        shown = f"{api_key[:8]}{'*' * max(len(api_key) - 12, 4)}{api_key[-4:]}"
        raise StripeErrorResponse(
            401,
            type="invalid_request_error",
            message=f"Invalid API Key provided: {shown} (FakeStripe accepts only sk_test_... "
            "and rk_test_... keys)",
        )


class Exchange:
    """One request between ``begin`` and ``finish``."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        method: str,
        path: str,
        params: dict[str, Any],
        ctx: Context,
        fault: Fault | None,
        answer: Answer | None,
        key_print: str | None,
    ) -> None:
        self.delay = fault.delay if fault is not None and fault.kind == "slow" else 0.0
        self._pipeline = pipeline
        self._method = method
        self._path = path
        self._params = params
        self._ctx = ctx
        self._fault = fault
        self._answer = answer
        self._key_print = key_print

    def finish(self) -> Answer:
        """Run the request (unless ``begin`` answered it already) and answer.

        Raises:
            ConnectionDropped: a ``connection_after`` fault: the request ran, the answer is lost.
        """
        answer = self._answer
        if answer is None:
            answer = self._pipeline.run(self)
        if self._fault is not None and self._fault.kind == "connection_after":
            raise ConnectionDropped(
                f"FakeStripe processed {self._method} {self._path} and then dropped the "
                "connection (fault 'connection_after')"
            )
        return answer


class Pipeline:
    """Answers requests against one ``State``, under one lock."""

    def __init__(
        self,
        state: State,
        lock: threading.RLock,
        api_version: Callable[[], str],
        record: Callable[[Received], None],
    ) -> None:
        self._state = state
        self._lock = lock
        self._api_version = api_version
        self._record = record
        self._router = Router()

    # -- begin: parse, fault, auth, idempotency ---------------------------------------------

    def begin(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> Exchange:
        """Take the request in: everything up to running it.

        Raises:
            ConnectionDropped: a ``connection_before`` fault: nothing reached the fake.
        """
        method = method.upper()
        path = urlsplit(url).path
        with self._lock:
            fault = self._state.faults.take(method, path)
            if fault is not None and fault.kind == "connection_before":
                raise ConnectionDropped(
                    f"FakeStripe dropped the connection before {method} {path} reached it "
                    "(fault 'connection_before')"
                )
            return self._begin(method, url, Headers(headers), body, fault)

    def _begin(
        self, method: str, url: str, headers: Headers, body: bytes | str | None, fault: Fault | None
    ) -> Exchange:
        parts = urlsplit(url)
        key = headers.get("Idempotency-Key") if method == "POST" else None
        version = headers.get("Stripe-Version") or self._api_version()
        ctx = Context(new_id("req", 14), key, version)
        params: dict[str, Any] = {}
        parse_error = None
        try:
            params = decode_form(parts.query) if parts.query else {}
            if body:
                text = body.decode("utf-8") if isinstance(body, bytes) else body
                params.update(decode_form(text))
        except (ValueError, UnicodeDecodeError) as exc:
            parse_error = rejected(f"Invalid request body: {exc}")
        self._record(Received(method, parts.path, params, key))

        def done(answer: Answer | None, key_print: str | None = None) -> Exchange:
            return Exchange(
                self,
                method=method,
                path=parts.path,
                params=params,
                ctx=ctx,
                fault=fault,
                answer=answer,
                key_print=key_print,
            )

        try:
            if parse_error is not None:
                raise parse_error
            _authenticate(headers)
        except StripeErrorResponse as exc:
            return done(self._error_answer(exc, ctx))
        key_print = None
        if key is not None:
            key_print = fingerprint(method, parts.path, params)
            try:
                stored = self._state.idempotency.claim(key, key_print, self._state.clock.now())
            except StripeErrorResponse as exc:
                return done(self._error_answer(exc, ctx))
            if stored is not None:
                headers_out = {
                    **self._headers(ctx),
                    **stored.headers,
                    "Idempotent-Replayed": "true",
                    "Original-Request": stored.request_id,
                }
                return done(Answer(stored.status, headers_out, stored.body))
        error = fault.error() if fault is not None else None  # a 429 or a 500 on demand
        if error is not None and error.stored:
            return done(self._keep(key, key_print, self._error_answer(error, ctx), ctx))
        if error is not None:
            self._release(key)
            return done(self._error_answer(error, ctx))
        return done(None, key_print)

    # -- run: route, contract, handle, answer -----------------------------------------------

    def run(self, exchange: Exchange) -> Answer:
        """Route, check and handle a request taken in by ``begin``."""
        ctx = exchange._ctx
        key = ctx.idempotency_key
        with self._lock:
            try:
                state = self._state
                with state.transaction():
                    state.run_due(Context(None, None, self._api_version()))
                route, ids = self._router.find(exchange._method, exchange._path)
                params = route.check(exchange._params)
                paths = params.pop("expand", None) or []
                if paths and route.answers is None:
                    raise rejected("This answer has no properties to expand.", param="expand")
                if route.answers is not None:
                    _expand.check(route.answers, paths)
                with state.transaction():
                    obj = route.handler(Call(state, ctx, ids, params))
                body = _dumps(_expand.apply(state, obj, paths) if paths else obj)
                answer = Answer(200, self._headers(ctx, retry=exchange._method == "POST"), body)
            except StripeErrorResponse as exc:
                answer = self._error_answer(exc, ctx)
                if not exc.stored:
                    self._release(key)
                    return answer
            except BaseException:
                self._release(key)
                raise
            return self._keep(key, exchange._key_print, answer, ctx)

    # -- answers ----------------------------------------------------------------------------

    def _headers(self, ctx: Context, *, retry: bool = False) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Request-Id": str(ctx.request_id),
            "Stripe-Version": ctx.api_version,
        }
        if ctx.idempotency_key is not None:
            headers["Idempotency-Key"] = ctx.idempotency_key
            headers["Original-Request"] = str(ctx.request_id)
        if retry:
            headers["Stripe-Should-Retry"] = "false"
        return headers

    def _error_answer(self, exc: StripeErrorResponse, ctx: Context) -> Answer:
        body = _dumps(exc.body(str(ctx.request_id), self._state.clock.now()))
        headers = {**self._headers(ctx), **exc.headers}
        return Answer(exc.status, headers, body)

    def _keep(self, key: str | None, key_print: str | None, answer: Answer, ctx: Context) -> Answer:
        """Store the answer under the idempotency key (the first answer is the one kept)."""
        if key is not None and key_print is not None:
            kept = {k: v for k, v in answer.headers.items() if k == "Stripe-Should-Retry"}
            self._state.idempotency.store(
                key,
                key_print,
                answer.status,
                answer.body,
                kept,
                str(ctx.request_id),
                self._state.clock.now(),
            )
        return answer

    def _release(self, key: str | None) -> None:
        if key is not None:
            self._state.idempotency.release(key)
