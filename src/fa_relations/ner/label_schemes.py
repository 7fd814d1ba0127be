"""Mapping the label names of token-classification checkpoints onto SCHEMA NER tags.

Persian NER checkpoints name their labels in several styles:

* PEYMA (``HooshvareLab/bert-fa-base-uncased-ner-peyma``): ``B_PER I_ORG B_DAT B_TIM B_MON B_PCT``;
* ARMAN (``HooshvareLab/bert-fa-base-uncased-ner-arman``, ``hezarai/bert-fa-ner-arman``):
  ``B-pers B-org B-loc B-fac B-pro B-event``;
* the 10-type schema of ``HooshvareLab/bert-fa-zwnj-base-ner``:
  ``DAT EVE FAC LOC MON ORG PCT PER PRO TIM`` with ``B-``/``I-``;
* plain IOB2 with SCHEMA names (``B-PER``, ``I-PRODUCT``), which is what
  :func:`fa_relations.training.transformers_finetune.finetune` writes.

BIOES/BILOU prefixes (``S-``, ``E-``, ``U-``, ``L-``) and bare type names (IO
tagging) are accepted too. Everything maps onto IOB2 tags over
:data:`fa_relations.schema.NER_LABELS`. This module needs neither torch nor
transformers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..schema import NER_LABELS

#: Entity-type names (upper-cased) -> SCHEMA label; ``None``: a type SCHEMA does not tag (read as ``O``).
ENTITY_TYPE_ALIASES: dict[str, str | None] = {
    "PER": "PER", "PERS": "PER", "PERSON": "PER",
    "ORG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "POG": "ORG",
    "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC",
    "FAC": "FAC", "FACILITY": "FAC",
    "EVE": "EVENT", "EVENT": "EVENT",
    "PRO": "PRODUCT", "PROD": "PRODUCT", "PRODUCT": "PRODUCT",
    "DAT": "DATE", "DATE": "DATE",
    "TIM": "TIME", "TIME": "TIME",
    "MON": "MONEY", "MONEY": "MONEY",
    "PCT": "PERCENT", "PERCENT": "PERCENT",
    # ParsTwiNER's nationality type: not a SCHEMA entity (the corpus reader drops it as well).
    "NAT": None,
}

#: Prefix -> IOB2 prefix. BIOES/BILOU single-token and end tags collapse onto B/I.
_PREFIXES = {"B": "B", "I": "I", "S": "B", "U": "B", "E": "I", "L": "I"}
_OUTSIDE = {"O", "OUT", "OUTSIDE"}
_GENERIC = re.compile(r"^LABEL_\d+$", re.IGNORECASE)
_SPLIT = re.compile(r"^([BIESUL])[-_](.+)$", re.IGNORECASE)


class UnknownLabelSchemeError(ValueError):
    """The checkpoint's labels cannot be mapped onto SCHEMA NER labels."""


def map_label(label: str, overrides: Mapping[str, str | None] | None = None) -> str | None:
    """The IOB2 SCHEMA tag of one model label (``"O"`` for outside), or ``None`` if unknown."""
    if overrides and label in overrides:
        tag = overrides[label]
        return "O" if tag in (None, "", "O") else str(tag)
    name = label.strip()
    if name.upper() in _OUTSIDE:
        return "O"
    m = _SPLIT.match(name)
    if m:
        prefix, etype = _PREFIXES[m.group(1).upper()], m.group(2)
    else:
        prefix, etype = "I", name  # IO tagging: a bare type name; repair_iob opens the entity
    key = etype.upper()
    if key not in ENTITY_TYPE_ALIASES:
        return None
    schema = ENTITY_TYPE_ALIASES[key]
    return "O" if schema is None else f"{prefix}-{schema}"


def map_label_scheme(
    id2label: Mapping[int | str, str],
    *,
    model_name: str = "the checkpoint",
    overrides: Mapping[str, str | None] | None = None,
) -> dict[int, str]:
    """Model label id -> IOB2 SCHEMA tag for every label of a checkpoint.

    ``overrides`` maps raw label names to a tag (``"B-ORG"``) or ``None``/``"O"``
    (ignore), for checkpoints with labels this module does not know.
    Raises :class:`UnknownLabelSchemeError`, naming the labels found, when the
    labels are generic (``LABEL_0``), unknown, or include no entity type.
    """
    labels = {int(k): str(v) for k, v in id2label.items()}
    found = ", ".join(labels[i] for i in sorted(labels))
    if not labels:
        raise UnknownLabelSchemeError(f"{model_name} has no labels (config.id2label is empty)")
    if overrides:
        for tag in overrides.values():
            if tag not in (None, "", "O") and not _valid_tag(str(tag)):
                raise ValueError(f"label_map values must be IOB2 SCHEMA tags like 'B-PER' or None, got {tag!r}")
    if all(_GENERIC.match(v) for v in labels.values()) and not (overrides and set(labels.values()) & set(overrides)):
        raise UnknownLabelSchemeError(
            f"{model_name} has generic labels ({found}): its config.json names no entity types, so it "
            "is not a named-entity checkpoint (or id2label was not saved). Fine-tune it first with "
            "`fa-relations train ner --backend transformers --base ...`, or set id2label in config.json "
            "to names like B-PER / I-ORG / O."
        )
    mapped: dict[int, str] = {}
    unknown: list[str] = []
    for i in sorted(labels):
        tag = map_label(labels[i], overrides)
        if tag is None:
            unknown.append(labels[i])
        else:
            mapped[i] = tag
    if unknown:
        raise UnknownLabelSchemeError(
            f"cannot map the labels of {model_name} onto fa_relations NER labels: unknown "
            f"{', '.join(unknown)}. Labels found: {found}. Known styles: PEYMA (B_PER, I_DAT, ...), "
            "ARMAN (B-pers, I-event, ...), HooshvareLab zwnj (B-EVE, I-PRO, ...) and plain IOB2 over "
            f"{', '.join(NER_LABELS)}. Rename them in config.json (id2label) or pass "
            "label_map={'<label>': 'B-ORG' or None} to TransformersTagger.from_pretrained."
        )
    if all(t == "O" for t in mapped.values()):
        raise UnknownLabelSchemeError(f"{model_name} has no entity labels that fa_relations tags (labels found: {found})")
    return mapped


def _valid_tag(tag: str) -> bool:
    return len(tag) > 2 and tag[:2] in ("B-", "I-") and tag[2:] in NER_LABELS


def schema_labels(tags: Mapping[int, str] | list[str]) -> tuple[str, ...]:
    """SCHEMA labels present among IOB2 tags, in SCHEMA order."""
    values = tags.values() if isinstance(tags, Mapping) else tags
    present = {t[2:] for t in values if t != "O"}
    return tuple(label for label in NER_LABELS if label in present)
