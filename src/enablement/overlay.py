"""Encoder overlays: fine-tuned weights for some layers of the packaged model, kept apart from it.

learn.encoder trains the top layers of the sentence encoder; what it changed is saved here as a
small float16 safetensors file with a manifest (its sha256, the base model it fits, a card), and
applied over the packaged model at load. The base model's own files are never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enablement.checksums import file_sha256
from enablement.errors import ConfigurationError

WEIGHTS_FILE = "layers.safetensors"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Overlay:
    """An overlay folder as its manifest describes it."""

    name: str  # the encoder's name with the overlay: caches and bundles are keyed by it
    path: Path
    sha256: str
    base: str  # the model it was trained over


def write_overlay(folder: Path, weights: dict[str, Any], *, base: str, **card: object) -> Overlay:
    """Save `weights` (a state-dict subset) and a manifest in `folder`; float16 halves the file
    and the weights are read back as float32. The name carries the file's sha256."""
    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WEIGHTS_FILE
    save_file({name: tensor.half().contiguous() for name, tensor in weights.items()}, str(path))
    digest = file_sha256(path)
    overlay = Overlay(f"{base}+enablement-{digest[:12]}", path, digest, base)
    manifest = {"name": overlay.name, "file": WEIGHTS_FILE, "sha256": digest, "base": base, **card}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return overlay


def read_overlay(folder: Path, *, base: str) -> Overlay:
    """The overlay in `folder`, checked: raises ConfigurationError naming the file when the
    manifest is missing or unreadable, the weights fail their sha256, or it fits another model."""
    manifest_path = folder / MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        path = folder / str(manifest["file"])
        expected, fits, name = str(manifest["sha256"]), str(manifest["base"]), str(manifest["name"])
        digest = file_sha256(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"Cannot read the encoder overlay in {folder} ({type(exc).__name__}: {exc}). "
            "Restore it from git, or set ENABLEMENT_ENCODER=base to serve the packaged model alone."
        ) from None
    if digest != expected:
        raise ConfigurationError(f"The encoder overlay {path} does not match its sha256.")
    if fits != base:
        raise ConfigurationError(
            f"The encoder overlay in {folder} was trained over {fits!r}, not {base!r}."
        )
    return Overlay(name, path, digest, fits)


def overlay_weights(overlay: Overlay) -> dict[str, Any]:
    """The weights of a checked overlay (read_overlay), as float32 tensors."""
    from safetensors.torch import load_file

    return {name: tensor.float() for name, tensor in load_file(str(overlay.path)).items()}


def apply_overlay(model: Any, path: Path) -> None:
    """Load the overlay weights at `path` over the transformer of `model` (a SentenceTransformer).

    Raises ConfigurationError naming the file when it cannot be read, is empty, or names a
    weight the model does not have or one of another shape.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        weights = load_file(str(path))
    except (OSError, SafetensorError) as exc:
        raise ConfigurationError(f"Cannot read the encoder overlay {path}: {exc}") from None
    transformer = model[0].auto_model
    state = transformer.state_dict()
    wrong = [n for n, t in weights.items() if n not in state or state[n].shape != t.shape]
    if wrong or not weights:
        raise ConfigurationError(
            f"The encoder overlay {path} does not fit the model ({wrong[:3] or 'no weights'})."
        )
    transformer.load_state_dict(
        {name: tensor.to(state[name].dtype) for name, tensor in weights.items()}, strict=False
    )
