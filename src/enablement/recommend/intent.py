"""Asset-type intent: P(asset type | question) from the question's vector and a few word cues.

The model is a multinomial logistic regression trained offline (learn/intent.py) and applied
here with numpy alone, so serving never imports scikit-learn. Its file is checked by hash when
loaded; a missing, corrupt or mismatched file is named in a warning and the feature stays off.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from enablement.checksums import file_sha256

Floats = npt.NDArray[np.float32]
NONE_CLASS = "none"  # the answer is an asset with no declared type
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "models" / "intent"
MODEL_FILE = "type_intent.npz"
MANIFEST_FILE = "manifest.json"
logger = logging.getLogger(__name__)

# Generic ways of asking for a kind of asset; none names a product or a library.
CUES: tuple[tuple[str, str], ...] = (
    ("template", r"\btemplates?\b|\bboilerplate\b|\bsample (email|letter)\b"),
    ("email", r"\be-?mails?\b|\bfollow[- ]?up\b|\brecap\b|\boutreach\b"),
    ("peers", r"\b(anyone|others?|customers?|hospitals?|companies|teams?) like (us|ours)\b"
              r"|\bcase stud|\bcustomer stor|\breferences?\b|\bdone this\b|\bsuccess stor"),
    ("training", r"\btraining\b|\bcourses?\b|\bcertif|\bworkshops?\b|\blearn\b|\bacademy\b"),
    ("price", r"\bprice|\bpricing\b|\bcosts?\b|\bquote\b|\bper (seat|user|month|year)\b"),
    ("security", r"\bsecurity\b|\bquestionnaire\b|\bsoc ?2\b|\biso ?27001\b|\bpen ?test"
                 r"|\bgdpr\b|\bhipaa\b|\bencrypt"),
    ("deck", r"\bdecks?\b|\bslides?\b|\bpresentation\b|\bpitch\b"),
    ("roi", r"\broi\b|\bpayback\b|\bbusiness case\b|\btco\b|\bsavings?\b|\bcalculator\b"),
    ("compare", r"\bvs\.?\b|\bversus\b|\bcompar|\bbattle ?cards?\b|\bcompetit|\bswitch from\b"),
    ("setup", r"\bimplement|\bonboard|\bset ?up\b|\bdeploy|\brollout\b|\bgo[- ]live\b"
              r"|\bintegrat"),
    ("overview", r"\bdatasheet\b|\bone[- ]pager\b|\bspecs?\b|\boverview\b|\bbrochure\b"),
    ("webinar", r"\bwebinars?\b|\brecording\b|\bvideo\b|\bwatch\b"),
    ("asks_for_a_thing", r"\b(is there|do you have|got|any|send me|share)\b.{0,20}"
                         r"\b(a|an|the|some)\b"),
)  # fmt: skip
_COMPILED = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in CUES)


def cue_features(questions: Sequence[str]) -> Floats:
    """(questions, len(CUES)) 0/1 flags: which generic asking-for-a-type cues each question has."""
    out = np.zeros((len(questions), len(_COMPILED)), dtype=np.float32)
    for row, question in enumerate(questions):
        for column, (_, pattern) in enumerate(_COMPILED):
            out[row, column] = 1.0 if pattern.search(question) else 0.0
    return out


@dataclass(frozen=True, eq=False)
class TypeIntent:
    """A fitted softmax over asset types: logits = [vector, cues] @ coef.T + intercept."""

    classes: tuple[str, ...]
    coef: Floats  # (classes, dimension + len(CUES))
    intercept: Floats  # (classes,)
    temperature: float
    encoder: str
    dimension: int
    cues: tuple[str, ...] = tuple(name for name, _ in CUES)

    def probabilities(self, vectors: Floats, questions: Sequence[str]) -> Floats:
        """(questions, classes) calibrated P(type | question); rows sum to 1."""
        features = np.hstack([vectors.astype(np.float32), cue_features(questions)])
        logits = (features @ self.coef.T + self.intercept) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        probabilities: Floats = (odds / odds.sum(axis=1, keepdims=True)).astype(np.float32)
        return probabilities

    def class_rows(self, types: Sequence[str | None]) -> npt.NDArray[np.int64]:
        """Per asset, the column of its type (untyped: "none"); -1 for a type the model lacks."""
        index = {name: column for column, name in enumerate(self.classes)}
        return np.array([index.get(t or NONE_CLASS, -1) for t in types], dtype=np.int64)

    def asset_intent(
        self, vectors: Floats, questions: Sequence[str], rows: npt.NDArray[np.int64]
    ) -> Floats:
        """Per asset, the highest P(its type | question) over the questions; 0 for unknown types."""
        if not questions:
            return np.zeros(len(rows), dtype=np.float32)
        best = self.probabilities(vectors, questions).max(axis=0)
        return np.where(rows >= 0, best[np.maximum(rows, 0)], 0.0).astype(np.float32)


def save_intent(model: TypeIntent, folder: Path, **card: object) -> Path:
    """Writes the model and a manifest (sha256, classes, feature spec, `card`); returns the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MODEL_FILE
    with path.open("wb") as handle:
        np.savez(handle, coef=model.coef, intercept=model.intercept)
    manifest = {
        "file": MODEL_FILE,
        "sha256": file_sha256(path),
        "classes": list(model.classes),
        "temperature": model.temperature,
        "encoder": model.encoder,
        "dimension": model.dimension,
        "features": {"embedding": model.dimension, "cues": dict(CUES)},
        **card,
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def load_intent(folder: Path, *, encoder: str, dimension: int) -> TypeIntent | None:
    """The model in `folder`, or None with a warning naming the file when it is missing, corrupt,
    fails its hash, or was built for another encoder or other cues."""
    manifest_path, path = folder / MANIFEST_FILE, folder / MODEL_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if file_sha256(path) != manifest["sha256"]:
            return _off(path, "does not match the sha256 in its manifest")
        if manifest["encoder"] != encoder or int(manifest["dimension"]) != dimension:
            return _off(path, f"was built for {manifest['encoder']}, not {encoder}")
        if manifest["features"]["cues"] != dict(CUES):
            return _off(path, "was built with other lexical cues")
        with np.load(path) as arrays:
            coef, intercept = arrays["coef"].astype(np.float32), arrays["intercept"]
        classes = tuple(str(c) for c in manifest["classes"])
        if coef.shape != (len(classes), dimension + len(CUES)):
            return _off(path, f"has coefficients of shape {coef.shape}")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        name = path if manifest_path.is_file() else manifest_path
        return _off(name, f"could not be read ({type(exc).__name__})")
    return TypeIntent(
        classes, coef, intercept.astype(np.float32), float(manifest["temperature"]),
        encoder, dimension,
    )  # fmt: skip


def _off(path: Path, why: str) -> TypeIntent | None:
    logger.warning("Type-intent model %s %s; the type-intent feature is off.", path, why)
    return None
