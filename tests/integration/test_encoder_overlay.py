"""Fine-tuning the real model's top layers, saving them as an overlay and serving them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from enablement.cli import cli
from enablement.embedding import SentenceTransformerEncoder, base_spec, load_model_spec
from enablement.errors import ConfigurationError
from enablement.evaluation import OVERLAY_CACHE, Evaluation
from enablement.learn.encoder import (
    EncoderPair,
    FineTuneSettings,
    base_weights,
    fine_tune,
    soup,
)
from enablement.overlay import MANIFEST_FILE, write_overlay
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.learn.tiny_libraries import write_libraries

PAIRS = [
    EncoderPair("can the pump run on batteries", "Helix infusion pump: eight hours on battery"),
    EncoderPair("who hosts our records", "Data residency: stored in your own region"),
    EncoderPair("how fast do crews get paged", "Dispatch alerts reach technicians in 30 s"),
    EncoderPair("is there a template for the recap", "Email template: meeting recap"),
]


def margin(encoder: SentenceTransformerEncoder) -> float:
    """Mean cosine of each question to its own passage minus to the others' passages."""
    questions = encoder.encode_queries([pair.question for pair in PAIRS])
    passages = encoder.encode_passages([pair.positive for pair in PAIRS])
    sims = questions @ passages.T
    own = np.diag(sims).mean()
    return float(own - (sims.sum() - np.trace(sims)) / (sims.size - len(PAIRS)))


def test_an_overlay_trained_on_pairs_serves_and_moves_them_closer(tmp_path: Path) -> None:
    base = base_spec(load_model_spec(None))
    settings = FineTuneSettings(epochs=3, learning_rate=1e-4, batch_size=4, hard_negatives=0)
    weights = fine_tune(base.path, PAIRS, settings)
    assert weights and all(name.startswith("encoder.layer.") for name in weights)
    assert not any(name.startswith(f"encoder.layer.{n}.") for n in range(3) for name in weights)
    written = write_overlay(tmp_path / "enc", weights, base=base.name)
    assert written.path.stat().st_size < 15_000_000  # three layers in float16
    tuned = load_model_spec(None, overlay=tmp_path / "enc")
    assert tuned.name == written.name and tuned.overlay == written.path
    assert margin(SentenceTransformerEncoder(tuned)) > margin(SentenceTransformerEncoder(base))
    # the packaged model's own files are untouched: the base spec still passes its checksums
    assert base_spec(tuned) == replace(base, base_name=base.name)


def test_a_broken_overlay_is_named_and_base_serves_without_reading_it(tmp_path: Path) -> None:
    folder = tmp_path / "enc"
    folder.mkdir()
    (folder / MANIFEST_FILE).write_text("{}")
    settings = Settings(data_dir=tmp_path / "data", encoder_path=folder)
    service = EnablementService(settings)
    with pytest.raises(ConfigurationError, match=str(folder)):
        service.model_spec  # noqa: B018
    service.close()
    service = EnablementService(replace_settings(settings, encoder="base"))
    assert service.model_spec.overlay is None
    assert service.model_spec.name == service.model_spec.base_name
    service.close()


def replace_settings(settings: Settings, **changes: object) -> Settings:
    return Settings(**{**settings.model_dump(), **changes})


def test_train_encoder_writes_an_overlay_the_service_loads(tmp_path: Path) -> None:
    root = write_libraries(tmp_path / "libs")
    out = tmp_path / "enc"
    args = ["train-encoder", "--libraries", str(root), "--out", str(out), "--json"]
    result = CliRunner().invoke(cli, args, env={"ENABLEMENT_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["trained"]["trained_on"] == {"alpha": 2, "bravo": 2, "charlie": 1}
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    assert manifest["name"] == report["name"] and manifest["base"] in report["name"]
    service = EnablementService(Settings(data_dir=tmp_path / "data", encoder_path=out))
    try:
        assert service.model_spec.name == report["name"]
        runs = Evaluation(service)
        # held out, never the served overlay: encoders fine-tuned without the scored library
        result = runs.evaluate_libraries(root)
        assert set(result["headline"]) >= {"tuned", "tuned_linear", "base_encoder", "default"}
        kept = [p.name for p in (tmp_path / "data" / OVERLAY_CACHE).iterdir()]
        soups = [name for name in kept if name.startswith("soup-")]
        assert len(kept) - len(soups) == 3  # each library fine-tuned once, alone
        assert len(soups) == 6  # each pair of libraries, and each library alone
        # the shipped intent model and ranker learn from out-of-library encoders, and are
        # named for the served one, so they load beside it
        model, _ = runs.train_ranker(libraries=root)
        assert model is not None and model.encoder == report["name"]
        config, _ = runs.train_intent(root)
        assert config.intent is not None and config.intent.encoder == report["name"]
        assert len(list((tmp_path / "data" / OVERLAY_CACHE).iterdir())) == 9  # none retrained
    finally:
        service.close()


def test_a_soup_keeps_mix_times_the_mean_change_of_its_libraries() -> None:
    from sentence_transformers import SentenceTransformer

    base = base_spec(load_model_spec(None))
    start = SentenceTransformer(str(base.path), device="cpu")[0].auto_model.state_dict()
    settings = FineTuneSettings(epochs=1, learning_rate=1e-4, batch_size=4, hard_negatives=0)
    one = fine_tune(base.path, PAIRS, settings)
    other = fine_tune(base.path, PAIRS[::-1], replace(settings, seed=1))
    names = sorted(one)
    assert names and all(name.startswith("encoder.layer.") for name in names)
    packaged = base_weights(base.path, names)
    half = soup(packaged, [one, other], 0.5)
    none = soup(packaged, [one, other], 0.0)
    for name in names:
        assert torch.equal(none[name], start[name])
        expected = start[name] + 0.5 * ((one[name] - start[name]) + (other[name] - start[name])) / 2
        assert torch.allclose(half[name], expected, atol=1e-6)
    assert any(not torch.equal(one[name], start[name]) for name in names)
    assert any(not torch.equal(one[name], other[name]) for name in names)
