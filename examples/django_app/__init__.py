"""The Django example: a single-file-settings project, no database of its own.

Run: ``python -m examples.django_app``.
"""

from __future__ import annotations

from examples.django_app.settings import configure, create_app

__all__ = ["configure", "create_app"]
