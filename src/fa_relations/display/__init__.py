"""Seeing what the pipeline found: HTML rendering (:func:`render`) and the local demo page (:mod:`.server`).

Runtime side; imports neither spaCy nor torch, so ``Document._repr_html_`` stays light.
"""

from __future__ import annotations

from .render import STYLES, render

__all__ = ["STYLES", "render"]
