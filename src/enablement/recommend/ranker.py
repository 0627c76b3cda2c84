"""The learned ranker: a LightGBM LambdaRank model that re-orders the linear scorer's best
candidates from per (deal, asset) features (recommend/features.py).

Trained offline (learn/ranker.py, `enablement train-ranker`) and committed under models/ranker/
with a manifest holding its sha256, feature names and card. A file that is missing, corrupt,
fails its hash or was built for other features is named in a warning; the linear scorer serves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from enablement.checksums import file_sha256
from enablement.errors import RankerFileError
from enablement.recommend.context import Deal
from enablement.recommend.priors import Priors

Floats = npt.NDArray[np.float32]
DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "models" / "ranker"
MODEL_FILE = "ranker.txt"
MANIFEST_FILE = "manifest.json"
PRIORS_FILE = "priors.json"  # a trained candidate's per-asset priors (recommend/priors.py)
DEFAULT_DEPTH = 50  # how many of the linear scorer's best candidates the model re-orders
LINEAR = "linear"
logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class LearnedRanker:
    """A fitted LightGBM booster over named features; thread-safe for prediction."""

    booster: Any  # lightgbm.Booster
    features: tuple[str, ...]
    encoder: str  # the text features are this encoder's cosines
    depth: int = DEFAULT_DEPTH
    sha256: str = ""
    priors: Priors | None = None  # a trained candidate's per-asset priors (learn.outcomes)

    @property
    def name(self) -> str:
        return f"lambdarank:{self.sha256[:12]}" if self.sha256 else "lambdarank"

    def predict(self, matrix: Floats) -> Floats:
        """One score per row, higher is better."""
        if len(matrix) == 0:
            return np.zeros(0, dtype=np.float32)
        scores = self.booster.predict(matrix, num_threads=1)
        return np.asarray(scores, dtype=np.float32)

    def scores(self, matrix: Floats, assets: Sequence[str], deal: Deal) -> Floats:
        """The model's score of each row (asset `assets[i]` for `deal`), plus its prior when
        the ranker has priors."""
        learned = self.predict(matrix)
        if self.priors is None or not len(learned):
            return learned
        prior = self.priors.of(
            assets, stage=deal.stage, vertical=deal.vertical, persona=deal.persona
        )
        return (learned + prior).astype(np.float32)

    def order(
        self,
        rows: npt.NDArray[np.int64],
        matrix: Floats,
        *,
        demoted: npt.NDArray[np.bool_],
        assets: Sequence[str] = (),
        deal: Deal | None = None,
    ) -> tuple[npt.NDArray[np.int64], Floats]:
        """`rows` best first by the model (and priors, given the rows' `assets` and the
        `deal`), every `demoted` row after the others; and each row's shown score, lowered for
        demoted rows so it follows that order."""
        if deal is not None and self.priors is not None:
            learned = self.scores(matrix, assets, deal)
        else:
            learned = self.predict(matrix)
        reordered = rows[np.lexsort((-learned, demoted))]
        shown = np.where(demoted, learned - (learned.max() - learned.min() + 1.0), learned)
        return reordered, shown.astype(np.float32)


def scorer_name(ranker: LearnedRanker | None) -> str:
    """What `/readyz` and `enablement index` report as the live scorer."""
    return ranker.name if ranker is not None else LINEAR


def save_ranker(ranker: LearnedRanker, folder: Path, **card: object) -> LearnedRanker:
    """Writes the model and its manifest (sha256, features, encoder, depth, `card`); returns the
    model as saved (named by its sha256)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MODEL_FILE
    path.write_text(ranker.booster.model_to_string(), encoding="utf-8")
    digest = file_sha256(path)
    manifest: dict[str, Any] = {
        "file": MODEL_FILE,
        "sha256": digest,
        "kind": "lightgbm-lambdarank",
        "features": list(ranker.features),
        "encoder": ranker.encoder,
        "depth": ranker.depth,
        **card,
    }
    priors_digest = None
    if ranker.priors is not None:
        priors_path = folder / PRIORS_FILE
        priors_path.write_text(json.dumps(ranker.priors.to_dict()), encoding="utf-8")
        priors_digest = file_sha256(priors_path)
        manifest["priors"] = {"file": PRIORS_FILE, "sha256": priors_digest}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return replace(ranker, sha256=identity(digest, priors_digest))


def identity(model_sha256: str, priors_sha256: str | None) -> str:
    """What names a ranker: its model file's sha256, combined with its priors file's when it
    has priors (the same trees with other priors rank differently, so are another ranker)."""
    if priors_sha256 is None:
        return model_sha256
    return hashlib.sha256(f"{model_sha256}:{priors_sha256}".encode()).hexdigest()


def read_ranker(folder: Path, *, features: Sequence[str], encoder: str) -> LearnedRanker:
    """The model in `folder`, checked against its manifest, `features` and `encoder`; raises
    RankerFileError naming the file when it is missing, unreadable, fails its sha256, or was
    built for other features or another encoder."""
    manifest_path, path = folder / MANIFEST_FILE, folder / MODEL_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        digest = file_sha256(path)
        if digest != manifest["sha256"]:
            raise RankerFileError(str(path), "does not match the sha256 in its manifest")
        if list(manifest["features"]) != list(features):
            raise RankerFileError(str(path), "was built for other features")
        if manifest["encoder"] != encoder:
            raise RankerFileError(str(path), f"was built for {manifest['encoder']}, not {encoder}")
        booster = _booster(path.read_text(encoding="utf-8"))
        if booster.num_feature() != len(features):
            why = f"expects {booster.num_feature()} features, not {len(features)}"
            raise RankerFileError(str(path), why)
        depth = int(manifest.get("depth", DEFAULT_DEPTH))
        priors, priors_digest = _read_priors(folder, manifest.get("priors"))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        name = path if manifest_path.is_file() else manifest_path
        raise RankerFileError(str(name), f"could not be read ({type(exc).__name__})") from None
    named = identity(digest, priors_digest)
    return LearnedRanker(booster, tuple(features), encoder, max(1, depth), named, priors)


def _read_priors(folder: Path, entry: Any) -> tuple[Priors | None, str | None]:
    """The priors a manifest names (none when it names none), checked against their sha256;
    RankerFileError naming the priors file when they fail it, ValueError when unreadable."""
    if entry is None:
        return None, None
    path = folder / str(entry["file"])
    digest = file_sha256(path)
    if digest != entry["sha256"]:
        raise RankerFileError(str(path), "does not match the sha256 in its manifest")
    return Priors.from_dict(json.loads(path.read_text(encoding="utf-8"))), digest


def load_ranker(
    folder: Path, *, features: Sequence[str], encoder: str
) -> tuple[LearnedRanker | None, str]:
    """The model in `folder` when it matches `features` and `encoder`, and a note on what was
    loaded; else None, with a note (also logged as a warning) naming the file: missing,
    unreadable, failing its sha256, or built for other features or another encoder (see
    read_ranker)."""
    try:
        ranker = read_ranker(folder, features=features, encoder=encoder)
    except RankerFileError as exc:
        note = f"Ranker model {exc.path} {exc.why}; the linear scorer serves."
        logger.warning(note)
        return None, note
    return ranker, f"{ranker.name} from {folder / MODEL_FILE}"


def _booster(text: str) -> Any:
    import lightgbm

    try:
        return lightgbm.Booster(model_str=text)
    except lightgbm.basic.LightGBMError as exc:
        raise ValueError(str(exc)) from None
