"""Concurrent use (issue 15, item 5): one Pipeline from 4 threads gives the documents of sequential use.

The other half of the item lives beside the code it tests: ``nlp.pipe(n_process=2)`` in
``test_batch_use.test_pipe_two_processes_with_the_builtin_model`` and
``test_pipeline.test_pipe_with_two_processes``; the corpus engines (2 local
processes and a Dask cluster against the in-process run, byte for byte) in
``test_corpus.test_dask_local_cluster_matches_local``, and 2 processes killed
and resumed in ``test_reliability_corpus``.
"""

from __future__ import annotations

import random
import threading

import pytest

import fa_relations

from .test_corpus import persian_doc

THREADS = 4


@pytest.fixture(scope="module")
def nlp():
    return fa_relations.load()


def test_one_pipeline_from_four_threads_gives_the_sequential_documents(nlp, seed_article: str, report):
    texts = [persian_doc(i) for i in range(40)] + [p for p in seed_article.splitlines() if p.strip()]
    sequential = [nlp(t).to_dict() for t in texts]
    results: dict[int, list[tuple[int, dict]]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(k: int) -> None:
        order = list(range(len(texts)))
        random.Random(k).shuffle(order)  # each thread its own order: calls overlap on different texts
        try:
            start.wait()
            results[k] = [(i, nlp(texts[i]).to_dict()) for i in order]
            results[k] += [(i, d.to_dict()) for i, d in zip(order[:10], nlp.pipe([texts[i] for i in order[:10]]),
                                                            strict=True)]
        except BaseException as e:  # reported below, with the thread's traceback
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert not errors, errors
    assert sorted(results) == list(range(THREADS))
    for k in range(THREADS):
        assert all(d == sequential[i] for i, d in results[k]), f"thread {k} got other documents"
    report("threads x documents", f"{THREADS} x {len(texts) + 10}")
    assert sum(len(d["entities"]) for d in sequential) > 0 and any(d["triples"] for d in sequential)
