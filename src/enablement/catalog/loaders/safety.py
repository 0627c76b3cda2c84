"""Guards applied before a parser sees a file: size, text encodings and sanity, and zip bombs."""

from __future__ import annotations

import codecs
import io
import zipfile
from dataclasses import dataclass

from charset_normalizer import from_bytes

from enablement.catalog.models import BadFileError

MB = 1024 * 1024
_CONTROL = {*range(0, 9), 11, *range(14, 32)}


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * MB
    max_unpacked_bytes: int = 300 * MB
    max_compression_ratio: float = 150.0
    max_archive_members: int = 10_000


# UTF-32 first: its little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels an HTML page may declare that mean something else (WHATWG Encoding Standard): browsers
# read latin-1 and ASCII as windows-1252, and a UTF-16 label without a byte-order mark as UTF-8.
_DECLARED_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "ascii": "cp1252",
                     "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}  # fmt: skip
# How much "mess" charset-normalizer may find in its best guess before we call the guess unsafe
# (its own legacy confidence is 1 - chaos). Measured with charset-normalizer 3.5 on sentences
# of cp1252, latin-1, cp1251, koi8-r, shift_jis, gb18030 and UTF-16 without a mark: the right
# decoding scored 0.000-0.013; wrong candidates for the same bytes scored 0.10-0.18; random
# bytes, zip, zlib, PNG, PDF and ELF data got no guess at all. 0.1 keeps the first, refuses the
# rest.
_MAX_CHAOS = 0.1
# Single-byte Western encodings often explain the same bytes equally well (cp1250, cp1252,
# cp1257, cp775 all score ~0 on "café — naïve"); among guesses this close to the best one,
# prefer windows-1252, the web's default for undeclared legacy text, as browsers do.
_TIE = 0.05
# Any guess but windows-1252 needs this many bytes: in 3,000 random inputs of 16 to 128 bytes,
# 290 of 16-24 bytes read as "text" (mostly UTF-16 without a mark), none of 32 bytes or more.
_MIN_GUESS_BYTES = 32


def decode_text(data: bytes, *, declared: str | None = None) -> str:
    """Decode a text file, refusing binary content.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32), the encoding the file `declared`
    (an HTML meta charset), UTF-8, then charset-normalizer's guess when it is confident.
    Raises BadFileError when none fits or the text holds binary (NUL or control characters)."""
    text = _decode(data, declared)
    if "\x00" in text:  # SQL text columns cannot hold NUL either
        raise BadFileError("binary content in a text file (NUL bytes)")
    sample = text[:20_000]
    controls = sum(1 for char in sample if ord(char) in _CONTROL)
    if sample and controls / len(sample) > 0.01:
        raise BadFileError("binary content in a text file (control characters)")
    return text


def _decode(data: bytes, declared: str | None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                name = encoding.upper()
                raise BadFileError(
                    f"not UTF-8 text, nor the {name} its byte-order mark announces "
                    f"(bad byte at offset {exc.start + len(bom)})"
                ) from None
    if declared:
        encoding = _DECLARED_ALIASES.get(declared.strip().casefold(), declared.strip())
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown or wrong label: read it as if undeclared
    if b"\x00" not in data:  # NUL is valid UTF-8, but UTF-16 text without a mark is full of it
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _detected(data, f"not UTF-8: bad byte at offset {exc.start}")
    return _detected(data, "NUL bytes")


def _detected(data: bytes, why: str) -> str:
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise BadFileError(
            f"binary content in a text file ({why}), or text in an encoding "
            "that cannot be detected with confidence"
        )
    close = [m for m in matches if m.chaos <= best.chaos + _TIE]
    if any(m.encoding == "cp1252" for m in close):
        encoding = "cp1252"
    elif len(data) < _MIN_GUESS_BYTES:
        raise BadFileError(f"text too short to detect its encoding ({why})")
    elif len({str(m) for m in close}) == 1:
        encoding = best.encoding
    else:  # several encodings read it equally well, as different text: a guess, not a finding
        names = ", ".join(m.encoding for m in close[:4])
        raise BadFileError(f"text in an ambiguous encoding ({why}; could be {names})")
    try:
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise BadFileError(f"text in {encoding} could not be decoded whole ({why})") from None


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
