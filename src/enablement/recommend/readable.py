"""Passages as a rep reads them, not as the index stores them: table rows (which the loaders write
as `a | b | c` lines) become tables, or sentences for plain text; a slide's speaker notes (the
`Speaker notes:` line the PPTX loader adds for search) are left out; and a quote that already
has its quote marks gets no second pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby, takewhile
from typing import Any, Literal

from enablement.index.bundle import ChunkRecord

CELL = " | "  # how every loader joins a table row's cells (catalog.loaders)
NOTES = "Speaker notes:"  # how the PPTX loader opens a slide's notes (catalog.loaders.office)
QUOTE_MARKS = '"\u201c\u201d\u201e\u00ab\u00bb'  # " “ ” „ « »


@dataclass(frozen=True)
class Block:
    """A paragraph (`text`), or a table: its rows, and its header when the passage starts it."""

    kind: Literal["text", "table"]
    text: str = ""
    header: tuple[str, ...] | None = None
    rows: tuple[tuple[str, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Every field, null where it does not apply, as the API's PassageBlock has them."""
        if self.kind == "text":
            return {"kind": "text", "text": self.text, "header": None, "rows": None}
        header = list(self.header) if self.header is not None else None
        rows = [list(row) for row in self.rows]
        return {"kind": "table", "text": None, "header": header, "rows": rows}

    @property
    def plain(self) -> str:
        """As sentences: a table row reads "Metric: Prior auth; Before: 5.2 days" under a header,
        else its cells joined by semicolons; never with pipes."""
        if self.kind == "text":
            return self.text

        def sentence(row: tuple[str, ...]) -> str:
            named = zip(self.header or ("",) * len(row), row, strict=True)
            return "; ".join(f"{name}: {cell}" if name else cell for name, cell in named if cell)

        return "\n".join(sentence(row) for row in self.rows)


def passage_blocks(chunks: Sequence[ChunkRecord], index: int) -> tuple[Block, ...]:
    """What to show of chunk `index`: its visible text as blocks. A chunk that is all speaker
    notes (they run to the slide's end) shows its slide's own text instead, else its title."""
    chunk = chunks[index]
    if chunk.slide is not None and not _opens_notes(chunk) and _notes_before(chunks, index):
        first = _section_start(chunks, index)
        return _visible(chunks, first) or _title(chunk)
    return _visible(chunks, index) or _title(chunk)


def plain_text(blocks: Sequence[Block]) -> str:
    """The blocks as plain text, one paragraph or table row a line."""
    return "\n".join(text for block in blocks if (text := block.plain))


def quoted(text: str) -> str:
    """`text` in curly quotes, unless it already starts or ends with a quote mark."""
    if not text or text[0] in QUOTE_MARKS or text[-1] in QUOTE_MARKS:
        return text
    return f"\u201c{text}\u201d"


def _visible(chunks: Sequence[ChunkRecord], index: int) -> tuple[Block, ...]:
    chunk = chunks[index]
    lines = chunk.text.split("\n")
    if chunk.slide is not None:
        lines = list(takewhile(lambda line: not line.startswith(NOTES), lines))
    starts_section = _section_start(chunks, index) == index
    return _blocks(lines, first_row_is_header=starts_section)


def _blocks(lines: list[str], *, first_row_is_header: bool) -> tuple[Block, ...]:
    """Runs of table lines become tables; the others, paragraphs. A table's first row is its
    header when the table starts inside the passage (a passage may start mid-table)."""
    blocks: list[Block] = []
    position = 0
    for is_table, group in groupby(lines, key=lambda line: CELL in line):
        run = [line.strip() for line in group]
        if is_table:
            rows = [tuple(cell.strip() for cell in line.split(CELL)) for line in run]
            blocks.append(_table(rows, header=first_row_is_header or position > 0))
        else:
            blocks += [Block("text", text=line) for line in run if line]
        position += len(run)
    return tuple(blocks)


def _table(rows: list[tuple[str, ...]], *, header: bool) -> Block:
    width = max(len(row) for row in rows)
    padded = [row + ("",) * (width - len(row)) for row in rows]
    if header and len(padded) > 1:
        return Block("table", header=padded[0], rows=tuple(padded[1:]))
    return Block("table", rows=tuple(padded))


def _same_section(a: ChunkRecord, b: ChunkRecord) -> bool:
    return (a.asset, a.page, a.slide, a.heading_path) == (b.asset, b.page, b.slide, b.heading_path)


def _section_start(chunks: Sequence[ChunkRecord], index: int) -> int:
    """The first chunk of chunk `index`'s section (chunks never span two; see catalog.chunking)."""
    while index > 0 and _same_section(chunks[index - 1], chunks[index]):
        index -= 1
    return index


def _opens_notes(chunk: ChunkRecord) -> bool:
    return any(line.startswith(NOTES) for line in chunk.text.split("\n"))


def _notes_before(chunks: Sequence[ChunkRecord], index: int) -> bool:
    """Whether an earlier chunk of the slide opened its notes."""
    return any(_opens_notes(chunks[i]) for i in range(_section_start(chunks, index), index))


def _title(chunk: ChunkRecord) -> tuple[Block, ...]:
    title = chunk.heading_path[-1] if chunk.heading_path else ""
    return (Block("text", text=title),) if title else ()
