"""verify_signature, sign_payload and construct_event: Stripe's v1 signature scheme."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
import stripe
from hypothesis import given
from hypothesis import strategies as st

from future_payments import webhooks
from future_payments.errors import (
    FuturePaymentsError,
    InvalidInput,
    MalformedSignature,
    MissingSignature,
    PayloadTooLarge,
    SignatureMismatch,
    TimestampOutsideTolerance,
    WebhookError,
)
from future_payments.webhooks import (
    ParsedEvent,
    construct_event,
    sign_payload,
    verify_signature,
)

SECRET = "whsec_test_current_0123456789abcdef"
OLD_SECRET = "whsec_test_previous_fedcba9876543210"
T = 1_700_000_000
PAYLOAD = json.dumps(
    {
        "id": "evt_1",
        "object": "event",
        "api_version": "2019-03-14",
        "created": T,
        "livemode": False,
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_test_1", "object": "checkout.session"}},
    }
).encode()


def at(timestamp: float) -> Callable[[], float]:
    """A clock stopped at ``timestamp``."""
    return lambda: timestamp


def v1(payload: bytes, secret: str, timestamp: int = T) -> str:
    """Only the hex signature of a header made by sign_payload."""
    return sign_payload(payload, secret, timestamp).split(",v1=")[1]


def test_public_names() -> None:
    """The module exports exactly its documented API, in sorted order."""
    expected = [
        "DEFAULT_MAX_PAYLOAD_BYTES",
        "DEFAULT_TOLERANCE",
        "ParsedEvent",
        "construct_event",
        "handle_webhook",
        "handle_webhook_async",
        "parse_event",
        "sign_payload",
        "verify_signature",
    ]
    assert expected == webhooks.__all__


def test_valid_signature() -> None:
    """A body signed with the endpoint's secret verifies."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_default_clock_is_the_real_time() -> None:
    """Without an injected clock, a header signed just now verifies."""
    verify_signature(PAYLOAD, sign_payload(PAYLOAD, SECRET), SECRET)


def test_tampered_body() -> None:
    """A body changed after signing is refused."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(SignatureMismatch):
        verify_signature(PAYLOAD.replace(b"evt_1", b"evt_2"), header, SECRET, now=at(T))


def test_wrong_secret() -> None:
    """A body signed with another secret is refused."""
    header = sign_payload(PAYLOAD, OLD_SECRET, T)
    with pytest.raises(SignatureMismatch):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_stale_timestamp() -> None:
    """A signature one second older than the tolerance is refused."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(TimestampOutsideTolerance, match="old"):
        verify_signature(PAYLOAD, header, SECRET, now=at(T + 301))


def test_future_timestamp() -> None:
    """A signature one second further ahead than the tolerance is refused."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(TimestampOutsideTolerance, match="future"):
        verify_signature(PAYLOAD, header, SECRET, now=at(T - 301))


def test_stale_timestamp_at_the_edge() -> None:
    """A signature exactly ``tolerance`` seconds old is accepted."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, SECRET, now=at(T + 300))


def test_future_timestamp_at_the_edge() -> None:
    """A signature exactly ``tolerance`` seconds ahead is accepted."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, SECRET, now=at(T - 300))


def test_fraction_of_a_second_past_the_edge() -> None:
    """Half a second beyond the tolerance already counts as outside it."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(TimestampOutsideTolerance):
        verify_signature(PAYLOAD, header, SECRET, now=at(T + 300.5))


def test_custom_tolerance() -> None:
    """The tolerance argument replaces the 300 s default."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(TimestampOutsideTolerance):
        verify_signature(PAYLOAD, header, SECRET, tolerance=10, now=at(T + 11))


def test_zero_tolerance_accepts_the_same_second() -> None:
    """With tolerance 0, only a clock reading the signed second is accepted."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, SECRET, tolerance=0, now=at(T))


def test_stale_timestamp_with_wrong_signature_is_a_mismatch() -> None:
    """The timestamp is judged only once the signature is genuine."""
    header = sign_payload(PAYLOAD, OLD_SECRET, T)
    with pytest.raises(SignatureMismatch):
        verify_signature(PAYLOAD, header, SECRET, now=at(T + 10_000))


@pytest.mark.parametrize("signing_secret", [OLD_SECRET, SECRET])
def test_rotation_accepts_old_and_new_secret(signing_secret: str) -> None:
    """During a rotation overlap, a body signed with either configured secret verifies."""
    header = sign_payload(PAYLOAD, signing_secret, T)
    verify_signature(PAYLOAD, header, [OLD_SECRET, SECRET], now=at(T))


def test_rotation_accepts_a_tuple_of_secrets() -> None:
    """Any sequence of secrets works, not only a list."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, (OLD_SECRET, SECRET), now=at(T))


def test_rotation_refuses_a_secret_not_configured() -> None:
    """A body signed with a third secret is refused even when several are configured."""
    header = sign_payload(PAYLOAD, "whsec_someone_else", T)
    with pytest.raises(SignatureMismatch, match="2 configured secrets"):
        verify_signature(PAYLOAD, header, [OLD_SECRET, SECRET], now=at(T))


def test_stripe_rolling_header_verifies_with_new_secret_alone() -> None:
    """A header with one v1 per secret (Stripe during a roll) verifies with only the new one."""
    header = f"t={T},v1={v1(PAYLOAD, OLD_SECRET)},v1={v1(PAYLOAD, SECRET)}"
    verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_several_v1_values_only_the_second_matches() -> None:
    """A matching v1 anywhere in the header is enough."""
    header = f"t={T},v1={'0' * 64},v1={v1(PAYLOAD, SECRET)}"
    verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_header_with_only_v0_is_malformed() -> None:
    """v0 signatures are ignored, so a header with only v0 has no usable signature."""
    header = f"t={T},v0={v1(PAYLOAD, SECRET)}"
    with pytest.raises(MalformedSignature, match="no v1"):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_unknown_schemes_are_ignored() -> None:
    """v0 and unknown schemes beside a matching v1 do not get in the way."""
    header = f"t={T},v0={'f' * 64},v1={v1(PAYLOAD, SECRET)},v9=whatever"
    verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_header_parts_may_have_spaces() -> None:
    """Spaces around the comma-separated parts are tolerated."""
    header = f"t={T}, v1={v1(PAYLOAD, SECRET)}"
    verify_signature(PAYLOAD, header, SECRET, now=at(T))


def test_non_ascii_v1_value_is_a_mismatch() -> None:
    """A non-ASCII v1 value cannot match and is reported as a mismatch, not a crash."""
    header = f"t={T},v1=é{'0' * 63}"
    with pytest.raises(SignatureMismatch):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header(header: str | None) -> None:
    """An absent, empty or blank header is a missing signature."""
    with pytest.raises(MissingSignature):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"v1={'0' * 64}",
        f"t=,v1={'0' * 64}",
        f"t=abc,v1={'0' * 64}",
        f"t=-5,v1={'0' * 64}",
        f"t=+5,v1={'0' * 64}",
        f"t=1.5,v1={'0' * 64}",
        f"t=١٢٣,v1={'0' * 64}",
        f"t={'9' * 5000},v1={'0' * 64}",
        f"t={T},t={T},v1={'0' * 64}",
        f"t={T}",
        f"t={T},v1",
        f"t={T},,v1={'0' * 64}",
    ],
)
def test_malformed_header(header: str) -> None:
    """A header without exactly one integer t and at least one v1 is malformed."""
    with pytest.raises(MalformedSignature):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


@given(st.text())
def test_fuzzed_header_raises_only_webhook_errors(header: str) -> None:
    """Any text as header either verifies or raises a WebhookError, never anything else."""
    with contextlib.suppress(WebhookError):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))


_near_valid_part = st.one_of(
    st.builds(lambda t: f"t={t}", st.integers(min_value=-(10**30), max_value=10**30)),
    st.builds(lambda t: f"t={t}", st.text(max_size=12)),
    st.just(f"v1={v1(PAYLOAD, SECRET)}"),
    st.builds(lambda s: f"v1={s}", st.text(max_size=70)),
    st.builds(lambda s: f"v1={s}", st.text("0123456789abcdef", min_size=64, max_size=64)),
    st.builds(lambda s: f"v0={s}", st.text(max_size=70)),
    st.builds(lambda k, v: f"{k}={v}", st.text(max_size=4), st.text(max_size=8)),
    st.text(max_size=10),
)


@given(st.lists(_near_valid_part, max_size=6), st.sampled_from([",", ", ", ";", ",,"]))
def test_fuzzed_near_valid_header_raises_only_webhook_errors(
    parts: list[str], separator: str
) -> None:
    """Headers assembled from near-valid parts verify or raise a WebhookError, nothing else."""
    with contextlib.suppress(WebhookError):
        verify_signature(PAYLOAD, separator.join(parts), SECRET, now=at(T))


def test_payload_over_the_cap() -> None:
    """A body larger than max_payload_bytes is refused."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(PayloadTooLarge):
        verify_signature(PAYLOAD, header, SECRET, now=at(T), max_payload_bytes=len(PAYLOAD) - 1)


def test_payload_at_the_cap() -> None:
    """A body of exactly max_payload_bytes is accepted."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(PAYLOAD, header, SECRET, now=at(T), max_payload_bytes=len(PAYLOAD))


def test_payload_cap_counts_utf8_bytes_of_a_str() -> None:
    """A str body is measured in UTF-8 bytes, not characters."""
    body = '{"name": "' + "é" * 10 + '"}'
    header = sign_payload(body, SECRET, T)
    with pytest.raises(PayloadTooLarge):
        verify_signature(body, header, SECRET, now=at(T), max_payload_bytes=len(body))


def test_str_payload_over_the_cap() -> None:
    """A str body with more characters than the cap is refused."""
    body = PAYLOAD.decode()
    header = sign_payload(body, SECRET, T)
    with pytest.raises(PayloadTooLarge):
        verify_signature(body, header, SECRET, now=at(T), max_payload_bytes=len(body) - 1)


def test_bytes_header_is_invalid_input() -> None:
    """A header passed as bytes is an InvalidInput asking for the str value."""
    header = sign_payload(PAYLOAD, SECRET, T).encode()
    with pytest.raises(InvalidInput, match="must be a str"):
        verify_signature(PAYLOAD, header, SECRET, now=at(T))  # type: ignore[arg-type]


def test_payload_cap_is_checked_before_the_header() -> None:
    """An oversized body is refused as such even when the header is also bad."""
    with pytest.raises(PayloadTooLarge):
        verify_signature(b"x" * 1_000_001, "garbage", SECRET, now=at(T))


def test_default_payload_cap_is_one_megabyte() -> None:
    """The default cap refuses a body of 1 000 001 bytes."""
    with pytest.raises(PayloadTooLarge):
        verify_signature(b"x" * 1_000_001, None, SECRET)


def test_str_payload_verifies_against_bytes_signature() -> None:
    """A header signed over bytes verifies the same body given as str."""
    body = '{"id": "evt_1", "name": "Zoë ✓"}'
    header = sign_payload(body.encode(), SECRET, T)
    verify_signature(body, header, SECRET, now=at(T))


def test_bytes_payload_verifies_against_str_signature() -> None:
    """A header signed over a str verifies the same body given as UTF-8 bytes."""
    body = '{"id": "evt_1", "name": "Zoë ✓"}'
    header = sign_payload(body, SECRET, T)
    verify_signature(body.encode(), header, SECRET, now=at(T))


def test_str_and_bytes_payloads_sign_alike() -> None:
    """sign_payload gives the same header for a str and its UTF-8 bytes."""
    body = '{"name": "Zoë ✓"}'
    assert sign_payload(body, SECRET, T) == sign_payload(body.encode(), SECRET, T)


def test_bytearray_payload_verifies() -> None:
    """A bytearray body (some frameworks hand one over) verifies like bytes."""
    header = sign_payload(PAYLOAD, SECRET, T)
    verify_signature(bytearray(PAYLOAD), header, SECRET, now=at(T))  # type: ignore[arg-type]


def test_parsed_json_payload_is_refused_clearly() -> None:
    """Passing the parsed body instead of the raw one is an InvalidInput naming the cause."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(InvalidInput, match="raw request body"):
        verify_signature(json.loads(PAYLOAD), header, SECRET, now=at(T))


def test_sign_payload_header_shape() -> None:
    """sign_payload returns t=<timestamp>,v1=<64 lowercase hex digits>."""
    header = sign_payload(PAYLOAD, SECRET, T)
    timestamp, signature = header.split(",")
    assert (f"t={T}", "v1=", 64) == (timestamp, signature[:3], len(signature[3:]))
    assert set(signature[3:]) <= set("0123456789abcdef")


def test_sign_payload_uses_the_time_of_the_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a timestamp, sign_payload signs at the clock's time when called, not at import."""
    monkeypatch.setattr(time, "time", lambda: 1_111_111_111.9)
    first = sign_payload(PAYLOAD, SECRET)
    monkeypatch.setattr(time, "time", lambda: 2_222_222_222.9)
    second = sign_payload(PAYLOAD, SECRET)
    expected = ("t=1111111111", "t=2222222222")
    assert expected == (first.split(",")[0], second.split(",")[0])


def test_sign_payload_refuses_a_negative_timestamp() -> None:
    """A negative timestamp is an InvalidInput."""
    with pytest.raises(InvalidInput):
        sign_payload(PAYLOAD, SECRET, -1)


def test_our_header_verifies_with_stripe() -> None:
    """A header from sign_payload is accepted by stripe.Webhook.construct_event."""
    header = sign_payload(PAYLOAD, SECRET)
    event = stripe.Webhook.construct_event(PAYLOAD, header, SECRET, api_key="sk_test_x")
    expected = "evt_1"
    assert expected == event.id


def test_stripe_header_verifies_with_ours() -> None:
    """A header from stripe.WebhookSignature.generate_signature_header verifies with ours."""
    body = PAYLOAD.decode()
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, timestamp=T)
    verify_signature(body, header, SECRET, now=at(T))


def test_stripe_header_over_non_ascii_body_verifies_with_ours() -> None:
    """Stripe signs the UTF-8 text of a body; ours agrees on non-ASCII bodies too."""
    body = '{"id": "evt_1", "name": "Zoë ✓ 中文"}'
    header = stripe.WebhookSignature.generate_signature_header(body, SECRET, timestamp=T)
    verify_signature(body.encode(), header, SECRET, now=at(T))


def test_construct_event_returns_the_parsed_event() -> None:
    """construct_event verifies and parses in one call."""
    header = sign_payload(PAYLOAD, SECRET, T)
    event = construct_event(PAYLOAD, header, SECRET, now=at(T))
    expected = ParsedEvent(
        id="evt_1",
        type="checkout.session.completed",
        created=T,
        livemode=False,
        api_version="2019-03-14",
        data_object={"id": "cs_test_1", "object": "checkout.session"},
        previous_attributes=None,
    )
    assert expected == event


def test_construct_event_verifies_before_parsing() -> None:
    """A forged non-JSON body is refused for its signature, never parsed."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(SignatureMismatch):
        construct_event(b"not json", header, SECRET, now=at(T))


@pytest.mark.parametrize(
    "secrets",
    [
        pytest.param([], id="empty list"),
        pytest.param("", id="empty str"),
        pytest.param("  ", id="blank"),
        pytest.param([SECRET, ""], id="one empty in a list"),
        pytest.param([SECRET, None], id="None in a list"),
        pytest.param(b"whsec_bytes", id="bytes"),
        pytest.param(None, id="None"),
        pytest.param(SECRET + "\n", id="trailing newline"),
        pytest.param("sk_test_123", id="API key"),
    ],
)
def test_unusable_secrets_are_invalid_input(secrets: Any) -> None:
    """Secrets that cannot be right are refused at call time as InvalidInput (a ValueError)."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(InvalidInput) as info:
        verify_signature(PAYLOAD, header, secrets, now=at(T))
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("name", "value"), [("tolerance", -1), ("tolerance", 1.5), ("max_payload_bytes", -1)]
)
def test_unusable_limits_are_invalid_input(name: str, value: Any) -> None:
    """A negative or non-integer tolerance or payload cap is an InvalidInput."""
    header = sign_payload(PAYLOAD, SECRET, T)
    with pytest.raises(InvalidInput):
        verify_signature(PAYLOAD, header, SECRET, now=at(T), **{name: value})


def test_webhook_errors_are_value_errors_of_the_library() -> None:
    """Verification failures can be caught as WebhookError, FuturePaymentsError or ValueError."""
    with pytest.raises(SignatureMismatch) as info:
        verify_signature(PAYLOAD, f"t={T},v1={'0' * 64}", SECRET, now=at(T))
    error = info.value
    kinds = (WebhookError, FuturePaymentsError, ValueError)
    expected = (True, True, True)
    assert expected == tuple(isinstance(error, kind) for kind in kinds)


def _failures() -> list[Any]:
    """One call per failure kind, each configured with SECRET (and OLD_SECRET where listed)."""
    good = sign_payload(PAYLOAD, SECRET, T)
    other = sign_payload(PAYLOAD, OLD_SECRET, T)
    return [
        pytest.param(lambda: verify_signature(PAYLOAD, other, SECRET, now=at(T)), id="mismatch"),
        pytest.param(
            lambda: verify_signature(PAYLOAD, other, [SECRET, SECRET], now=at(T)),
            id="mismatch-rotation",
        ),
        pytest.param(lambda: verify_signature(PAYLOAD, good, SECRET, now=at(T + 999)), id="stale"),
        pytest.param(lambda: verify_signature(PAYLOAD, good, SECRET, now=at(T - 999)), id="future"),
        pytest.param(lambda: verify_signature(PAYLOAD, None, SECRET), id="missing"),
        pytest.param(lambda: verify_signature(PAYLOAD, "t=x,v1=y", SECRET), id="malformed"),
        pytest.param(
            lambda: verify_signature(PAYLOAD, good, SECRET, max_payload_bytes=1), id="too-large"
        ),
        pytest.param(
            lambda: construct_event(b"[]", sign_payload(b"[]", SECRET, T), SECRET, now=at(T)),
            id="malformed-payload",
        ),
        pytest.param(lambda: verify_signature(PAYLOAD, good, [SECRET, " "]), id="blank-secret"),
        pytest.param(lambda: verify_signature(PAYLOAD, good, SECRET + "\n"), id="newline-secret"),
        pytest.param(lambda: verify_signature(PAYLOAD, good, "sk_live_" + SECRET), id="api-key"),
        pytest.param(lambda: verify_signature(PAYLOAD, good, SECRET, tolerance=-1), id="tolerance"),
        pytest.param(lambda: sign_payload(PAYLOAD, SECRET, -1), id="sign-timestamp"),
    ]


@pytest.mark.parametrize("call", _failures())
def test_no_secret_in_error_messages(call: Callable[[], object]) -> None:
    """No failure's message or repr contains a configured secret."""
    with pytest.raises(FuturePaymentsError) as info:
        call()
    shown = str(info.value) + repr(info.value)
    expected = (False, False)
    assert expected == (SECRET in shown, OLD_SECRET in shown)
