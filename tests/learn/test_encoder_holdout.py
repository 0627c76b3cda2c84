"""Leave-one-library-out with fine-tuned encoders: no encoder the tuner or the held-out library
sees was trained on the library it encodes, and overlays are trained once per training set."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch

from enablement.embedding import Encoder, ModelSpec
from enablement.learn import encoder_holdout
from enablement.learn.encoder import EncoderPair, FineTuneSettings
from enablement.learn.encoder_holdout import OverlayEncoders, nested_holdout
from enablement.learn.holdout import Tuned
from enablement.learn.libraries import Library
from enablement.recommend.pipeline import Recommender, RecommenderConfig
from tests.fakes import HashingEncoder


class TrainedOn(HashingEncoder):
    """A stand-in for an encoder fine-tuned on `libraries` (the base model when empty)."""

    def __init__(self, libraries: frozenset[str]) -> None:
        super().__init__()
        self.trained_on = libraries
        self.name = "ft-" + "+".join(sorted(libraries)) if libraries else "base"


def test_no_encoder_was_trained_on_the_library_it_encodes(libraries: list[Library]) -> None:
    by_name = {library.name: library for library in libraries}
    encoded: list[tuple[str, frozenset[str]]] = []

    def library_with(name: str, encoder: Encoder) -> Library:
        assert isinstance(encoder, TrainedOn)
        encoded.append((name, encoder.trained_on))
        base = by_name[name].recommender
        recommender = Recommender(base.bundle, encoder, base.taxonomy, base.config)
        return Library(name, recommender, by_name[name].deals)

    tuner_saw: list[list[tuple[str, str]]] = []

    def tuner(training: Sequence[Library], config: RecommenderConfig) -> Tuned:
        tuner_saw.append([(lib.name, lib.recommender.encoder.name) for lib in training])
        return Tuned(config, {"fusion": "spy"})

    result = nested_holdout(
        sorted(by_name),
        library_with=library_with,
        encoders=TrainedOn,
        tuner=tuner,
        config=RecommenderConfig(),
        fixed={"default": RecommenderConfig()},
    )
    for name, trained_on in encoded:
        assert name not in trained_on
    # held out alpha: encoded by bravo+charlie; the tuner got bravo by charlie's, charlie by
    # bravo's; and the base-encoder run of the same tuner
    assert ("alpha", frozenset({"bravo", "charlie"})) in encoded
    assert tuner_saw[0] == [("bravo", "ft-charlie"), ("charlie", "ft-bravo")]
    assert tuner_saw[1] == [("bravo", "base"), ("charlie", "base")]
    assert all("alpha" not in {lib for lib, _ in seen} for seen in tuner_saw[:2])
    assert set(result["headline"]) == {"tuned", "tuned_linear", "base_encoder", "default"}
    assert set(result["held_out"]["alpha"]["in_training"]) == {"bravo", "charlie"}


def test_overlays_are_trained_once_per_training_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def fake_fine_tune(path: Path, pairs: Sequence[EncoderPair], settings: Any) -> dict:
        calls.append(len(pairs))
        return {"encoder.layer.5.output.dense.bias": torch.full((3,), float(len(pairs)))}

    monkeypatch.setattr(encoder_holdout, "fine_tune", fake_fine_tune)
    pairs = {"a": [EncoderPair("qa", "pa")], "b": [EncoderPair("qb", "pb")] * 2}
    base = ModelSpec(name="mini", path=tmp_path, dimension=3, base_name="mini")
    encoders = OverlayEncoders(base, pairs.__getitem__, FineTuneSettings(), tmp_path / "cache")
    both = encoders.spec(frozenset({"a", "b"}))
    assert calls == [3]
    assert encoders.spec(frozenset({"b", "a"})) == both  # kept: not trained again
    only_a = encoders.spec(frozenset({"a"}))
    assert calls == [3, 1]
    assert only_a.name != both.name and only_a.name.startswith("mini+enablement-")
    assert only_a.overlay is not None and only_a.overlay.is_file()
    pairs["a"] = [EncoderPair("qa", "another passage")]  # new labels: a new overlay
    assert encoders.spec(frozenset({"a"})).overlay != only_a.overlay
    assert calls == [3, 1, 1]
