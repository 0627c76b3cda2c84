"""The tag model on small libraries whose truth is planted: words and vectors that say a value
are learned, suggestions are made only for missing fields and only for taxonomy values, and the
reasons name the words and the nearest tagged assets."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from enablement.tagging.document import TagDocument
from enablement.tagging.evaluate import TagLibrary, evaluate_tags, hidden, library_figures
from enablement.tagging.model import Features, TagModel, TagOptions
from enablement.tagging.suggest import DEFAULT_MIN_CONFIDENCE, suggest
from enablement.taxonomy import Taxonomy

TOPICS = {  # type, stage, vertical, persona -> words that give it away
    (
        "case_study",
        "evaluation",
        "healthcare",
        "executive",
    ): "hospital patients clinic outcome story",
    (
        "datasheet",
        "discovery",
        "manufacturing",
        "operations",
    ): "factory plant specs throughput line",
    ("security_doc", "proposal", "financial_services", "it_security"): "bank encryption audit soc2",
}


def library(name: str, size: int, seed: int) -> list[TagDocument]:
    """`size` assets per topic, each with its topic's words among filler and a vector near its
    topic's direction."""
    rng = random.Random(seed)
    filler = ["platform", "team", "value", "customers", "rollout", "weeks", "quarter"]
    directions = {topic: np.asarray([rng.gauss(0, 1) for _ in range(16)]) for topic in TOPICS}
    out = []
    for (kind, stage, vertical, persona), words in TOPICS.items():
        for n in range(size):
            text = " ".join(rng.sample(words.split(), 3) + rng.sample(filler, 4))
            vector = directions[(kind, stage, vertical, persona)] + np.asarray(
                [rng.gauss(0, 0.3) for _ in range(16)]
            )
            tags = {"type": (kind,), "stages": (stage,), "verticals": (vertical,),
                    "personas": (persona,)}  # fmt: skip
            out.append(
                TagDocument(f"{name}-{kind}-{n}", f"Asset {n}", f"docs/{n}.md", text,
                            vector.astype(np.float32), tags, content_hash=f"h{n}")
            )  # fmt: skip
    return out


def test_missing_fields_get_the_planted_values_with_reasons(taxonomy: Taxonomy) -> None:
    docs = library("a", 8, seed=1)
    lacking = replace(docs[0], tags={"type": docs[0].tags["type"]})  # keeps its type only
    made = suggest([lacking, *docs[1:]], [], taxonomy)
    assert {s.asset_id for s in made} == {lacking.id}
    assert "type" not in {s.field for s in made}  # never for a field the asset has
    best = {s.field: s for s in sorted(made, key=lambda s: s.confidence)}  # highest last
    assert (best["stages"].value, best["verticals"].value, best["personas"].value) == (
        "evaluation",
        "healthcare",
        "executive",
    )
    assert all(0.0 <= s.confidence <= 1.0 and s.content_hash == "h0" for s in made)
    why = best["verticals"].why
    assert set(why.words) <= set(TOPICS[next(iter(TOPICS))].split()) and why.words
    assert why.neighbours and all(n.asset_id.startswith("a-case_study") for n in why.neighbours)
    assert len({s.id for s in made}) == len(made)


def test_values_outside_the_taxonomy_are_never_proposed(taxonomy: Taxonomy) -> None:
    docs = library("a", 8, seed=2)
    odd = [replace(d, tags={**d.tags, "personas": ("astronaut",)}) for d in docs[8:16]]
    lacking = replace(docs[8], tags={})
    made = suggest([lacking, *docs[:8], *odd[1:], *docs[16:]], [], taxonomy)
    assert made and "astronaut" not in {s.value for s in made}


def test_a_reference_library_teaches_a_library_with_few_tags(taxonomy: Taxonomy) -> None:
    reference = library("ref", 8, seed=3)
    untagged = [replace(d, tags={}) for d in library("new", 2, seed=3)]
    made = suggest(untagged, reference, taxonomy)
    types = {s.asset_id: s.value for s in made if s.field == "type"}
    assert types == {d.id: d.id.split("-")[1] for d in untagged}  # from the reference alone
    alone = suggest(untagged, [], taxonomy)
    assert alone == []  # nothing tagged to learn from: nothing proposed


def test_hiding_is_stable_and_evaluation_finds_the_planted_truth(taxonomy: Taxonomy) -> None:
    docs = library("a", 10, seed=4)
    assert [hidden(d, 0.3, 0) for d in docs] == [hidden(d, 0.3, 0) for d in docs]
    assert 0.1 < sum(hidden(d, 0.3, 0) for d in docs) / len(docs) < 0.5
    found = evaluate_tags(
        [TagLibrary("a", docs, taxonomy), TagLibrary("b", library("b", 10, seed=5), taxonomy)]
    )
    figures = found["libraries"]["a"]
    assert figures["type"]["accuracy"] == 1.0 and figures["type"]["coverage"] > 0.5
    assert figures["stages"]["macro_f1"] == pytest.approx(1.0)
    assert sum(band["suggested"] for band in found["calibration"]) > 0


def test_each_field_is_fitted_at_its_own_c(taxonomy: Taxonomy) -> None:
    docs = library("a", 8, seed=7)
    asked = replace(docs[0], id="asked", tags={})

    def surest(options: TagOptions) -> dict[str, float]:
        made = suggest([asked, *docs[1:]], [], taxonomy, options=options, floor=0.0)
        return {field: max(s.confidence for s in made if s.field == field)
                for field in ("type", "stages", "verticals", "personas")}  # fmt: skip

    default = surest(TagOptions())
    damped = surest(TagOptions(c_stages=1e-4))  # the stage models alone barely learn
    assert damped["stages"] < default["stages"] - 0.2, (damped, default)
    for field in ("type", "verticals", "personas"):
        assert damped[field] == pytest.approx(default[field], abs=1e-6)


def test_a_vertical_for_an_asset_meant_for_every_industry_costs_the_with_none_figure() -> None:
    def asset(name: str, verticals: tuple[str, ...]) -> TagDocument:
        return TagDocument(name, name, "", "", np.zeros(4, np.float32), {"verticals": verticals})

    truth = {(0, "hit"): asset("hit", ("healthcare",)), (0, "alarm"): asset("alarm", ()),
             (0, "quiet"): asset("quiet", ())}  # fmt: skip
    proposed = {((0, "hit"), "verticals"): {"healthcare"},
                ((0, "alarm"), "verticals"): {"healthcare"}}  # fmt: skip
    figures = library_figures(truth, proposed)["verticals"]
    assert figures["strict_macro_f1"] == 1.0  # the tagged asset alone: right
    assert figures["false_alarms"] == 1 and figures["untagged_hidden"] == 2
    # healthcare: 1 right, 1 false alarm; none: 1 right ("quiet"), 1 missed ("alarm")
    assert figures["strict_macro_f1_with_none"] == pytest.approx(2 / 3, abs=1e-4)


def test_a_model_with_nothing_to_learn_scores_nothing() -> None:
    model = TagModel().fit([])
    assert (
        model.score(Features(csr_matrix((2, 3)), np.zeros((2, 4), np.float32)), "type").values == []
    )


def named_library(size: int, seed: int) -> list[TagDocument]:
    """Two types told apart by their titles alone ("Quick Facts", "Corporate Overview"), each
    asset's body a long run of words both types share and its vector noise."""
    rng = random.Random(seed)
    shared = [f"word{i}" for i in range(3000)]
    out = []
    for kind, name in (("datasheet", "Quick Facts"), ("deck", "Corporate Overview")):
        for n in range(size):
            out.append(TagDocument(
                f"{kind}-{n}", f"Product{rng.randrange(10**6)} {name}", f"files/{kind}-{n}.md",
                " ".join(rng.choices(shared, k=600)),
                np.asarray([rng.gauss(0, 1) for _ in range(16)], np.float32), {"type": (kind,)},
            ))  # fmt: skip
    return out


def test_a_name_carries_its_value_through_a_long_text(taxonomy: Taxonomy) -> None:
    docs = named_library(12, seed=6)
    asked = [replace(d, id=f"asked-{d.id}", title=f"Gadget {d.title.split(' ', 1)[1]}",
                     tags={}) for d in (docs[0], docs[12])]  # fmt: skip

    def confidence(options: TagOptions) -> dict[str, tuple[str, float]]:
        made = suggest(asked, docs, taxonomy, options=options)
        return {s.asset_id: (s.value, s.confidence) for s in made if s.field == "type"}

    named = confidence(TagOptions())
    assert {key: value for key, (value, _) in named.items()} == {
        "asked-datasheet-0": "datasheet", "asked-deck-0": "deck",
    }  # fmt: skip
    unnamed = confidence(TagOptions(title_weight=0.0))
    for key, (_, sure) in named.items():  # the name's own block makes it surer
        assert sure >= DEFAULT_MIN_CONFIDENCE
        assert _log_odds(sure) > _log_odds(unnamed[key][1]) + 0.5, (sure, unnamed)


def _log_odds(p: float) -> float:
    return math.log(p / (1 - p))


def test_draws_are_pooled(taxonomy: Taxonomy) -> None:
    docs = library("a", 10, seed=4)
    libraries = [
        TagLibrary("a", docs, taxonomy),
        TagLibrary("b", library("b", 10, seed=5), taxonomy),
    ]
    found = evaluate_tags(libraries, seeds=(0, 1, 2))
    assert found["seeds"] == [0, 1, 2]
    hidden_per_draw = [sum(hidden(d, 0.3, seed) for d in docs) for seed in (0, 1, 2)]
    assert found["libraries"]["a"]["hidden_assets"] == sum(hidden_per_draw)
    assert found["libraries"]["a"]["type"]["hidden"] == sum(hidden_per_draw)


def test_a_library_with_no_shared_word_is_scored_on_its_vectors() -> None:
    """No word is in two documents, so neither word block has a term: the vectors carry it."""
    north, south = np.eye(4, dtype=np.float32)[0], np.eye(4, dtype=np.float32)[1]
    docs = [
        TagDocument(f"{kind}-{n}", f"T{kind}{n}", "", f"w{kind}{n}", vector, {"type": (kind,)})
        for kind, vector in (("faq", north), ("deck", south))
        for n in range(3)
    ]
    model = TagModel().fit(docs)
    asked = TagDocument("asked", "Tasked", "", "wasked", north + 0.1 * south, {})
    scores = model.score(model.features([asked]), "type")
    chances = dict(zip(scores.values, scores.probabilities[0], strict=True))
    assert chances["faq"] > chances["deck"]
