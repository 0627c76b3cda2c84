"""Hostile text planted where the audit shows it: asset titles and owners, and buyer questions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fastapi.testclient import TestClient

from enablement.recommend.context import Deal
from enablement.service import EnablementService

TRIGGERS = ("=", "+", "-", "@")  # what survives ingest's trimming; TAB and CR: see test_table
TITLES = [f'{c}HYPERLINK("https://evil.example/?{i}","open")' for i, c in enumerate(TRIGGERS)]
OWNERS = [f"{c}cmd|' /C calc'!A{i}" for i, c in enumerate(TRIGGERS)]
QUESTIONS = [
    f"{c}SUM(1+{i})*cmd|' /C notepad'!A0 bring your own keys" for i, c in enumerate(TRIGGERS)
]
# An OSC 8 hyperlink, a screen clear, a colour, a C1 CSI, a bidi override and a fake new line.
ESCAPE = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J\x1b[31mred\x9b0m\u202eab\r\nok"
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


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


def ask_directly(service: EnablementService, questions: list[str]) -> None:
    """Log `questions` as served (past any request validation), as an old row would be."""
    deal = Deal(deal_id="d-escape", stage="discovery", questions=tuple(questions))
    service.usage.serve(service.recommender, [deal], user_id="test-rep")
    assert service.usage.log.flush()


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
