"""The fake Stripe's private modules; the public names live in ``future_payments.testing``."""
