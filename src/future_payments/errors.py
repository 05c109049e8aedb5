"""Every error future_payments raises: one root, branches to catch, leaves that say exactly what.

Each leaf also subclasses the builtin it behaves like (``except ValueError`` still works), and
every message says what was wrong and what to do next. The top-level ``future_payments`` package
re-exports the root, the branches and the leaves that carry data a caller reads (marked ``*``)::

    FuturePaymentsError *
    ├── InvalidInput (ValueError) *               a bad argument (see .param); nothing was sent
    │   └── RefundExceedsCharge                   more than is left to refund (.refundable)
    ├── IdempotencyConflict (ValueError) *        a caller key reused with other parameters
    ├── NotFound (LookupError) *
    │   ├── UnknownCustomer                       no Stripe Customer stored for a customer_ref
    │   ├── UnknownSession                        Stripe knows no such Checkout Session
    │   ├── UnknownPaymentMethod                  not a saved method of that customer
    │   ├── NoSavedPaymentMethod                  the customer has nothing to charge
    │   └── UnknownCharge                         no charge recorded for an idempotency_key
    ├── ChargeNotRefundable                       the charge is not Charged (.state)
    ├── SessionNotComplete *                      the Checkout Session is still open (.status)
    ├── SessionExpired *                          the Checkout Session expired unused
    ├── SetupFailed *                             the SetupIntent ended without a method
    ├── StoreError *                              the store failed; nothing was half-written
    │   ├── InvalidDatabaseURL (ValueError)
    │   ├── InvalidDatabasePath (ValueError)      a SQLite path that is a directory, or no parent
    │   ├── DatabaseDriverMissing (ImportError)   names the extra to install
    │   ├── DatabaseUnreachable (ConnectionError) names host and port (or file), never the password
    │   ├── ConnectionLost (ConnectionError)      the connection broke during a call
    │   ├── DatabaseBusy (TimeoutError)           locked by other writers past the timeout
    │   ├── DatabaseReadOnly (PermissionError)    a write to a database this process may only read
    │   ├── DatabaseCorrupt                       not a database, or a damaged one
    │   ├── DatabaseFailed                        any other failure the database reported
    │   ├── SchemaMissing                         call create_schema()
    │   ├── ForeignSchema                         tables of our names that are not ours
    │   ├── SchemaVersionMismatch                 migrate, or upgrade future-payments
    │   └── UnstorableValue (ValueError)          NUL, a lone surrogate, too long, beyond 64 bits
    ├── WebhookError (ValueError) *               a delivery that must be answered 400
    │   ├── MissingSignature
    │   ├── MalformedSignature
    │   ├── SignatureMismatch
    │   ├── TimestampOutsideTolerance
    │   ├── PayloadTooLarge
    │   ├── MalformedPayload
    │   └── LivemodeMismatch
    └── StripeFailure *                           Stripe failed in a way that is not a card outcome
        ├── StripeAuthenticationFailed            the API key was refused
        ├── StripeRequestRejected                 Stripe answered 400 (.code, .param)
        ├── StripeRateLimited                     429
        └── StripeUnavailable                     connection errors, 409 and 5xx
            ├── ChargeOutcomeUnknown *            a charge whose result never arrived; retry with
            │                                     the same idempotency_key, it is safe
            └── RefundOutcomeUnknown *            a refund whose answer never arrived; retry with
                                                  the same refund_key, it is safe
"""

from __future__ import annotations

__all__ = [
    "ChargeNotRefundable",
    "ChargeOutcomeUnknown",
    "ConnectionLost",
    "DatabaseBusy",
    "DatabaseCorrupt",
    "DatabaseDriverMissing",
    "DatabaseFailed",
    "DatabaseReadOnly",
    "DatabaseUnreachable",
    "ForeignSchema",
    "FuturePaymentsError",
    "IdempotencyConflict",
    "InvalidDatabasePath",
    "InvalidDatabaseURL",
    "InvalidInput",
    "LivemodeMismatch",
    "MalformedPayload",
    "MalformedSignature",
    "MissingSignature",
    "NoSavedPaymentMethod",
    "NotFound",
    "PayloadTooLarge",
    "RefundExceedsCharge",
    "RefundOutcomeUnknown",
    "SchemaMissing",
    "SchemaVersionMismatch",
    "SessionExpired",
    "SessionNotComplete",
    "SetupFailed",
    "SignatureMismatch",
    "StoreError",
    "StripeAuthenticationFailed",
    "StripeFailure",
    "StripeRateLimited",
    "StripeRequestRejected",
    "StripeUnavailable",
    "TimestampOutsideTolerance",
    "UnknownCharge",
    "UnknownCustomer",
    "UnknownPaymentMethod",
    "UnknownSession",
    "UnstorableValue",
    "WebhookError",
]


class FuturePaymentsError(Exception):
    """The root of every error this library raises."""


class InvalidInput(FuturePaymentsError, ValueError):
    """An argument is wrong; nothing was sent to Stripe and nothing was stored.

    Attributes:
        param: the name of the argument at fault (``"amount"``, ``"currency"``,
            ``"success_url"``...), or None when no single argument is.
    """

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class RefundExceedsCharge(InvalidInput):
    """A refund of more than what is left to refund of the charge; nothing was sent.

    Attributes:
        refundable: what is left to refund, in the currency's smallest unit.
    """

    def __init__(self, message: str, *, refundable: int) -> None:
        super().__init__(message, param="amount")
        self.refundable = refundable


class IdempotencyConflict(FuturePaymentsError, ValueError):
    """A caller key was used before for another charge or refund (amount, currency, customer...)."""


class NotFound(FuturePaymentsError, LookupError):
    """Something the call names does not exist."""


class UnknownCustomer(NotFound):
    """No Stripe Customer is stored for this customer_ref."""


class UnknownSession(NotFound):
    """Stripe knows no Checkout Session with this id."""


class UnknownPaymentMethod(NotFound):
    """The payment method is not a saved, usable method of this customer."""


class NoSavedPaymentMethod(NotFound):
    """The customer has no saved payment method to charge."""


class UnknownCharge(NotFound):
    """No charge is recorded under this idempotency_key (``charge_saved`` makes the record)."""


class ChargeNotRefundable(FuturePaymentsError):
    """Only a charge that is ``Charged`` can be refunded; nothing was sent.

    Attributes:
        state: the charge's state in the ledger (``requires_action``, ``declined``...).
    """

    def __init__(self, message: str, *, state: str) -> None:
        super().__init__(message)
        self.state = state


class SessionNotComplete(FuturePaymentsError):
    """The Checkout Session has not been completed by the customer yet."""

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class SessionExpired(FuturePaymentsError):
    """The Checkout Session expired before the customer completed it."""


class SetupFailed(FuturePaymentsError):
    """The SetupIntent ended without a usable payment method."""


class StoreError(FuturePaymentsError):
    """The store could not do what was asked; it stored nothing half-way.

    Every store method raises only leaves of this branch for a failure of its database (never a
    raw ``sqlite3``, psycopg, PyMySQL or SQLAlchemy exception), each with a message that says
    what is wrong and what to do.
    """


class InvalidDatabaseURL(StoreError, ValueError):
    """The database URL cannot be parsed or names an unsupported database."""


class InvalidDatabasePath(StoreError, ValueError):
    """The SQLite path is a directory, or the directory it names does not exist."""


class DatabaseDriverMissing(StoreError, ImportError):
    """SQLAlchemy or the database driver the URL names is not installed."""


class DatabaseUnreachable(StoreError, ConnectionError):
    """No connection to the database could be made (or the SQLite file could not be opened)."""


class ConnectionLost(StoreError, ConnectionError):
    """The connection to the database broke during a call (a restart, a killed session).

    The database rolled the call's transaction back, unless the connection broke while it was
    committing: then it may have been stored. Every store call is safe to repeat.
    """


class DatabaseBusy(StoreError, TimeoutError):
    """Other writers held the database locked past the store's timeout; retry later."""


class DatabaseReadOnly(StoreError, PermissionError):
    """A write to a database (file, directory, server or user) this process may only read."""


class DatabaseCorrupt(StoreError):
    """The file is not a SQLite database, or its content is damaged; restore a backup."""


class DatabaseFailed(StoreError):
    """The database reported a failure no other leaf describes (disk full, I/O error...)."""


class SchemaMissing(StoreError):
    """The store's tables do not exist (yet, or any more): call ``create_schema()``."""


class ForeignSchema(StoreError):
    """Tables with the store's names exist but lack its columns: another app's tables."""


class SchemaVersionMismatch(StoreError):
    """The tables were made by another version of future_payments: migrate or upgrade."""


class UnstorableValue(StoreError, ValueError):
    """A value no store keeps: NUL or a lone surrogate in a string, a key over 255 characters,
    an integer beyond 64 bits, a float that is not finite."""


class WebhookError(FuturePaymentsError, ValueError):
    """A webhook delivery that must be refused (answer HTTP 400)."""


class MissingSignature(WebhookError):
    """The Stripe-Signature header is absent or empty."""


class MalformedSignature(WebhookError):
    """The Stripe-Signature header cannot be parsed."""


class SignatureMismatch(WebhookError):
    """No v1 signature matches any configured webhook secret."""


class TimestampOutsideTolerance(WebhookError):
    """The signature's timestamp is too old or too far in the future."""


class PayloadTooLarge(WebhookError):
    """The payload is larger than the configured cap."""


class MalformedPayload(WebhookError):
    """The payload is not a Stripe event in JSON."""


class LivemodeMismatch(WebhookError):
    """The event's livemode differs from the API key's mode."""


class StripeFailure(FuturePaymentsError):
    """Stripe failed in a way that is not a card outcome.

    Attributes:
        code: Stripe's error code, when it gave one.
        request_id: Stripe's request id, for support.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.request_id = request_id


class StripeAuthenticationFailed(StripeFailure):
    """Stripe refused the API key."""


class StripeRequestRejected(StripeFailure):
    """Stripe answered 400 to a request."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, code=code, http_status=http_status, request_id=request_id)
        self.param = param


class StripeRateLimited(StripeFailure):
    """Stripe answered 429: too many requests."""


class StripeUnavailable(StripeFailure):
    """Stripe could not be reached, or answered 409 or 5xx."""


class ChargeOutcomeUnknown(StripeUnavailable):
    """A charge was sent but its outcome never arrived.

    Calling ``charge_saved`` again with the same ``idempotency_key`` is safe: Stripe replays the
    first outcome instead of charging twice.
    """

    def __init__(self, message: str, *, idempotency_key: str) -> None:
        super().__init__(message)
        self.idempotency_key = idempotency_key


class RefundOutcomeUnknown(StripeUnavailable):
    """A refund was sent but Stripe's answer never arrived.

    Calling ``refund`` again with the same ``refund_key`` is safe: the ledger resends it under
    the same Idempotency-Key, or finds the refund Stripe made, and never refunds twice.
    """

    def __init__(self, message: str, *, refund_key: str) -> None:
        super().__init__(message)
        self.refund_key = refund_key
