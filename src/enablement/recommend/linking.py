"""Product linking: which product a buyer's question describes without naming it.

Buyers say "the AI assistant" or "the piece that runs in our data center", not a product name.
The library already says what each product is: the assets that declare it. Per product slug (any
slug an asset declares; nothing is known in advance), a `ProductLinker` keeps

- a description: the slug's words, and its assets' titles and opening passages, as TF-IDF over
  the products (a word every product uses weighs nothing; one only this product uses, most);
- a dense centroid: the normalised mean of its assets' vectors, each asset shared among the
  products it declares.

A question links to a product only when that product clearly wins: its score clears an absolute
floor and leads the runner-up by a margin, so a generic question links nothing.

Issue 13 asks for this "at index time"; it is built instead from the loaded bundle when the
Recommender loads it, from what the bundle already holds, with no encoder call. The cost is
tokenising each asset's title and first 2 x 800 characters, so linear in assets: about 10 ms
for the 86-asset sample library, 1.5-1.8 s for 10,000 assets and 100,000 passages, where it
holds 8 MB (benchmarks/linking.py, 2 shared cores). Linking a question costs ~0.03 ms.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from enablement.index.bundle import Bundle
from enablement.index.lexical import analyze, analyze_many

Floats = npt.NDArray[np.float32]
OPENING_PASSAGES = 2  # per asset: its first passages say what it is about; the rest, details
OPENING_CHARS = 800  # and only their beginning, so a long passage does not drown the titles


@dataclass(frozen=True)
class LinkingConfig:
    """When a question links to a product; `enabled` False switches the feature off.

    The thresholds are in units of the combined score (`dense_weight` x cosine to the centroid
    + the rest x TF-IDF cosine to the description). The defaults are what learn.linking chooses
    on all three evaluation libraries; held out in turn (benchmarks/eval_linking.py), each pair
    of libraries chose dense_weight 0.5 and a margin of 0.04-0.06 and a floor of 0.1-0.15.
    """

    enabled: bool = True
    dense_weight: float = 0.5
    floor: float = 0.1  # the winner's combined score reaches this
    margin: float = 0.06  # and leads the runner-up by this much


class ProductLinker:
    """Per product, a TF-IDF description vector and a dense centroid; immutable once built."""

    def __init__(
        self, products: Sequence[str], centroids: Floats, vocabulary: Mapping[str, int],
        descriptions: Floats, idf: Floats,
    ) -> None:  # fmt: skip
        self.products = tuple(products)
        self.centroids = centroids  # (products, dimension), rows L2-normalised
        self._vocabulary = dict(vocabulary)
        # (terms, products): each product's L2-normalised TF-IDF description, a column each
        self._descriptions = descriptions
        self._idf = idf  # (terms,)

    @classmethod
    def from_bundle(cls, bundle: Bundle) -> ProductLinker:
        """The linker for `bundle`'s products; empty when no asset declares a product."""
        products = sorted({p for asset in bundle.assets for p in asset.products})
        vocabulary, descriptions, idf = _tfidf(_term_counts(bundle, products))
        return cls(products, _centroids(bundle, products), vocabulary, descriptions, idf)

    def scores(self, questions: Sequence[str], vectors: Floats, *, dense_weight: float) -> Floats:
        """(questions, products) combined evidence: dense cosine and lexical TF-IDF cosine."""
        if not self.products or not len(questions):
            return np.zeros((len(questions), len(self.products)), dtype=np.float32)
        dense = vectors.astype(np.float32) @ self.centroids.T
        lexical = self._lexical(questions)
        combined: Floats = (dense_weight * dense + (1 - dense_weight) * lexical).astype(np.float32)
        return combined

    def winners(
        self, questions: Sequence[str], vectors: Floats, *, dense_weight: float
    ) -> tuple[npt.NDArray[np.int64], Floats, Floats]:
        """Per question: its best product's index, that product's score, and its lead over the
        runner-up (the whole score when there is one product). With no product at all, every
        index is -1 and every score 0."""
        scores = self.scores(questions, vectors, dense_weight=dense_weight)
        if scores.shape[1] == 0:
            zeros = np.zeros(len(questions), dtype=np.float32)
            return np.full(len(questions), -1, dtype=np.int64), zeros, zeros
        ranked = np.sort(scores, axis=1)
        runner_up = ranked[:, -2] if scores.shape[1] > 1 else np.zeros(len(scores), np.float32)
        lead: Floats = (ranked[:, -1] - runner_up).astype(np.float32)
        return np.argmax(scores, axis=1).astype(np.int64), ranked[:, -1], lead

    def link(
        self, questions: Sequence[str], vectors: Floats, config: LinkingConfig
    ) -> dict[str, float]:
        """Per linked product, its link score in (0, 1]: for each question whose best product
        clears `config.floor` and leads the runner-up by `config.margin`, that product, scored
        lead / (2 x margin) up to 1 (a lead just at the margin scores 0.5). A product linked by
        several questions keeps its best score; when nothing links, {}."""
        best, top, lead = self.winners(questions, vectors, dense_weight=config.dense_weight)
        linked: dict[str, float] = {}
        for row in np.flatnonzero(clear_winners(top, lead, config)):
            product = self.products[int(best[row])]
            strength = min(1.0, float(lead[row]) / (2 * config.margin)) if config.margin else 1.0
            linked[product] = max(linked.get(product, 0.0), round(strength, 4))
        return linked

    def _lexical(self, questions: Sequence[str]) -> Floats:
        """(questions, products) cosine of each question's TF-IDF and each description's."""
        out = np.zeros((len(questions), len(self.products)), dtype=np.float32)
        for row, question in enumerate(questions):
            terms = Counter(t for t in analyze(question) if t in self._vocabulary)
            columns = np.array([self._vocabulary[term] for term in terms], dtype=np.int64)
            counts = np.array(list(terms.values()), dtype=np.float32)
            weights = (1 + np.log(counts)) * self._idf[columns]
            norm = float(np.linalg.norm(weights))
            if norm > 0:
                out[row] = (weights / norm) @ self._descriptions[columns]
        return out


def clear_winners(top: Floats, lead: Floats, config: LinkingConfig) -> npt.NDArray[np.bool_]:
    """Which questions link: the best product clears the floor and leads by the margin."""
    return (top >= config.floor) & (lead >= config.margin) & (top > 0)


def _term_counts(bundle: Bundle, products: Sequence[str]) -> list[Counter[str]]:
    """Per product, its description's term counts: its slug's words, then each of its assets'
    title and opening passages (an asset is analysed once, however many products it declares)."""
    index = {product: row for row, product in enumerate(products)}
    words = analyze_many(product.replace("-", " ") for product in products)
    openings = _openings(bundle)
    rows = [row for row, asset in enumerate(bundle.assets) if asset.products]
    texts = (" ".join([bundle.assets[row].title, *openings.get(row, [])]) for row in rows)
    for row, terms in zip(rows, analyze_many(texts), strict=True):
        for product in bundle.assets[row].products:
            words[index[product]].extend(terms)
    return [Counter(terms) for terms in words]


def _openings(bundle: Bundle) -> dict[int, list[str]]:
    """Per asset row, the beginning of its first OPENING_PASSAGES passages, in order."""
    order = np.argsort(bundle.chunk_asset, kind="stable")  # chunks by asset, in document order
    owners = bundle.chunk_asset[order]
    rank = np.arange(len(order)) - np.searchsorted(owners, owners, side="left")
    out: dict[int, list[str]] = defaultdict(list)
    for chunk in order[rank < OPENING_PASSAGES].tolist():
        out[int(bundle.chunk_asset[chunk])].append(bundle.chunks[chunk].text[:OPENING_CHARS])
    return out


def _tfidf(counts: Sequence[Counter[str]]) -> tuple[dict[str, int], Floats, Floats]:
    """Vocabulary, (terms, documents) sublinear TF-IDF with L2-normalised columns, and the idf.

    The idf is a plain ln(N / df), not a smoothed one: a word every product's description uses
    says nothing about which product is meant, so it weighs 0 and is left out altogether."""
    frequency = Counter(term for count in counts for term in count)
    kept = sorted(term for term, df in frequency.items() if df < len(counts))
    vocabulary = {term: row for row, term in enumerate(kept)}
    idf = np.array([math.log(len(counts) / frequency[term]) for term in kept], dtype=np.float32)
    matrix = np.zeros((len(kept), len(counts)), dtype=np.float32)
    for column, count in enumerate(counts):
        rows = np.fromiter((vocabulary.get(term, -1) for term in count), np.int64, len(count))
        tf = 1 + np.log(np.fromiter(count.values(), np.float32, len(count)))
        kept_rows = rows >= 0
        matrix[rows[kept_rows], column] = tf[kept_rows] * idf[rows[kept_rows]]
    norms = np.linalg.norm(matrix, axis=0, keepdims=True)
    matrix = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    return vocabulary, matrix, idf


def _centroids(bundle: Bundle, products: Sequence[str]) -> Floats:
    """(products, dimension) normalised means of the products' asset vectors; an asset declaring
    several products counts 1/n towards each, so shared material blurs no centroid much."""
    from scipy.sparse import csr_matrix

    dimension = bundle.asset_vectors.shape[1] if bundle.asset_vectors.ndim == 2 else 0
    sums = np.zeros((len(products), dimension), dtype=np.float32)
    index = {product: row for row, product in enumerate(products)}
    pairs = [(row, index[p], 1 / len(a.products)) for row, a in enumerate(bundle.assets)
             for p in a.products]  # fmt: skip
    if pairs:
        rows, columns, shares = (np.array(values) for values in zip(*pairs, strict=True))
        # a sparse (products, assets) product: no (pairs, dimension) copy of the vectors, which
        # is 150 MB at 100,000 assets
        weights = csr_matrix(
            (shares.astype(np.float32), (columns, rows)),
            shape=(len(products), len(bundle.assets)),
        )
        sums = np.asarray(weights @ bundle.asset_vectors, dtype=np.float32)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    centroids: Floats = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    return centroids
