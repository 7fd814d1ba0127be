"""No network unless asked (issue 15, item 6): import, load(), extraction and the CLI with sockets blocked.

A ``sitecustomize.py`` on ``PYTHONPATH`` (so it is imported at start-up by the
test's subprocesses, their worker processes included) replaces every way to
open a connection or resolve a name with one that records the attempt and
raises. Nothing may be attempted, except by ``load(ner="<hub id>")``, which
asks for a download and must fail with the clear offline error.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fa_relations
from fa_relations.corpus import extract_corpus

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "اسحاق هرتزوگ، رئیس‌جمهوری اسرائیل، وارد باکو شد."

SITECUSTOMIZE = textwrap.dedent('''
    """Test aid: every network attempt (not local AF_UNIX sockets, which worker pools use) is written
    to $FA_RELATIONS_NET_LOG and refused."""
    import os, socket

    BLOCKED_MARK = True

    def _refuse(what, original=None):
        def refuse(*args, **kwargs):
            if original is not None and args[0].family == socket.AF_UNIX:
                return original(*args, **kwargs)
            with open(os.environ["FA_RELATIONS_NET_LOG"], "a", encoding="utf-8") as fh:
                fh.write(f"{os.getpid()} {what} {args[1:] if original else args}\\n")
            raise OSError(101, f"network blocked by the test ({what})")
        return refuse

    for _name in ("connect", "connect_ex", "sendto"):
        setattr(socket.socket, _name, _refuse("socket." + _name, getattr(socket.socket, _name)))
    for _name in ("getaddrinfo", "gethostbyname", "create_connection"):
        setattr(socket, _name, _refuse(_name))
''')

SCRIPT = textwrap.dedent('''
    import json, sys
    import sitecustomize
    assert sitecustomize.BLOCKED_MARK
    import fa_relations
    from fa_relations.ner.hf_hub import ModelNotAvailableError
    nlp = fa_relations.load()
    doc = nlp(sys.argv[1])
    out = {"entities": len(doc.entities), "triples": len(doc.triples)}
    with open(sys.argv[2], "a", encoding="utf-8") as fh:
        fh.write("--- hub id below\\n")
    try:
        fa_relations.load(ner="fa-relations-tests/no-such-ner-model")
    except ModelNotAvailableError as e:
        out["hub_error"] = str(e)
    print(json.dumps(out, ensure_ascii=False))
''')


def _blocked_env(tmp_path: Path, log: Path) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(ROOT / "src")]), FA_RELATIONS_NET_LOG=str(log),
               HF_HOME=str(tmp_path / "hf-home"))  # an empty cache: the hub id is nowhere on disk
    return env


def test_subprocesses_with_sockets_blocked(tmp_path: Path, report):
    log = tmp_path / "net.log"
    env = _blocked_env(tmp_path, log)
    script = tmp_path / "offline.py"
    script.write_text(SCRIPT, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), SENTENCE, str(log)], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["entities"] >= 3 and out["triples"] >= 1
    before, _, hub = log.read_text("utf-8").partition("--- hub id below\n")
    assert before == "", f"import, load() or extraction tried the network: {before}"
    assert "fa-relations-tests/no-such-ner-model" in out["hub_error"] and "not available" in out["hub_error"]
    report("hub id with sockets blocked", f"{len(hub.splitlines())} attempts refused, then the offline error")

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "text": SENTENCE}, ensure_ascii=False) + "\n" for i in range(6)),
                   encoding="utf-8")
    log.write_text("", encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "fa_relations", "extract", str(src), "-o", str(tmp_path / "o.jsonl"),
                          "--workers", "2", "-q"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert len((tmp_path / "o.jsonl").read_text("utf-8").splitlines()) == 6
    assert log.read_text("utf-8") == "", "the CLI or its workers tried the network"


def test_in_process_with_sockets_blocked(tmp_path: Path, monkeypatch):
    attempts: list[str] = []

    def refusing(original=None):
        def refuse(*args, **kwargs):
            if original is not None and args[0].family == socket.AF_UNIX:
                return original(*args, **kwargs)
            attempts.append(repr(args))
            raise OSError(101, "network blocked by the test")
        return refuse

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refusing(getattr(socket.socket, name)))
    for name in ("getaddrinfo", "gethostbyname", "create_connection"):
        monkeypatch.setattr(socket, name, refusing())
    nlp = fa_relations.load()
    assert nlp(SENTENCE).entities
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": SENTENCE}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert extract_corpus([src], tmp_path / "out", workers=0, progress=False).documents_written == 1
    assert attempts == []
    pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    from fa_relations.ner.hf_hub import ModelNotAvailableError

    with pytest.raises(ModelNotAvailableError, match="fa-relations-tests/no-such-ner-model"):
        fa_relations.load(ner="fa-relations-tests/no-such-ner-model")
