"""The real model, loaded offline, and the recommender on the sample library."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from enablement.cli import cli
from enablement.embedding import SentenceTransformerEncoder, load_model_spec, verify_checksums
from enablement.errors import ConfigurationError
from enablement.index.bundle import IndexMissingError
from enablement.service import EnablementService
from enablement.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_real_model_loads_offline_and_embeds(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    spec = load_model_spec(None)
    verify_checksums(spec)
    encoder = SentenceTransformerEncoder(spec)
    assert encoder.dimension == 384
    vectors = encoder.encode_queries(
        [
            "Do you sign a HIPAA business associate agreement?",
            "Will you sign a BAA for patient data?",
            "What is the price per user?",
        ]
    )
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ENABLEMENT_MODEL_PATH"):
        load_model_spec(tmp_path / "no-model")


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    spec = load_model_spec(None)
    from dataclasses import replace

    with pytest.raises(ConfigurationError, match="checksum"):
        verify_checksums(replace(spec, sha256={"config.json": "0" * 64}))


def test_healthcare_deal_gets_the_healthcare_material(sample_service: EnablementService) -> None:
    result = sample_service.recommend(
        {
            "stage": "Needs Analysis",
            "vertical": "healthcare",
            "persona": "operations",
            "questions": ["how fast can you turn around prior auths? we're at 5 days"],
            "external_only": True,
            "as_of": "2026-11-25",
        }
    )
    ids = [item.asset.id for item in result.items]
    assert set(ids[:2]) <= {
        "datasheets-lumenfold-workflow-healthcare",
        "case-studies-meridian-health-partners",
        "decks-healthcare-overview",
        "solution-briefs-patient-intake-and-referrals",
    }
    top = result.items[0]
    assert top.passages and top.passages[0].question_index == 0
    assert any(r.code == "answers_question" for r in top.reasons)


def test_competitor_deal_gets_the_battlecard(sample_service: EnablementService) -> None:
    result = sample_service.recommend(
        {
            "stage": "evaluation",
            "competitor": "oxley",
            "persona": "executive",
            "questions": ["they say the big suite vendor can do all of this too"],
            "as_of": "2026-11-25",
        }
    )
    assert result.items[0].asset.id == "battlecards-oxley-platform"


def test_cli_recommend_search_and_eval(
    sample_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(sample_data_dir))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "recommend",
            "--stage",
            "Negotiation/Review",
            "--persona",
            "procurement_legal",
            "--question",
            "what's your liability cap?",
            "--external-only",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["deal"]["stage"] == "negotiation"
    assert body["items"][0]["asset_id"] == "faqs-contracting-and-msa-faq"
    assert all(item["reasons"] and item["summary"] for item in body["items"])

    text = runner.invoke(cli, ["search", "data residency in Frankfurt", "--type", "security doc"])
    assert text.exit_code == 0 and "security-data-residency-and-privacy" in text.stdout

    bad = runner.invoke(cli, ["recommend", "--stage", "signing"])
    assert bad.exit_code == 1
    assert bad.stderr.strip().startswith(
        "Error: Unknown stage 'signing'. Valid values: prospecting"
    )

    deals = REPO / "eval" / "deals.jsonl"
    evaluated = runner.invoke(cli, ["eval", "--queries", str(deals), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    overall = json.loads(evaluated.stdout)["overall"]
    assert overall["queries"] >= 150 and overall["violations"] == 0
    assert overall["ndcg@10"] >= 0.8


def test_index_is_current_until_the_catalog_changes(sample_data_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(sample_data_dir, copy)
    service = EnablementService(Settings(data_dir=copy))
    assert service.index_is_current()
    library = tmp_path / "extra-library"
    library.mkdir()
    (library / "note.md").write_text("# Note\n\nA new asset.\n")
    service.ingest(library)
    assert not service.index_is_current()
    service.close()


def test_no_bundle_tells_which_command_to_run(tmp_path: Path) -> None:
    service = EnablementService(Settings(data_dir=tmp_path))
    with pytest.raises(IndexMissingError, match=r"run `enablement ingest PATH` first"):
        service.recommend({"stage": "discovery"})


def test_int8_queries_stay_close_to_full_precision() -> None:
    spec = load_model_spec(None)
    full = SentenceTransformerEncoder(spec)
    fast = SentenceTransformerEncoder(spec, quantize_queries=True)
    texts = ["do you sign a BAA?", "what does it cost for 300 users", "where is our data stored"]
    similarity = np.sum(full.encode_queries(texts) * fast.encode_queries(texts), axis=1)
    assert np.all(similarity > 0.9)
    np.testing.assert_allclose(full.encode_passages(texts), fast.encode_passages(texts), rtol=1e-5)


def test_without_a_gpu_auto_encodes_on_the_cpu_exactly_as_before() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: auto would choose it")
    spec = load_model_spec(None)
    auto = SentenceTransformerEncoder(spec, device="auto", quantize_queries=True)
    assert (auto.device, auto.query_device, auto.batch_size) == ("cpu", "cpu", 64)
    plain = SentenceTransformerEncoder(spec, quantize_queries=True)
    texts = ["do you sign a BAA?", "what does it cost for 300 users"]
    np.testing.assert_array_equal(auto.encode_passages(texts), plain.encode_passages(texts))
    np.testing.assert_array_equal(auto.encode_queries(texts), plain.encode_queries(texts))


def test_the_shipped_ranker_serves_with_the_real_model(sample_service: EnablementService) -> None:
    scorer = sample_service.scorer
    assert scorer["scorer"].startswith("lambdarank:"), scorer["scorer_note"]
    result = sample_service.recommend(
        {"questions": ["is there a template for the recap email after a demo?"], "k": 5}
    )
    assert len(result.items) == 5
    assert all(item.reasons for item in result.items)
    scores = [item.score for item in result.items]
    assert scores[0] == max(scores)  # the shown score is the ranker's, best first


def test_unusable_questions_are_left_out_with_warnings(sample_service: EnablementService) -> None:
    deal = {
        "stage": "Needs Analysis",
        "vertical": "healthcare",
        "persona": "operations",
        "external_only": True,
        "as_of": "2026-11-25",
    }
    real = "how fast can you turn around prior auths? we're at 5 days"
    plain = sample_service.recommend({**deal, "questions": [real]})
    mixed = sample_service.recommend(
        {**deal, "questions": ["asdfgh qwerty zxcvb", real, "事前承認にはどのくらいかかりますか？"]}
    )
    assert [i.asset.id for i in mixed.items] == [i.asset.id for i in plain.items]
    assert mixed.deal.questions == (real,) and plain.warnings == ()
    assert [w.split(")")[1] for w in mixed.warnings] == [
        " looks like gibberish; ranked on the deal's fields and its other questions.",
        " looks like Japanese, and the library holds no Japanese material; ranked on the deal's"
        " fields and its other questions.",
    ]
    only = sample_service.recommend({"questions": ["qwertyuiop"], "as_of": "2026-11-25"})
    assert only.items and "looks like gibberish" in only.warnings[0]


def test_a_model_folder_of_your_own_keeps_its_own_dimension(tmp_path: Path) -> None:
    """ENABLEMENT_MODEL_PATH: the manifest's dimension, prefixes and checksums describe the
    packaged model, so another folder (here the packaged model with a 384 -> 128 projection
    added) serves with its own dimension."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense

    packaged = load_model_spec(None)
    model = SentenceTransformer(str(packaged.path), device="cpu", local_files_only=True)
    model.append(Dense(in_features=384, out_features=128))
    own = tmp_path / "own-model"
    model.save(str(own))
    spec = load_model_spec(own)
    assert (spec.name, spec.dimension, spec.sha256, spec.overlay) == ("own-model", 0, None, None)
    assert (spec.query_prefix, spec.passage_prefix) == ("", "")
    encoder = SentenceTransformerEncoder(spec)
    assert encoder.dimension == 128
    assert encoder.encode_queries(["where does our data live?"]).shape == (1, 128)


def test_the_shipped_answer_model_claims_only_what_answers(
    sample_service: EnablementService,
) -> None:
    assert sample_service.scorer["answers"].startswith("answers:")
    answered = sample_service.recommend(
        {"stage": "discovery", "vertical": "healthcare", "questions": ["do you sign a BAA?"]}
    )
    assert answered.questions[0]["answered"] is True
    top = answered.items[0]
    assert any(p.answers for p in top.passages)
    assert top.reasons[0].code == "answers_question"
    off = sample_service.recommend({"questions": ["what's the weather in Lisbon tomorrow?"]})
    assert off.questions[0]["answered"] is False
    assert not any(p.answers for item in off.items for p in item.passages)


def test_train_answers_counts_claims_per_off_topic_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.learn.tiny_libraries import write_libraries

    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    root = write_libraries(tmp_path / "libs")
    files = []
    for name, questions in (("one", ["best lasagna recipe?"]), ("two", ["who won the cup?"] * 2)):
        path = tmp_path / f"{name}.jsonl"
        lines = (json.dumps({"id": str(i), "question": q}) for i, q in enumerate(questions))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files += ["--off-topic", str(path)]
    out = tmp_path / "answers"
    result = CliRunner().invoke(
        cli,
        ["train-answers", "--libraries", str(root), "--out", str(out), "--json", *files],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    trained = json.loads(result.stdout)["trained"]
    assert set(trained["off_topic"]) == {files[1], files[3]}
    for file, count in ((files[1], 1), (files[3], 2)):
        per_library = trained["off_topic"][file]
        assert set(per_library) == {"alpha", "bravo", "charlie"}
        assert all(claims["questions"] == count for claims in per_library.values())
    assert set(trained["by_rank"]) == {"1", "2", "3"}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["model"]["ceilings"]) == {"unknown_meaning"}
