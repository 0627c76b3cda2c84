"""DOCX and PPTX loaders (python-docx, python-pptx), checked for zip bombs first."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
import pptx
from docx.document import Document as DocxDocument
from docx.table import Table
from lxml.etree import XMLSyntaxError
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.exc import PackageNotFoundError as PptxPackageNotFound

from enablement.catalog.loaders.safety import Limits, check_archive
from enablement.catalog.models import BadFileError, Document, Section
from enablement.catalog.sections import SectionBuilder

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_ERRORS = (KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile, PptxPackageNotFound, OSError)


def load_docx(data: bytes, limits: Limits) -> Document:
    """Paragraphs and tables in order; 'Heading N' and 'Title' styles form the heading path."""
    check_archive(data, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        builder = SectionBuilder()
        title = _docx_blocks(document, builder)
        core_title = document.core_properties.title
    except _ERRORS as exc:
        raise BadFileError(f"corrupt DOCX: {exc}") from None
    return Document(sections=builder.sections(), title=core_title or title or builder.first_h1)


def _docx_blocks(document: DocxDocument, builder: SectionBuilder) -> str | None:
    title: str | None = None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in _table_rows(block):
                builder.add(row)
            continue
        style = (block.style.name if block.style is not None else "") or ""
        text = block.text.strip()
        if style.casefold() == "title" and text:
            title = title or text
            builder.heading(1, text)
        elif match := _HEADING_STYLE.match(style):
            builder.heading(int(match.group(1)) + (1 if title else 0), text)
        else:
            builder.add(text)
    return title


def _table_rows(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            yield " | ".join(cells)


def load_pptx(data: bytes, limits: Limits) -> Document:
    """One section per slide (1-based), with its title, text, tables and speaker notes."""
    check_archive(data, limits)
    try:
        deck = pptx.Presentation(io.BytesIO(data))
        sections = [
            section
            for number, slide in enumerate(deck.slides, start=1)
            if (section := _slide_section(slide, number)) is not None
        ]
        core_title = deck.core_properties.title
    except _ERRORS as exc:
        raise BadFileError(f"corrupt PPTX: {exc}") from None
    first_slide_title = (
        sections[0].heading_path[0] if sections and sections[0].heading_path else None
    )
    return Document(sections=sections, title=core_title or first_slide_title)


def _slide_section(slide: Any, number: int) -> Section | None:
    title_shape = slide.shapes.title
    title = " ".join(title_shape.text_frame.text.split()) if title_shape is not None else ""
    parts = [
        text for shape in slide.shapes if shape is not title_shape for text in _shape_texts(shape)
    ]
    if slide.has_notes_slide:
        notes = slide.notes_slide.notes_text_frame
        if notes is not None and notes.text.strip():
            parts.append(f"Speaker notes: {notes.text.strip()}")
    body = "\n".join(part for part in parts if part)
    if not body and not title:
        return None
    return Section(text=body or title, slide=number, heading_path=(title,) if title else ())


def _shape_texts(shape: Any) -> Iterator[str]:
    if getattr(shape, "shape_type", None) == MSO_SHAPE_TYPE.GROUP:
        for inner in shape.shapes:
            yield from _shape_texts(inner)
        return
    if getattr(shape, "has_table", False):
        yield from _table_rows(shape.table)
    if getattr(shape, "has_text_frame", False):
        for paragraph in shape.text_frame.paragraphs:
            text = " ".join(paragraph.text.split())
            if text:
                yield text
