"""Passages as a rep reads them: tables as tables (sentences in plain text), never pipes; speaker
notes left out; quote marks never doubled. Over hand-made chunks and the real sample decks."""

from __future__ import annotations

from pathlib import Path

import pytest

from enablement.catalog.chunking import ChunkSpec, chunk_sections
from enablement.catalog.loaders import Limits
from enablement.catalog.loaders.office import load_docx, load_pptx
from enablement.index.bundle import AssetRecord, ChunkRecord
from enablement.recommend.context import Deal
from enablement.recommend.readable import Block, passage_blocks, plain_text, quoted
from enablement.recommend.reasons import Passage, explain, passage
from enablement.taxonomy import Taxonomy
from tests.conftest import CATALOG

PROOF = ChunkRecord(
    0,
    "Meridian cut prior authorization time\nMetric | Before | After\n"
    "Prior auth turnaround | 5.2 days | 2.0 days\nReferrals in 7 days | 48% | 81%",
    slide=6,
    heading_path=("Proof",),
)


def test_a_table_is_a_table_with_its_header_and_sentences_in_plain_text() -> None:
    blocks = passage_blocks([PROOF], 0)
    assert blocks == (
        Block("text", text="Meridian cut prior authorization time"),
        Block(
            "table",
            header=("Metric", "Before", "After"),
            rows=(
                ("Prior auth turnaround", "5.2 days", "2.0 days"),
                ("Referrals in 7 days", "48%", "81%"),
            ),
        ),
    )
    assert plain_text(blocks) == (
        "Meridian cut prior authorization time\n"
        "Metric: Prior auth turnaround; Before: 5.2 days; After: 2.0 days\n"
        "Metric: Referrals in 7 days; Before: 48%; After: 81%"
    )


def test_a_passage_that_starts_mid_table_has_no_made_up_header() -> None:
    first = ChunkRecord(3, "Plan | Price\nBusiness | $79", heading_path=("Pricing",))
    text = "Business | $79\nEnterprise | ask\nAll prices per user."
    rest = ChunkRecord(3, text, heading_path=("Pricing",))
    chunks = [first, rest]
    assert passage_blocks(chunks, 0)[0].header == ("Plan", "Price")  # it starts the section
    table, note = passage_blocks(chunks, 1)
    assert table == Block("table", rows=(("Business", "$79"), ("Enterprise", "ask")))
    assert note == Block("text", text="All prices per user.")
    shown = plain_text(passage_blocks(chunks, 1))
    assert shown == "Business; $79\nEnterprise; ask\nAll prices per user."


def test_ragged_rows_are_padded_and_empty_cells_left_out_of_sentences() -> None:
    chunk = ChunkRecord(0, "Intro\nA | B | C\n1 | 2\n3 | 4 | 5", heading_path=("T",))
    (_, table) = passage_blocks([chunk], 0)
    assert table.rows == (("1", "2", ""), ("3", "4", "5"))
    assert table.plain == "A: 1; B: 2\nA: 3; B: 4; C: 5"


def test_speaker_notes_stay_out_and_a_notes_only_chunk_shows_its_slide() -> None:
    body = ChunkRecord(1, "Built for PHI\nBAA on Enterprise\nSpeaker notes: Plant it.", slide=7)
    more_notes = ChunkRecord(1, "Ask about their auditor. Keep it brief.", slide=7)
    next_slide = ChunkRecord(1, "Getting started\nLaunchpad Plus", slide=8)
    chunks = [body, more_notes, next_slide]
    assert plain_text(passage_blocks(chunks, 0)) == "Built for PHI\nBAA on Enterprise"
    assert passage_blocks(chunks, 1) == passage_blocks(chunks, 0)  # all notes: the slide instead
    assert plain_text(passage_blocks(chunks, 2)) == "Getting started\nLaunchpad Plus"


def test_a_slide_of_only_notes_shows_its_title_and_other_documents_keep_the_words() -> None:
    notes_only = ChunkRecord(0, "Speaker notes: Ask directly.", slide=9, heading_path=("Decision",))
    assert plain_text(passage_blocks([notes_only], 0)) == "Decision"
    doc = ChunkRecord(0, "Speaker notes: how to run a webinar.", heading_path=("Webinars",))
    assert plain_text(passage_blocks([doc], 0)) == "Speaker notes: how to run a webinar."


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("We cut approvals by 62%.", "“We cut approvals by 62%.”"),
        ("“We cut approvals by 62%.” — COO", "“We cut approvals by 62%.” — COO"),
        ('"Build it ourselves" means one app', '"Build it ourselves" means one app'),
        ("The COO said «faster»", "The COO said «faster»"),
        ("", ""),
    ],
)
def test_quote_marks_are_never_doubled(text: str, shown: str) -> None:
    assert quoted(text) == shown


def test_a_quoted_question_is_not_quoted_again_in_its_reason(taxonomy: Taxonomy) -> None:
    asked = Passage(0, "“do you sign a BAA?”", "We sign a BAA.", 2, None, (), 0.9, answers=True)
    fits = dict.fromkeys(("competitor", "vertical", "stage", "persona", "product"), 0.0)
    asset = AssetRecord(id="a", title="A", external=True)
    (reason, *_) = explain(asset, Deal(), fits, [asked], taxonomy)
    assert reason.text == "Answers “do you sign a BAA?” (page 2)"


def _chunks(path: Path) -> list[ChunkRecord]:
    loader = load_pptx if path.suffix == ".pptx" else load_docx
    document = loader(path.read_bytes(), Limits())
    made = chunk_sections(document.sections, spec=ChunkSpec(max_tokens=60, overlap_tokens=15),
                          count=lambda text: len(text.split()))  # fmt: skip
    return [ChunkRecord(0, c.text, c.page, c.slide, c.heading_path) for c in made]


@pytest.mark.parametrize(
    "path",
    [*sorted((CATALOG / "decks").glob("*.pptx")), CATALOG / "roi/business-case-template.docx"],
    ids=lambda path: path.name,
)
def test_no_passage_of_the_sample_decks_shows_pipes_or_speaker_notes(path: Path) -> None:
    """Small chunks, so notes and tables are split across chunks as in a long deck."""
    chunks = _chunks(path)
    assert any("Speaker notes:" in c.text or " | " in c.text for c in chunks)  # there is work
    for index in range(len(chunks)):
        shown = passage(chunks, index, "Deck", None, None, 0.0)
        assert shown.text and " | " not in shown.text
        assert "Speaker notes" not in shown.text, (index, shown.text)
        for block in shown.blocks:
            assert " | " not in block.text and all(" | " not in c for r in block.rows for c in r)
