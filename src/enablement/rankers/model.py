"""What the registry holds: a ranker's record (the shipped one or a trained one) and one change of
the live ranker; and how the live ranker and a rollback's target follow from the changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

RankerKind = Literal["shipped", "trained"]


@dataclass(frozen=True)
class Change:
    """One promotion or rollback: `ranker_id` live after it, `previous_id` before (None: the
    shipped ranker); `follows` is the id of the change it was decided after (0: none)."""

    id: int
    follows: int
    action: str
    ranker_id: str | None
    previous_id: str | None
    at: datetime
    by: str
    reason: str

    @classmethod
    def from_row(cls, row: Any) -> Change:
        return cls(
            id=row.id, follows=row.follows, action=row.action, ranker_id=row.ranker_id,
            previous_id=row.previous_id, at=utc(row.at), by=row.by, reason=row.reason,
        )  # fmt: skip


@dataclass(frozen=True)
class RankerRecord:
    """A ranker one may promote: the shipped one (models/ranker, read from its manifest) or a
    trained one registered in the store (its folder relative to data_dir/rankers)."""

    id: str
    kind: RankerKind
    source: str
    sha256: str
    created_at: str | None
    created_by: str | None
    trained_on: dict[str, Any] = field(default_factory=dict)
    offline: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    live: bool = False
    promoted: Change | None = None  # the change that made it live, when it is

    @classmethod
    def from_row(cls, row: Any) -> RankerRecord:
        return cls(
            id=row.id, kind="trained", source=row.folder, sha256=row.sha256,
            created_at=utc(row.created_at).isoformat(), created_by=row.created_by,
            trained_on=dict(row.trained_on), offline=dict(row.offline), note=row.note,
        )  # fmt: skip

    def made_live(self, change: Change | None) -> RankerRecord:
        """This record marked live, by `change` (None: the shipped ranker, never changed)."""
        return replace(self, live=True, promoted=change)

    def to_dict(self) -> dict[str, Any]:
        """Every field; `promoted_at`, `promoted_by` and `reason` of the change that made it
        live (null unless it is live by a change), times in ISO 8601 UTC."""
        change = self.promoted
        return {
            "id": self.id,
            "kind": self.kind,
            "live": self.live,
            "source": self.source,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "trained_on": self.trained_on,
            "offline": self.offline,
            "note": self.note,
            "promoted_at": change.at.isoformat() if change else None,
            "promoted_by": change.by if change else None,
            "promoted_how": change.action if change else None,
            "reason": change.reason if change else None,
        }


def live_stack(changes: Sequence[Change]) -> list[str | None]:
    """The rankers made live in turn, the live one last (None: the shipped ranker), replaying
    `changes` oldest first: a promotion puts its ranker on top, a rollback takes the top off.
    So after promoting A then B, rollback returns to A and a second rollback to the shipped one,
    never back to B."""
    stack: list[str | None] = [None]
    for change in changes:
        if change.action == "rollback":
            if len(stack) > 1:
                stack.pop()
        elif change.ranker_id != stack[-1]:
            stack.append(change.ranker_id)
    return stack


def utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime (SQLite hands back naive ones, written in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
