"""``python -m examples.flask_app [--host 127.0.0.1] [--port 8000]``."""

from __future__ import annotations

from werkzeug.serving import make_server

from examples._shared import describe, services_from_env
from examples._shared.cli import parse_address, serve_until_stopped
from examples.flask_app import create_app
from future_payments import FuturePayments


def main() -> None:
    """Serve the Flask example until Ctrl-C."""
    address = parse_address("Flask")
    services = services_from_env(FuturePayments, app_url=address.url)
    server = make_server(address.host, address.port, create_app(services), threaded=True)
    print(describe(services, address.url))
    serve_until_stopped(server, services.close)


if __name__ == "__main__":
    main()
