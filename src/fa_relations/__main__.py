"""``python -m fa_relations``: the ``fa-relations`` command."""

from .cli import main

main()
