"""Builders for test libraries: copies of the sample library and a corpus of bad files."""

from __future__ import annotations

import io
import random
import shutil
import zipfile
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from tests.conftest import CATALOG

GOOD_FILES = {
    "good/guide.md": "---\ntitle: Good guide\ntype: faq\n---\n# Good guide\n\nIt works well.\n",
    "good/notes.txt": "Good notes\n\nPlain text that should be stored.\n",
    "good/page.html": "<html><head><title>Good page</title></head><body><p>Hi.</p></body></html>",
}
COPIED = {
    "good/case.pdf": "case-studies/meridian-health-partners.pdf",
    "good/brief.docx": "case-studies/crestline-credit-union.docx",
    "good/deck.pptx": "decks/technical-architecture.pptx",
}
# path in the bad library -> a fragment of the reason it must be reported with
BAD_REASONS = {
    "bad/corrupt.pdf": "corrupt PDF",
    "bad/encrypted.pdf": "encrypted PDF",
    "bad/bomb.docx": "zip bomb",
    "bad/empty.md": "empty file",
    "bad/junk.txt": "binary content",
    "bad/huge.md": "over the 50 MB limit",
    "bad/picture.bmp": "unsupported file type '.bmp'",
    "bad/invalid-meta.md": "Unknown stage 'signing'",
    "bad/fake.docx": "not a valid Office file",
    "bad/broken-front-matter.md": "invalid YAML",
    "manifest.jsonl:2": "not valid JSON",
}
GOOD_IDS = {
    "good-guide",
    "good-notes",
    "good-page",
    "good-case",
    "good-brief",
    "good-deck",
    "from-manifest",
}


def copy_sample_library(target: Path) -> Path:
    shutil.copytree(CATALOG, target)
    return target


def build_bad_library(root: Path) -> Path:
    """Good files beside one of each kind of bad file the issue lists."""
    for relative, text in GOOD_FILES.items():
        _write(root / relative, text.encode())
    for relative, source in COPIED.items():
        _write(root / relative, (CATALOG / source).read_bytes())
    pdf = (CATALOG / COPIED["good/case.pdf"]).read_bytes()
    _write(root / "bad/corrupt.pdf", pdf[: len(pdf) // 3])
    _write(root / "bad/encrypted.pdf", _encrypted(pdf))
    _write(root / "bad/bomb.docx", _zip_bomb())
    _write(root / "bad/empty.md", b"")
    _write(root / "bad/junk.txt", random.Random(7).randbytes(4096))
    (root / "bad/huge.md").touch()
    with (root / "bad/huge.md").open("r+b") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: over the limit without using the disk
    _write(root / "bad/picture.bmp", b"BM" + bytes(100))
    _write(root / "bad/invalid-meta.md", b"---\nstages: [signing]\n---\n# Odd\n\nText.\n")
    _write(root / "bad/fake.docx", b"this is not a zip at all")
    _write(root / "bad/broken-front-matter.md", b"---\ntitle: [oops\n---\n# T\n\nText.\n")
    _write(
        root / "manifest.jsonl",
        b'{"id": "from-manifest", "title": "From manifest", "text": "Row text.", "type": "faq"}\n'
        b"{this is not json\n",
    )
    return root


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


TINY_FILES = {  # a library with a subfolder, for ids and removals
    "overview.md": "# Overview\n\nWhat the product does.\n",
    "faqs/buyer-faq.md": "# Buyer FAQ\n\nHow long does onboarding take? Six weeks.\n",
    "faqs/security-faq.md": "# Security FAQ\n\nData is encrypted at rest.\n",
    "decks/pitch.md": "# Pitch\n\nWhy us, in five slides.\n",
}
TINY_IDS = {"overview", "faqs-buyer-faq", "faqs-security-faq", "decks-pitch"}


def build_tiny_library(root: Path, files: dict[str, str] | None = None) -> Path:
    """`files` (default TINY_FILES) written under `root`."""
    for name, text in (TINY_FILES if files is None else files).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root
