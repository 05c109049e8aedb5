"""Keep Stripe secrets out of logs: a logging filter that redacts them.

The ``stripe`` package logs every response body at DEBUG (``logging.getLogger("stripe")``), and a
PaymentIntent's body carries its ``client_secret``; request details can carry keys. This library
never logs a secret itself, but an app that turns DEBUG on for ``stripe`` logs them. Install the
filter once at start-up::

    from future_payments.redaction import redact_stripe_logs

    redact_stripe_logs()

or add ``RedactSecrets()`` to any handler or logger of your own. The SDK's own console printing
(``stripe.log = "debug"`` or ``STRIPE_LOG=debug``) bypasses logging and cannot be filtered: leave
it off in production.
"""

from __future__ import annotations

import logging
import re

__all__ = ["REDACTED", "RedactSecrets", "redact", "redact_stripe_logs"]

REDACTED = "[REDACTED]"
"""What a secret is replaced with."""

_SECRETS = re.compile(
    r"\b[a-z]+_[A-Za-z0-9_]*?_secret_[A-Za-z0-9]+"  # client secrets: pi_..._secret_..., seti_...
    r"|\b(?:sk|rk)_(?:test|live)_[A-Za-z0-9]+"  # secret and restricted API keys
    r"|\bwhsec_[A-Za-z0-9+/=]+"  # webhook signing secrets
)


def redact(text: str) -> str:
    """``text`` with every client secret, secret API key and webhook secret replaced."""
    return _SECRETS.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secrets from each record's message (it drops no record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with secrets redacted; always keep the record."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def redact_stripe_logs(logger: logging.Logger | None = None) -> RedactSecrets:
    """Add a ``RedactSecrets`` filter to the ``stripe`` logger (once); return the filter."""
    target = logger if logger is not None else logging.getLogger("stripe")
    for existing in target.filters:
        if isinstance(existing, RedactSecrets):
            return existing
    installed = RedactSecrets()
    target.addFilter(installed)
    return installed
