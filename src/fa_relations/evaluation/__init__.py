"""evaluation stage of fa_relations."""
