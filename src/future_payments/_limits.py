"""The sizes every store keeps, shared by the stores (which refuse more) and the Stripe views.

A value read from Stripe that is longer than its store column is not one Stripe sends: the views
in ``_objects`` refuse it as malformed, so that it never reaches a store.
"""

from __future__ import annotations

MAX_REF_LENGTH = 255
"""Longest ``customer_ref``, idempotency key or Stripe id a store must accept."""

SHORT_LENGTH = 16
"""Longest currency, status, state, ``last4`` or attempt kind a store keeps."""

TEXT_LENGTH = 255
"""Longest other bounded text (method type, brand, decline code, refund reason...)."""

TOKEN_LENGTH = 32
"""Longest claim token of the event inbox (``Store.claim_event``)."""
