"""Loader behaviour on small crafted inputs: what is kept, what is never fetched or resolved."""

import io
import time
import zipfile
from pathlib import Path

import docx
import pytest

from enablement.catalog.loaders import Limits, format_for
from enablement.catalog.loaders.safety import check_archive, decode_text
from enablement.catalog.models import BadFileError


def test_html_drops_scripts_styles_and_keeps_structure() -> None:
    page = b"""<html><head><title>T</title><link rel="stylesheet" href="http://evil.test/x.css">
    <style>body{}</style><script>alert('x')</script></head><body>
    <h1>Guide</h1><p>Intro <b>bold</b> text.</p><img src="http://evil.test/p.png" alt="diagram">
    <h2>Setup</h2><ul><li>Step one</li><li>Step two</li></ul>
    <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Team</td><td>$39</td></tr></table>
    </body></html>"""
    document = format_for(".html").load(page, Limits())
    text = "\n".join(s.text for s in document.sections)
    assert "alert" not in text and "body{}" not in text
    assert "Intro bold text." in text
    assert "diagram" in text
    setup = next(s for s in document.sections if s.heading_path == ("Guide", "Setup"))
    assert setup.text == "Step one\nStep two\nPlan | Price\nTeam | $39"


def test_markdown_images_keep_alt_text_only() -> None:
    document = format_for(".md").load(
        b"# T\n\n![chart of wins](https://x.test/c.png) Done.\n", Limits()
    )
    assert document.sections[0].text == "chart of wins Done."


def test_docx_external_entities_are_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("PLACEHOLDER")
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                declaration, rest = text.split("?>", 1)
                doctype = f'<!DOCTYPE d [<!ENTITY xxe SYSTEM "file://{secret}">]>'
                data = (
                    declaration + "?>" + doctype + rest.replace("PLACEHOLDER", "&xxe;")
                ).encode()
            target.writestr(info, data)
    try:
        loaded = format_for(".docx").load(out.getvalue(), Limits())
    except BadFileError:
        return  # refusing the file is as safe as ignoring the entity
    assert "TOP-SECRET-VALUE" not in "\n".join(s.text for s in loaded.sections)


def test_zip_bomb_is_refused_before_parsing() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/bomb.xml", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(BadFileError, match="zip bomb"):
        check_archive(out.getvalue(), Limits())


def test_total_unpacked_size_is_limited() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.xml", b"x" * 3000)
    with pytest.raises(BadFileError, match="unpacks to"):
        check_archive(out.getvalue(), Limits(max_unpacked_bytes=2000))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"abc\x00def", "NUL"),
        (b"\xff\xfe\xfa bad", "not UTF-8"),
        (b"a\x01\x02\x03\x04b", "control"),
    ],
)
def test_binary_content_in_text_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(BadFileError, match=reason):
        decode_text(data)


def test_bom_is_accepted() -> None:
    assert decode_text("\ufeffhello".encode()) == "hello"


def test_unsupported_type_names_the_supported_ones() -> None:
    with pytest.raises(BadFileError, match=r"unsupported file type '\.exe' \(supported: .*\.pdf"):
        format_for(".exe")


NEVER_CLOSED = {  # html.parser rescanned the rest of the text for each: quadratic time
    "comment": "<!--",
    "comment-then-gt": "<!--x>",
    "cdata": "<![CDATA[",
    "tag": "<a",
    "processing-instruction": "<?",
}


@pytest.mark.parametrize("suffix", [".html", ".md"])
@pytest.mark.parametrize("opener", NEVER_CLOSED.values(), ids=NEVER_CLOSED.keys())
def test_constructs_that_never_close_take_linear_time(suffix: str, opener: str) -> None:
    """200 KB of "<!--" took 26 s (50 MB: days); the text around it is still read."""
    data = f"<p>Kept before</p>\n\n{opener * (200_000 // len(opener))}".encode()
    started = time.perf_counter()
    document = format_for(suffix).load(data, Limits())
    assert time.perf_counter() - started < 3
    assert "Kept before" in " ".join(section.text for section in document.sections)
