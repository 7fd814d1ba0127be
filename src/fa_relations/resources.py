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


def read_tsv(path: str | os.PathLike[str]) -> list[list[str]]:
    """The rows of a comment-skipping TSV file, each a list of stripped cells.

    Rows keep their own length (no padding): a one-column ``.txt`` word list
    gives one-cell rows. A missing file raises :class:`FileNotFoundError`.
    """
    rows: list[list[str]] = []
    with open(Path(path), encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith(COMMENT):
                continue
            rows.append([cell.strip() for cell in line.split("\t")])
    return rows


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
