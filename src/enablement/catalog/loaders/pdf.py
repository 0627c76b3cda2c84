"""PDF loader: one section per page, via pypdf."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from enablement.catalog.loaders.safety import Limits
from enablement.catalog.models import BadFileError, Document, Section

logging.getLogger("pypdf").setLevel(logging.ERROR)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def load_pdf(data: bytes, limits: Limits) -> Document:
    """Text per page (1-based page numbers); refuses corrupt and password-protected PDFs."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise BadFileError("not a PDF (missing %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadFileError("encrypted PDF: a password is needed to read it")
        sections = [
            Section(text=text, page=number)
            for number, page in enumerate(reader.pages, start=1)
            if (text := _clean(page.extract_text() or ""))
        ]
        title = _title(reader)
    except BadFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise BadFileError(f"corrupt PDF: {exc}") from None
    return Document(sections=sections, title=title)


def _title(reader: PdfReader) -> str | None:
    metadata = reader.metadata
    title = metadata.title if metadata else None
    return title.strip() if isinstance(title, str) and title.strip() else None


def _clean(text: str) -> str:
    """Normalise spacing, drop control characters, and re-join lines the layout wrapped."""
    text = _CONTROL.sub(" ", text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    out: list[str] = []
    for line in (line for line in lines if line):
        if out and _continues(out[-1], line):
            out[-1] = out[-1][:-1] + line if out[-1].endswith("-") else f"{out[-1]} {line}"
        else:
            out.append(line)
    return "\n".join(out)


def _continues(previous: str, line: str) -> bool:
    """A wrapped line: the previous one ended mid-sentence and this one continues it."""
    return not previous.endswith((".", "!", "?", ":", ";")) and (
        line[0].islower() or line[0] in "(,"
    )
