"""A hostile library, built in tmp_path at test time (symlink loops and FIFOs cannot live in git).

One file per class of trouble: symlink loops, dangling links, names that are not UTF-8, pipes,
binary junk, broken manifest lines, byte-order marks, declared and undeclared legacy charsets,
deep nesting, and text long enough to hit a (lowered) chunk cap.
"""

from __future__ import annotations

import codecs
import json
import os
import random
from pathlib import Path

CAFE = "Our café — naïve “pricing” questions, answered à la carte."
DEEP = 100_000
CHUNK_CAP = 3  # the corpus test lowers max_chunks_per_asset to this

# asset id -> a fragment of its stored text that proves it was decoded right
GOOD_TEXT = {
    "good-plain": "Plain text that must survive its neighbours.",
    "links-alias-target": "A file reached by its own name",  # its link inside is not doubled
    "enc-cp1252": CAFE,
    "enc-utf8-bom": "Smörgåsbord with a UTF-8 mark",
    "enc-utf16le": "Zürich déjà vu in UTF-16 LE",
    "enc-utf16be": "Kraków façade in UTF-16 BE",
    "enc-declared": "Résumé — “declared” windows-1252",
    "enc-http-equiv": "Œuvre “latin-1” read as windows-1252",
    "deep-nested": "Text at the bottom of the nesting",
    "deep-long": "word0 word1 word2",
    "manifest-text": "A row that sits beside broken lines",
    "manifest-listed": "Listed by the manifest",
    "manifest-separator": "Text with a\u2028line separator inside",
    "csv-good": "A CSV row beside a bad one",
}
# path in reports -> a fragment of the reason
BAD_REASONS = {
    "loops/a.md": "symlink loop",
    "loops/b.md": "symlink loop",
    "loops/self.md": "symlink loop",
    "loops/dir-loop": "symlink loop",
    "links/dangling.md": "dangling symlink",
    "names/bad\\xffname.md": "not valid UTF-8",
    "names/folder\\xfe": "not valid UTF-8",
    "special/pipe.md": "not a regular file",
    "binary/random.txt": "binary content",
    "binary/random-nonul.txt": "binary content",
    "files/loop.md": "symlink loop",
    "files/gone.md": "dangling symlink",
    "assets.jsonl:2": "not valid UTF-8 (bad byte at column 30)",
    "assets.jsonl:4": "symlink loop",
    "assets.jsonl:5": "dangling symlink",
    "assets.jsonl:6": "holds a NUL character",
    "assets.jsonl:7": "not valid UTF-8",
    "assets.jsonl:9": "does not exist",
    "sheet.csv:3": "not valid UTF-8",
    "meta/nul.md": "metadata holds a NUL character",
    "meta/surrogate.md": "metadata holds text that is not valid UTF-8",
}
WARNINGS = {"deep/long.txt": f"only the first {CHUNK_CAP} chunks are stored"}


def build_hostile_library(root: Path) -> Path:
    """Write the hostile library under `root`; returns `root`."""
    _write(root / "good/plain.md", b"# Plain\n\nPlain text that must survive its neighbours.\n")
    _write(root / "links/alias-target.md", b"# Alias\n\nA file reached by its own name.\n")
    _links(root)
    _names(root)
    _write(root / "binary/random.txt", random.Random(7).randbytes(4096))
    nonul = bytes(b for b in random.Random(8).randbytes(8192) if b)[:4096]
    _write(root / "binary/random-nonul.txt", nonul)
    _write(root / "meta/nul.md", b'---\ntitle: "a\\0b"\n---\n# NUL\n\nText.\n')
    _write(root / "meta/surrogate.md", b"# S\n\nText.\n")
    _write(root / "meta/surrogate.meta.yaml", b'owner: "\\ud800"\n')
    _encodings(root)
    _pathological(root)
    _manifests(root)
    return root


def _links(root: Path) -> None:
    loops = root / "loops"
    loops.mkdir(parents=True)
    (loops / "a.md").symlink_to("b.md")
    (loops / "b.md").symlink_to("a.md")
    (loops / "self.md").symlink_to("self.md")
    (loops / "dir-loop").symlink_to("dir-loop")
    (loops / "up").symlink_to("..")  # a folder link back up: not descended, so nothing doubles
    (root / "links/dangling.md").symlink_to("missing.md")
    # alias.md sorts first, so the walk reaches the target through the link, then skips it
    (root / "links/alias.md").symlink_to("alias-target.md")
    os.mkfifo(_mkdir(root / "special") / "pipe.md")


def _names(root: Path) -> None:
    names = os.fsencode(_mkdir(root / "names"))
    Path(os.fsdecode(names + b"/bad\xffname.md")).write_bytes(b"# Bad name\n\nNever read.\n")
    folder = Path(os.fsdecode(names + b"/folder\xfe"))
    folder.mkdir()
    (folder / "inside.md").write_bytes(b"# Inside\n\nNever read.\n")


def _encodings(root: Path) -> None:
    enc = root / "enc"
    _write(enc / "cp1252.txt", f"Pricing notes\n\n{CAFE}\n".encode("cp1252"))
    bom8 = "# Mark\n\nSmörgåsbord with a UTF-8 mark.\n"
    _write(enc / "utf8-bom.md", codecs.BOM_UTF8 + bom8.encode())
    text16 = "UTF-16 notes\n\nZürich déjà vu in UTF-16 LE.\n"
    _write(enc / "utf16le.txt", codecs.BOM_UTF16_LE + text16.encode("utf-16-le"))
    text16be = "# Big end\n\nKraków façade in UTF-16 BE.\n"
    _write(enc / "utf16be.md", codecs.BOM_UTF16_BE + text16be.encode("utf-16-be"))
    declared = (
        "<html><head><meta charset=windows-1252><title>Declared</title></head>"
        "<body><p>Résumé — “declared” windows-1252.</p></body></html>"
    )
    _write(enc / "declared.html", declared.encode("cp1252"))
    equiv = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>Œuvre “latin-1” read as windows-1252.</p></body></html>"
    )
    _write(enc / "http-equiv.htm", equiv.encode("cp1252"))


def _pathological(root: Path) -> None:
    nested = "<div>" * DEEP + "<p>Text at the bottom of the nesting.</p>" + "</div>" * DEEP
    _write(root / "deep/nested.html", f"<html><body>{nested}</body></html>".encode())
    words = " ".join(f"word{i}" for i in range(5000))  # one line, far past CHUNK_CAP chunks
    _write(root / "deep/long.txt", words.encode())


def _manifests(root: Path) -> None:
    _write(root / "files/listed.md", b"# Listed\n\nListed by the manifest.\n")
    (root / "files/loop.md").symlink_to("loop.md")
    (root / "files/gone.md").symlink_to("nowhere.md")
    lines = [
        _row(id="manifest-text", text="A row that sits beside broken lines."),
        b'{"id": "bad-bytes", "text": "\xff\xfe not UTF-8"}',
        _row(id="manifest-listed", path="files/listed.md"),
        _row(id="row-loop", path="files/loop.md"),
        _row(id="row-dangling", path="files/gone.md"),
        _row(id="row-nul", text="NUL \u0000 inside"),
        b'{"id": "row-surrogate", "text": "lone \\ud800 surrogate"}',
        # a raw U+2028 is legal inside a JSON string; the line must not be split there
        json.dumps(
            {"id": "manifest-separator", "text": GOOD_TEXT["manifest-separator"]},
            ensure_ascii=False,
        ).encode(),
        _row(id="row-missing", path="files/not-there.md"),
    ]
    _write(root / "assets.jsonl", b"\n".join(lines) + b"\n")
    _write(
        root / "sheet.csv",
        b"id,title,text\ncsv-good,Good,A CSV row beside a bad one.\ncsv-bad,Bad,caf\xe9 \xff\n",
    )


def _row(**fields: str) -> bytes:
    return json.dumps(fields).encode()


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
