"""Hostile text planted where the audit shows it: asset titles and owners, and buyer questions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient

TRIGGERS = ("=", "+", "-", "@")  # what survives ingest's trimming; TAB and CR: see test_table
TITLES = [f'{c}HYPERLINK("https://evil.example/?{i}","open")' for i, c in enumerate(TRIGGERS)]
OWNERS = [f"{c}cmd|' /C calc'!A{i}" for i, c in enumerate(TRIGGERS)]
QUESTIONS = [
    f"{c}SUM(1+{i})*cmd|' /C notepad'!A0 bring your own keys" for i, c in enumerate(TRIGGERS)
]
ESCAPE = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 \x1b[2J\x1b[31mred\u202e"


def plant_assets(library: Path) -> None:
    """One asset per trigger character, its title and owner each a formula."""
    for i, (title, owner) in enumerate(zip(TITLES, OWNERS, strict=True)):
        front = f"title: {json.dumps(title)}\nowner: {json.dumps(owner)}\ntype: faq\n"
        (library / f"hostile-{i}.md").write_text(f"---\n{front}---\nNothing to see here.\n")


def plant_questions(client: TestClient, headers: dict[str, str], questions: list[str]) -> None:
    """Ask `questions` in a served recommendation, the way a rep plants them."""
    deal = {"deal_id": "d-hostile", "stage": "discovery", "questions": questions}
    response = client.post("/v1/recommendations", json=deal, headers=headers)
    assert response.status_code == 200, response.text


def formula_cells(text: str) -> list[str]:
    """The cells of CSV `text` a spreadsheet would run as formulas (negative numbers are not)."""
    found = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.lstrip().startswith(TRIGGERS) or cell.startswith(("\t", "\r")):
                try:
                    float(cell)
                except ValueError:
                    found.append(cell)
    return found
