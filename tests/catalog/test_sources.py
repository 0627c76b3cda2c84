"""Discovery on its own: the path given, and the reports' printable form."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from enablement.catalog.models import Report
from enablement.catalog.sources import discover
from enablement.errors import InvalidValueError


def test_report_paths_and_reasons_are_always_printable() -> None:
    report = Report("dir/bad\udcffname\n.md", "lone \ud800 and a\ttab")
    assert report.path == "dir/bad\\xffname\\n.md"
    assert report.reason == "lone \\ud800 and a\\ttab"
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")


def test_a_single_file_that_cannot_be_read_is_reported(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")  # opening it would block forever
    found = discover(tmp_path / "pipe.md")
    assert found.items == []
    assert [(r.path, r.reason) for r in found.reports] == [
        ("pipe.md", "not a regular file (a pipe, socket or device); skipped")
    ]


def test_a_manifest_row_pointing_at_a_folder_or_pipe_is_reported(tmp_path: Path) -> None:
    rows = [{"path": "folder"}, {"path": "pipe.md"}, {"path": "../outside.md"}]
    (tmp_path / "outside.md").write_text("x")
    library = tmp_path / "lib"
    library.mkdir()
    (library / "m.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (library / "folder").mkdir()
    os.mkfifo(library / "pipe.md")
    found = discover(library / "m.jsonl")
    assert {r.path: r.reason for r in found.reports} == {
        "m.jsonl:1": "path 'folder' is a folder, not a file",
        "m.jsonl:2": "path 'pipe.md' cannot be used: not a regular file "
        "(a pipe, socket or device); skipped",
        "m.jsonl:3": "path '../outside.md' leaves the library root; not followed",
    }


@pytest.mark.parametrize("make", ["loop", "bad-name"])
def test_an_unusable_root_is_one_clear_error(tmp_path: Path, make: str) -> None:
    if make == "loop":
        path = tmp_path / "loop"
        path.symlink_to("loop")
        match = "symlink loop"
    else:
        path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lib\xff"))
        path.mkdir()
        match = "not valid UTF-8"
    with pytest.raises(InvalidValueError, match=match):
        discover(path)
