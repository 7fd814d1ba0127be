"""The demo server behind ``fa-relations serve``, in this process, over real HTTP (no browser; see
test_render_browser.py for the page in Chromium)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from typer.testing import CliRunner

import fa_relations
from fa_relations.cli import app
from fa_relations.display.server import is_loopback, make_server

TEXT = "اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل، وارد باکو شد."
LIMIT = 2_000


@pytest.fixture(scope="module")
def nlp():
    return fa_relations.load()


@pytest.fixture(scope="module")
def url(nlp):
    server = make_server(nlp, "127.0.0.1", 0, max_request_bytes=LIMIT)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()


def post(url: str, body: bytes, content_type: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def test_api_answers_the_document_record(url, nlp):
    status, body = post(url + "api/extract", json.dumps({"text": TEXT, "id": 7}).encode(), "application/json")
    assert status == 200
    assert json.loads(body) == nlp(TEXT, id="7").to_dict()


def test_bad_and_oversized_requests_get_clear_errors(url):
    status, body = post(url + "api/extract", b"{not json", "application/json")
    assert status == 400 and "JSON" in json.loads(body)["error"]
    status, body = post(url + "api/extract", json.dumps({"txt": TEXT}).encode(), "application/json")
    assert status == 400 and '"text"' in json.loads(body)["error"]
    big = json.dumps({"text": "ایران " * LIMIT}).encode()
    status, body = post(url + "api/extract", big, "application/json")
    assert status == 413 and f"{len(big):,} bytes" in json.loads(body)["error"] and f"{LIMIT:,}" in body
    status, body = post(url, urlencode({"text": "ایران " * LIMIT}).encode(), "application/x-www-form-urlencoded")
    assert status == 413 and "limit" in body and "<form" in body
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url + "nowhere", timeout=30)
    assert e.value.code == 404


def test_form_page_shows_rendering_tables_and_download(url, nlp):
    with urllib.request.urlopen(url, timeout=30) as r:
        page = r.read().decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'name="text"' in page and 'dir="rtl"' in page
    doc = nlp(TEXT)
    text = TEXT + ' <script>alert("x")</script>'
    status, page = post(url, urlencode({"text": text}).encode(), "application/x-www-form-urlencoded")
    assert status == 200 and "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)" in page
    assert page.count("<mark ") == len(doc.entities) > 0
    assert page.count('<li class="fa-triple"') == len(doc.triples) > 0
    assert 'id="download" download="fa_relations.json" href="data:application/json;charset=utf-8,' in page


def test_only_loopback_unless_allowed(nlp):
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.5", "example.org", "::"))
    with pytest.raises(PermissionError, match="--allow-remote"):
        make_server(nlp, "0.0.0.0", 0)
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert r.exit_code == 2 and "not a loopback address" in r.output and "--allow-remote" in r.output
