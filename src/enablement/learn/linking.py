"""Choosing when a buyer's question links to a product (recommend.linking), on labelled libraries.

The evidence mix, floor and margin are chosen on the given libraries only (under
leave-one-library-out, the training ones) by link quality: F0.5 (precision counts more than
recall) of the links made for one-question deals, against the product their labels point to.
A deal points to a product when that product holds TRUTH_SHARE of the grade-weighted product
mass of its grade >= MIN_GRADE assets (an asset with n products gives each 1/n); otherwise to
none, and any link made for it is a wrong one.

Not by nDCG: measured on the three evaluation libraries, it moves by less than 0.002 across the
whole grid (the product weight is small, and retrieval mostly finds the product's assets
anyway), so it would pick thresholds, or switch the feature off, by noise. The training
libraries' nDCG@10 with and without linking is reported next to the choice, for information.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.learn.evaluate import LabelledDeal, evaluate
from enablement.learn.holdout import Tuned
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.linking import LinkingConfig, ProductLinker, clear_winners
from enablement.recommend.pipeline import Recommender

Floats = npt.NDArray[np.float32]
MIN_GRADE = 2
TRUTH_SHARE = 0.6
BETA = 0.5
DENSE_WEIGHTS = (0.25, 0.5, 0.75)
FLOORS = (0.1, 0.15, 0.2, 0.25, 0.3)
MARGINS = (0.02, 0.04, 0.06, 0.08, 0.1, 0.15)


@dataclass(frozen=True)
class LinkCounts:
    """Links made for questions: right, wrong (another product, or none was meant), and the
    questions whose product was meant but not linked."""

    right: int = 0
    wrong: int = 0
    missed: int = 0

    def __add__(self, other: LinkCounts) -> LinkCounts:
        return LinkCounts(
            self.right + other.right, self.wrong + other.wrong, self.missed + other.missed
        )

    @property
    def precision(self) -> float:
        made = self.right + self.wrong
        return self.right / made if made else 0.0

    @property
    def recall(self) -> float:
        meant = self.right + self.missed
        return self.right / meant if meant else 0.0

    @property
    def f_beta(self) -> float:
        p, r = self.precision, self.recall
        return (1 + BETA**2) * p * r / (BETA**2 * p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "links": self.right + self.wrong,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f0.5": round(self.f_beta, 4),
        }


@dataclass(frozen=True)
class LinkExamples:
    """One library's one-question deals: the question, its vector, and the product meant."""

    linker: ProductLinker
    questions: list[str]
    vectors: Floats
    meant: npt.NDArray[np.int64]  # index into linker.products; -1 where no product is meant


def link_examples(library: Library) -> LinkExamples:
    """The one-question deals of `library`, with the product their labels point to."""
    bundle = library.recommender.bundle
    linker = ProductLinker.from_bundle(bundle)
    products = {asset.id: asset.products for asset in bundle.assets}
    index = {product: column for column, product in enumerate(linker.products)}
    questions: list[str] = []
    meant: list[int] = []
    for labelled in library.deals:
        asked = [q for q in labelled.deal.get("questions") or () if isinstance(q, str)]
        asked = [" ".join(q.split()) for q in asked if q.strip()]  # as resolve_deal does
        if len(asked) == 1:
            questions.append(asked[0])
            product = meant_product(labelled, products)
            meant.append(index.get(product, -1) if product else -1)
    encoder = library.recommender.encoder
    # a deal at a time, as the recommender encodes them (see learn.intent._vectors)
    vectors = np.zeros((len(questions), encoder.dimension), dtype=np.float32)
    for row, question in enumerate(questions):
        vectors[row] = encoder.encode_queries([question])[0]
    return LinkExamples(linker, questions, vectors, np.array(meant, dtype=np.int64))


def meant_product(labelled: LabelledDeal, products: dict[str, tuple[str, ...]]) -> str | None:
    """The product holding TRUTH_SHARE of the deal's well-graded product mass, if one does."""
    mass: dict[str, float] = defaultdict(float)
    for asset_id, grade in labelled.relevant.items():
        declared = products.get(asset_id, ())
        if grade >= MIN_GRADE:
            for product in declared:
                mass[product] += grade / len(declared)
    if not mass:
        return None
    best = max(sorted(mass), key=lambda product: mass[product])
    return best if mass[best] >= TRUTH_SHARE * sum(mass.values()) else None


Winners = tuple[npt.NDArray[np.int64], Floats, Floats]  # ProductLinker.winners


def link_counts(
    examples: LinkExamples, setting: LinkingConfig, winners: Winners | None = None
) -> LinkCounts:
    """How the links `setting` makes for `examples` compare with the products meant;
    `winners` saves recomputing the linker's scores for the setting's dense weight."""
    if winners is None:
        winners = examples.linker.winners(
            examples.questions, examples.vectors, dense_weight=setting.dense_weight
        )
    best, top, lead = winners
    linked = clear_winners(top, lead, setting)
    right = linked & (best == examples.meant)
    return LinkCounts(
        right=int(right.sum()),
        wrong=int((linked & ~right).sum()),
        missed=int(((examples.meant >= 0) & ~right).sum()),
    )


def linking_grid() -> list[LinkingConfig]:
    """Every setting tried, the most cautious first (so ties keep the more cautious one)."""
    return [
        LinkingConfig(dense_weight=weight, floor=floor, margin=margin)
        for margin in sorted(MARGINS, reverse=True)
        for floor in sorted(FLOORS, reverse=True)
        for weight in DENSE_WEIGHTS
    ]


def choose_linking(examples: Sequence[LinkExamples]) -> tuple[LinkingConfig, LinkCounts]:
    """The setting with the best pooled F0.5 over `examples`, and its counts."""
    winners = {
        (at, weight): item.linker.winners(item.questions, item.vectors, dense_weight=weight)
        for at, item in enumerate(examples)
        for weight in DENSE_WEIGHTS
    }
    scored = []
    for setting in linking_grid():
        counts = LinkCounts()
        for at, item in enumerate(examples):
            counts = counts + link_counts(item, setting, winners[(at, setting.dense_weight)])
        scored.append((setting, counts))
    return max(scored, key=lambda item: item[1].f_beta)  # max keeps the first of equals


def tune_linking(
    libraries: Sequence[Library], config: RecommenderConfig
) -> tuple[RecommenderConfig, dict[str, Any]]:
    """`config` with the linking setting chosen on `libraries` (see the module docstring), and
    what was chosen, for the report."""
    setting, counts = choose_linking([link_examples(library) for library in libraries])
    chosen = replace(config, linking=setting)
    without = replace(config, linking=replace(setting, enabled=False))
    with_it, without_it = _ndcg(libraries, chosen), _ndcg(libraries, without)
    choice = {
        "linking": asdict(setting),
        "linking_links": counts.to_dict(),
        "linking_ndcg@10": {"on": round(with_it, 4), "off": round(without_it, 4)},
    }
    return chosen, choice


def tune_linking_only(libraries: Sequence[Library], config: RecommenderConfig) -> Tuned:
    """A leave-one-library-out tuner that keeps `config` and only chooses the linking setting:
    what the shipped defaults gain from product linking on a library it never saw."""
    tuned, choice = tune_linking(libraries, config)
    return Tuned(tuned, {"fusion": "as given", "weights": asdict(tuned.weights), **choice})


def _ndcg(libraries: Sequence[Library], config: RecommenderConfig) -> float:
    values = []
    for library in libraries:
        base = library.recommender
        ranker = Recommender(base.bundle, base.encoder, base.taxonomy, config)
        values.append(float(evaluate(ranker, library.deals)["overall"]["ndcg@10"]))
    return sum(values) / len(values) if values else 0.0
