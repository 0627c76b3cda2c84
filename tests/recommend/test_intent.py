"""The type-intent unit at serve time: cues, probabilities, per-asset intent, the model file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from enablement.embedding import load_model_spec
from enablement.recommend.intent import (
    CUES,
    DEFAULT_FOLDER,
    MANIFEST_FILE,
    MODEL_FILE,
    TypeIntent,
    cue_features,
    load_intent,
    save_intent,
)

DIM = 4
CLASSES = ("case_study", "email_template", "none")


def model(temperature: float = 1.0) -> TypeIntent:
    """Dimension 0 of the vector votes case study; the template cue votes email template."""
    coef = np.zeros((3, DIM + len(CUES)), dtype=np.float32)
    coef[0, 0] = 4.0
    coef[1, DIM + [name for name, _ in CUES].index("template")] = 4.0
    intercept = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    return TypeIntent(CLASSES, coef, intercept, temperature, "fake", DIM)


def vectors(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=np.float32)


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        ("Is there a template for the recap email?", "template"),
        ("has anyone like us done this?", "peers"),
        ("what training is there?", "training"),
        ("can I get your security questionnaire", "security"),
        ("how do you stack up vs Oxley", "compare"),
        ("send me the slides from the demo", "deck"),
    ],
)
def test_generic_cues_fire_on_their_words(question: str, cue: str) -> None:
    names = [name for name, _ in CUES]
    flags = cue_features([question, "does it work offline"])
    assert flags[0, names.index(cue)] == 1.0
    assert flags[1].sum() == 0.0


def test_probabilities_follow_vector_and_cues_and_sum_to_one() -> None:
    questions = ["is there a template?", "has anyone done this", "does it work offline"]
    p = model().probabilities(vectors([0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]), questions)
    assert [CLASSES[i] for i in p.argmax(axis=1)] == ["email_template", "case_study", "none"]
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


def test_a_higher_temperature_flattens() -> None:
    sharp = model(1.0).probabilities(vectors([1, 0, 0, 0]), ["q"])[0]
    flat = model(3.0).probabilities(vectors([1, 0, 0, 0]), ["q"])[0]
    assert flat.max() < sharp.max()


def test_asset_intent_is_the_best_question_per_asset_type() -> None:
    intent = model()
    rows = intent.class_rows(["case_study", "email_template", None, "battlecard"])
    assert rows.tolist() == [0, 1, 2, -1]
    questions = ["is there a template?", "has anyone done this"]
    got = intent.asset_intent(vectors([0, 0, 0, 0], [1, 0, 0, 0]), questions, rows)
    p = intent.probabilities(vectors([0, 0, 0, 0], [1, 0, 0, 0]), questions)
    assert got[0] == pytest.approx(p[1, 0]) and got[1] == pytest.approx(p[0, 1])
    assert got[3] == 0.0  # a type the model never learned gets no intent
    assert intent.asset_intent(np.zeros((0, DIM), np.float32), [], rows).tolist() == [0.0] * 4


def test_save_then_load_gives_the_same_probabilities(tmp_path: Path) -> None:
    save_intent(model(1.4), tmp_path, date="2026-12-04")
    loaded = load_intent(tmp_path, encoder="fake", dimension=DIM)
    assert loaded is not None and loaded.classes == CLASSES and loaded.temperature == 1.4
    q = vectors([1, 0, 0, 0])
    np.testing.assert_allclose(loaded.probabilities(q, ["x"]), model(1.4).probabilities(q, ["x"]))
    assert json.loads((tmp_path / MANIFEST_FILE).read_text())["date"] == "2026-12-04"


def _tamper(folder: Path) -> None:
    with (folder / MODEL_FILE).open("ab") as handle:
        handle.write(b"\0")


def _other_encoder(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    (folder / MANIFEST_FILE).write_text(json.dumps({**manifest, "encoder": "another"}))


@pytest.mark.parametrize(
    ("damage", "named", "why"),
    [
        (lambda folder: (folder / MODEL_FILE).unlink(), MODEL_FILE, "could not be read"),
        (lambda folder: (folder / MANIFEST_FILE).unlink(), MANIFEST_FILE, "could not be read"),
        (lambda folder: (folder / MANIFEST_FILE).write_text("{"), MODEL_FILE, "could not be"),
        (_tamper, MODEL_FILE, "does not match the sha256"),
        (_other_encoder, MODEL_FILE, "built for another"),
    ],
)
def test_a_bad_model_file_is_named_and_the_feature_is_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, named: str, why: str
) -> None:
    save_intent(model(), tmp_path)
    damage(tmp_path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING):
        assert load_intent(tmp_path, encoder="fake", dimension=DIM) is None
    assert str(tmp_path / named) in caplog.text and why in caplog.text
    assert "type-intent feature is off" in caplog.text


def test_the_shipped_model_passes_its_checks_for_the_shipped_encoder() -> None:
    spec = load_model_spec(None)
    shipped = load_intent(DEFAULT_FOLDER, encoder=spec.name, dimension=spec.dimension)
    assert shipped is not None
    assert {"case_study", "email_template", "faq"} <= set(shipped.classes)
