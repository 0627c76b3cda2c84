"""Rankers over the service: the registry (register, list, show, promote, rollback), which
learned ranker serves (the registry's live one, else the shipped one), and what this worker
holds of it. The facade (service.py) builds one and the API and CLI reach it as
`service.ranking`."""

from __future__ import annotations

import builtins
import logging
import threading
from dataclasses import replace
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from enablement.errors import RankerFileError
from enablement.rankers import RankerRecord, RankerRegistry
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.ranker import MODEL_FILE, LearnedRanker
from enablement.serving import ServingModels

log = logging.getLogger(__name__)
SHIPPED = ""  # the live-ranker key of the shipped ranker (no promotion, or rolled back to it)
RANKERS_FOLDER = "rankers"  # under data_dir: one folder per registered ranker


class Ranking:
    """One per service (so one per worker). `follows` is False when rankers do not serve
    (ENABLEMENT_SCORER=linear, or a config given with its own ranker): then the registry is
    still managed, but serving never reads it."""

    def __init__(self, engine: Engine, models: ServingModels, *, follows: bool) -> None:
        self.engine = engine
        self.models = models
        self.follows = follows
        self._held: tuple[str, LearnedRanker | None, str] | None = None  # (key, model, note)
        self._failed: tuple[str, str] | None = None  # (key, why) of a switch that failed
        self._lock = threading.Lock()

    @cached_property
    def registry(self) -> RankerRegistry:
        return RankerRegistry(
            self.engine,
            root=self.models.settings.data_dir / RANKERS_FOLDER,
            shipped=self.models.shipped_ranker,
            check=self.models.read_ranker,
        )

    def list(self) -> list[dict[str, Any]]:
        """Every ranker one may promote, the shipped one first, the live one marked."""
        return [record.to_dict() for record in self.registry.list()]

    def get(self, ranker_id: str, *, field: str = "ranker") -> dict[str, Any]:
        """One ranker; NotFoundError (404, naming `field`) naming the known ids."""
        return self.registry.get(ranker_id, field=field).to_dict()

    def promote(self, ranker_id: str, *, by: str, reason: str = "") -> dict[str, Any]:
        """Make `ranker_id` live (see RankerRegistry.promote: its file is read first); every
        worker serves it within `reload_interval_s`."""
        return self.registry.promote(ranker_id, by=by, reason=reason).to_dict()

    def rollback(self, *, by: str, reason: str = "") -> dict[str, Any]:
        """Make the ranker live before the current one live again (see
        RankerRegistry.rollback)."""
        return self.registry.rollback(by=by, reason=reason).to_dict()

    def register(self, ranker: LearnedRanker, **record: Any) -> RankerRecord:
        """Register a trained ranker (see RankerRegistry.register); it is not made live."""
        return self.registry.register(ranker, **record)

    def live_key(self) -> str:
        """What serving follows: the live registered ranker's id, SHIPPED when the shipped one
        is live or rankers are not followed. One read of the store; when it does not answer,
        the key this worker holds (a warning), so serving goes on as it is."""
        if not self.follows:
            return SHIPPED
        try:
            return self.registry.live_id() or SHIPPED
        except SQLAlchemyError as exc:  # the store did not answer: keep what this worker holds
            held = self._held
            key = held[0] if held is not None else SHIPPED
            log.warning("could not read the live ranker (%s); keeping %r", type(exc).__name__, key)
            return key

    def config(
        self, key: str, linear: RecommenderConfig, *, serving: bool = False
    ) -> RecommenderConfig:
        """`linear` ranking with the ranker `key` names (see `model`); unchanged when it has a
        ranker of its own."""
        if linear.ranker is not None:
            return linear
        return replace(linear, ranker=self.model(key, serving=serving)[0])

    def model(self, key: str, *, serving: bool = False) -> tuple[LearnedRanker | None, str]:
        """The model of live-ranker `key` and where it came from. The one this worker holds is
        kept while `key` stays live (its file is not read again). A new one is read from its
        file. When that fails while the worker is `serving` a recommender: RankerFileError (the
        caller keeps serving what it has, never something else). Before anything serves: the
        linear scorer, with the file named in a warning and the note (as for a bad shipped
        ranker)."""
        with self._lock:
            held = self._held
            if held is not None and held[0] == key:
                return held[1], held[2]
            try:
                model, note = self._read(key, strict=serving)
            except RankerFileError as exc:
                if serving:
                    self._failed = (key, exc.message)
                    raise
                model, note = None, f"{exc.message.rstrip('.')}; the linear scorer serves."
                log.warning(note)
            self._held, self._failed = (key, model, note), None
            return model, note

    def note(self) -> str:
        """Where the held ranker came from, and a switch to the live ranker that failed here."""
        held, failed = self._held, self._failed
        note = held[2] if held is not None else "not loaded yet"
        if failed is not None:
            note += f". Still serving it: the live ranker {failed[0]} did not load: {failed[1]}"
        return note

    def live_name(self) -> str | None:
        """The live ranker's id as the registry says (the shipped one's too); None when rankers
        are not followed or the store does not answer."""
        if not self.follows:
            return None
        try:
            key = self.registry.live_id()
        except SQLAlchemyError:  # /readyz's store check says so
            return None
        return key if key is not None else self.registry.shipped().id

    def learned_rankers(self) -> builtins.list[tuple[LearnedRanker, str]]:
        """The learned rankers an experiment may name: those ServingModels finds, then each
        registered one whose file loads (one that does not is named in a warning)."""
        found = self.models.learned_rankers()
        for record in self.registry.list():
            if record.kind != "trained":
                continue
            folder = self.registry.folder(record)
            try:
                found.append((self.models.read_ranker(folder), f"registered, {folder}"))
            except RankerFileError as exc:
                log.warning("registered ranker %s left out: %s", record.id, exc.message)
        return found

    def _read(self, key: str, *, strict: bool) -> tuple[LearnedRanker | None, str]:
        if not self.follows or (key == SHIPPED and not strict):
            return self.models.ranker  # as before the registry: warn and serve linear if bad
        record = self.registry.get(key) if key != SHIPPED else self.registry.shipped()
        folder = self.registry.folder(record)
        model = self.models.read_ranker(folder)
        how = "the shipped ranker" if record.kind == "shipped" else "the live ranker"
        return model, f"{model.name} from {folder / MODEL_FILE}, {how}"
