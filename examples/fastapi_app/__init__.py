"""The FastAPI example: async routes on ``AsyncFuturePayments``.

Run: ``python -m examples.fastapi_app`` (uvicorn).
"""

from __future__ import annotations

from examples.fastapi_app.app import create_app

__all__ = ["create_app"]
