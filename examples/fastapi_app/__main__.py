"""``python -m examples.fastapi_app [--host 127.0.0.1] [--port 8000]``."""

from __future__ import annotations

import uvicorn

from examples._shared import describe, services_from_env
from examples._shared.cli import parse_address
from examples.fastapi_app import create_app
from future_payments import AsyncFuturePayments


def main() -> None:
    """Serve the FastAPI example with uvicorn until Ctrl-C."""
    address = parse_address("FastAPI")
    services = services_from_env(AsyncFuturePayments, app_url=address.url)
    print(describe(services, address.url))
    app = create_app(services, close_services=True)
    try:
        uvicorn.run(app, host=address.host, port=address.port)
    finally:
        services.close()  # if uvicorn failed to start; closing twice is harmless


if __name__ == "__main__":
    main()
