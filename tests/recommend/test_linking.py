"""Product linking: a question that describes a product links to it; a generic one to nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from enablement.index.bundle import AssetRecord, Bundle, BundleMeta, ChunkRecord
from enablement.index.dense import ExactIndex
from enablement.index.lexical import LexicalIndex
from enablement.recommend.linking import LinkingConfig, ProductLinker
from enablement.recommend.pipeline import Recommender
from tests.fakes import HashingEncoder

DESCRIBED = [
    ("does the AI assistant that answers employee questions work in chat?", "beacon"),
    ("how fast does the add-on that handles leavers' access shut accounts off?", "gatekeeper"),
    ("can the payroll piece flag unusual pay before it goes out?", "ledger"),
    ("the offboarding tool - can it export evidence for auditors?", "gatekeeper"),
]
GENERIC = [
    "how much does it cost per month?",
    "is our data encrypted?",
    "can you send me a deck?",
    "do you have a case study?",
]


def link(recommender: Recommender, *questions: str, **config: float) -> dict[str, float]:
    linker = ProductLinker.from_bundle(recommender.bundle)
    vectors = recommender.encoder.encode_queries(list(questions))
    return linker.link(questions, vectors, replace(LinkingConfig(), **config))


def in_memory_bundle(assets: list[AssetRecord], texts: list[str]) -> Bundle:
    """A bundle of one passage per asset, embedded with the fake encoder."""
    encoder = HashingEncoder()
    vectors = encoder.encode_passages(texts) if texts else np.zeros((0, 384), np.float32)
    meta = BundleMeta("v0", encoder.name, 384, 0, "", len(assets), len(texts), "flat")
    chunks = [ChunkRecord(asset=row, text=text) for row, text in enumerate(texts)]
    chunk_asset = np.arange(len(texts), dtype=np.int32)
    lexical = LexicalIndex.build(texts or ["empty"])
    return Bundle(Path(), meta, assets, chunks, chunk_asset, vectors, ExactIndex(vectors), lexical)


def test_products_are_whatever_the_assets_declare(product_recommender: Recommender) -> None:
    linker = ProductLinker.from_bundle(product_recommender.bundle)
    assert linker.products == ("beacon", "gatekeeper", "ledger")
    assert linker.centroids.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(linker.centroids, axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(("question", "product"), DESCRIBED)
def test_a_question_describing_a_product_links_to_it(
    product_recommender: Recommender, question: str, product: str
) -> None:
    links = link(product_recommender, question)
    assert list(links) == [product]
    assert 0 < links[product] <= 1


@pytest.mark.parametrize("question", GENERIC)
def test_a_generic_question_links_nothing(product_recommender: Recommender, question: str) -> None:
    assert link(product_recommender, question) == {}


def test_the_floor_and_the_margin_each_stop_a_link(product_recommender: Recommender) -> None:
    question = DESCRIBED[0][0]
    vector = product_recommender.encoder.encode_queries([question])
    linker = ProductLinker.from_bundle(product_recommender.bundle)
    _, top, lead = linker.winners([question], vector, dense_weight=0.5)
    assert link(product_recommender, question, floor=float(top[0]) + 0.01) == {}
    assert link(product_recommender, question, margin=float(lead[0]) + 0.01) == {}
    # a lead of twice the margin or more scores 1; less, in proportion
    half = link(product_recommender, question, margin=float(lead[0]) * 0.8)
    assert half["beacon"] == pytest.approx(1 / 1.6, abs=1e-3)
    assert link(product_recommender, question, margin=float(lead[0]) / 2) == {"beacon": 1.0}


def test_each_question_links_its_own_product(product_recommender: Recommender) -> None:
    questions = [question for question, _ in DESCRIBED[:3]] + GENERIC[:1]
    assert set(link(product_recommender, *questions)) == {"beacon", "gatekeeper", "ledger"}


def test_nothing_to_link_in_an_empty_bundle() -> None:
    linker = ProductLinker.from_bundle(in_memory_bundle([], []))
    assert linker.products == ()
    vectors = HashingEncoder().encode_queries(["the AI assistant"])
    assert linker.link(["the AI assistant"], vectors, LinkingConfig()) == {}
    assert linker.scores(["the AI assistant"], vectors, dense_weight=0.5).shape == (1, 0)


def test_nothing_to_link_when_no_asset_declares_a_product(recommender: Recommender) -> None:
    linker = ProductLinker.from_bundle(recommender.bundle)
    assert linker.products == ()
    question = "how does workflow handle approvals?"
    vectors = recommender.encoder.encode_queries([question])
    assert linker.link([question], vectors, LinkingConfig()) == {}


def test_one_product_links_on_the_floor_alone() -> None:
    text = "Beacon is the AI assistant that answers employee questions in chat."
    bundle = in_memory_bundle([AssetRecord(id="a", title="Beacon", products=("beacon",))], [text])
    linker = ProductLinker.from_bundle(bundle)
    encoder = HashingEncoder()
    close, far = "an AI assistant for employee questions", "encrypted at rest"
    vectors = encoder.encode_queries([close, far])
    assert linker.link([close], vectors[:1], LinkingConfig()) == {"beacon": 1.0}
    assert linker.link([far], vectors[1:], LinkingConfig()) == {}


def test_an_asset_of_several_products_describes_each_alike(
    product_recommender: Recommender,
) -> None:
    # "billed yearly" is only in the pricing overview, which all three products declare: it
    # describes none more than the others, so it links nothing.
    assert link(product_recommender, "billed yearly") == {}
