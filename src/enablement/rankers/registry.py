"""The registry: register a trained ranker (its folder under data_dir/rankers and a row), list
and get them with the shipped one, and change the live ranker by promotion or rollback, never to
a ranker whose file does not load."""

from __future__ import annotations

import builtins
import json
import re
import secrets
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from enablement.checksums import file_sha256
from enablement.errors import ConflictError, NotFoundError
from enablement.rankers.model import Change, RankerRecord, live_stack
from enablement.rankers.store import RankerStore, StaleChangeError
from enablement.recommend.ranker import (
    DEFAULT_FOLDER,
    MANIFEST_FILE,
    MODEL_FILE,
    LearnedRanker,
    save_ranker,
)

Check = Callable[[Path], LearnedRanker]  # reads a ranker folder, RankerFileError if unusable
_ATTEMPTS = 5  # changes decided on a state another change just replaced are decided again


class RankerRegistry:
    """Registered rankers and the live one. `shipped` is the folder of the ranker that serves
    when none was promoted (models/ranker, or ENABLEMENT_RANKER_PATH); `check` reads a folder as
    serving would, and is asked before any ranker becomes live."""

    def __init__(self, engine: Engine, *, root: Path, shipped: Path, check: Check) -> None:
        self.store = RankerStore(engine)
        self.root = root
        self.shipped_folder = shipped
        self.check = check

    def register(
        self,
        ranker: LearnedRanker,
        *,
        trained_on: Mapping[str, Any],
        offline: Mapping[str, Any],
        created_by: str,
        card: Mapping[str, Any] | None = None,
        note: str = "",
    ) -> RankerRecord:
        """Save `ranker` (save_ranker, with `card` in its manifest) under data_dir/rankers/<its
        name> and record it; returns its record. Registering the same model again changes
        nothing (a damaged folder of it is rewritten); the shipped model is not registered
        again: its record is returned."""
        ranker_id, folder = self._save(ranker, card or {})
        if ranker_id == self.shipped().id:
            return self.get(ranker_id)
        self.store.add(
            {
                "id": ranker_id, "sha256": _manifest(folder)["sha256"], "folder": folder.name,
                "created_at": datetime.now(UTC), "created_by": created_by,
                "trained_on": dict(trained_on), "offline": dict(offline), "note": note,
            }
        )  # fmt: skip
        return self.get(ranker_id)

    def list(self) -> list[RankerRecord]:
        """The shipped ranker, then the registered ones newest first; the live one marked."""
        last = self.store.last_change()
        live = last.ranker_id if last is not None else None
        found = [self.shipped(), *self.store.records()]
        return [_marked(record, live, last) for record in found]

    def get(self, ranker_id: str, *, field: str = "ranker") -> RankerRecord:
        """The ranker called `ranker_id`; NotFoundError (404, naming `field`) naming the known
        ids."""
        found = self.list()
        for record in found:
            if record.id == ranker_id:
                return record
        known = ", ".join(r.id for r in found)
        raise NotFoundError(f"No ranker '{ranker_id}'. Known rankers: {known}.", field=field)

    def live(self) -> RankerRecord | None:
        """The live registered ranker; None when the shipped one serves (as before any
        promotion)."""
        live = self.live_id()
        return self.get(live) if live is not None else None

    def live_id(self) -> str | None:
        """The live ranker's id, None for the shipped one: one indexed read of the store."""
        last = self.store.last_change()
        return last.ranker_id if last is not None else None

    def folder(self, record: RankerRecord) -> Path:
        """Where `record`'s model files are."""
        return self.shipped_folder if record.kind == "shipped" else self.root / record.source

    def promote(self, ranker_id: str, *, by: str, reason: str = "") -> RankerRecord:
        """Make `ranker_id` live and return its record. Its file is read first: one that does
        not load is refused with RankerFileError (409, naming the file and its problem) and the
        live ranker stays. Promoting the live ranker changes nothing."""
        record = self.get(ranker_id)
        self.check(self.folder(record))
        target = None if record.kind == "shipped" else record.id
        for _ in range(_ATTEMPTS):
            last = self.store.last_change()
            live = last.ranker_id if last is not None else None
            if live == target:
                return self.get(ranker_id)
            try:
                self.store.append(
                    follows=last, action="promote", ranker_id=target, previous_id=live,
                    by=by, reason=reason,
                )  # fmt: skip
                return self.get(ranker_id)
            except StaleChangeError:
                continue
        raise _busy()

    def rollback(self, *, by: str, reason: str = "") -> RankerRecord:
        """Make the ranker live before the current one live again (the shipped one when there
        was none) and return its record; ConflictError (409) when nothing was promoted to roll
        back from; RankerFileError when that ranker's file no longer loads."""
        for _ in range(_ATTEMPTS):
            changes = self.store.changes()
            stack = live_stack(changes)
            if len(stack) < 2:
                shipped = self.shipped().id
                raise ConflictError(
                    f"Nothing to roll back: the shipped ranker {shipped} is live and no ranker "
                    "was live before it.",
                )
            target = self._record(stack[-2])
            self.check(self.folder(target))
            try:
                self.store.append(
                    follows=changes[-1], action="rollback", ranker_id=stack[-2],
                    previous_id=stack[-1], by=by, reason=reason,
                )  # fmt: skip
                return self.get(target.id)
            except StaleChangeError:
                continue
        raise _busy()

    def history(self) -> builtins.list[Change]:
        """Every promotion and rollback, oldest first."""
        return self.store.changes()

    def shipped(self) -> RankerRecord:
        """The shipped ranker's record, from its manifest (id `lambdarank` when unreadable)."""
        try:
            manifest = _manifest(self.shipped_folder)
            sha = str(manifest["sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            manifest, sha = {}, ""
        card = manifest.get("trained")
        trained: dict[str, Any] = card if isinstance(card, dict) else {}
        folder = self.shipped_folder
        return RankerRecord(
            id=LearnedRanker(None, (), "", sha256=sha).name,
            kind="shipped",
            source="models/ranker" if folder == DEFAULT_FOLDER else str(folder),
            sha256=sha,
            created_at=str(manifest["date"]) if "date" in manifest else None,
            created_by=None,
            trained_on=dict(trained.get("trained_on") or {}),
            offline={k: v for k, v in trained.items() if k.startswith("library_out")},
            note="The ranker shipped with enablement; it serves when no other was promoted.",
        )

    def _record(self, ranker_id: str | None) -> RankerRecord:
        if ranker_id is None:
            return self.shipped()
        return self.get(ranker_id)

    def _save(self, ranker: LearnedRanker, card: Mapping[str, Any]) -> tuple[str, Path]:
        """Save into a fresh folder, then move it to its name's folder unless a sound copy is
        there already; returns the saved model's name and its folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        incoming = self.root / f".incoming-{secrets.token_hex(6)}"
        try:
            saved = save_ranker(ranker, incoming, **card)
            folder = self.root / folder_name(saved.name)
            if not _sound(folder):
                shutil.rmtree(folder, ignore_errors=True)
                try:
                    incoming.rename(folder)
                except OSError:  # another process registered it meanwhile
                    if not _sound(folder):
                        raise
            return saved.name, folder
        finally:
            shutil.rmtree(incoming, ignore_errors=True)


def folder_name(ranker_id: str) -> str:
    """The folder a ranker is saved in, under data_dir/rankers: `lambdarank-<sha256 prefix>`."""
    return re.sub(r"[^a-z0-9]+", "-", ranker_id.lower()).strip("-") or "ranker"


def _manifest(folder: Path) -> dict[str, Any]:
    loaded = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError("the manifest is not an object")
    return loaded


def _sound(folder: Path) -> bool:
    """Whether `folder` holds a model (and priors, when it names them) matching its manifest's
    sha256."""
    try:
        manifest = _manifest(folder)
        priors = manifest.get("priors")
        if priors is not None and file_sha256(folder / priors["file"]) != priors["sha256"]:
            return False
        return bool(file_sha256(folder / MODEL_FILE) == manifest["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _marked(record: RankerRecord, live: str | None, last: Change | None) -> RankerRecord:
    is_live = record.id == live if live is not None else record.kind == "shipped"
    return record.made_live(last) if is_live else record


def _busy() -> ConflictError:
    return ConflictError("The live ranker is being changed by someone else; try again.")
