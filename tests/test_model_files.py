"""Models carry no code (issue #15, item 1): safetensors weights, a checksum manifest checked at load,
pickle-capable files refused, and a one-time conversion of older folders."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest
import torch

import fa_relations
from fa_relations.model_files import MANIFEST, ModelFileError, verify_model_folder
from fa_relations.ner.checkpoints import convert_checkpoint
from fa_relations.ner.loading import builtin_model_path
from fa_relations.ner.tagger import LEGACY_WEIGHTS, WEIGHTS, BuiltinTagger, load_builtin_tagger

WORDS = ["اسحاق", "هرتزوگ", "رئیس‌جمهوری", "اسرائیل", "وارد", "باکو", "شد", "."]


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "ner"
    shutil.copytree(builtin_model_path(), dest)
    return dest


def test_the_shipped_model_is_safetensors_with_a_manifest():
    folder = builtin_model_path()
    assert (folder / WEIGHTS).is_file() and not (folder / LEGACY_WEIGHTS).exists()
    manifest = verify_model_folder(folder)
    assert WEIGHTS in manifest["files"] and "vocab.json" in manifest["files"]


@pytest.mark.parametrize("damage", ["alter", "truncate", "delete"])
def test_a_damaged_file_is_named(model_copy: Path, damage: str):
    target = model_copy / ("vocab.json" if damage == "alter" else WEIGHTS)
    if damage == "alter":
        target.write_text(target.read_text(encoding="utf-8").replace("تهران", "تهرام", 1), encoding="utf-8")
    elif damage == "truncate":
        target.write_bytes(target.read_bytes()[:1000])
    else:
        target.unlink()
    with pytest.raises(ModelFileError, match=target.name):
        BuiltinTagger.load(model_copy)


class _Boom:
    def __reduce__(self):
        return (print, ("this must never run",))


@pytest.mark.parametrize("name", ["weights.pt", "extra.pkl", "model.joblib", "x.pth"])
def test_a_pickle_capable_file_is_refused_and_never_run(model_copy: Path, name: str, capsys):
    (model_copy / name).write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelFileError, match=name):
        BuiltinTagger.load(model_copy)
    assert "this must never run" not in capsys.readouterr().out


def test_a_newer_format_and_a_missing_manifest_are_clear_errors(model_copy: Path):
    m = json.loads((model_copy / MANIFEST).read_text(encoding="utf-8"))
    (model_copy / MANIFEST).write_text(json.dumps({**m, "format_version": 99, "fa_relations_version": "9.0"}),
                                       encoding="utf-8")
    with pytest.raises(ModelFileError, match="upgrade fa_relations"):
        BuiltinTagger.load(model_copy)
    (model_copy / MANIFEST).unlink()
    with pytest.raises(ModelFileError, match="convert-checkpoint"):
        BuiltinTagger.load(model_copy)


def test_an_old_pickled_builtin_model_converts_once_and_tags_the_same(model_copy: Path, tmp_path: Path):
    tagger = load_builtin_tagger()
    legacy = tmp_path / "legacy"
    shutil.copytree(model_copy, legacy)
    state = {k: (v.half() if k.endswith("word_emb.weight") else v) for k, v in tagger.net.state_dict().items()}
    torch.save(state, legacy / LEGACY_WEIGHTS)
    (legacy / WEIGHTS).unlink()
    (legacy / MANIFEST).unlink()
    with pytest.raises(ModelFileError):
        BuiltinTagger.load(legacy)
    out = convert_checkpoint(legacy, tmp_path / "converted")
    assert BuiltinTagger.load(out).tag(WORDS) == tagger.tag(WORDS)
    nlp = fa_relations.load(ner=out)
    assert [e.text for e in nlp(" ".join(WORDS)).entities][:1] == ["اسحاق هرتزوگ"]


def test_a_pytorch_bin_checkpoint_converts_to_safetensors(tmp_path: Path):
    from .test_transformers_backend import PEYMA, make_checkpoint

    ckpt = make_checkpoint(tmp_path / "ckpt", PEYMA)
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(ckpt)
    bin_only = tmp_path / "bin_only"
    shutil.copytree(ckpt, bin_only)
    for f in bin_only.glob("*.safetensors"):
        f.unlink()
    torch.save(model.state_dict(), bin_only / "pytorch_model.bin")  # as older published checkpoints ship
    out = convert_checkpoint(bin_only, tmp_path / "converted")
    assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    words = ["علی", "رضایی", "به", "تهران"]
    a = fa_relations.load(ner=ckpt, device="cpu").tag(words)
    b = fa_relations.load(ner=out, device="cpu").tag(words)
    assert a == b
