"""Research code that builds models: corpus readers and NER training (never imported by the runtime).

- :mod:`.datasets`: readers of the public NER corpora (PEYMA, ARMAN, ParsTwiNER) as SCHEMA IOB2 tags.
- :mod:`.ner`: training of the built-in BiLSTM-CRF tagger.
- :mod:`.transformers_finetune`: fine-tuning a Hugging Face checkpoint (the transformers back end).
"""
