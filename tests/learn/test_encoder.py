"""Encoder fine-tuning data: pairs from labelled deals, batches without a question twice."""

from __future__ import annotations

import random

from enablement.learn.encoder import EncoderPair, encoder_pairs, question_batches
from enablement.learn.libraries import Library


def test_pairs_take_the_answering_passage_and_unjudged_negatives(
    libraries: list[Library],
) -> None:
    alpha = next(library for library in libraries if library.name == "alpha")
    pairs = encoder_pairs(alpha, hard_negatives=2)
    assert [pair.question for pair in pairs] == [
        "is our data encrypted at rest",
        "what does it cost per seat",
    ]
    # the passage as the index embeds it: the asset's title first
    assert pairs[0].positive.startswith("Alpha Security FAQ\n")
    assert "encrypted at rest" in pairs[0].positive
    for pair in pairs:  # a negative never comes from an asset the deal's labels name
        assert pair.negative is not None and pair.negative != pair.positive
    assert not pairs[0].negative.startswith("Alpha Security FAQ")  # type: ignore[union-attr]
    assert not pairs[1].negative.startswith("Alpha Pricing")  # type: ignore[union-attr]


def test_without_hard_negatives_pairs_have_none(libraries: list[Library]) -> None:
    pairs = [p for library in libraries for p in encoder_pairs(library, hard_negatives=0)]
    assert pairs and all(pair.negative is None for pair in pairs)
    # one pair per question with an asset graded 2 or more; C2 has no question
    assert len(pairs) == 5


def test_batches_keep_every_pair_and_never_repeat_a_question() -> None:
    pairs = [EncoderPair(f"q{i % 4}", f"p{i}") for i in range(20)]  # each question 5 times
    batches = question_batches(pairs, 3, random.Random(1))
    assert sorted(p.positive for b in batches for p in b) == sorted(p.positive for p in pairs)
    for batch in batches:
        assert 1 <= len(batch) <= 3
        assert len({pair.question for pair in batch}) == len(batch)
    assert question_batches(pairs, 3, random.Random(1)) == batches  # seeded, so repeatable
