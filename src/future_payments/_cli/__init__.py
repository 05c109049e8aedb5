"""The ``future-payments`` command line: the parser, and one module per command.

``future_payments.__main__`` only dispatches. Every command that talks to a running fake
(``listen``, ``trigger``, ``events``) does it over HTTP, as the Stripe CLI talks to Stripe:
Stripe's ``/v1`` API through the ``stripe`` package, plus the few ``/_fake/`` endpoints of
``future-payments fake serve`` (its webhook secret and clock, resends, delivery reports).
"""
