"""Text encodings: byte-order marks, declared charsets, confident detection, binary refused."""

from __future__ import annotations

import codecs
import random
import time

import pytest

from enablement.catalog.loaders import Limits, format_for
from enablement.catalog.loaders.safety import decode_text
from enablement.catalog.models import BadFileError

TEXT = "Zürich — déjà vu: “quotes”, naïve café, Œuvre and €39."
WESTERN = "Our café — naïve “pricing” questions, answered à la carte."


@pytest.mark.parametrize(
    ("mark", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_byte_order_marks_are_honoured(mark: bytes, encoding: str, suffix: str) -> None:
    document = format_for(suffix).load(mark + f"{TEXT}\n".encode(encoding), Limits())
    assert [section.text for section in document.sections] == [TEXT]


@pytest.mark.parametrize(
    ("declaration", "encoding"),
    [
        ("<meta charset=windows-1252>", "cp1252"),
        ('<meta charset="iso-8859-1">', "cp1252"),  # browsers read latin-1 as windows-1252
        ('<meta http-equiv="Content-Type" content="text/html; charset=latin1">', "cp1252"),
        ("<meta charset=shift_jis>", "shift_jis"),
        ("<meta charset=koi8-r>", "koi8-r"),
    ],
)
def test_html_declared_charset_is_honoured(declaration: str, encoding: str) -> None:
    text = {"shift_jis": "営業資料のテスト", "koi8-r": "Это тест"}.get(encoding, TEXT)
    page = f"<html><head>{declaration}<title>T</title></head><body><p>{text}</p></body></html>"
    document = format_for(".html").load(page.encode(encoding), Limits())
    assert [section.text for section in document.sections] == [text]


def test_a_wrong_or_unknown_declaration_falls_back_to_utf8() -> None:
    for declaration in ("<meta charset=no-such-charset>", "<meta charset=ascii>"):
        page = f"<html><head>{declaration}</head><body><p>{TEXT}</p></body></html>"
        if "ascii" in declaration:  # cp1252 cannot decode UTF-8's 0x81/0x8d/0x9d bytes...
            page = page.replace("Œuvre", "\u0141\u0161")  # ...so these fall back to UTF-8
        document = format_for(".html").load(page.encode(), Limits())
        assert document.sections[0].text.startswith("Zürich")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (WESTERN, "cp1252"),
        ("café — naïve", "cp1252"),  # short: the windows-1252 default still applies
        ("Le déjeuner à la française était très agréable. Où est la gare? " * 3, "latin-1"),
        ("Это тестовый документ для отдела продаж. Цена указана в рублях. " * 3, "cp1251"),
        ("これは営業資料のテストです。価格は月額三千円です。" * 3, "shift_jis"),
        ("这是销售团队的测试文件。价格是每月三十九元。" * 3, "gb18030"),
        ("Plain English sales notes about pricing and security. " * 3, "utf-16-le"),
    ],
)
def test_undeclared_legacy_text_is_detected(text: str, encoding: str) -> None:
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize("size", [32, 64, 512, 4096, 65536])
def test_random_binary_is_still_refused(size: int) -> None:
    rng = random.Random(size)
    for _ in range(20):
        with pytest.raises(BadFileError, match=r"binary content|encoding"):
            decode_text(rng.randbytes(size))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("Цена указана.".encode("cp1251"), "too short to detect"),  # 13 bytes: a guess
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "nor the UTF-16-LE its byte-order mark announces"),
        ("NUL\x00inside".encode("utf-16"), "NUL"),  # decoded fine, but not storable text
        (("Это тестовый документ. " * 4).encode("koi8-r"), "ambiguous encoding"),
    ],
)
def test_unsure_or_broken_text_is_reported(data: bytes, reason: str) -> None:
    with pytest.raises(BadFileError, match=reason):
        decode_text(data)


def test_html_nested_100000_deep_is_read_in_seconds() -> None:
    depth = 100_000
    for open_, close in (("<div>", "</div>"), ("<span>", "</span>"), ("<div>", "")):
        page = f"<html><body>{open_ * depth}<p>At the bottom.</p>{close * depth}</body></html>"
        started = time.perf_counter()
        document = format_for(".html").load(page.encode(), Limits())
        assert time.perf_counter() - started < 20
        assert "At the bottom." in " ".join(section.text for section in document.sections)


def test_html_walk_keeps_document_order_and_blocks() -> None:
    page = b"<body><div>one <b>two</b><div>three</div>four</div><p>five<br>six</p></body>"
    document = format_for(".html").load(page, Limits())
    assert document.sections[0].text == "one two\nthree\nfour\nfive six"
