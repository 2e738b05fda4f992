"""`alur web`: serve the office on the web (Starlette under uvicorn) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
from types import FrameType

import click

from runners.cli.shared import DomainError, app_of, common_options
from runners.i18n import _


def _free(host: str, port: int) -> OSError | None:
    """Why the address cannot be listened on (None when it can)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return exc
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc
    return None


def _server_class() -> type:
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, ending the process normally (code 0) after Ctrl-C or SIGTERM
        once the requests under way are answered (a second Ctrl-C stops at once)."""

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            else:
                self.should_exit = True

    return Server


@click.command()
@click.option("--host", metavar="ADDRESS",
              help="The address to listen on (default: [web] host of alur.toml, 127.0.0.1; "
                   "0.0.0.0 for every network of this computer).")
@click.option("--port", type=click.IntRange(1, 65535),
              help="The port to listen on (default: [web] port of alur.toml, 8000).")
@common_options
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web app: people log in, see their tasks and complete them (Ctrl-C or
    SIGTERM stops it)."""
    import logging

    import uvicorn

    from engine.services import WEB
    from runners.web.site import create_app

    app = app_of(ctx)
    app.channel = WEB
    settings = app.settings.web
    host = host or settings.host
    port = port or settings.port
    problem = _free(host, port)
    if problem is not None:
        raise DomainError(_("cannot listen on {host}:{port}: {reason} (another program uses "
                            "it? choose another with --port)").format(
                                host=host, port=port, reason=problem.strerror or problem))
    site = create_app(app)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    shown = settings.base_url or f"http://{host}:{port}"
    click.echo(_("Alur web is serving {url} (listening on {host}:{port}). Ctrl-C to "
                 "stop.").format(url=shown, host=host, port=port))
    server = _server_class()(uvicorn.Config(site, host=host, port=port, log_level="warning",
                                    proxy_headers=True, server_header=False))
    try:
        server.run()
    finally:
        app.close()
    click.echo(_("Alur web stopped."))
