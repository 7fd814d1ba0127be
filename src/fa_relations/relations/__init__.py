"""relations stage of fa_relations."""
