"""Splits sections into overlapping, sentence-aligned chunks that fit the model's window."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from enablement.catalog.models import Chunk, Section
from enablement.catalog.tokens import TokenCounter

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_SAMPLE_WORDS = 2000  # enough to learn a long sentence's tokens per word without counting it all
# A "sentence" this many characters per allowed token surely needs cutting (English averages
# about 4 characters a token); counting a one-line 20 MB file whole would take 20 seconds.
_CHARS_PER_TOKEN = 20


@dataclass(frozen=True)
class ChunkSpec:
    max_tokens: int = 200
    overlap_tokens: int = 40
    max_chunks: int = 2000  # per asset: a 20 MB one-line file would otherwise make 33,000


@dataclass(frozen=True)
class Chunked:
    chunks: list[Chunk]
    truncated: bool  # the text went on past spec.max_chunks chunks; the rest was not chunked


def chunk_sections(
    sections: Iterable[Section], *, spec: ChunkSpec, count: TokenCounter
) -> list[Chunk]:
    """Chunks in document order, at most `spec.max_chunks`; see chunk_capped."""
    return chunk_capped(sections, spec=spec, count=count).chunks


def chunk_capped(sections: Iterable[Section], *, spec: ChunkSpec, count: TokenCounter) -> Chunked:
    """The first `spec.max_chunks` chunks in document order, and whether text was left over.

    A chunk never spans two pages, slides or headings. Chunking is lazy, so text past the cap
    is never tokenized."""
    chunks = list(islice(_chunks(sections, spec, count), spec.max_chunks + 1))
    return Chunked(chunks[: spec.max_chunks], truncated=len(chunks) > spec.max_chunks)


def _chunks(sections: Iterable[Section], spec: ChunkSpec, count: TokenCounter) -> Iterator[Chunk]:
    ordinal = 0
    for section in sections:
        for text, tokens in _windows(_pieces(section.text, spec, count), spec):
            yield Chunk(
                ordinal=ordinal,
                text=text,
                token_count=tokens,
                page=section.page,
                slide=section.slide,
                heading_path=section.heading_path,
            )
            ordinal += 1


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
            tokens = spec.max_tokens + 1
            if len(sentence) <= spec.max_tokens * _CHARS_PER_TOKEN:
                tokens = count(sentence)
            if tokens <= spec.max_tokens:
                yield _Piece(sentence, tokens, separator)
            else:
                yield from _split_long(sentence, spec, count, separator)
            separator = " "


def _split_long(
    sentence: str, spec: ChunkSpec, count: TokenCounter, separator: str
) -> Iterator[_Piece]:
    longest = spec.max_tokens * 2  # a "word" of megabytes (a base64 blob) is cut too
    words = [w[i : i + longest] for w in sentence.split() for i in range(0, len(w), longest)]
    sample = words[:_SAMPLE_WORDS]
    per_word = max(count(" ".join(sample)) / max(len(sample), 1), 1.0)
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
