"""corpus stage of fa_relations."""
