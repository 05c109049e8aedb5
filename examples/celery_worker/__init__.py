"""The Celery recipe: a task that processes the webhook events a deferred endpoint accepted.

``tasks.py`` defines the Celery app and ``process_webhook_events``; ``docs/worker.md`` explains
how the endpoint, the broker and the workers fit together.
"""
