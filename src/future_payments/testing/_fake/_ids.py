"""Stripe-shaped identifiers."""

from __future__ import annotations

import os
import string

_ALPHABET = string.digits + string.ascii_letters
# Maps every byte to a base-62 character; the slight bias is irrelevant for test ids.
_TO_BASE62 = bytes(ord(_ALPHABET[b % 62]) for b in range(256))


def random_token(length: int) -> str:
    """A random base-62 token, as Stripe uses in ids and secrets."""
    return os.urandom(length).translate(_TO_BASE62).decode("ascii")


def new_id(prefix: str, length: int = 24) -> str:
    """A fresh id such as ``cus_...`` or ``cs_test_...``."""
    return f"{prefix}_{random_token(length)}"
