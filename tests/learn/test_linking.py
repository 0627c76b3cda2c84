"""Choosing the linking thresholds: the product a deal's labels mean, link quality, the split."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from enablement.catalog.build import BuildOptions
from enablement.db import connect
from enablement.index.build import IndexOptions
from enablement.index.cache import EmbeddingCache
from enablement.learn import linking as learn_linking
from enablement.learn.evaluate import LabelledDeal, baseline_configs
from enablement.learn.holdout import Tuned, format_holdout, leave_one_library_out
from enablement.learn.libraries import Library, build_library_bundle, library_source, load_deals
from enablement.learn.linking import (
    LinkCounts,
    LinkExamples,
    link_examples,
    linking_grid,
    meant_product,
    tune_linking,
)
from enablement.learn.tune import tune_on_libraries
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
from enablement.taxonomy import Taxonomy
from tests.fakes import HashingEncoder
from tests.recommend.product_library import PRODUCT_ASSETS

PRODUCTS = {
    "beacon-datasheet": ("beacon",),
    "gatekeeper-datasheet": ("gatekeeper",),
    "pricing": ("beacon", "gatekeeper", "ledger"),
    "security-faq": (),
}
# Per library: (deal id, questions, relevant); each library describes the products its own way.
DEALS = {
    "north": [
        ("N1", ["does the AI assistant answer employee questions in chat?"], {"beacon-story": 3}),
        ("N2", ["the add-on that shuts off leavers' access"], {"gatekeeper-guide": 3}),
        ("N3", ["is our data encrypted?"], {"security-faq": 3}),
        ("N4", ["the payroll piece", "and the chat assistant"], {"ledger-story": 3}),
    ],
    "south": [
        ("S1", ["can the payroll piece flag unusual pay?"], {"ledger-datasheet": 3}),
        ("S2", ["the offboarding tool's access reviews for auditors"], {"gatekeeper-guide": 2}),
        ("S3", ["can you send me a deck?"], {"pricing": 2}),
    ],
}


def labelled(relevant: dict[str, int]) -> LabelledDeal:
    return LabelledDeal("D", {"questions": ["q"]}, relevant)


@pytest.mark.parametrize(
    ("relevant", "meant"),
    [
        ({"beacon-datasheet": 3}, "beacon"),
        ({"beacon-datasheet": 3, "gatekeeper-datasheet": 1}, "beacon"),  # grade 1 does not count
        ({"beacon-datasheet": 2, "gatekeeper-datasheet": 2}, None),  # an even split means none
        ({"beacon-datasheet": 3, "pricing": 3}, "beacon"),  # 3 + 1 of 6: two thirds beacon
        ({"security-faq": 3}, None),
        ({}, None),
    ],
)
def test_the_product_a_deals_labels_mean(relevant: dict[str, int], meant: str | None) -> None:
    assert meant_product(labelled(relevant), PRODUCTS) == meant


def test_link_counts() -> None:
    counts = LinkCounts(right=3, wrong=1, missed=2) + LinkCounts(right=1)
    assert (counts.precision, counts.recall) == (0.8, pytest.approx(4 / 6))
    assert counts.f_beta == pytest.approx(1.25 * 0.8 * (4 / 6) / (0.25 * 0.8 + 4 / 6))
    assert LinkCounts().to_dict() == {"links": 0, "precision": 0.0, "recall": 0.0, "f0.5": 0.0}


@pytest.fixture(scope="module")
def product_libraries(
    tmp_path_factory: pytest.TempPathFactory, build_options: BuildOptions, taxonomy: Taxonomy
) -> list[Library]:
    root = tmp_path_factory.mktemp("product-libraries")
    encoder = HashingEncoder()
    cache = EmbeddingCache(connect(f"sqlite:///{root / 'cache.db'}"))
    out = []
    for name, deals in DEALS.items():
        folder = root / name
        (folder / "catalog").mkdir(parents=True)
        for file, text in PRODUCT_ASSETS.items():
            (folder / "catalog" / file).write_text(text)
        rows = [
            json.dumps({"id": i, "deal": {"questions": q, "as_of": "2026-06-01"}, "relevant": r})
            for i, q, r in deals
        ]
        (folder / "deals.jsonl").write_text("\n".join(rows) + "\n")
        source = library_source(folder)
        bundle = build_library_bundle(
            source, root / "work" / name, options=build_options, encoder=encoder, cache=cache,
            index_options=IndexOptions(),
        )  # fmt: skip
        recommender = Recommender(bundle, encoder, taxonomy, RecommenderConfig())
        out.append(Library(name, recommender, tuple(load_deals(source))))
    return out


def test_examples_are_the_one_question_deals(product_libraries: list[Library]) -> None:
    examples = link_examples(product_libraries[0])
    products = examples.linker.products
    assert len(examples.questions) == 3  # N4 asks two questions
    assert [products[i] if i >= 0 else None for i in examples.meant] == [
        "beacon",
        "gatekeeper",
        None,
    ]
    assert examples.vectors.shape == (3, 384)


def test_tuning_links_what_the_labels_mean_and_nothing_else(
    product_libraries: list[Library],
) -> None:
    config, choice = tune_linking(product_libraries, RecommenderConfig())
    assert config.linking in linking_grid() and config.linking.enabled
    assert choice["linking_links"]["precision"] == 1.0
    assert choice["linking_links"]["links"] == 4  # N1, N2, S1, S2; not N3 or S3
    assert set(choice["linking_ndcg@10"]) == {"on", "off"}


def test_the_held_out_library_never_reaches_the_choice(
    product_libraries: list[Library], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[set[str]] = []
    real = learn_linking.link_examples

    def spy(library: Library) -> LinkExamples:
        seen[-1].add(library.name)
        return real(library)

    def tuner(training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        seen.append(set())
        return tune_on_libraries(training, config)

    monkeypatch.setattr(learn_linking, "link_examples", spy)
    result = leave_one_library_out(product_libraries, config=RecommenderConfig(), tuner=tuner)
    assert seen == [{"south"}, {"north"}]
    north = result["held_out"]["north"]["choice"]
    assert north["linking"]["enabled"] and "linking_links" in north
    assert "linking dense_weight" in format_holdout(result)


def test_the_baselines_are_plain() -> None:
    for config in baseline_configs(RecommenderConfig()).values():
        assert not config.linking.enabled


def test_a_library_without_products_links_nothing(libraries: list[Library]) -> None:
    examples = link_examples(libraries[0])
    assert examples.linker.products == ()
    assert (examples.meant == -1).all()
    _, choice = tune_linking(libraries, RecommenderConfig())
    assert choice["linking_links"]["links"] == 0
