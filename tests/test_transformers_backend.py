"""The ParsBERT (transformers) NER back end, on tiny random checkpoints built here: nothing is downloaded.

The tiny model is made context-free on purpose (zero position embeddings, zero
attention / feed-forward outputs), so a token's label depends on the token
alone: «علی» is always B-PER, «رضا» I-PER, «تهران» B-LOC, anything else O.
That makes the assertions about label mapping, sub-word alignment, window
seams and offsets exact.
"""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest

from fa_relations.iob import spans_from_iob
from fa_relations.model_files import ModelFileError
from fa_relations.ner.label_schemes import UnknownLabelSchemeError, map_label_scheme

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from fa_relations.ner import transformers_backend as tb  # noqa: E402
from fa_relations.training.transformers_finetune import finetune  # noqa: E402

LETTERS = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["علی", "رضا", "##رضا", "##یی", "تهران", "در", "به", "سفر", "کرد", ".", "،"]
VOCAB = SPECIALS + WORDS + list(LETTERS) + ["##" + c for c in LETTERS]
MARKERS = {"علی": ("PER", "B"), "رضا": ("PER", "I"), "تهران": ("LOC", "B")}

PEYMA = ["O"] + [f"{p}_{t}" for p in "BI" for t in ("DAT", "LOC", "MON", "ORG", "PCT", "PER", "TIM")]
ARMAN = [f"{p}-{t}" for p in "BI" for t in ("event", "fac", "loc", "org", "pers", "pro")] + ["O"]
ZWNJ10 = [f"{p}-{t}" for t in ("DAT", "EVE", "FAC", "LOC", "MON", "ORG", "PCT", "PER", "PRO", "TIM") for p in "BI"] + ["O"]
PLAIN = ["O"] + [f"{p}-{t}" for t in ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY",
                                      "PERCENT") for p in "BI"]
STYLES = {
    "peyma": (PEYMA, ("PER", "ORG", "LOC", "DATE", "TIME", "MONEY", "PERCENT")),
    "arman": (ARMAN, ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT")),
    "zwnj": (ZWNJ10, ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "PERCENT")),
    "plain": (PLAIN, ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "PERCENT")),
}


def _tokenizer():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = {t: i for i, t in enumerate(VOCAB)}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(clean_text=True, lowercase=True, strip_accents=None)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                                   sep_token="[SEP]", mask_token="[MASK]")


def make_checkpoint(folder: Path, labels: list[str], max_positions: int = 32) -> Path:
    """A 2-layer BERT whose label for a token depends on the token only (see the module docstring)."""
    from transformers import BertConfig, BertForTokenClassification

    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=max_positions,
                        id2label=dict(enumerate(labels)), label2id={lab: i for i, lab in enumerate(labels)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    mapped = map_label_scheme(config.id2label)
    index = {tag: i for i, tag in sorted(mapped.items(), reverse=True)}
    with torch.no_grad():
        emb = model.bert.embeddings
        emb.word_embeddings.weight.normal_(0.0, 1.0)
        emb.word_embeddings.weight[:, :3] = 0.0
        emb.position_embeddings.weight.zero_()
        emb.token_type_embeddings.weight.zero_()
        for layer in model.bert.encoder.layer:
            for lin in (layer.attention.output.dense, layer.output.dense):
                lin.weight.zero_()
                lin.bias.zero_()
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[index["O"]] = 3.0
        for dim, (word, (label, prefix)) in enumerate(MARKERS.items()):
            emb.word_embeddings.weight[VOCAB.index(word), dim] = 10.0
            model.classifier.weight[index[f"{prefix}-{label}"], dim] = 2.0
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    _tokenizer().save_pretrained(folder)
    return folder


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny models run fastest on one thread, and much faster than on busy shared cores."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ckpt_dir(tmp_path_factory) -> Path:
    return make_checkpoint(tmp_path_factory.mktemp("ckpt") / "peyma-style", PEYMA)


@pytest.fixture(scope="module")
def tagger(ckpt_dir):
    return tb.TransformersTagger.from_pretrained(ckpt_dir, device="cpu")


def _ents(words, tags):
    return [(" ".join(words[s:e]), lab) for s, e, lab in spans_from_iob(tags)]


# ---------------------------------------------------------------- label schemes (no torch needed)
def test_label_styles_map_onto_schema():
    for labels, expected in STYLES.values():
        mapped = map_label_scheme(dict(enumerate(labels)))
        assert {t[2:] for t in mapped.values() if t != "O"} == set(expected)
    assert map_label_scheme({0: "O", 1: "B_PER", 2: "I_DAT"}) == {0: "O", 1: "B-PER", 2: "I-DATE"}
    assert map_label_scheme({0: "O", 1: "B-pers", 2: "I-pro", 3: "B-event"})[2] == "I-PRODUCT"
    assert map_label_scheme({0: "O", 1: "S-PER", 2: "E-PER", 3: "B-NAT"}) == {0: "O", 1: "B-PER", 2: "I-PER", 3: "O"}


def test_generic_or_unknown_labels_are_errors_naming_them():
    with pytest.raises(UnknownLabelSchemeError, match=r"LABEL_0, LABEL_1, LABEL_2"):
        map_label_scheme({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, model_name="'x'")
    with pytest.raises(UnknownLabelSchemeError) as err:
        map_label_scheme({0: "O", 1: "B-PER", 2: "B-MISC", 3: "I-MISC"})
    assert "B-MISC, I-MISC" in str(err.value) and "O, B-PER, B-MISC, I-MISC" in str(err.value)
    assert map_label_scheme({0: "O", 1: "B-PER", 2: "B-MISC"}, overrides={"B-MISC": None})[2] == "O"


# ---------------------------------------------------------------- loading and tagging
@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_label_style_loads_and_tags(tmp_path, style):
    labels, expected = STYLES[style]
    t = tb.TransformersTagger.from_pretrained(make_checkpoint(tmp_path / style, labels), device="cpu")
    assert t.labels == expected
    words = ["علی", "رضایی", "به", "تهران", "سفر", "کرد", "."]
    assert _ents(words, t.tag(words)) == [("علی رضایی", "PER"), ("تهران", "LOC")]


def test_subword_alignment_and_odd_words(tagger):
    from fa_relations.ner.base import SequenceTagger

    assert isinstance(tagger, SequenceTagger)
    words = ["علیرضا", "\u200c", "گزارش", "رضا", "علي", "رضايي", "x", ""]  # علی+##رضا: one word, one entity
    tags = tagger.tag(words)
    assert len(tags) == len(words)
    assert tags[0] == "B-PER" and tags[1] == "O" and tags[2] == "O"
    assert _ents(words, tags) == [("علیرضا", "PER"), ("رضا", "PER"), ("علي رضايي", "PER")]
    # a word with no sub-word inside an entity stays inside it
    assert _ents(["علی", "\u200c", "رضا"], tagger.tag(["علی", "\u200c", "رضا"])) == [("علی \u200c رضا", "PER")]
    assert tagger.tag_batch([]) == []
    assert tagger.tag_batch([[], ["تهران"], []]) == [[], ["B-LOC"], []]


def test_saved_tagger_has_a_manifest_checked_before_loading(tagger, tmp_path):
    out = tagger.save(tmp_path / "saved")
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "model.safetensors" in files and "meta.json" in files
    words = ["اسحاق", "هرتزوگ", "به", "باکو", "رفت"]
    assert tb.TransformersTagger.from_pretrained(out, device="cpu").tag(words) == tagger.tag(words)
    with open(out / "model.safetensors", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(ModelFileError, match=r"model\.safetensors: its checksum does not match"):
        tb.TransformersTagger.from_pretrained(out, device="cpu")


def test_tagger_pickles_for_spacy_multiprocessing(tagger):
    import pickle

    words = ["علی", "رضایی", "به", "تهران"]
    assert pickle.loads(pickle.dumps(tagger)).tag(words) == tagger.tag(words)


def test_plan_windows_covers_everything_on_word_starts():
    starts = [k % 3 == 0 for k in range(100)]
    spans = tb.plan_windows(100, 30, 7, starts)
    assert spans[0][0] == 0 and spans[-1][1] == 100
    assert all(b - a <= 30 for a, b in spans)
    assert all(a2 > a1 and a2 <= b1 for (a1, b1), (a2, _) in itertools.pairwise(spans))  # advance, overlap
    assert all(starts[a] for a, _ in spans)
    assert tb.plan_windows(5, 30, 7) == [(0, 5)]


def test_long_sentence_is_windowed_without_lost_or_duplicated_entities(tagger):
    # 100 words, multi-sub-word fillers, a 2- or 3-word person every few words: many straddle seams
    fillers = ["گزارش", "در", "سفر", "دیدار", "به", "کرد", "خبر", "،"]
    words, expected = [], []
    k = 0
    while len(words) < 97:
        if k % 4 == 3:
            name = ["علی", "رضایی"] if k % 8 == 3 else ["علی", "رضا", "رضاپور"]
            expected.append((" ".join(name), "PER"))
            words += name
        else:
            words.append(fillers[k % len(fillers)])
        k += 1
    words += ["تهران", "."] if len(words) < 100 else []
    expected += [("تهران", "LOC")] if words[-2] == "تهران" else []
    ids, _ = tb.encode_words(tagger.tokenizer, [words])[0]
    assert tagger.window == 30 and len(ids) > 3 * tagger.window  # several windows

    rows = []
    hook = tagger.model.register_forward_hook(lambda m, i, o: rows.append(o.logits.shape[0]))
    try:
        tags = tagger.tag(words)
    finally:
        hook.remove()
    assert sum(rows) >= 4
    assert len(tags) == len(words)
    assert _ents(words, tags) == expected
    # batching with dynamic padding gives the same answer as one sentence at a time
    batch = [words, words[:7], words[10:60]]
    assert tagger.tag_batch(batch) == [tagger.tag(s) for s in batch]


def test_pipeline_offsets_hold(ckpt_dir):
    import fa_relations

    nlp = fa_relations.load(ner=ckpt_dir, device="cpu")
    text = "  علي رضايي ديروز به تهران سفر كرد.\nعلیرضا در تهران است."  # Arabic yeh/kaf: normalised inside
    doc = nlp(text)
    for e in doc.entities:
        assert doc.text[e.start:e.end] == e.text
    # the typer may refine LOC into CITY; NER itself said LOC
    got = [(e.text, "LOC" if e.label in ("CITY", "COUNTRY") else e.label, e.start) for e in doc.entities]
    assert got == [("علي رضايي", "PER", 2), ("تهران", "LOC", 21), ("علیرضا", "PER", 36), ("تهران", "LOC", 46)]
    assert nlp.tag(["علی", "رضایی", "به", "تهران"]) == ["B-PER", "I-PER", "O", "B-LOC"]


def test_legacy_layout_vocab_txt_and_pytorch_bin(tmp_path, ckpt_dir):
    """The layout of the HooshvareLab repositories: vocab.txt + tokenizer_config.json + pytorch_model.bin."""
    from safetensors.torch import load_file

    old = tmp_path / "legacy"
    old.mkdir()
    (old / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    (old / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True, "tokenizer_class": "BertTokenizer"}))
    (old / "config.json").write_text((ckpt_dir / "config.json").read_text())
    torch.save(load_file(ckpt_dir / "model.safetensors"), old / "pytorch_model.bin")
    t = tb.TransformersTagger.from_pretrained(old, device="cpu")
    assert t.tag(["علی", "رضایی", "به", "تهران"]) == ["B-PER", "I-PER", "O", "B-LOC"]


def test_device_and_dtype_choices():
    cpu = tb.resolve_device("cpu", torch)
    assert tb.resolve_dtype(None, cpu, torch) == torch.float32
    assert tb.resolve_dtype(None, torch.device("cuda"), torch) == torch.float16  # half precision on CUDA
    assert tb.resolve_device("auto", torch).type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            tb.resolve_device("cuda", torch)


# ---------------------------------------------------------------- errors
def test_missing_model_offline_fails_fast_and_says_how(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    with pytest.raises(tb.ModelNotAvailableError) as err:
        tb.TransformersTagger.from_pretrained("HooshvareLab/bert-fa-base-uncased-ner-peyma", cache_dir=str(tmp_path))
    assert time.perf_counter() - t0 < 10
    msg = str(err.value)
    assert "HooshvareLab/bert-fa-base-uncased-ner-peyma" in msg and "HF_HUB_OFFLINE" in msg
    assert "local folder" in msg and "cache" in msg

    import fa_relations

    with pytest.raises(tb.ModelNotAvailableError, match="fa-relations-tests/no-such-ner-model"):
        fa_relations.load(ner="fa-relations-tests/no-such-ner-model")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        tb.TransformersTagger.from_pretrained(tmp_path / "no" / "such" / "folder")
    assert time.perf_counter() - t0 < 10


def test_generic_label_checkpoint_is_rejected_before_weights(tmp_path):
    folder = make_checkpoint(tmp_path / "generic", PLAIN)
    cfg = json.loads((folder / "config.json").read_text())
    cfg["id2label"] = {str(i): f"LABEL_{i}" for i in range(len(PLAIN))}
    cfg["label2id"] = {f"LABEL_{i}": i for i in range(len(PLAIN))}
    (folder / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(UnknownLabelSchemeError, match="LABEL_0, LABEL_1"):
        tb.TransformersTagger.from_pretrained(folder)


# ---------------------------------------------------------------- fine-tuning
def _write_corpora(root: Path) -> None:
    s1 = [("علی", "B-PER"), ("رضایی", "I-PER"), ("به", "O"), ("تهران", "B-LOC"), ("رفت", "O")]
    s2 = [("سازمان", "B-ORG"), ("ملل", "I-ORG"), ("در", "O"), ("تهران", "B-LOC"), ("است", "O")]
    poison = "this|line\tis not a corpus line B-XYZ\n"  # a held-out file being read fails loudly

    def write(path: Path, sents, sep: str, style=lambda t: t) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join("\n".join(f"{w}{sep}{style(t)}" for w, t in s) + "\n" for s in sents), encoding="utf-8")

    write(root / "peyma/train.txt", [s1, s2] * 2, "|", lambda t: t.replace("-", "_"))
    write(root / "peyma/dev.txt", [s2], "|", lambda t: t.replace("-", "_"))
    write(root / "arman/train_fold1.txt", [s1, s2] * 3, " ", lambda t: t.replace("PER", "pers").replace("ORG", "org")
          .replace("LOC", "loc"))
    write(root / "parstwiner/train.txt", [s1], "\t")
    write(root / "parstwiner/dev.txt", [s1], "\t")
    for held_out in ("peyma/test.txt", "arman/test_fold1.txt", "arman/train_fold2.txt", "arman/train_fold3.txt",
                     "parstwiner/test.txt"):
        (root / held_out).write_text(poison, encoding="utf-8")


def test_finetune_end_to_end_on_cpu(tmp_path, ckpt_dir):
    data = tmp_path / "datasets"
    _write_corpora(data)
    out = tmp_path / "ner-ft"
    # the keyword call `fa-relations train ner --backend transformers` makes
    meta = finetune(base=str(ckpt_dir), data_dir=data, output=out, seed=0, epochs=1, device="cpu", batch_size=8)
    assert meta["best_epoch"] == 1 and set(meta["dev_scores"]) == {"peyma", "arman", "parstwiner"}
    assert meta["head"] == "head initialised from the base NER head for 15/21 tags"  # PEYMA base: O + 7 types
    assert (out / "model.safetensors").is_file() and (out / "config.json").is_file()

    from fa_relations.ner.loading import is_builtin_model, load_tagger

    assert not is_builtin_model(out)
    t = load_tagger(out, device="cpu")
    assert isinstance(t, tb.TransformersTagger)
    assert t.labels == ("PER", "ORG", "LOC", "FAC", "EVENT", "PRODUCT", "DATE", "TIME", "MONEY", "PERCENT")
    assert len(t.tag(["علی", "رضایی"])) == 2
    assert t.meta["seed"] == 0 and "fine-tuned" in t.meta["name"]


def test_finetune_refuses_to_overwrite_builtin_model(tmp_path):
    (tmp_path / "meta.json").write_text(json.dumps({"backend": "builtin"}))
    with pytest.raises(FileExistsError, match="built-in"):
        finetune(base="whatever", data_dir=tmp_path, output=tmp_path)
    with pytest.raises(ValueError, match="base"):
        finetune(base=None, output=tmp_path / "x")
