"""Example apps: the whole save-now, charge-later flow in Flask, FastAPI and Django.

``examples._shared`` holds what the three have in common (configuration, the fake Stripe at
startup, the HTML); each app package is a thin adapter around it. See ``docs/examples.md``.
``examples.celery_worker`` is a recipe, not an app: a Celery task that processes the webhook
events a deferred endpoint accepted (``docs/worker.md``).
"""
