"""Markdown and plain-text loaders."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from enablement.catalog.loaders.html import parse_html
from enablement.catalog.loaders.safety import Limits, decode_text
from enablement.catalog.metadata import split_front_matter
from enablement.catalog.models import Document, Section
from enablement.catalog.sections import SectionBuilder

# CommonMark plus tables; raw HTML is kept as text and never fetched or rendered.
_MARKDOWN = MarkdownIt("commonmark").enable("table")
_MAX_TITLE = 120


def load_text(data: bytes, limits: Limits) -> Document:
    """A plain-text file is one section; its first line is the title when it looks like one."""
    text = decode_text(data).strip()
    first_line = text.split("\n", 1)[0].strip()
    title = (
        first_line if 0 < len(first_line) <= _MAX_TITLE and not first_line.endswith(".") else None
    )
    return Document(sections=[Section(text=text)] if text else [], title=title)


def load_markdown(data: bytes, limits: Limits) -> Document:
    """Markdown with optional YAML front matter; sections follow the heading hierarchy."""
    front_matter, body = split_front_matter(decode_text(data))
    builder = SectionBuilder()
    tokens = _MARKDOWN.parse(body)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            builder.heading(int(token.tag[1]), _inline_text(tokens[index + 1]))
            index += 3
            continue
        if token.type == "tr_open":
            index = _table_row(tokens, index, builder)
            continue
        if token.type == "inline" and not _inside_table(tokens, index):
            builder.add(_inline_text(token))
        elif token.type in ("fence", "code_block"):
            builder.add(token.content)
        elif token.type == "html_block":
            builder.add(_strip_tags(token.content))
        index += 1
    return Document(sections=builder.sections(), title=builder.first_h1, front_matter=front_matter)


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(child.content)  # the alt text, never the remote file
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _table_row(tokens: list[Token], index: int, builder: SectionBuilder) -> int:
    cells: list[str] = []
    index += 1
    while tokens[index].type != "tr_close":
        if tokens[index].type == "inline":
            cells.append(_inline_text(tokens[index]))
        index += 1
    builder.add(" | ".join(cell for cell in cells if cell))
    return index + 1


def _inside_table(tokens: list[Token], index: int) -> bool:
    return any(t.type in ("th_open", "td_open") for t in tokens[max(0, index - 1) : index])


def _strip_tags(html: str) -> str:
    return parse_html(html).get_text(" ", strip=True)
