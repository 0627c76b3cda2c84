"""The evaluation harness on the small library and on a tiny BEIR-layout set."""

import json
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.db import connect
from enablement.errors import InvalidValueError
from enablement.index.build import IndexOptions
from enablement.index.cache import EmbeddingCache
from enablement.learn.beir import prepare_beir
from enablement.learn.evaluate import evaluate, evaluate_with_baselines, format_table, load_labelled
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.taxonomy import Taxonomy
from tests.fakes import HashingEncoder


def _deals(path: Path) -> Path:
    rows = [
        {
            "id": "q1",
            "tags": ["one_question"],
            "deal": {"questions": ["is data encrypted at rest"], "as_of": "2026-06-01"},
            "relevant": {"security-faq": 3},
        },
        {
            "id": "q2",
            "tags": ["no_questions"],
            "deal": {"stage": "proposal", "external_only": True, "as_of": "2026-06-01"},
            "relevant": {"pricing-public": 3, "pricing-internal": 1},
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def small(tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy) -> Recommender:
    from tests.index.library import build_small_library

    bundle, encoder = build_small_library(tmp_path / "lib", build_options)
    return Recommender(bundle, encoder, taxonomy, RecommenderConfig())


def test_evaluate_reports_overall_tags_and_baselines(small: Recommender, tmp_path: Path) -> None:
    deals = load_labelled(_deals(tmp_path / "deals.jsonl"))
    result = evaluate_with_baselines(small, deals, compare=True)
    assert set(result) == {"overall", "by_tag", "baselines"}
    overall = result["overall"]
    assert set(overall) == {"ndcg@5", "ndcg@10", "recall@10", "mrr", "violations", "queries"}
    assert overall["queries"] == 2 and overall["violations"] == 0
    assert overall["mrr"] == 1.0
    assert set(result["baselines"]) == {"bm25_only", "dense_only", "no_metadata"}
    assert result["by_tag"]["no_questions"]["queries"] == 1
    assert set(result["by_tag"]["no_questions"]) == set(overall)
    assert "overall" in format_table(result)


def test_violations_are_counted(small: Recommender, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "v",
                "deal": {"questions": ["pricing"], "as_of": "2026-06-01"},
                "relevant": {"pricing-public": 1},
            }
        )
        + "\n"
    )
    deals = load_labelled(path)
    original = small.recommend

    def leaky(deal):  # type: ignore[no-untyped-def]
        result = original(deal)
        expired = next(a for a in small.bundle.assets if a.id == "pricing-old")
        from dataclasses import replace

        return replace(result, items=[replace(result.items[0], asset=expired), *result.items[1:]])

    small.recommend = leaky  # type: ignore[method-assign]
    assert evaluate(small, deals)["overall"]["violations"] == 1


def test_malformed_labelled_line_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "deal": {}, "relevant": {}}\n{"id": "y"}\n')
    with pytest.raises(InvalidValueError, match=r"bad.jsonl:2"):
        load_labelled(path)


def test_beir_layout_is_ingested_and_scored(
    tmp_path: Path, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    beir = tmp_path / "beir"
    (beir / "qrels").mkdir(parents=True)
    docs = {
        "D-1": "Aspirin reduces the risk of heart attack.",
        "D-2": "Vitamin C and colds.",
        "D-3": "Exercise improves sleep quality in adults.",
    }
    (beir / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": k, "title": "", "text": v}) + "\n" for k, v in docs.items())
    )
    (beir / "queries.jsonl").write_text(
        json.dumps({"_id": "1", "text": "does aspirin prevent heart attack"})
        + "\n"
        + json.dumps({"_id": "2", "text": "sleep and exercise"})
        + "\n"
        + json.dumps({"_id": "3", "text": "unjudged"})
        + "\n"
    )
    (beir / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n1\tD-1\t1\n2\tD-3\t1\n")
    engine = connect(f"sqlite:///{tmp_path / 'cache.db'}")
    bundle, deals = prepare_beir(
        beir,
        tmp_path,
        options=build_options,
        encoder=HashingEncoder(),
        cache=EmbeddingCache(engine),
        index_options=IndexOptions(),
    )
    assert [d.id for d in deals] == ["1", "2"]
    assert deals[0].relevant == {"d-1": 1}
    result = evaluate(Recommender(bundle, HashingEncoder(), taxonomy, RecommenderConfig()), deals)
    assert result["overall"]["mrr"] == 1.0
    engine.dispose()
