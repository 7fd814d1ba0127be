"""Research code that measures the runtime: the conlleval scorer and the NER, typing, relation and text-layer evaluations.

Never imported by the runtime (see docs/ARCHITECTURE.md); reports go to
:func:`fa_relations.paths.results_dir`.
"""
