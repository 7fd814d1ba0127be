"""Reading the editable data files of ``data/`` (lexicons, gazetteers).

Every such file is UTF-8 text, one entry a line, columns separated by tabs.
Blank lines and lines whose first non-blank character is ``#`` are comments.
Quotes have no special meaning (a cell is everything between two tabs), and
every cell is stripped of surrounding whitespace.
"""

from __future__ import annotations

import os
from pathlib import Path

#: What starts a comment line (after optional leading whitespace).
COMMENT = "#"


def tsv_rows(text: str) -> list[tuple[int, list[str]]]:
    """The rows of a comment-skipping TSV text: ``(line number, stripped cells)``.

    Blank lines and lines starting with ``#`` are skipped; rows keep their own
    length (a one-column word list gives one-cell rows).
    """
    rows: list[tuple[int, list[str]]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith(COMMENT):
            continue
        rows.append((n, [cell.strip() for cell in line.split("\t")]))
    return rows


def read_tsv(path: str | os.PathLike[str]) -> list[list[str]]:
    """The rows of a comment-skipping TSV file (see :func:`tsv_rows`).

    A missing file raises :class:`FileNotFoundError`.
    """
    return [cells for _, cells in tsv_rows(Path(path).read_text(encoding="utf-8"))]


def read_tsv_records(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The rows of a comment-skipping TSV file whose first row names the columns.

    Each row becomes ``{column: cell}``; a row shorter than the header gets
    ``""`` for the missing cells, extra cells past the header are ignored.
    """
    rows = read_tsv(path)
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    return [{name: (row[i] if i < len(row) else "") for i, name in enumerate(header)} for row in body]
