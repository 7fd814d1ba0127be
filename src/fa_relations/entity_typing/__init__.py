"""entity_typing stage of fa_relations."""
