"""Fine-tuning a Hugging Face checkpoint for NER (the transformers back end's training).

:func:`finetune` fine-tunes a base checkpoint on PEYMA + ARMAN + ParsTwiNER with
the built-in model's held-out policy and writes a folder ``load(ner=...)``
accepts (:class:`fa_relations.ner.transformers_backend.TransformersTagger`).

torch and transformers are imported lazily (the optional extra
``pip install "fa_relations[transformers]"``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..__about__ import __version__
from ..evaluation.conlleval import score
from ..model_files import write_folder_manifest
from ..ner.hf_hub import require_backend, resolve_source
from ..ner.label_schemes import UnknownLabelSchemeError, map_label_scheme
from ..ner.loading import is_builtin_model
from ..ner.transformers_backend import TransformersTagger, resolve_device
from ..ner.windowing import encode_words, max_positions, special_ids
from ..schema import NER_LABELS
from .datasets import CORPUS_LABELS
from .ner import ARMAN_DEV_EVERY, load_training_data

logger = logging.getLogger(__name__)


def _fine_tune_tags(corpora: Sequence[str]) -> list[str]:
    present = set().union(*(CORPUS_LABELS[c] for c in corpora))
    labels = [lab for lab in NER_LABELS if lab in present]
    return ["O"] + [f"{p}-{lab}" for lab in labels for p in ("B", "I")]


def _allowed_if_outside(tags: list[str], corpus: str) -> list[bool]:
    """Tags an ``O`` word of ``corpus`` may truly have: ``O`` and the labels the corpus does not annotate."""
    return [t == "O" or t[2:] not in CORPUS_LABELS[corpus] for t in tags]


def _build_model(transformers: Any, torch: Any, source: str, local_only: bool, tags: list[str]) -> tuple[Any, str]:
    """The base model with a fresh head over ``tags``; rows of a base NER head that map onto SCHEMA are kept."""
    id2label = dict(enumerate(tags))
    label2id = {t: i for i, t in enumerate(tags)}
    common = {"trust_remote_code": False, "local_files_only": local_only}
    base_config = transformers.AutoConfig.from_pretrained(source, **common)
    try:
        old = map_label_scheme(base_config.id2label)
    except UnknownLabelSchemeError:
        old = None
    if old is not None:
        model = transformers.AutoModelForTokenClassification.from_pretrained(source, config=base_config, **common)
        head = getattr(model, "classifier", None)
        if isinstance(head, torch.nn.Linear) and head.out_features == len(old):
            new = torch.nn.Linear(head.in_features, len(tags))
            new.weight.data.normal_(0.0, getattr(model.config, "initializer_range", 0.02))
            new.bias.data.zero_()
            kept = 0
            for j, tag in enumerate(tags):
                src = next((i for i in sorted(old) if old[i] == tag), None)
                if src is not None:
                    new.weight.data[j] = head.weight.data[src]
                    new.bias.data[j] = head.bias.data[src]
                    kept += 1
            model.classifier = new
            model.num_labels = len(tags)
            model.config.id2label, model.config.label2id = id2label, label2id
            model.config.num_labels = len(tags)
            return model, f"head initialised from the base NER head for {kept}/{len(tags)} tags"
    model = transformers.AutoModelForTokenClassification.from_pretrained(
        source, num_labels=len(tags), id2label=id2label, label2id=label2id, ignore_mismatched_sizes=True, **common
    )
    return model, "new head"


def _chunks(words: list[str], sub_counts: list[int], room: int) -> list[tuple[int, int]]:
    """Word ranges whose sub-words fit in ``room`` (a longer single word is truncated later)."""
    spans, start, used = [], 0, 0
    for i, c in enumerate(sub_counts):
        if i > start and used + c > room:
            spans.append((start, i))
            start, used = i, 0
        used += c
    if words:
        spans.append((start, len(words)))
    return spans


def finetune(
    base: str | os.PathLike[str] | None,
    data_dir: str | os.PathLike[str] | None = None,
    output: str | os.PathLike[str] = "models/ner-transformers",
    seed: int = 0,
    epochs: int = 3,
    *,
    corpora: Sequence[str] = ("peyma", "arman", "parstwiner"),
    batch_size: int = 16,
    lr: float = 5e-5,
    weight_decay: float = 0.01,
    warmup_ratio: float = 0.1,
    max_length: int = 256,
    partial_labels: bool = True,
    device: str | None = None,
    max_train_sentences: int | None = None,
    max_dev_sentences: int | None = None,
    max_minutes: float | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Fine-tune ``base`` (hub id or folder) for NER and write a checkpoint ``load(ner=output)`` accepts.

    Same data and held-out policy as the built-in model (:func:`.ner.load_training_data`):
    PEYMA train, ARMAN train_fold1 minus every 10th sentence, ParsTwiNER train;
    the epoch is selected on PEYMA dev + the ARMAN held-out slice + ParsTwiNER
    dev; no test split (nor ARMAN train_fold2/3, which contain test_fold1) is read.
    Label-set handling as in the built-in model: an ``O`` word of a corpus that
    does not annotate label X may be X (the loss is the marginal over those tags).
    Uses CUDA (mixed precision) when present. Returns the summary also written
    to ``output/meta.json``.
    """
    torch, transformers = require_backend()
    if not base:
        raise ValueError("fine-tuning needs a base model: --base HooshvareLab/bert-fa-base-uncased (a hub id or a folder)")
    base = str(base)
    out = Path(output)
    if out.is_dir() and is_builtin_model(out):
        raise FileExistsError(f"{out} holds the built-in NER model; write the fine-tuned model elsewhere (-o models/ner-parsbert)")
    t_start = time.time()
    random.seed(seed)
    torch.manual_seed(seed)
    if threads:
        torch.set_num_threads(threads)
    dev_ = resolve_device(device, torch)
    source, local_only = resolve_source(base)

    train, dev = load_training_data(data_dir, tuple(corpora))
    rng = random.Random(seed)
    if max_train_sentences is not None:
        train = rng.sample(train, min(max_train_sentences, len(train)))
    if max_dev_sentences is not None:
        dev = {c: s[:max_dev_sentences] for c, s in dev.items()}
    tags = _fine_tune_tags(corpora)
    tag_index = {t: i for i, t in enumerate(tags)}
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, trust_remote_code=False, local_files_only=local_only)
    model, head_note = _build_model(transformers, torch, source, local_only, tags)
    model.to(dev_)
    prefix, suffix = special_ids(tokenizer)
    limit = min(max_length, max_positions(model.config, tokenizer))
    room = limit - len(prefix) - len(suffix)

    # encode: one example per chunk of words that fits the window; labels at first sub-words
    o_allowed = {c: _allowed_if_outside(tags, c) for c in corpora}
    examples: list[tuple[list[int], list[int], list[list[bool]]]] = []
    encoded = encode_words(tokenizer, [s.words for s in train])
    for sent, (ids, wids) in zip(train, encoded, strict=True):
        counts = [0] * len(sent.words)
        for w in wids:
            counts[w] += 1
        first_of = {}
        for pos, w in enumerate(wids):
            first_of.setdefault(w, pos)
        offsets = [0]
        for c in counts:
            offsets.append(offsets[-1] + c)
        for a, b in _chunks(sent.words, counts, room):
            sub = ids[offsets[a]:offsets[b]][:room]
            label_pos, allowed = [], []
            for w in range(a, b):
                if counts[w] == 0 or first_of[w] - offsets[a] >= room:
                    continue
                gold = sent.tags[w]
                label_pos.append(len(prefix) + first_of[w] - offsets[a])
                if gold == "O" and partial_labels:
                    allowed.append(o_allowed[sent.corpus])
                else:
                    allowed.append([i == tag_index[gold] for i in range(len(tags))])
            if label_pos:
                examples.append((prefix + sub + suffix, label_pos, allowed))
    if not examples:
        raise ValueError("no training sentences found")

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)], "weight_decay": weight_decay},
        {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(params, lr=lr)
    steps_per_epoch = math.ceil(len(examples) / batch_size)
    total_steps = max(1, steps_per_epoch * epochs)
    warmup = int(total_steps * warmup_ratio)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total_steps - s) / max(1, total_steps - warmup))
    )
    use_amp = dev_.type == "cuda"
    amp_dtype = torch.bfloat16 if use_amp and torch.cuda.is_bf16_supported() else torch.float16
    scaler = torch.amp.GradScaler("cuda") if use_amp and amp_dtype == torch.float16 else None
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    eval_tagger = TransformersTagger(model, tokenizer, name=str(out), device=dev_, max_length=limit, batch_size=64)

    def dev_scores() -> dict[str, Any]:
        res: dict[str, Any] = {}
        with torch.autocast(device_type=dev_.type, dtype=amp_dtype, enabled=use_amp):
            for c, sents in dev.items():
                pred = eval_tagger.tag_batch([s.words for s in sents])
                res[c] = score([s.tags for s in sents], pred, labels=CORPUS_LABELS[c])
        res["mean_f1"] = round(sum(res[c]["overall"]["f1"] for c in dev) / max(1, len(dev)), 2)
        return res

    best, best_epoch, best_scores, history = -1.0, 0, None, []
    step = 0
    logger.info("fine-tuning %s on %d examples (%d sentences), %s, %s; %d steps", base, len(examples), len(train),
                dev_, head_note, total_steps)
    out.mkdir(parents=True, exist_ok=True)
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.time()
        order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]) + rng.random() * 8)
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total, n_lab = 0.0, 0
        for bidx in batches:
            items = [examples[i] for i in bidx]
            width = max(len(x[0]) for x in items)
            ids = torch.full((len(items), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(items), width), dtype=torch.long)
            rows, cols, allow = [], [], []
            for i, (x, pos, al) in enumerate(items):
                ids[i, : len(x)] = torch.tensor(x)
                mask[i, : len(x)] = 1
                rows += [i] * len(pos)
                cols += pos
                allow += al
            allowed = torch.tensor(allow, dtype=torch.bool, device=dev_)
            with torch.autocast(device_type=dev_.type, dtype=amp_dtype, enabled=use_amp):
                logits = model(input_ids=ids.to(dev_), attention_mask=mask.to(dev_)).logits
            picked = logits[torch.tensor(rows, device=dev_), torch.tensor(cols, device=dev_)].float()
            loss_each = torch.logsumexp(picked, -1) - torch.logsumexp(picked.masked_fill(~allowed, float("-inf")), -1)
            loss = loss_each.mean()
            opt.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(opt)
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                scaler.step(opt)
                scaler.update()
            else:
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
            sched.step()
            total += float(loss_each.detach().sum())
            n_lab += len(rows)
            step += 1
            if step % 200 == 0:
                logger.info("epoch %d step %d/%d loss/word %.4f (%.0fs)", epoch, step, steps_per_epoch * epochs,
                            total / max(1, n_lab), time.time() - t_start)
        scores = dev_scores()
        entry = {"epoch": epoch, "loss_per_word": round(total / max(1, n_lab), 4),
                 "dev_f1": {c: scores[c]["overall"]["f1"] for c in dev}, "mean_f1": scores["mean_f1"],
                 "seconds": round(time.time() - t0, 1)}
        history.append(entry)
        logger.info("epoch %s", entry)
        print(json.dumps(entry), flush=True)
        if scores["mean_f1"] > best or best_scores is None:
            best, best_epoch, best_scores = scores["mean_f1"], epoch, scores
            model.save_pretrained(out)  # safetensors
            tokenizer.save_pretrained(out)
        if max_minutes is not None and (time.time() - t_start) / 60 > max_minutes:
            logger.info("time budget reached after epoch %d", epoch)
            break

    assert best_scores is not None
    meta = {
        "backend": "transformers",
        "name": f"fa_relations NER fine-tuned from {base}",
        "version": __version__,
        "base": base,
        "architecture": ", ".join(model.config.architectures or [type(model).__name__]),
        "labels": [t[2:] for t in tags if t.startswith("B-")],
        "head": head_note,
        "training_data": {
            "peyma": "train.txt" if "peyma" in corpora else None,
            "arman": f"train_fold1.txt minus every {ARMAN_DEV_EVERY}th sentence (held out for selection)"
            if "arman" in corpora else None,
            "parstwiner": "train.txt" if "parstwiner" in corpora else None,
        },
        "label_set_handling": "partial labels: an O word of a corpus lacking label X may be X (marginal likelihood)"
        if partial_labels else "none: O means O in every corpus",
        "selection": "epoch with best mean micro-F1 over " + ", ".join(
            {"peyma": "PEYMA dev", "arman": "ARMAN held-out slice", "parstwiner": "ParsTwiNER dev"}[c] for c in dev),
        "seed": seed,
        "best_epoch": best_epoch,
        "dev_scores": {c: {"overall": best_scores[c]["overall"],
                           "per_label": {k: v["f1"] for k, v in best_scores[c]["per_label"].items()}} for c in dev},
        "dev_mean_f1": best,
        "history": history,
        "train_minutes": round((time.time() - t_start) / 60, 2),
        "train_config": {"epochs": epochs, "batch_size": batch_size, "lr": lr, "weight_decay": weight_decay,
                         "warmup_ratio": warmup_ratio, "max_length": limit, "partial_labels": partial_labels,
                         "device": str(dev_), "mixed_precision": str(amp_dtype) if use_amp else None,
                         "max_train_sentences": max_train_sentences, "max_dev_sentences": max_dev_sentences,
                         "train_examples": len(examples)},
    }
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_folder_manifest(out)
    print(json.dumps({"output": str(out), "dev_mean_f1": best, "best_epoch": best_epoch}), flush=True)
    return meta
