"""The local demo page behind ``fa-relations serve``, like ``displacy.serve``.

``GET /`` shows a form; ``POST /`` (the form's field ``text``) shows the text
drawn by :func:`~fa_relations.display.render.render`, the entities and
triples as tables, and a link that downloads the document's JSON record
(``Document.to_dict()``). ``POST /api/extract`` takes ``{"text": ..., "id":
...}`` as JSON and answers that record. Standard library only
(``http.server``); the pipeline is loaded once by the caller and used under
a lock (one document at a time). Bodies over ``max_request_bytes`` are
refused with 413 before they are read. Only a loopback address is served
unless ``allow_remote`` says otherwise: the page has no authentication.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from string import Template
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, urlsplit

from ..defaults import SERVE_HOST, SERVE_MAX_REQUEST_BYTES, SERVE_PORT
from .render import asset, escape, render

logger = logging.getLogger(__name__)

#: Path of the JSON endpoint.
API_PATH = "/api/extract"


class Extractor(Protocol):
    """What the server needs of a pipeline: ``nlp(text, id=...)`` giving a :class:`~fa_relations.Document`."""

    def __call__(self, text: str, *, id: str | None = None) -> Any: ...


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, *, allow_remote: bool = False) -> None:
    """Raise ``PermissionError`` for a non-loopback ``host`` unless ``allow_remote``."""
    if not allow_remote and not is_loopback(host):
        raise PermissionError(
            f"{host} is not a loopback address. The demo page has no authentication, so it listens on "
            f"this machine only (127.0.0.1, ::1, localhost); pass --allow-remote to serve {host} anyway."
        )


def _table(headers: list[str], rows: list[list[Any]], cls: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td><bdi>{escape('' if v is None else v)}</bdi></td>" for v in row) + "</tr>"
                   for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def result_html(record: dict[str, Any]) -> str:
    """The rendering, the entities and triples tables and the JSON download link of one document record."""
    ents = [[e["text"], e["label"], e.get("iso"), e.get("canonical"), e["start"], e["end"]]
            for e in record.get("entities") or []]
    triples = [[t["subject"]["text"], t["predicate"], t["object"]["text"],
                ", ".join(f"{k}={v}" for k, v in (t.get("attributes") or {}).items()),
                t.get("method"), t.get("confidence")] for t in record.get("triples") or []]
    data = quote(json.dumps(record, ensure_ascii=False, indent=2), safe="")
    return (
        f'<section id="rendering">{render(record)}</section>'
        f'<p><a id="download" download="fa_relations.json" href="data:application/json;charset=utf-8,{data}">'
        f"Download JSON</a></p>"
        f'<h2>Entities ({len(ents)})</h2>'
        + _table(["text", "label", "iso", "canonical", "start", "end"], ents, "entities")
        + f'<h2>Triples ({len(triples)})</h2>'
        + _table(["subject", "predicate", "object", "attributes", "method", "confidence"], triples, "triples")
    )


def page_html(text: str = "", result: str = "", error: str = "", *, max_request_bytes: int = SERVE_MAX_REQUEST_BYTES) -> str:
    """The demo page: the form (holding ``text``), then ``result`` or ``error``."""
    return Template(asset("serve.html")).substitute(
        css=asset("render.css"), js=asset("render.js"), text=escape(text), result=result,
        error=f'<p class="error" role="alert">{escape(error)}</p>' if error else "",
        max_kb=max_request_bytes // 1000,
    )


class DemoServer(ThreadingHTTPServer):
    """A threading HTTP server holding the pipeline, a lock around it and the request size limit."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], nlp: Extractor, *,
                 max_request_bytes: int = SERVE_MAX_REQUEST_BYTES) -> None:
        self.nlp = nlp
        self.lock = threading.Lock()
        self.max_request_bytes = max_request_bytes
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}/"

    def extract(self, text: str, doc_id: str | None = None) -> dict[str, Any]:
        """The document record of ``text`` (one pipeline call at a time)."""
        with self.lock:
            return self.nlp(text, id=doc_id).to_dict()


class _BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer
    server_version = "fa-relations"

    def log_message(self, format: str, *args: Any) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    def _send(self, status: HTTPStatus, body: str, content_type: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(data)

    def _send_json(self, status: HTTPStatus, obj: Any) -> None:
        self._send(status, json.dumps(obj, ensure_ascii=False), "application/json")

    def _body(self) -> bytes:
        """The request body, refused (before reading it) when it is absent or too large."""
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required")
        if int(length) > self.server.max_request_bytes:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                              f"the request holds {int(length):,} bytes; the limit is "
                              f"{self.server.max_request_bytes:,} bytes: send a shorter text")
        return self.rfile.read(int(length))

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/":
            self._send(HTTPStatus.OK, page_html(max_request_bytes=self.server.max_request_bytes), "text/html")
        else:
            self._send(HTTPStatus.NOT_FOUND, page_html(error=f"no page at {path}"), "text/html")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == API_PATH:
            self._handle(self._api, lambda status, msg: self._send_json(status, {"error": msg}))
        elif path == "/":
            self._handle(self._form, lambda status, msg: self._send(status, page_html(error=msg), "text/html"))
        else:
            self._send(HTTPStatus.NOT_FOUND, page_html(error=f"no page at {path}"), "text/html")

    def _handle(self, answer: Callable[[], None], fail: Callable[[HTTPStatus, str], None]) -> None:
        try:
            answer()
        except _BadRequest as e:
            fail(e.status, str(e))

    def _api(self) -> None:
        try:
            request = json.loads(self._body().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"the body is not UTF-8 JSON: {e}") from None
        if not isinstance(request, dict) or not isinstance(request.get("text"), str):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, 'send a JSON object {"text": "...", "id": optional}')
        doc_id = request.get("id")
        self._send_json(HTTPStatus.OK, self.server.extract(request["text"], None if doc_id is None else str(doc_id)))

    def _form(self) -> None:
        try:
            fields = parse_qs(self._body().decode("utf-8"), max_num_fields=4)
        except (UnicodeDecodeError, ValueError) as e:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"the form could not be read: {e}") from None
        text = (fields.get("text") or [""])[0]
        if not text.strip():
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "paste a Persian text first")
        record = self.server.extract(text)
        self._send(HTTPStatus.OK, page_html(text, result_html(record), max_request_bytes=self.server.max_request_bytes),
                   "text/html")


def make_server(nlp: Extractor, host: str = SERVE_HOST, port: int = SERVE_PORT, *, allow_remote: bool = False,
                max_request_bytes: int = SERVE_MAX_REQUEST_BYTES) -> DemoServer:
    """A demo server bound to ``host:port`` (port 0: any free port; see :attr:`DemoServer.url`).

    Raises ``PermissionError`` for a non-loopback ``host`` unless ``allow_remote``.
    """
    check_host(host, allow_remote=allow_remote)
    return DemoServer((host.strip("[]"), port), nlp, max_request_bytes=max_request_bytes)


def serve(nlp: Extractor, host: str = SERVE_HOST, port: int = SERVE_PORT, *, allow_remote: bool = False,
          max_request_bytes: int = SERVE_MAX_REQUEST_BYTES, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve the demo page until interrupted (Ctrl-C); ``on_ready`` gets the URL once it listens."""
    with make_server(nlp, host, port, allow_remote=allow_remote, max_request_bytes=max_request_bytes) as server:
        if on_ready is not None:
            on_ready(server.url)
        logger.info("serving the demo page on %s", server.url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            logger.info("stopped")
