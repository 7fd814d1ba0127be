"""``fa-relations serve``: a local page where a user pastes Persian text and sees what the pipeline finds."""

from __future__ import annotations

import typer

from ..defaults import SERVE_HOST, SERVE_MAX_REQUEST_BYTES, SERVE_PORT
from .app import app


@app.command("serve")
def serve_cmd(
    host: str = typer.Option(SERVE_HOST, "--host", help="Address to listen on; a loopback one unless --allow-remote."),
    port: int = typer.Option(SERVE_PORT, "--port", "-p", min=0, max=65535, help="Port to listen on (0: any free port)."),
    allow_remote: bool = typer.Option(
        False, "--allow-remote", help="Allow a non-loopback --host: anyone who reaches it can use the page (no authentication)."
    ),
    max_request_bytes: int = typer.Option(
        SERVE_MAX_REQUEST_BYTES, "--max-request-bytes", min=1, help="Largest request body read; larger ones get 413."
    ),
    model: str | None = typer.Option(None, "--model", help="A saved pipeline folder (default: the built-in pipeline)."),
    ner: str | None = typer.Option(None, "--ner", help="NER checkpoint path or hub id for the pipeline."),
) -> None:
    """Serve a demo page (like displacy.serve): paste a text, see the entities and triples, download the JSON.

    POST /api/extract with {"text": "..."} answers the document as JSON. Stop with Ctrl-C.
    """
    # deferred: keeps `fa-relations --help` fast
    from ..display.server import check_host, serve
    from ..pipeline import load

    try:
        check_host(host, allow_remote=allow_remote)
    except PermissionError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo("loading the pipeline ...", err=True)
    nlp = load(model, ner=ner)
    try:
        serve(nlp, host, port, allow_remote=allow_remote, max_request_bytes=max_request_bytes,
              on_ready=lambda url: typer.echo(f"fa-relations demo on {url} (Ctrl-C stops it)"))
    except OSError as e:
        typer.echo(f"error: cannot listen on {host}:{port}: {e}", err=True)
        raise typer.Exit(1) from None
