"""Fine-tuning the sentence encoder on labelled libraries (issue 13, point 5).

A training pair is a question of a labelled deal and the passage of an asset graded 2 or more
for that deal that the current encoder finds closest to the question. With hard negatives on,
each pair also carries a passage the current encoder ranks high for the question although the
deal's labels name none of its asset. Training is in-batch negatives: cross-entropy over the
question x passage similarity matrix, so every other passage in the batch is a negative.

Only the top transformer layers learn; the embeddings and the lower layers stay frozen. What a
run produces is therefore a small overlay of weights for those layers (overlay.py), applied
over the packaged model, never a whole model copy.

Each library is fine-tuned on its own, and an encoder for a set of libraries is a weight soup:
the packaged weights plus `mix` times the mean of the libraries' changes (`soup`). Averaging
fine-tuned weights that start from one model works about as well as training on the union
(model soups, Wortsman et al., ICML 2022; task arithmetic, Ilharco et al., ICLR 2023), and it
makes the cost linear in libraries: held out, an encoder for any subset of the libraries costs
no training, where one trained per subset would cost quadratically many.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from enablement.embedding import Encoder
from enablement.index.build import passage_text
from enablement.learn.libraries import Library

MIN_GRADE = 2  # a passage of an asset graded this or more answers the deal's questions
SEARCH_DEPTH = 50  # chunks searched for hard negatives


@dataclass(frozen=True)
class EncoderPair:
    question: str
    positive: str
    negative: str | None = None


@dataclass(frozen=True)
class FineTuneSettings:
    """How the top layers are trained (the defaults are the ones measured held out)."""

    epochs: int = 2
    learning_rate: float = 2e-5
    batch_size: int = 32
    scale: float = 20.0  # similarity temperature of the in-batch softmax
    frozen_layers: int = 3  # lower transformer layers (and the embeddings) left as they are
    hard_negatives: int = 3  # per question; 0 trains on in-batch negatives only
    seed: int = 0
    # Share of the libraries' mean fine-tuned change kept (see `soup`). Below 1 it trades some
    # in-domain gain for the base model's robustness elsewhere (WiSE-FT, Wortsman et al., CVPR
    # 2022).
    mix: float = 0.5


def encoder_pairs(
    library: Library, *, hard_negatives: int, queries: Encoder | None = None
) -> list[EncoderPair]:
    """Training pairs from `library`'s labelled deals, passages found with its own bundle and
    questions encoded by `queries` (by default the library's encoder)."""
    recommender = library.recommender
    bundle = recommender.bundle
    row_of = {asset.id: row for row, asset in enumerate(bundle.assets)}
    questions = [
        (" ".join(question.split()), labelled)
        for labelled in library.deals
        for question in labelled.deal.get("questions") or ()
        if isinstance(question, str) and question.strip()
    ]
    if not questions:
        return []
    encoder = queries or recommender.encoder
    vectors = encoder.encode_queries([question for question, _ in questions])
    pairs: list[EncoderPair] = []
    for (question, labelled), vector in zip(questions, vectors, strict=True):
        answering = [a for a, grade in labelled.relevant.items() if grade >= MIN_GRADE]
        negatives = _hard_negatives(library, vector, set(labelled.relevant), hard_negatives)
        for number, asset_id in enumerate(answering):
            if asset_id not in row_of:
                continue
            positive = _best_passage(library, vector, row_of[asset_id])
            negative = negatives[number % len(negatives)] if negatives else None
            pairs.append(EncoderPair(question, positive, negative))
    return pairs


def _best_passage(library: Library, vector: np.ndarray, asset_row: int) -> str:
    bundle = library.recommender.bundle
    allowed = bundle.chunk_asset == asset_row
    rows, _ = bundle.dense.search(vector, 1, allowed=allowed)
    return _passage(library, int(rows[0]))


def _hard_negatives(
    library: Library, vector: np.ndarray, judged: set[str], count: int
) -> list[str]:
    """The passages ranked highest for the question whose asset the deal's labels do not name."""
    if count <= 0:
        return []
    bundle = library.recommender.bundle
    rows, _ = bundle.dense.search(vector, SEARCH_DEPTH)
    unjudged = [int(r) for r in rows if bundle.assets[bundle.chunk_asset[r]].id not in judged]
    return [_passage(library, row) for row in unjudged[:count]]


def _passage(library: Library, row: int) -> str:
    """The chunk as the index embeds it (title and headings first)."""
    bundle = library.recommender.bundle
    chunk = bundle.chunks[row]
    return passage_text(bundle.assets[chunk.asset].title, chunk.heading_path, chunk.text)


def question_batches(
    pairs: Sequence[EncoderPair], size: int, rng: random.Random
) -> list[list[EncoderPair]]:
    """Shuffled batches in which no question appears twice: a question's other answer in the
    same batch would be scored as a negative for it."""
    pending = list(pairs)
    rng.shuffle(pending)
    batches: list[list[EncoderPair]] = []
    while pending:
        batch: list[EncoderPair] = []
        seen: set[str] = set()
        rest: list[EncoderPair] = []
        for pair in pending:
            if len(batch) < size and pair.question not in seen:
                batch.append(pair)
                seen.add(pair.question)
            else:
                rest.append(pair)
        batches.append(batch)
        pending = rest
    return batches


def fine_tune(model_path: Path, pairs: Sequence[EncoderPair], settings: FineTuneSettings) -> Any:
    """Train the top layers of the model at `model_path` on `pairs`; returns their trained
    weights as a state dict (names as in the transformer's own state dict). `settings.mix` is
    not applied here: `soup` applies it."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(settings.seed)
    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model
    trained = _unfreeze_top(transformer, settings.frozen_layers)
    batches = [
        batch
        for epoch in range(settings.epochs)
        for batch in question_batches(
            pairs, settings.batch_size, random.Random(settings.seed + epoch)
        )
    ]
    optimizer = torch.optim.AdamW(
        [p for p in model.parameters() if p.requires_grad], lr=settings.learning_rate
    )
    warmup = max(1, len(batches) // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup)
    )
    model.train()
    for batch in batches:
        loss = _batch_loss(model, batch, settings.scale)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    model.eval()
    state = transformer.state_dict()
    return {name: state[name].detach().clone() for name in trained}


def base_weights(model_path: Path, names: Sequence[str]) -> dict[str, Any]:
    """The packaged model's weights under `names` (transformer state-dict names)."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    transformer: Any = model[0].auto_model
    state = transformer.state_dict()
    return {name: state[name].detach().clone() for name in names}


def soup(base: Mapping[str, Any], tuned: Sequence[Mapping[str, Any]], mix: float) -> dict[str, Any]:
    """base + mix * mean(tuned - base), weight by weight: the encoder for the libraries whose
    fine-tuned weights are `tuned` (one library's when there is one)."""
    if not tuned:
        raise ValueError("a soup needs at least one fine-tuned set of weights")
    return {
        name: weights + mix * sum(one[name].float() - weights for one in tuned) / len(tuned)
        for name, weights in base.items()
    }


def _unfreeze_top(transformer: Any, frozen_layers: int) -> list[str]:
    """Freeze everything but the layers from `frozen_layers` up; returns the trained names."""
    for parameter in transformer.parameters():
        parameter.requires_grad = False
    names = []
    for number, layer in enumerate(transformer.encoder.layer):
        if number >= frozen_layers:
            for name, parameter in layer.named_parameters():
                parameter.requires_grad = True
                names.append(f"encoder.layer.{number}.{name}")
    return names


def _batch_loss(model: Any, batch: Sequence[EncoderPair], scale: float) -> Any:
    import torch

    passages = [pair.positive for pair in batch]
    passages += [pair.negative for pair in batch if pair.negative is not None]
    questions = _embed(model, [pair.question for pair in batch])
    logits = questions @ _embed(model, passages).T * scale
    return torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))


def _embed(model: Any, texts: list[str]) -> Any:
    import torch

    features = model.preprocess(texts) if hasattr(model, "preprocess") else model.tokenize(texts)
    return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)
