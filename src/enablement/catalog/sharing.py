"""What a buyer may receive: which assets may be shared, and each one without its metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from enablement.catalog.loaders import Limits
from enablement.catalog.loaders.html import load_html
from enablement.catalog.loaders.safety import decode_text
from enablement.catalog.metadata import strip_front_matter
from enablement.catalog.models import BadFileError, Document
from enablement.catalog.sources import discover

_OFFICE = "application/vnd.openxmlformats-officedocument"
_ORIGINALS = {
    ".pdf": "application/pdf",
    ".docx": f"{_OFFICE}.wordprocessingml.document",
    ".pptx": f"{_OFFICE}.presentationml.presentation",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class BuyerCopy:
    """How to answer a buyer: redirect to `url`, send `file` as it is, or send `text`."""

    kind: Literal["redirect", "file", "text"]
    url: str = ""
    file: Path | None = None
    media_type: str = "text/plain; charset=utf-8"
    filename: str = ""
    inline: bool = True
    text: str = ""


def is_expired(expires_at: date | None, *, today: date) -> bool:
    """Whether an asset expiring on `expires_at` is past its date: it stays valid through it."""
    return expires_at is not None and expires_at < today


def share_refusal(asset: Mapping[str, Any], *, today: date) -> str | None:
    """Why `asset` may not go to a buyer (None when it may): not external, or expired."""
    name = f"Asset '{asset['id']}'"
    if asset.get("external") is False:
        return f"{name} is internal only (external: false); only external assets can be shared."
    if asset.get("external") is not True:
        return f"{name} is not marked external: true; only external assets can be shared."
    if is_expired(asset.get("expires_at"), today=today):
        return f"{name} expired on {asset['expires_at']}; expired assets cannot be shared."
    return None


def buyer_copy(asset: Mapping[str, Any], *, limits: Limits) -> BuyerCopy | None:
    """What a buyer receives for `asset`, never its front matter, sidecar or manifest fields.

    The asset's `url` comes first: it is the published copy the marketer chose for buyers,
    while the library file may be a working draft. Then the original PDF, DOCX or PPTX; the
    text of Markdown, plain-text and HTML files (HTML is never served as HTML: it would run
    on our origin); a manifest row's own `text`. None when there is nothing to serve."""
    url = public_url(asset.get("url"))
    if url is not None:
        return BuyerCopy("redirect", url=url)
    try:
        file = _asset_file(asset)
        if file is not None:
            return _file_copy(file, asset, limits)
        text = _manifest_text(asset)
    except (BadFileError, OSError):
        return None
    return BuyerCopy("text", text=text) if text else None


def public_url(value: object) -> str | None:
    """`value` if it is an absolute http(s) URL a browser may be sent to, else None."""
    if not isinstance(value, str) or any(ord(char) <= 32 or ord(char) == 127 for char in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _root(asset: Mapping[str, Any]) -> Path:
    source = Path(asset["source"])
    return source if source.is_dir() else source.parent  # a manifest or a single document


def _asset_file(asset: Mapping[str, Any]) -> Path | None:
    locator = asset.get("path")
    if not locator:
        return None
    root = _root(asset).resolve()
    file = (root / locator).resolve()
    return file if file.is_file() and file.is_relative_to(root) else None


def _file_copy(file: Path, asset: Mapping[str, Any], limits: Limits) -> BuyerCopy | None:
    suffix = file.suffix.casefold()
    if suffix in _ORIGINALS:
        stem = _UNSAFE_NAME.sub("-", file.stem).strip("-.") or "document"
        return BuyerCopy("file", file=file, media_type=_ORIGINALS[suffix],
                         filename=f"{stem[:100]}{suffix}", inline=suffix == ".pdf")  # fmt: skip
    if file.stat().st_size > limits.max_file_bytes:
        return None
    data = file.read_bytes()
    if suffix in (".md", ".markdown", ".txt"):
        # Front matter is metadata, even in a .txt file; it may have been edited since ingest
        # into something that no longer parses, and must still never reach a buyer.
        text = strip_front_matter(decode_text(data))
        return BuyerCopy("text", text=text.strip() + "\n") if text is not None else None
    if suffix in (".html", ".htm"):
        return BuyerCopy("text", text=_document_text(load_html(data, limits)))
    return None


def _document_text(document: Document) -> str:
    """A document's sections as plain text, each under its heading when the heading changes."""
    lines: list[str] = []
    previous: tuple[str, ...] = ()
    for section in document.sections:
        if section.heading_path and section.heading_path != previous:
            lines.append(section.heading_path[-1])
        previous = section.heading_path
        lines.append(section.text)
    return "\n\n".join(lines) + "\n"


def _manifest_text(asset: Mapping[str, Any]) -> str:
    """A manifest row's own `text` (the row's other fields are metadata), read again."""
    manifest_rel, _, key = str(asset.get("locator") or "").partition("#")
    if not key:
        return ""
    manifest = (_root(asset) / manifest_rel).resolve()
    if not manifest.is_file() or not manifest.is_relative_to(_root(asset).resolve()):
        return ""
    for item in discover(manifest).items:
        if item.file is None and item.row is not None and item.locator.endswith(f"#{key}"):
            return str(item.row.get("text", "")).strip()
    return ""
