"""One loader per file format, each turning bytes into a Document of provenance-tagged sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from enablement.catalog.loaders.html import load_html
from enablement.catalog.loaders.office import load_docx, load_pptx
from enablement.catalog.loaders.pdf import load_pdf
from enablement.catalog.loaders.safety import Limits
from enablement.catalog.loaders.text import load_markdown, load_text
from enablement.catalog.models import BadFileError, Document

Loader = Callable[[bytes, Limits], Document]


@dataclass(frozen=True)
class Format:
    name: str
    load: Loader


FORMATS: dict[str, Format] = {
    ".md": Format("markdown", load_markdown),
    ".markdown": Format("markdown", load_markdown),
    ".html": Format("html", load_html),
    ".htm": Format("html", load_html),
    ".txt": Format("text", load_text),
    ".pdf": Format("pdf", load_pdf),
    ".docx": Format("docx", load_docx),
    ".pptx": Format("pptx", load_pptx),
}


def format_for(suffix: str) -> Format:
    """The format for a file suffix; raises BadFileError naming the supported ones."""
    found = FORMATS.get(suffix.casefold())
    if found is None:
        supported = ", ".join(sorted(FORMATS))
        shown = suffix or "(no extension)"
        raise BadFileError(f"unsupported file type '{shown}' (supported: {supported})")
    return found


__all__ = ["FORMATS", "Format", "Limits", "format_for"]
