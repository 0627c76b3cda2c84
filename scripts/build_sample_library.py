"""Render the sample library's PDF, DOCX, PPTX, HTML and TXT assets from Markdown sources.

Sources live in scripts/sample_library/<path>.md with YAML front matter holding the asset's
metadata plus `format:` (and `nometa: true` for assets shipped without metadata). Each renders to
content_catalog/<path>.<format>, with its metadata in a <path>.meta.yaml sidecar. Output is
deterministic, so re-running it on unchanged sources changes no committed file:

    .venv/bin/python scripts/build_sample_library.py
"""

from __future__ import annotations

import datetime as dt
import html
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sample_library"
OUTPUT = ROOT / "content_catalog"
_MD = MarkdownIt("commonmark").enable("table")
FIXED_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass
class Block:
    kind: str  # h, p, ul, ol, table, pagebreak
    text: str = ""
    level: int = 0
    items: list[str] | None = None
    rows: list[list[str]] | None = None


def parse_source(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front) or {}, body.strip() + "\n"


def blocks(body: str) -> list[Block]:
    tokens = _MD.parse(body)
    out: list[Block] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "heading_open":
            out.append(Block("h", tokens[i + 1].content, level=int(t.tag[1])))
            i += 3
        elif t.type == "paragraph_open":
            out.append(Block("p", tokens[i + 1].content.replace("\n", " ")))
            i += 3
        elif t.type in ("bullet_list_open", "ordered_list_open"):
            i = _list_block(tokens, i, out)
        elif t.type == "table_open":
            i = _table_block(tokens, i, out)
        else:
            if t.type == "html_block" and "pagebreak" in t.content:
                out.append(Block("pagebreak"))
            i += 1
    return out


def _list_block(tokens: list[Any], i: int, out: list[Block]) -> int:
    """Append the list opening at tokens[i] (nested items flattened); return the index after it."""
    opener = tokens[i].type
    close = opener.replace("_open", "_close")
    items: list[str] = []
    depth = 0
    while True:
        i += 1
        tok = tokens[i]
        if tok.type == opener:
            depth += 1
        elif tok.type == close:
            if depth == 0:
                break
            depth -= 1
        elif tok.type == "inline":
            items.append(tok.content.replace("\n", " "))
    out.append(Block("ul" if opener == "bullet_list_open" else "ol", items=items))
    return i + 1


def _table_block(tokens: list[Any], i: int, out: list[Block]) -> int:
    rows: list[list[str]] = []
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(tokens[i].content)
        i += 1
    out.append(Block("table", rows=rows))
    return i + 1


def plain(text: str) -> str:
    """Inline Markdown to plain text (emphasis markers and link targets dropped)."""
    tokens = _MD.parseInline(text)
    parts = []
    for child in tokens[0].children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def render_html(meta: dict[str, Any], body: str, out: Path) -> None:
    title = meta.get("title") or next(
        (b.text for b in blocks(body) if b.kind == "h" and b.level == 1), out.stem
    )
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n{_MD.render(body)}</main>\n"
        "</body>\n</html>\n"
    )
    out.write_text(page, encoding="utf-8")


def render_txt(meta: dict[str, Any], body: str, out: Path) -> None:
    out.write_text(body, encoding="utf-8")


def render_pdf(meta: dict[str, Any], body: str, out: Path) -> None:
    from reportlab import rl_config

    rl_config.invariant = 1  # no timestamps or random ids: byte-identical output
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    doc = SimpleDocTemplate(
        str(out), pagesize=A4, title=meta["title"], author="Lumenfold", creator="Lumenfold"
    )
    doc.build(_pdf_story(meta["title"], blocks(body)))


def _pdf_story(title: str, items: list[Block]) -> list[Any]:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import ListFlowable, ListItem, PageBreak, Paragraph, Spacer

    styles = getSampleStyleSheet()

    def para(text: str, style: str = "BodyText") -> Any:
        return Paragraph(html.escape(plain(text)), styles[style])

    story: list[Any] = [para(title, "Title")]
    for block in items:
        if block.kind == "h":
            story.append(para(block.text, "Heading2" if block.level <= 2 else "Heading3"))
        elif block.kind == "p":
            story.append(para(block.text))
        elif block.kind in ("ul", "ol"):
            entries = [ListItem(para(text)) for text in block.items or []]
            story.append(ListFlowable(entries, bulletType="bullet" if block.kind == "ul" else "1"))
        elif block.kind == "table":
            rows = [[para(cell) for cell in row] for row in block.rows or []]
            story += [_pdf_table(rows), Spacer(1, 6)]
        elif block.kind == "pagebreak":
            story.append(PageBreak())
    return story


def _pdf_table(rows: list[list[Any]]) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.units import cm
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, hAlign="LEFT", colWidths=[16 * cm / len(rows[0])] * len(rows[0]))
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    table.setStyle(TableStyle(style))
    return table


def render_docx(meta: dict[str, Any], body: str, out: Path) -> None:
    import docx

    document = docx.Document()
    for block in blocks(body):
        if block.kind == "h":
            document.add_heading(plain(block.text), level=block.level - 1)
        elif block.kind == "p":
            document.add_paragraph(plain(block.text))
        elif block.kind in ("ul", "ol"):
            style = "List Bullet" if block.kind == "ul" else "List Number"
            for item in block.items or []:
                document.add_paragraph(plain(item), style=style)
        elif block.kind == "table":
            rows = block.rows or []
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = plain(value)
    props = document.core_properties
    props.title = meta.get("title", "")
    props.author = "Lumenfold"
    props.created = props.modified = FIXED_TIME
    props.last_modified_by = "Lumenfold"
    props.revision = 1
    document.save(str(out))


def render_pptx(meta: dict[str, Any], body: str, out: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    for number, (title, content, notes) in enumerate(_slides(blocks(body))):
        tables = [b for b in content if b.kind == "table"]
        layout = deck.slide_layouts[0 if number == 0 else (5 if tables else 1)]
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = title
        lines = [plain(t) for b in content if b.kind in ("ul", "ol") for t in b.items or []]
        lines += [plain(b.text) for b in content if b.kind == "p"]
        if not tables and len(slide.placeholders) > 1:
            frame = slide.placeholders[1].text_frame
            frame.text = lines[0] if lines else ""
            for line in lines[1:]:
                frame.add_paragraph().text = line
        for table_block in tables:
            _pptx_table(slide, table_block.rows or [])
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    props = deck.core_properties
    props.title = meta.get("title", "")
    props.author = "Lumenfold"
    props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
    props.last_modified_by = "Lumenfold"
    props.revision = 1
    deck.save(str(out))


def _pptx_table(slide: Any, rows: list[list[str]]) -> None:
    from pptx.util import Inches, Pt

    shape = slide.shapes.add_table(
        len(rows), len(rows[0]), Inches(0.5), Inches(1.6), Inches(9), Inches(0.4 * len(rows))
    )
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = shape.table.cell(r, c)
            cell.text = plain(value)
            for paragraph in cell.text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(12)


def _slides(items: list[Block]) -> list[tuple[str, list[Block], str]]:
    slides: list[tuple[str, list[Block], str]] = []
    for block in items:
        if block.kind == "h" and block.level <= 2:
            slides.append((plain(block.text), [], ""))
        elif not slides:
            continue
        elif block.kind == "p" and block.text.startswith("Notes:"):
            title, content, _ = slides[-1]
            slides[-1] = (title, content, plain(block.text[len("Notes:") :].strip()))
        else:
            slides[-1][1].append(block)
    return slides


def normalize_zip(path: Path) -> None:
    """Rewrite an Office file with fixed member timestamps, so unchanged input gives equal bytes."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


RENDERERS = {"html": render_html, "txt": render_txt, "pdf": render_pdf,
             "docx": render_docx, "pptx": render_pptx}  # fmt: skip


def main() -> int:
    count = 0
    for source in sorted(SOURCES.rglob("*.md")):
        meta, body = parse_source(source)
        fmt = meta.pop("format")
        nometa = meta.pop("nometa", False)
        rel = source.relative_to(SOURCES).with_suffix("")
        out = OUTPUT / rel.with_name(f"{rel.name}.{fmt}")
        out.parent.mkdir(parents=True, exist_ok=True)
        RENDERERS[fmt](meta, body, out)
        if fmt in ("docx", "pptx"):
            normalize_zip(out)
        sidecar = OUTPUT / rel.with_name(f"{rel.name}.meta.yaml")
        if nometa:
            sidecar.unlink(missing_ok=True)
        else:
            sidecar.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), "utf-8")
        count += 1
    print(f"rendered {count} assets into {OUTPUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
