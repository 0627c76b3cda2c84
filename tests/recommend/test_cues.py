"""Stage and persona cues in buyer questions: the cues themselves and the fits they imply."""

import numpy as np
import pytest

from enablement.index.bundle import AssetRecord
from enablement.recommend.context import Deal
from enablement.recommend.cues import PERSONA_CUES, STAGE_CUES, CueModel, CueReader
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy


@pytest.mark.parametrize(
    ("question", "stage"),
    [
        ("we've been live a year and want to add another site", "closed_won"),
        ("adding another site next quarter, what changes?", "closed_won"),
        ("legal sent redlines on the MSA, mostly the indemnity clause", "negotiation"),
        ("can we pilot it with one team first?", "evaluation"),
        ("what does it cost for 200 users?", "proposal"),
    ],
)
def test_stage_cues(taxonomy: Taxonomy, question: str, stage: str) -> None:
    model = CueModel.build(taxonomy.stages.ids, STAGE_CUES)
    p = model.probabilities([question])
    assert p is not None and model.ids[int(np.argmax(p))] == stage
    assert p.sum() == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("question", "persona"),
    [
        ("our CFO wants the payback period", "finance"),
        ("the board will ask about this next month", "executive"),
        ("our CISO needs the pen test summary", "it_security"),
        ("counsel is reviewing the DPA", "procurement_legal"),
    ],
)
def test_persona_cues(taxonomy: Taxonomy, question: str, persona: str) -> None:
    model = CueModel.build(taxonomy.personas.ids, PERSONA_CUES)
    p = model.probabilities([question])
    assert p is not None and model.ids[int(np.argmax(p))] == persona


def test_no_cue_says_nothing_and_votes_are_spread(taxonomy: Taxonomy) -> None:
    model = CueModel.build(taxonomy.stages.ids, STAGE_CUES)
    assert model.probabilities(["how long does the battery last?"]) is None
    assert model.probabilities([]) is None
    p = model.probabilities(["can we pilot it?", "what does it cost?", "how is data stored?"])
    assert p is not None
    assert dict(zip(model.ids, p.tolist(), strict=True)) == {
        "prospecting": 0.0, "discovery": 0.0, "evaluation": 0.5, "proposal": 0.5,
        "negotiation": 0.0, "closed_won": 0.0,
    }  # fmt: skip


def test_a_taxonomy_without_the_id_drops_its_cue() -> None:
    model = CueModel.build(["evaluation", "signed"], STAGE_CUES)
    assert model.probabilities(["redlines on the MSA"]) is None  # negotiation is not in it
    p = model.probabilities(["can we pilot it?"])
    assert p is not None and p.tolist() == [1.0, 0.0]


def table() -> AssetTable:
    return AssetTable(
        [
            AssetRecord("pricing", "Pricing", stages=("proposal",), personas=("finance",)),
            AssetRecord("contract", "Contract FAQ", stages=("negotiation",)),
            AssetRecord("intro", "Intro deck", stages=("prospecting",), personas=("executive",)),
            AssetRecord("blank", "No metadata"),
        ]
    )


def test_reader_gives_expected_fits_for_empty_fields_only(taxonomy: Taxonomy) -> None:
    reader = CueReader(table(), taxonomy)
    cues = reader.read(Deal(questions=("our CFO asks what it would cost",)))
    assert cues is not None
    assert cues.stage.tolist() == [1.0, 0.0, -1.0, 0.0]  # proposal; negotiation is a neighbour
    assert cues.persona.tolist() == [1.0, 0.0, -0.5, 0.0]
    assert (cues.stage_id, cues.persona_id) == ("proposal", "finance")
    stated = reader.read(Deal(stage="negotiation", questions=("our CFO asks what it would cost",)))
    assert stated is not None and stated.stage_probabilities is None
    assert stated.stage.tolist() == [0.0] * 4 and stated.stage_id is None
    assert stated.persona_id == "finance"
    both = Deal(stage="proposal", persona="finance", questions=("what would it cost?",))
    assert reader.read(both) is None
    assert reader.read(Deal(questions=("how is data stored?",))) is None
    assert reader.read(Deal()) is None


def test_cues_name_no_library_content() -> None:
    # Generic sales wording only: no sample-library product, customer or competitor.
    names = ("lumen", "workflow", "guard", "connect", "insights", "corvane", "flowsure",
             "tessaline", "meridian", "crestline", "brightwell", "oxley")  # fmt: skip
    text = " ".join([*STAGE_CUES.values(), *PERSONA_CUES.values()]).lower()
    assert not [name for name in names if name in text]
