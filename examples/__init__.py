"""Example apps: the whole save-now, charge-later flow in Flask, FastAPI and Django.

``examples._shared`` holds what the three have in common (configuration, the fake Stripe at
startup, the HTML); each app package is a thin adapter around it. See ``docs/examples.md``.
"""
