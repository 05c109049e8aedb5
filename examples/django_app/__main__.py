"""``python -m examples.django_app [--host 127.0.0.1] [--port 8000]``: wsgiref, threaded."""

from __future__ import annotations

from examples._shared import describe, services_from_env
from examples._shared.cli import parse_address, serve_until_stopped
from examples.django_app import create_app
from examples.django_app.server import make_wsgi_server
from future_payments import FuturePayments


def main() -> None:
    """Serve the Django example until Ctrl-C."""
    address = parse_address("Django")
    services = services_from_env(FuturePayments, app_url=address.url)
    server = make_wsgi_server(address.host, address.port, create_app(services))
    print(describe(services, address.url))
    serve_until_stopped(server, services.close)


if __name__ == "__main__":
    main()
