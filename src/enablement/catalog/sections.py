"""Accumulates paragraphs under a heading stack into provenance-tagged sections."""

from __future__ import annotations

from enablement.catalog.models import Section


class SectionBuilder:
    """Feed headings and paragraphs in document order; read `sections()` at the end."""

    def __init__(self, *, page: int | None = None, slide: int | None = None) -> None:
        self._page = page
        self._slide = slide
        self._stack: list[tuple[int, str]] = []
        self._paragraphs: list[str] = []
        self._sections: list[Section] = []
        self.first_h1: str | None = None

    def heading(self, level: int, text: str) -> None:
        """Start a new section under `text`, closing deeper or equal headings."""
        text = " ".join(text.split())
        if not text:
            return
        self._flush()
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))

    def add(self, text: str) -> None:
        text = text.strip()
        if text:
            self._paragraphs.append(text)

    def sections(self) -> list[Section]:
        self._flush()
        return list(self._sections)

    def _flush(self) -> None:
        if not self._paragraphs:
            return
        self._sections.append(
            Section(
                text="\n".join(self._paragraphs),
                page=self._page,
                slide=self._slide,
                heading_path=tuple(text for _, text in self._stack),
            )
        )
        self._paragraphs = []
