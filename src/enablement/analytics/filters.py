"""The period and filters every audit view takes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from enablement import clean
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class AuditFilters:
    """[start, end) in UTC, and optional stage, vertical, asset type and owner."""

    start: datetime
    end: datetime
    stage: str | None = None
    vertical: str | None = None
    type: str | None = None
    owner: str | None = None

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], taxonomy: Taxonomy, *, today: date | None = None
    ) -> AuditFilters:
        """From loose input: `since`/`until` ISO dates (default: the last 90 days), and
        stage/vertical/type as any taxonomy alias."""
        clean.check(dict(raw), field="")
        today = today or datetime.now(UTC).date()
        until = _day(raw.get("until"), "until") or today
        since = _day(raw.get("since"), "since") or until - timedelta(days=DEFAULT_DAYS - 1)
        if since > until:
            raise InvalidValueError("'since' must not be after 'until'.", field="since")

        def facet(name: str, facet_name: str) -> str | None:
            return taxonomy.facet(facet_name).resolve_optional(raw.get(name), field=name)

        return cls(
            start=datetime.combine(since, time.min, UTC),
            end=datetime.combine(until + timedelta(days=1), time.min, UTC),
            stage=facet("stage", "stages"),
            vertical=facet("vertical", "verticals"),
            type=facet("type", "asset_types"),
            owner=str(raw["owner"]).strip() or None if raw.get("owner") else None,
        )

    def keeps(self, asset: Mapping[str, Any]) -> bool:
        """Whether an asset (a catalog row) passes the type and owner filters."""
        return (self.type is None or asset.get("type") == self.type) and (
            self.owner is None or (asset.get("owner") or "").casefold() == self.owner.casefold()
        )

    def conditions(self, columns: Any) -> list[Any]:
        """SQL conditions for the period, stage and vertical on a table with the columns
        occurred_at, stage and vertical (events, questions)."""
        where = [columns.occurred_at >= self.start, columns.occurred_at < self.end]
        if self.stage:
            where.append(columns.stage == self.stage)
        if self.vertical:
            where.append(columns.vertical == self.vertical)
        return where

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.start.date().isoformat(),
            "until": (self.end - timedelta(days=1)).date().isoformat(),
            "stage": self.stage,
            "vertical": self.vertical,
            "type": self.type,
            "owner": self.owner,
        }


def _day(value: Any, field: str) -> date | None:
    """A day within clean.MIN_DAY..MAX_DAY, so that the period's arithmetic cannot overflow."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise InvalidValueError(f"'{value}' is not a date (YYYY-MM-DD).", field=field) from None
    clean.check(day, field=field)
    return day
