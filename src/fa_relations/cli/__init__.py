"""Command-line interface. Every module of this package adds its commands to :data:`app`."""

from __future__ import annotations

import importlib
import pkgutil

from .app import app

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "app":
        importlib.import_module(f"{__name__}.{_module.name}")


def main() -> None:
    """Entry point of the ``fa-relations`` script."""
    app()


__all__ = ["app", "main"]
