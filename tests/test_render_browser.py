"""fa_relations.render and ``fa-relations serve`` in a real browser: headless Chromium driven by Selenium.

Uses the system Chromium and chromedriver (Debian packages ``chromium`` and
``chromium-driver``, which ``.ci/run`` installs), never a downloaded one. Skipped
with a reason when they are absent, except under ``CI=true`` where that fails.
The seed article's screenshot goes to a temporary folder; with
``FA_RELATIONS_REFRESH_SCREENSHOT=1`` it replaces ``render_seed.png`` in
``paths.results_dir()`` (the one the README shows).
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import urllib.request
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote

import pytest

import fa_relations
from fa_relations.paths import results_dir

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
from selenium.webdriver.chrome.service import Service  # noqa: E402 (after the importorskip above)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

REFRESH_ENV = "FA_RELATIONS_REFRESH_SCREENSHOT"
SCREENSHOT = "render_seed.png"
WIDTH = 1100
SENTENCE = "الهام علیاف، رئیس جمهوری آذربایجان، با اسحاق هرتزوگ در باکو دیدار کرد."


def _system_chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    fonts = subprocess.run(["fc-list", ":lang=fa", "family"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else ""
    reason = ""
    if not (browser and driver):
        reason = "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    elif not fonts.strip():  # the screenshot would show boxes instead of Persian letters
        reason = "no font with Persian letters is installed (apt-get install fonts-dejavu-core)"
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    binary, driver = _system_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--force-device-scale-factor=1",
                 f"--window-size={WIDTH},1000"):
        options.add_argument(flag)
    # an explicit chromedriver: Selenium Manager never looks for (or downloads) one
    chrome = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    try:
        yield chrome
    finally:
        chrome.quit()


@pytest.fixture(scope="module")
def nlp():
    return fa_relations.load()


def _text(el) -> str:
    return el.get_attribute("textContent")


def _highlighted(browser, cls: str) -> str:
    return "".join(_text(el) for el in browser.find_elements(By.CSS_SELECTOR, f".fa-text .{cls}"))


def test_seed_article_page_in_chromium(browser, nlp, seed_article, tmp_path: Path):
    doc = nlp(seed_article, id="seed_article.txt")
    page = tmp_path / "seed.html"
    page.write_text(fa_relations.render(doc, page=True), encoding="utf-8")
    browser.get(page.as_uri())

    marks = browser.find_elements(By.CSS_SELECTOR, ".fa-text mark.fa-ent")
    assert [(_text(m), m.get_attribute("data-label")) for m in marks] == [(e.text, e.label) for e in doc.entities]
    preds = browser.find_elements(By.CSS_SELECTOR, ".fa-triple .fa-pred")
    assert [_text(p) for p in preds] == [t.predicate for t in doc.triples]
    text_box = browser.find_element(By.CSS_SELECTOR, ".fa-text")
    assert browser.execute_script("return getComputedStyle(arguments[0]).direction", text_box) == "rtl"
    assert _text(text_box) == doc.text
    # laid out right to left: of two marks on one line, the earlier one is further right
    # (a mark that wraps has one box per line: compare the end of one with the start of the next)
    boxes = browser.execute_script(
        "return arguments[0].map(m => { const r = m.getClientRects();"
        " return [r[0].top, r[0].right, r[r.length - 1].top, r[r.length - 1].left]; })", marks)
    pairs = [(a, b) for a, b in pairwise(boxes) if abs(a[2] - b[0]) < 2]
    assert len(pairs) > len(marks) // 4 and all(a[3] > b[1] for a, b in pairs)

    items = browser.find_elements(By.CSS_SELECTOR, ".fa-triple")
    assert not _highlighted(browser, "fa-hl-subj")
    ActionChains(browser).move_to_element(items[0]).perform()  # hover: the first triple's arguments light up
    assert _highlighted(browser, "fa-hl-subj") == doc.triples[0].subject.text
    assert _highlighted(browser, "fa-hl-obj") == doc.triples[0].object.text
    ActionChains(browser).move_to_element(text_box).perform()
    assert not _highlighted(browser, "fa-hl-subj")
    # hovering an entity mark lights up the triples it is an argument of
    first = doc.triples[0].subject
    mark = marks[[(e.start, e.end) for e in doc.entities].index((first.start, first.end))]
    assert not mark.find_elements(By.CSS_SELECTOR, ".fa-span")  # no other argument span inside it
    ActionChains(browser).move_to_element(mark).perform()
    related = [i for i, li in enumerate(items) if "fa-related" in li.get_attribute("class").split()]
    assert related == [i for i, t in enumerate(doc.triples) if any(
        (x.start, x.end) == (first.start, first.end) for x in (t.subject, t.object))]
    ActionChains(browser).move_to_element(items[-1]).perform()
    assert not browser.find_elements(By.CSS_SELECTOR, ".fa-related")
    ActionChains(browser).move_to_element(text_box).perform()
    quote = next(i for i, t in enumerate(doc.triples) if t.object.label == "QUOTE")
    items[quote].click()  # a click pins a statement (not an entity) as the object
    assert _highlighted(browser, "fa-hl-obj") == doc.triples[quote].object.text
    items[quote].click()
    resolved = next(i for i, t in enumerate(doc.triples) if t.subject.resolved_from or t.object.resolved_from)
    items[resolved].click()  # the entity and the title or pronoun it was reached through
    t = doc.triples[resolved]
    arg = t.subject if t.subject.resolved_from else t.object
    cls = "fa-hl-subj" if arg is t.subject else "fa-hl-obj"
    spans = sorted([arg, arg.resolved_from], key=lambda x: x.start)
    assert _highlighted(browser, cls) == "".join(x.text for x in spans)

    out_dir = results_dir() if os.environ.get(REFRESH_ENV) == "1" else tmp_path
    out_dir.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(WIDTH, height + 140)  # window chrome: the whole page fits in the screenshot
    browser.execute_script("window.scrollTo(0, 0)")
    assert browser.save_screenshot(str(out_dir / SCREENSHOT))
    png = (out_dir / SCREENSHOT).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 50_000
    browser.set_window_size(WIDTH, 1000)


def _start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "fa_relations", "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            found = re.search(r"http://\S+/", line)
            if found:
                return proc, found.group(0)
            if not line:
                break
    proc.kill()
    raise AssertionError(f"fa-relations serve did not start:\n{proc.stderr.read()[-3000:]}")


def test_serve_page_in_chromium(browser, nlp):
    want = nlp(SENTENCE).to_dict()
    assert want["entities"] and want["triples"]
    proc, url = _start_server()
    try:
        browser.get(url)
        box = browser.find_element(By.ID, "text")
        assert box.get_attribute("dir") == "rtl"
        box.send_keys(SENTENCE)  # typed as a user pastes it
        assert box.get_attribute("value") == SENTENCE
        browser.find_element(By.ID, "submit").click()
        WebDriverWait(browser, 60).until(lambda b: b.find_elements(By.ID, "rendering"))

        marks = browser.find_elements(By.CSS_SELECTOR, "#rendering mark.fa-ent")
        assert [_text(m) for m in marks] == [e["text"] for e in want["entities"]]
        rows = browser.find_elements(By.CSS_SELECTOR, "table.entities tbody tr")
        assert [[_text(c) for c in r.find_elements(By.TAG_NAME, "td")][:2] for r in rows] == \
            [[e["text"], e["label"]] for e in want["entities"]]
        rows = browser.find_elements(By.CSS_SELECTOR, "table.triples tbody tr")
        assert [[_text(c) for c in r.find_elements(By.TAG_NAME, "td")][:3] for r in rows] == \
            [[t["subject"]["text"], t["predicate"], t["object"]["text"]] for t in want["triples"]]
        href = browser.find_element(By.ID, "download").get_attribute("href")
        prefix = "data:application/json;charset=utf-8,"
        assert href.startswith(prefix) and json.loads(unquote(href[len(prefix):])) == want
        assert browser.find_element(By.ID, "text").get_attribute("value") == SENTENCE  # the form keeps the text

        request = urllib.request.Request(url + "api/extract", method="POST",
                                         data=json.dumps({"text": SENTENCE, "id": "s1"}).encode("utf-8"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 200 and json.loads(r.read()) == {**want, "id": "s1"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
