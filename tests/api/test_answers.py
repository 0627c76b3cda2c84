"""The answer model over the API: the claims in a recommendation, and what /readyz says of it."""

from __future__ import annotations

from pathlib import Path

from enablement.catalog.build import BuildOptions
from enablement.recommend.answers import save_answers
from tests.api.conftest import make_env
from tests.fakes import relevance_answers

DEAL = {"deal_id": "d-1", "stage": "evaluation", "k": 3}


def test_each_question_says_whether_it_was_answered(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    folder = tmp_path / "answers"
    save_answers(relevance_answers(gates=(0.2, 0.6)), folder)
    env = make_env(tmp_path, build_options, answers_path=folder)
    try:
        ready = env.client.get("/readyz").json()
        assert ready["answers"].startswith("answers:") and str(folder) in ready["answers_note"]
        questions = ["is our data encrypted at rest?", "who won the 1966 world cup?"]
        body = env.client.post(
            "/v1/recommendations", json={**DEAL, "questions": questions},
            headers=env.auth("rep"),
        ).json()  # fmt: skip
        answered = {q["question"]: q["answered"] for q in body["questions"]}
        assert answered == {questions[0]: True, questions[1]: False}
        passages = [p for item in body["items"] for p in item["passages"]]
        assert any(p["answers"] and p["answer_score"] >= 0.5 for p in passages)
        assert all(not p["answers"] for p in passages if p["question"] == questions[1])
    finally:
        env.client.close()
        env.service.close()


def test_a_missing_model_claims_nothing_and_readyz_says_why(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    env = make_env(tmp_path, build_options, answers_path=tmp_path / "nowhere")
    try:
        ready = env.client.get("/readyz").json()
        assert ready["answers"] == "off" and "nowhere" in ready["answers_note"]
        body = env.client.post(
            "/v1/recommendations", json={**DEAL, "questions": ["is our data encrypted?"]},
            headers=env.auth("rep"),
        ).json()  # fmt: skip
        assert body["questions"] == [
            {
                "question": "is our data encrypted?",
                "question_index": 0,
                "answered": None,
                "answer_score": None,
            }
        ]
        assert not any(p["answers"] for item in body["items"] for p in item["passages"])
    finally:
        env.client.close()
        env.service.close()
