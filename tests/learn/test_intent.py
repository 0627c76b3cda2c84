"""Training the type-intent model: soft targets, a tiny fit that ranks types, the split guard."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from enablement.learn import intent as learn_intent
from enablement.learn.holdout import Tuned, leave_one_library_out
from enablement.learn.intent import IntentExamples, fit_intent, intent_examples
from enablement.learn.libraries import Library
from enablement.learn.tune import tune_on_libraries
from enablement.recommend.config import RecommenderConfig
from tests.fakes import HashingEncoder
from tests.learn.tiny_libraries import DEALS

# Questions in the styles of the three libraries' buyers, each asking for a kind of asset.
TINY = [
    ("is there a template for the follow-up email after discovery?", "email_template"),
    ("do you have an email template we can send the CFO?", "email_template"),
    ("any outreach email I can reuse for the security add-on", "email_template"),
    ("has a hospital like ours rolled the pumps out?", "case_study"),
    ("customers like us who moved off spreadsheets?", "case_study"),
    ("any reference from a bank our size", "case_study"),
    ("what training is there for our admins?", "implementation_guide"),
    ("how long does onboarding take and who sets it up", "implementation_guide"),
    ("what does it cost per seat per month", "pricing_guide"),
    ("need your pricing for 500 users", "pricing_guide"),
    ("how do you compare to Oxley", "battlecard"),
    ("why would we pick you versus the incumbent", "battlecard"),
]


def tiny_examples(encoder: HashingEncoder) -> IntentExamples:
    classes = tuple(sorted({kind for _, kind in TINY}))
    targets = np.zeros((len(TINY), len(classes)), dtype=np.float32)
    for row, (_, kind) in enumerate(TINY):
        targets[row, classes.index(kind)] = 1.0
    questions = [question for question, _ in TINY]
    groups = ["a", "b"] * (len(TINY) // 2)
    vectors = encoder.encode_queries(questions)
    ids = [str(i) for i in range(len(TINY))]
    return IntentExamples(questions, vectors, targets, groups, ids, classes)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("is there a template for the recap email?", "email_template"),
        ("has anyone like us done this?", "case_study"),
        ("what training is there?", "implementation_guide"),
        ("how much is it per user?", "pricing_guide"),
    ],
)
def test_a_tiny_fit_ranks_the_asked_type_first(question: str, expected: str) -> None:
    encoder = HashingEncoder()
    model, chosen = fit_intent(tiny_examples(encoder), encoder=encoder.name)
    p = model.probabilities(encoder.encode_queries([question]), [question])[0]
    assert model.classes[int(np.argmax(p))] == expected
    assert p.sum() == pytest.approx(1.0, abs=1e-5)
    assert chosen["C"] in learn_intent.REGULARISATION
    assert chosen["temperature"] in learn_intent.TEMPERATURES


def test_fit_needs_two_types() -> None:
    encoder = HashingEncoder()
    examples = tiny_examples(encoder)
    one = IntentExamples(
        examples.questions, examples.vectors, examples.targets[:, :1] * 0 + 1,
        examples.groups, examples.deal_ids, examples.classes[:1],
    )  # fmt: skip
    with pytest.raises(ValueError, match="two asset types"):
        fit_intent(one, encoder=encoder.name)


def test_examples_are_soft_grade_weighted_types_of_grade_2_and_up(
    libraries: list[Library],
) -> None:
    examples = intent_examples(libraries)
    # C2 has no question; every other deal gives one row per question.
    assert sorted(examples.deal_ids) == ["A1", "A2", "B1", "B2", "C1"]
    assert examples.vectors.shape == (5, 384)
    row = examples.deal_ids.index("A1")  # alpha-security (faq) grade 3
    assert examples.targets[row, examples.classes.index("faq")] == pytest.approx(1.0)
    np.testing.assert_allclose(examples.targets.sum(axis=1), 1.0, rtol=1e-6)


def test_examples_ignore_grade_1(
    libraries: list[Library],
) -> None:
    alpha = libraries[0]
    deal = alpha.deals[0]
    weak = type(deal)(deal.id, deal.deal, {"alpha-pricing": 1, "alpha-security": 2})
    examples = intent_examples([Library(alpha.name, alpha.recommender, (weak,))])
    assert examples.classes == ("faq",)


def test_intent_training_never_sees_a_held_out_deal(
    libraries: list[Library],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, set[str]]] = []
    held_out = {"now": ""}
    real = learn_intent.intent_examples

    def spy(training: Sequence[Library]) -> IntentExamples:
        examples = real(training)
        seen.append((held_out["now"], set(examples.deal_ids)))
        return examples

    def tuner(training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        held_out["now"] = ({lib.name for lib in libraries} - {lib.name for lib in training}).pop()
        return tune_on_libraries(training, config)

    monkeypatch.setattr(learn_intent, "intent_examples", spy)
    result = leave_one_library_out(libraries, config=RecommenderConfig(), tuner=tuner)
    assert {name for name, _ in seen} == {"alpha", "bravo", "charlie"}
    for name, deal_ids in seen:
        assert deal_ids.isdisjoint(deal[0] for deal in DEALS[name])
    # the final model of each fold saw every training deal with a question and a grade >= 2
    finals = {name: ids for name, ids in seen if len(ids) >= 3}
    assert finals["alpha"] == {"B1", "B2", "C1"}
    assert result["held_out"]["alpha"]["choice"]["type_intent"] in learn_intent.WEIGHTS


def test_tuning_needs_two_training_libraries(
    libraries: list[Library],
) -> None:
    config, choice = learn_intent.tune_type_intent(libraries[:1], RecommenderConfig())
    assert config.intent is None and choice["type_intent"] == 0.0
