"""Leave-one-library-out with a fine-tuned encoder, nested so no tuned choice sees a similarity
the encoder earned on its own training data.

The held-out library is encoded by an encoder fine-tuned on the other libraries. The tuner
(fusion, weights, intent, linking, the ranker) runs on the training libraries, each encoded by
an encoder fine-tuned on the remaining training libraries, so the ranker learns from the same
kind of out-of-sample similarity it will meet on the held-out one. With two libraries that
remainder is empty and a training library keeps the base encoder. The same tuner on libraries
encoded by the base model is scored alongside ("base_encoder"), in the same run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from enablement.embedding import Encoder, ModelSpec, SentenceTransformerEncoder
from enablement.errors import InvalidValueError
from enablement.learn.encoder import (
    EncoderPair,
    FineTuneSettings,
    base_weights,
    encoder_pairs,
    fine_tune,
    soup,
)
from enablement.learn.evaluate import evaluate
from enablement.learn.holdout import (
    HEADLINE_METRIC,
    TUNED_LINEAR,
    Tuner,
    describe,
    headline,
    score_library,
    with_config,
)
from enablement.learn.libraries import Library
from enablement.overlay import (
    MANIFEST_FILE,
    Overlay,
    overlay_weights,
    read_overlay,
    write_overlay,
)
from enablement.recommend.config import RecommenderConfig

BASE_ENCODER = "base_encoder"
# A library encoded by an encoder: (library name, encoder) -> Library
LibraryWith = Callable[[str, Encoder], Library]


class OverlayEncoders:
    """Encoders fine-tuned on sets of libraries. Each library is fine-tuned alone, once, and
    kept in `folder` under a key of its training pairs and settings (so changed labels or
    settings train it again); the encoder for a set is the soup of its libraries' weights
    (learn.encoder.soup), kept there too. They encode queries as the service does
    (`quantize_queries`); `plain` is the base model at full precision, which finds the training
    pairs, so their key never depends on serving."""

    def __init__(
        self,
        base: ModelSpec,
        pairs: Callable[[str], Sequence[EncoderPair]],
        settings: FineTuneSettings,
        folder: Path,
        *,
        threads: int | None = None,
        quantize_queries: bool = False,
    ) -> None:
        self.base = base
        self.quantize_queries = quantize_queries
        self.pairs = pairs  # a library's training pairs, by name
        self.settings = settings
        self.folder = folder
        self.threads = threads
        self._loaded: dict[frozenset[str], Encoder] = {}
        self._base_weights: dict[str, Any] | None = None

    def __call__(self, trained_on: frozenset[str]) -> Encoder:
        """The encoder fine-tuned on `trained_on` (the base model when none of them has a
        training pair)."""
        if trained_on not in self._loaded:
            spec = self.spec(trained_on) if self._teaching(trained_on) else self.base
            self._loaded[trained_on] = SentenceTransformerEncoder(
                spec, threads=self.threads, quantize_queries=self.quantize_queries
            )
        return self._loaded[trained_on]

    @cached_property
    def plain(self) -> Encoder:
        if not self.quantize_queries:  # the base encoder already encodes at full precision
            return self(frozenset())
        return SentenceTransformerEncoder(self.base, threads=self.threads)

    def spec(self, trained_on: frozenset[str]) -> ModelSpec:
        """The base spec with the overlay for `trained_on` (some of which have pairs)."""
        tuned = [self.tuned(name) for name in self._teaching(trained_on)]
        digest = hashlib.sha256(json.dumps([self.settings.mix, [t.sha256 for t in tuned]]).encode())
        folder = self.folder / f"soup-{digest.hexdigest()[:16]}"
        if (folder / MANIFEST_FILE).is_file():
            overlay = read_overlay(folder, base=self.base.name)
        else:
            overlay = write_overlay(
                folder,
                self.soup(trained_on),
                base=self.base.name,
                trained_on=sorted(trained_on),
                soup_of=[t.sha256 for t in tuned],
                mix=self.settings.mix,
            )
        return replace(self.base, name=overlay.name, overlay=overlay.path)

    def soup(self, trained_on: frozenset[str]) -> dict[str, Any]:
        """The soup of the weights fine-tuned on each library of `trained_on` that has training
        pairs (a library without questions would only dilute it).

        Raises InvalidValueError when none has any.
        """
        teaching = self._teaching(trained_on)
        if not teaching:
            raise InvalidValueError(
                f"No labelled deal in {', '.join(sorted(trained_on))} has a question with an "
                "answer graded 2 or more: nothing to fine-tune the encoder on.",
                field="libraries",
            )
        tuned = [overlay_weights(self.tuned(name)) for name in teaching]
        if self._base_weights is None:
            self._base_weights = base_weights(self.base.path, sorted(tuned[0]))
        return soup(self._base_weights, tuned, self.settings.mix)

    def _teaching(self, trained_on: frozenset[str]) -> list[str]:
        """The libraries of `trained_on` with training pairs, in order."""
        return [name for name in sorted(trained_on) if self.pairs(name)]

    def tuned(self, name: str) -> Overlay:
        """The weights fine-tuned on library `name` alone, whole (no mix), trained once."""
        pairs = self.pairs(name)
        settings = replace(self.settings, mix=1.0)
        folder = self.folder / _key(pairs, settings)
        if (folder / MANIFEST_FILE).is_file():
            return read_overlay(folder, base=self.base.name)
        weights = fine_tune(self.base.path, pairs, settings)
        return write_overlay(folder, weights, base=self.base.name, trained_on=[name])


class EncodedLibraries:
    """Libraries indexed on demand, each (library, encoder) once, in `workdir`; `build` indexes
    one library's catalog with an encoder in a folder. Training pairs come from each library
    as the base encoder indexes it."""

    def __init__(
        self,
        build: Callable[[str, Encoder, Path], Library],
        names: Sequence[str],
        workdir: Path,
        *,
        base: ModelSpec,
        settings: FineTuneSettings,
        folder: Path,
        threads: int | None = None,
        quantize_queries: bool = False,
    ) -> None:
        self.names = list(names)
        self._build = build
        self._workdir = workdir
        self._built: dict[tuple[str, str], Library] = {}
        self._pairs: dict[str, list[EncoderPair]] = {}
        self.settings = settings
        self.encoders = OverlayEncoders(
            base, self.pairs, settings, folder, threads=threads, quantize_queries=quantize_queries
        )

    def __call__(self, name: str, encoder: Encoder) -> Library:
        if (name, encoder.name) not in self._built:
            folder = self._workdir / str(len(self._built))
            self._built[name, encoder.name] = self._build(name, encoder, folder)
        return self._built[name, encoder.name]

    def pairs(self, name: str) -> list[EncoderPair]:
        if name not in self._pairs:
            library = self(name, self.encoders(frozenset()))
            found = encoder_pairs(
                library, hard_negatives=self.settings.hard_negatives, queries=self.encoders.plain
            )
            self._pairs[name] = found
        return self._pairs[name]

    def out_of_library(self, name: str) -> Library:
        """`name` encoded by an encoder fine-tuned on every other library."""
        return self(name, self.encoders(frozenset(self.names) - {name}))


def overlay_settings(spec: ModelSpec) -> FineTuneSettings:
    """The settings the served overlay was trained with (its manifest), else the defaults."""
    if spec.overlay is None:
        return FineTuneSettings()
    try:
        manifest = json.loads((spec.overlay.parent / MANIFEST_FILE).read_text(encoding="utf-8"))
        return FineTuneSettings(**manifest["trained"]["settings"])
    except (OSError, ValueError, KeyError, TypeError):
        return FineTuneSettings()


def _key(pairs: Sequence[EncoderPair], settings: FineTuneSettings) -> str:
    digest = hashlib.sha256(json.dumps(asdict(settings), sort_keys=True).encode())
    for pair in pairs:
        digest.update(json.dumps([pair.question, pair.positive, pair.negative]).encode())
    return digest.hexdigest()[:16]


def nested_fold(
    held: str,
    names: Sequence[str],
    *,
    library_with: LibraryWith,
    encoders: Callable[[frozenset[str]], Encoder],
) -> tuple[list[Library], Library]:
    """The fold of nested_holdout that holds `held` out: the other libraries, each encoded by the
    encoder fine-tuned on the rest of them, and `held` encoded by the one fine-tuned on all of
    them."""
    training = frozenset(names) - {held}
    libraries = [library_with(name, encoders(training - {name})) for name in names if name != held]
    return libraries, library_with(held, encoders(training))


def nested_holdout(
    names: Sequence[str],
    *,
    library_with: LibraryWith,
    encoders: Callable[[frozenset[str]], Encoder],
    tuner: Tuner,
    config: RecommenderConfig,
    fixed: Mapping[str, RecommenderConfig],
) -> dict[str, Any]:
    """Each library held out in turn: tuned and scored with fine-tuned encoders ("tuned", and
    its linear scorer alone), tuned and scored with the base encoder ("base_encoder"), and the
    `fixed` configs (default, baselines) on the base encoder. Shaped as leave_one_library_out's
    result, so format_holdout prints it."""
    held_out: dict[str, Any] = {}
    base = {name: library_with(name, encoders(frozenset())) for name in names}
    for held in names:
        training = [name for name in names if name != held]
        libraries, target = nested_fold(held, names, library_with=library_with, encoders=encoders)
        tuned = tuner(libraries, config)
        base_tuned = tuner([base[name] for name in training], config).config
        held_out[held] = {
            "trained_on": training,
            "choice": dict(tuned.choice),
            **_nested_scores(target, base[held], libraries, tuned.config, base_tuned, fixed),
        }
    return {
        "protocol": "leave-one-library-out, encoder fine-tuned on the training libraries",
        "metric": HEADLINE_METRIC,
        "libraries": {name: describe(library) for name, library in base.items()},
        "held_out": held_out,
        "headline": headline(held_out, ["tuned", TUNED_LINEAR, BASE_ENCODER, *fixed]),
    }


def _nested_scores(
    target: Library,
    base_target: Library,
    libraries: Sequence[Library],
    tuned: RecommenderConfig,
    base_tuned: RecommenderConfig,
    fixed: Mapping[str, RecommenderConfig],
) -> dict[str, Any]:
    """One fold's scores of nested_holdout: on `target` (the held-out library with the training
    libraries' encoder), `tuned` and its linear scorer alone; on `base_target` (it with the base
    encoder), `base_tuned` and the `fixed` configs; `tuned` on the training `libraries`."""
    return {
        "tuned": score_library(with_config(target, tuned), target.deals),
        TUNED_LINEAR: score_library(with_config(target, replace(tuned, ranker=None)), target.deals),
        BASE_ENCODER: score_library(with_config(base_target, base_tuned), target.deals),
        **{
            name: score_library(with_config(base_target, fixed_config), target.deals)
            for name, fixed_config in fixed.items()
        },
        "in_training": {
            library.name: evaluate(with_config(library, tuned), library.deals)["overall"]
            for library in libraries
        },
    }
