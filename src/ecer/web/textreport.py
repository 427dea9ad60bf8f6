"""Plain-text tables for the terminal, aligned for Chinese (full-width) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

# Decimals of an indicator's value in the terminal (`ecer progress`, `ecer energy report`):
# the energy intensity (tce/10^4 yuan, about 0.2-1.3 in Beihai) keeps 4 significant digits,
# and both commands print it the same way, as do the overview and target pages (num:4).
INDICATOR_DIGITS = 4


def display_width(text: str) -> int:
    """Columns the text takes in a terminal: wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The header, a rule and the rows, each column padded to its widest cell."""
    widths = [
        max(display_width(str(line[i])) for line in [header, *rows]) for i in range(len(header))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c) + " " * max(0, w - display_width(str(c)))
            for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]
