"""Guards applied before a parser sees a file: size, text sanity, and zip bombs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from enablement.catalog.models import BadFileError

MB = 1024 * 1024
_CONTROL = {*range(0, 9), 11, *range(14, 32)}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * MB
    max_unpacked_bytes: int = 300 * MB
    max_compression_ratio: float = 150.0
    max_archive_members: int = 10_000


def decode_text(data: bytes) -> str:
    """Decode a text file as UTF-8 (with or without BOM), refusing binary content."""
    if b"\x00" in data:
        raise BadFileError("binary content in a text file (NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFileError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    sample = text[:20_000]
    controls = sum(1 for char in sample if ord(char) in _CONTROL)
    if sample and controls / len(sample) > 0.01:
        raise BadFileError("binary content in a text file (control characters)")
    return text


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse an Office file that is not a zip, or that would expand beyond the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BadFileError("not a valid Office file (not a zip archive)") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_archive_members:
            raise BadFileError(f"archive has {len(members)} members: possible zip bomb")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MB and ratio > limits.max_compression_ratio:
                raise BadFileError(
                    f"'{member.filename}' compresses {ratio:.0f}:1 "
                    f"(limit {limits.max_compression_ratio:.0f}:1): possible zip bomb"
                )
        if total > limits.max_unpacked_bytes:
            raise BadFileError(
                f"archive unpacks to {total / MB:.0f} MB "
                f"(limit {limits.max_unpacked_bytes / MB:.0f} MB): possible zip bomb"
            )
