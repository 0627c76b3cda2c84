"""Splits sections into overlapping, sentence-aligned chunks that fit the model's window."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from enablement.catalog.models import Chunk, Section
from enablement.catalog.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class ChunkSpec:
    max_tokens: int = 200
    overlap_tokens: int = 40


def chunk_sections(
    sections: Iterable[Section], *, spec: ChunkSpec, count: TokenCounter
) -> list[Chunk]:
    """Chunks in document order; a chunk never spans two pages, slides or headings."""
    chunks: list[Chunk] = []
    for section in sections:
        for text, tokens in _windows(_pieces(section.text, spec, count), spec):
            chunks.append(
                Chunk(
                    ordinal=len(chunks),
                    text=text,
                    token_count=tokens,
                    page=section.page,
                    slide=section.slide,
                    heading_path=section.heading_path,
                )
            )
    return chunks


@dataclass(frozen=True)
class _Piece:
    text: str
    tokens: int
    separator: str  # what joins it to the piece before: a space, or a newline at a line start


def _pieces(text: str, spec: ChunkSpec, count: TokenCounter) -> Iterator[_Piece]:
    """Sentences with their token counts; a sentence longer than a chunk is cut into words."""
    for line in text.split("\n"):
        separator = "\n"
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if not sentence:
                continue
            tokens = count(sentence)
            if tokens <= spec.max_tokens:
                yield _Piece(sentence, tokens, separator)
            else:
                yield from _split_long(sentence, spec, count, separator)
            separator = " "


def _split_long(
    sentence: str, spec: ChunkSpec, count: TokenCounter, separator: str
) -> Iterator[_Piece]:
    words = sentence.split()
    per_word = max(count(sentence) / max(len(words), 1), 1.0)
    step = max(int(spec.max_tokens / per_word * 0.9), 1)
    for start in range(0, len(words), step):
        piece = " ".join(words[start : start + step])
        yield _Piece(piece, count(piece), separator if start == 0 else " ")


def _windows(pieces: Iterable[_Piece], spec: ChunkSpec) -> Iterator[tuple[str, int]]:
    window: list[_Piece] = []
    size = 0
    fresh = 0  # pieces in the window that no earlier chunk has emitted
    for piece in pieces:
        if window and size + piece.tokens > spec.max_tokens:
            yield _join(window), size
            window = _overlap(window, min(spec.overlap_tokens, spec.max_tokens - piece.tokens))
            size = sum(kept.tokens for kept in window)
            fresh = 0
        window.append(piece)
        size += piece.tokens
        fresh += 1
    if window and fresh:
        yield _join(window), size


def _overlap(window: list[_Piece], budget: int) -> list[_Piece]:
    """The trailing sentences of `window` that fit within `budget` tokens."""
    kept: list[_Piece] = []
    size = 0
    for piece in reversed(window):
        if size + piece.tokens > budget:
            break
        kept.insert(0, piece)
        size += piece.tokens
    return kept


def _join(window: list[_Piece]) -> str:
    return window[0].text + "".join(piece.separator + piece.text for piece in window[1:])
