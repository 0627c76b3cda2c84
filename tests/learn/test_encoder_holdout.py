"""Leave-one-library-out with fine-tuned encoders: no encoder the tuner or the held-out library
sees was trained on the library it encodes, and overlays are trained once per training set."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from enablement.embedding import Encoder, ModelSpec
from enablement.errors import InvalidValueError
from enablement.learn import encoder_holdout
from enablement.learn.encoder import EncoderPair, FineTuneSettings
from enablement.learn.encoder_holdout import OverlayEncoders, nested_holdout
from enablement.learn.holdout import Tuned
from enablement.learn.libraries import Library
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.pipeline import Recommender
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


def test_each_library_is_fine_tuned_once_and_sets_are_soups_of_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    name = "encoder.layer.5.output.dense.bias"

    def fake_fine_tune(path: Path, pairs: Sequence[EncoderPair], settings: Any) -> dict:
        assert settings.mix == 1.0  # a library's own weights are kept whole
        calls.append(len(pairs))  # weights that follow the pairs' count and text
        return {name: torch.full((3,), len(pairs) + len(pairs[0].positive) / 100)}

    monkeypatch.setattr(encoder_holdout, "fine_tune", fake_fine_tune)
    monkeypatch.setattr(
        encoder_holdout, "base_weights", lambda path, names: {n: torch.zeros(3) for n in names}
    )
    pairs = {"a": [EncoderPair("qa", "pa")], "b": [EncoderPair("qb", "pb")] * 2}
    base = ModelSpec(name="mini", path=tmp_path, dimension=3, base_name="mini")
    encoders = OverlayEncoders(base, pairs.__getitem__, FineTuneSettings(mix=0.5), tmp_path / "c")
    both = encoders.spec(frozenset({"a", "b"}))
    assert sorted(calls) == [1, 2]
    assert encoders.spec(frozenset({"b", "a"})) == both  # kept: not trained or mixed again
    only_a = encoders.spec(frozenset({"a"}))
    assert sorted(calls) == [1, 2]  # a's own weights were kept too
    assert only_a.name != both.name and only_a.name.startswith("mini+enablement-")
    assert only_a.overlay is not None and only_a.overlay.is_file()
    # base 0 + 0.5 x mean(1.02, 2.02) for the pair; base 0 + 0.5 x 1.02 for a alone (float16)
    kept = {spec: load_file(str(spec.overlay))[name].float() for spec in (both, only_a)}
    assert torch.allclose(kept[both], torch.full((3,), 0.76), atol=1e-3)
    assert torch.allclose(kept[only_a], torch.full((3,), 0.51), atol=1e-3)
    pairs["a"] = [EncoderPair("qa", "another passage")]  # new labels: a trains again, b not
    assert encoders.spec(frozenset({"a", "b"})).overlay != both.overlay
    assert sorted(calls) == [1, 1, 2]


def test_libraries_without_pairs_stay_out_of_the_soup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "encoder.layer.5.output.dense.bias"
    monkeypatch.setattr(
        encoder_holdout, "fine_tune", lambda path, pairs, settings: {name: torch.ones(3)}
    )
    monkeypatch.setattr(
        encoder_holdout, "base_weights", lambda path, names: {n: torch.zeros(3) for n in names}
    )
    pairs: dict[str, list[EncoderPair]] = {"a": [EncoderPair("qa", "pa")], "quiet": []}
    base = ModelSpec(name="mini", path=tmp_path, dimension=3, base_name="mini")
    encoders = OverlayEncoders(base, pairs.__getitem__, FineTuneSettings(mix=0.5), tmp_path / "c")
    # not diluted by the library without questions: 0 + 0.5 x 1, not 0.5 x mean(1, 0)
    assert torch.allclose(encoders.soup(frozenset({"a", "quiet"}))[name], torch.full((3,), 0.5))
    assert encoders.spec(frozenset({"a", "quiet"})) == encoders.spec(frozenset({"a"}))
    monkeypatch.setattr(encoder_holdout, "SentenceTransformerEncoder", lambda spec, **_: spec)
    assert encoders(frozenset({"quiet"})) == base  # the base model itself
    with pytest.raises(InvalidValueError, match="quiet"):
        encoders.soup(frozenset({"quiet"}))
