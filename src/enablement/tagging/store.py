"""The review of tag suggestions in the SQL store: what the model proposed, reconciled with the
catalog on each refresh; the review list, paged; accepting (the tag written to the catalog with
its provenance) and rejecting, each one transaction."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, Select, and_, or_, select, update

from enablement.catalog.accepted import tagged
from enablement.db import tables
from enablement.db.engine import dialect_insert
from enablement.errors import ConflictError, InvalidValueError, NotFoundError
from enablement.tagging.suggestion import MULTI_VALUED, Suggestion

STATUSES: Final = ("open", "accepted", "rejected", "void")
VOID_REASONS: Final = (
    "asset_removed", "content_changed", "field_set", "value_removed", "not_proposed",
)  # fmt: skip
# {asset id: (its content hash, {field: whether the asset has a value for it})}
Assets = Mapping[str, tuple[str, Mapping[str, bool]]]


@dataclass
class RefreshReport:
    """What a refresh did: suggestions added (new, or void ones proposed again), kept (still
    open, confidence and reasons updated), voided by reason, and proposals dropped (for a field
    the asset has, a value outside the taxonomy, an unknown asset or older content)."""

    added: int = 0
    kept: int = 0
    voided: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VOID_REASONS, 0))
    dropped: int = 0
    void: list[dict[str, str]] = field(default_factory=list)  # each voided one, with its reason

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "kept": self.kept, "voided": dict(self.voided),
                "dropped": self.dropped, "void": list(self.void)}  # fmt: skip

    def sentence(self) -> str:
        """One line: "2 added, 1 kept, 1 voided (value_removed 1), 0 dropped"."""
        voided = sum(self.voided.values())
        reasons = ", ".join(f"{r} {n}" for r, n in self.voided.items() if n)
        detail = f" ({reasons})" if reasons else ""
        kept = f"{self.added} added, {self.kept} kept"
        return f"{kept}, {voided} voided{detail}, {self.dropped} dropped"


class SuggestionStore:
    """Rows of `tag_suggestions` and `accepted_tags`; an accepted tag is also written to the
    asset's row, in the same transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def refresh(
        self,
        proposed: Iterable[Suggestion],
        *,
        assets: Assets,
        valid: Mapping[str, Collection[str]],
        now: datetime,
    ) -> RefreshReport:
        """Reconcile the open suggestions with what the model proposes now (see RefreshReport).
        A suggestion accepted or rejected before is never reopened: a rejected value is not
        proposed again for the same content (the id includes the content hash)."""
        report = RefreshReport()
        fresh: dict[str, Suggestion] = {}
        for suggestion in proposed:
            if _proposable(suggestion, assets, valid):
                fresh[suggestion.id] = suggestion
            else:
                report.dropped += 1
        with self.engine.begin() as connection:
            known = _statuses(connection, list(fresh))
            for sid, suggestion in fresh.items():
                _upsert(connection, suggestion, known.get(sid), now, report)
            _void_the_rest(connection, fresh, assets, valid, now, report)
        return report

    def page(
        self,
        *,
        field: str | None = None,
        min_confidence: float | None = None,
        status: str = "open",
        asset_id: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Suggestions of `status`, highest confidence first, then id, `limit` at a time after the
        cursor `after` (a page's `next`): the page and the next cursor, None on the last page."""
        s = tables.tag_suggestions.c
        query = _titled().where(s.status == status)
        if field is not None:
            query = query.where(s.field == field)
        if min_confidence is not None:
            query = query.where(s.confidence >= min_confidence)
        if asset_id is not None:
            query = query.where(s.asset_id == asset_id)
        if after is not None:
            confidence, last = _cursor(after)
            query = query.where(
                or_(s.confidence < confidence, and_(s.confidence == confidence, s.id > last))
            )
        query = query.order_by(s.confidence.desc(), s.id).limit(limit + 1)
        with self.engine.connect() as connection:
            rows = [_public(dict(row._mapping)) for row in connection.execute(query)]
        if len(rows) <= limit:
            return rows, None
        last_row = rows[limit - 1]
        return rows[:limit], f"{last_row['confidence']!r}:{last_row['id']}"

    def open_by_asset(self) -> dict[str, tuple[tuple[str, str, float], ...]]:
        """Every open suggestion as (field, value, confidence) per asset id: what an index
        bundle carries for ranking (AssetRecord.suggested)."""
        s = tables.tag_suggestions.c
        query = select(s.asset_id, s.field, s.value, s.confidence).where(s.status == "open")
        found: dict[str, list[tuple[str, str, float]]] = {}
        with self.engine.connect() as connection:
            for asset_id, field, value, confidence in connection.execute(query.order_by(s.id)):
                found.setdefault(asset_id, []).append((field, value, float(confidence)))
        return {asset_id: tuple(rows) for asset_id, rows in found.items()}

    def get(self, suggestion_id: str) -> dict[str, Any]:
        """One suggestion; NotFoundError naming the id when unknown."""
        with self.engine.connect() as connection:
            return _public(_row(connection, suggestion_id, "id"))

    def accept(
        self, ids: Sequence[str], *, actor: str, now: datetime, field: str = "id"
    ) -> list[dict[str, Any]]:
        """Accept open suggestions `ids`, all or nothing, in one transaction: each tag is written
        to the asset's row (catalog.accepted.tagged) and to `accepted_tags`, so it survives
        re-ingest. Raises NotFoundError (unknown id) or ConflictError (not open; its asset gone
        or changed since; a type already set) naming the first bad id, with `field` the input
        that held it; nothing changes then."""
        with self.engine.begin() as connection:
            decided = [_decide(connection, sid, "accepted", actor, now, field) for sid in ids]
            for row in decided:
                _apply(connection, row, actor, now, field)
        return [_public(row) | {"status": "accepted"} for row in decided]

    def reject(
        self, ids: Sequence[str], *, actor: str, now: datetime, field: str = "id"
    ) -> list[dict[str, Any]]:
        """Reject open suggestions `ids`, all or nothing; errors as `accept`."""
        with self.engine.begin() as connection:
            decided = [_decide(connection, sid, "rejected", actor, now, field) for sid in ids]
        return [_public(row) | {"status": "rejected"} for row in decided]


def _proposable(s: Suggestion, assets: Assets, valid: Mapping[str, Collection[str]]) -> bool:
    """Whether a proposal may be listed: a live asset, its current content, a field it lacks and
    a value in the taxonomy."""
    held = assets.get(s.asset_id)
    if held is None or held[0] != s.content_hash or held[1].get(s.field, False):
        return False
    return s.value in valid.get(s.field, ())


def _statuses(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    s = tables.tag_suggestions.c
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        query = select(s.id, s.status).where(s.id.in_(list(ids[start : start + 500])))
        found.update({row.id: row.status for row in connection.execute(query)})
    return found


def _upsert(
    connection: Connection, suggestion: Suggestion, status: str | None, now: datetime,
    report: RefreshReport,
) -> None:  # fmt: skip
    """Insert a new suggestion, update an open one, reopen a void one; a decided one stays."""
    s = tables.tag_suggestions.c
    scores = {"confidence": float(suggestion.confidence), "why": suggestion.why.to_dict()}
    if status is None:
        row = {"id": suggestion.id, "asset_id": suggestion.asset_id, "field": suggestion.field,
               "value": suggestion.value, "content_hash": suggestion.content_hash,
               "status": "open", "created_at": now, **scores}  # fmt: skip
        statement = dialect_insert(connection.engine, tables.tag_suggestions).values(**row)
        # a refresh running at the same time in another process may have inserted it
        connection.execute(statement.on_conflict_do_nothing(index_elements=["id"]))
        report.added += 1
    elif status in ("open", "void"):
        reopen = {"status": "open", "void_reason": None, "decided_at": None, "decided_by": None}
        values = scores if status == "open" else scores | reopen
        connection.execute(  # only while still as read: a decision made meanwhile stands
            update(tables.tag_suggestions)
            .where(s.id == suggestion.id, s.status == status)
            .values(**values)
        )
        if status == "open":
            report.kept += 1
        else:
            report.added += 1


def _void_the_rest(
    connection: Connection, fresh: Mapping[str, Suggestion], assets: Assets,
    valid: Mapping[str, Collection[str]], now: datetime, report: RefreshReport,
) -> None:  # fmt: skip
    """Void each open suggestion not proposed now, with the first reason that holds."""
    s = tables.tag_suggestions.c
    query = select(s.id, s.asset_id, s.field, s.value, s.content_hash).where(s.status == "open")
    stale = [row for row in connection.execute(query) if row.id not in fresh]
    for row in stale:
        reason = _void_reason(dict(row._mapping), assets, valid)
        connection.execute(
            update(tables.tag_suggestions)
            .where(s.id == row.id, s.status == "open")
            .values(status="void", void_reason=reason, decided_at=now)
        )
        report.voided[reason] += 1
        report.void.append({"id": row.id, "asset_id": row.asset_id, "field": row.field,
                            "value": row.value, "reason": reason})  # fmt: skip


def _void_reason(
    row: Mapping[str, Any], assets: Assets, valid: Mapping[str, Collection[str]]
) -> str:
    held = assets.get(row["asset_id"])
    if held is None:
        return "asset_removed"
    if held[0] != row["content_hash"]:
        return "content_changed"
    if held[1].get(row["field"], False):
        return "field_set"
    if row["value"] not in valid.get(row["field"], ()):
        return "value_removed"
    return "not_proposed"


def _titled() -> Select[Any]:
    """Suggestion rows with their asset's title (`title`; None once the asset is gone): what a
    reviewer reads to know which asset it is."""
    s, a = tables.tag_suggestions, tables.assets
    return select(s, a.c.title.label("title")).select_from(
        s.outerjoin(a, and_(a.c.id == s.c.asset_id, a.c.removed_at.is_(None)))
    )


def _row(connection: Connection, suggestion_id: str, field: str) -> Mapping[str, Any]:
    query = _titled().where(tables.tag_suggestions.c.id == suggestion_id)
    row = connection.execute(query).first()
    if row is None:
        raise NotFoundError(f"No tag suggestion with id '{suggestion_id}'.", field=field)
    return dict(row._mapping)


def _decide(
    connection: Connection, suggestion_id: str, status: str, actor: str, now: datetime, field: str
) -> dict[str, Any]:
    """Mark an open suggestion decided and return its row (before the change); only an open one
    changes, so of two racing decisions one wins and the other is a ConflictError."""
    s = tables.tag_suggestions.c
    changed = connection.execute(
        update(tables.tag_suggestions)
        .where(s.id == suggestion_id, s.status == "open")
        .values(status=status, decided_at=now, decided_by=actor)
    ).rowcount
    row = dict(_row(connection, suggestion_id, field))
    if not changed:
        raise ConflictError(
            f"Tag suggestion '{suggestion_id}' is {row['status']}, not open: it cannot be "
            f"{status} (nothing was changed).",
            field=field,
        )
    return row | {"decided_at": now, "decided_by": actor}


def _apply(
    connection: Connection, row: Mapping[str, Any], actor: str, now: datetime, field: str
) -> None:
    """Write an accepted suggestion's tag to its asset's row and to `accepted_tags`; a type
    accepted voids the other open type suggestions of that asset."""
    a = tables.assets.c
    sid, asset_id, name = row["id"], row["asset_id"], row["field"]
    query = select(tables.assets).where(a.id == asset_id, a.removed_at.is_(None))
    asset = connection.execute(query.with_for_update()).first()
    if asset is None or asset.content_hash != row["content_hash"]:
        what = "is no longer in the catalog" if asset is None else "has changed since"
        raise ConflictError(
            f"Tag suggestion '{sid}' is for asset '{asset_id}', which {what}; refresh the "
            "suggestions (nothing was changed).",
            field=field,
        )
    current = dict(asset._mapping)
    if name not in MULTI_VALUED and current[name]:
        raise ConflictError(
            f"Tag suggestion '{sid}': asset '{asset_id}' has a {name} already "
            f"('{current[name]}'; nothing was changed).",
            field=field,
        )
    values = tagged(current, name, row["value"], by=actor, at=now)
    connection.execute(update(tables.assets).where(a.id == asset_id).values(**values))
    accepted = {"asset_id": asset_id, "field": name, "value": row["value"], "suggestion_id": sid,
                "accepted_by": actor, "accepted_at": now}  # fmt: skip
    statement = dialect_insert(connection.engine, tables.accepted_tags).values(**accepted)
    connection.execute(
        statement.on_conflict_do_nothing(index_elements=["asset_id", "field", "value"])
    )
    if name not in MULTI_VALUED:
        s = tables.tag_suggestions.c
        connection.execute(
            update(tables.tag_suggestions)
            .where(s.asset_id == asset_id, s.field == name, s.status == "open")
            .values(status="void", void_reason="field_set", decided_at=now)
        )


def _cursor(after: str) -> tuple[float, str]:
    """(confidence, id) from a page's `next`; InvalidValueError naming `cursor` otherwise."""
    confidence, _, last = after.partition(":")
    try:
        return float(confidence), last
    except ValueError:
        raise InvalidValueError(
            f"cursor '{after}' is not a page's `next`.", field="cursor"
        ) from None


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    """A suggestion row as JSON-ready fields."""
    moments = {k: _iso(row[k]) for k in ("created_at", "decided_at")}
    return {
        "id": row["id"], "asset_id": row["asset_id"], "title": row.get("title"),
        "field": row["field"],
        "value": row["value"], "confidence": row["confidence"], "why": row["why"],
        "status": row["status"], "void_reason": row["void_reason"],
        "decided_by": row["decided_by"], **moments,
    }  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).isoformat()
