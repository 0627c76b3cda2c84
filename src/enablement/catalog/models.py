"""Plain data passed between the catalog's loaders, chunker, ingester and store."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class BadFileError(Exception):
    """A file that cannot be ingested; the message is the reason shown to the user."""


@dataclass(frozen=True)
class Section:
    """A run of text with one provenance: a PDF page, a deck slide or a document heading."""

    text: str
    page: int | None = None
    slide: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class Document:
    """What a loader returns: the text by section, plus what the file says about itself."""

    sections: list[Section]
    title: str | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    ordinal: int
    text: str
    token_count: int
    page: int | None = None
    slide: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass(frozen=True)
class AssetMetadata:
    """Validated metadata; every field may be empty, and nothing is ever guessed."""

    id: str | None = None
    title: str | None = None
    type: str | None = None
    url: str | None = None
    stages: tuple[str, ...] = ()
    verticals: tuple[str, ...] = ()
    personas: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    language: str | None = None
    external: bool | None = None
    owner: str | None = None
    updated_at: date | None = None
    expires_at: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Asset:
    """One asset ready for the store: metadata, provenance and its chunks."""

    id: str
    title: str
    metadata: AssetMetadata
    source: str
    locator: str
    path: str | None
    format: str
    content_hash: str
    chunks: list[Chunk]
    word_count: int
    warnings: tuple[str, ...] = ()  # stored anyway, but the user should know (a truncation)


# Control characters (a newline in a file name) would break a one-line report.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` safe to print, write as JSON and store: bytes that were not UTF-8 in a file name
    (surrogate escapes from os.walk) and control characters become backslash escapes."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that no file name produced (JSON's "\\ud800")
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode(), text)


@dataclass(frozen=True)
class Report:
    """A file or manifest line that was skipped (an error), or stored with a warning, and why."""

    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "reason", printable(self.reason))

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}
