"""Plain data passed between the catalog's loaders, chunker, ingester and store."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Report:
    """A file or manifest line that was skipped, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}
