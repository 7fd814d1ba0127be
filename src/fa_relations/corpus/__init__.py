"""Corpus-scale extraction: many files in, sharded triples out (see docs/corpus.md).

>>> from fa_relations.corpus import extract_corpus
>>> summary = extract_corpus("news/*.jsonl", "out/", workers=2)     # doctest: +SKIP
>>> summary.documents_in == summary.documents_written + summary.errors  # doctest: +SKIP
True
"""

from ..rows import document_from_row, document_row, triple_from_row, triple_rows
from .extract import ExtractionSummary, OutputOptions, PipelineOptions, RunOptions, extract_corpus
from .readers import ReadOptions, Record, expand_inputs, iter_records

__all__ = [
    "ExtractionSummary",
    "OutputOptions",
    "PipelineOptions",
    "ReadOptions",
    "Record",
    "RunOptions",
    "document_from_row",
    "document_row",
    "expand_inputs",
    "extract_corpus",
    "iter_records",
    "triple_from_row",
    "triple_rows",
]
