"""Turning an event as a client posts it into a NewEvent, naming the field that is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from enablement import clean
from enablement.errors import InvalidValueError
from enablement.events.model import CLIENT_TYPES, OUTCOMES, EventType, NewEvent
from enablement.taxonomy import Taxonomy

RATINGS = {"up": 1, "down": -1}
MAX_CLOCK_SKEW = timedelta(days=1)


def parse_event(raw: Mapping[str, Any], taxonomy: Taxonomy, *, field: str = "") -> NewEvent:
    """A client event (opened, sent, feedback, deal_outcome), checked for its type's fields;
    errors name the field under the `field` prefix ("events[3].rating")."""

    def name(part: str) -> str:
        return f"{field}.{part}" if field else part

    clean.check(dict(raw), field=field)
    kind = _type(raw.get("type"), name("type"))
    deal_id = _text(raw.get("deal_id"), name("deal_id"))
    if deal_id is None:
        raise InvalidValueError("Every event needs a deal_id.", field=name("deal_id"))
    asset_id = _text(raw.get("asset_id"), name("asset_id"))
    if kind is not EventType.deal_outcome and asset_id is None:
        raise InvalidValueError(f"A '{kind}' event needs an asset_id.", field=name("asset_id"))

    def facet(key: str, facet_name: str) -> str | None:
        return taxonomy.facet(facet_name).resolve_optional(raw.get(key), field=name(key))

    return NewEvent(
        type=kind,
        idempotency_key=_key(raw.get("idempotency_key"), name("idempotency_key")),
        occurred_at=_when(raw.get("occurred_at"), name("occurred_at")),
        deal_id=deal_id,
        asset_id=asset_id,
        stage=facet("stage", "stages"),
        vertical=facet("vertical", "verticals"),
        persona=facet("persona", "personas"),
        recommendation_id=_text(raw.get("recommendation_id"), name("recommendation_id")),
        rank=raw.get("rank"),
        rating=_rating(raw.get("rating"), kind, name("rating")),
        comment=_text(raw.get("comment"), name("comment")),
        outcome=_outcome(raw.get("outcome"), kind, name("outcome")),
        amount=_amount(raw.get("amount"), name("amount")),
        close_date=_date(raw.get("close_date"), name("close_date")),
        link_id=_text(raw.get("link_id"), name("link_id")),
    )


def _type(value: Any, field: str) -> EventType:
    valid = ", ".join(t.value for t in CLIENT_TYPES)
    try:
        kind = EventType(value)
    except ValueError:
        raise InvalidValueError(
            f"Unknown event type '{value}'. Valid types: {valid}.", field=field
        ) from None
    if kind not in CLIENT_TYPES:
        raise InvalidValueError(
            f"'{kind}' events are written by enablement itself. Valid types: {valid}.",
            field=field,
        )
    return kind


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValueError("Must be a string.", field=field)
    return value.strip() or None


def _key(value: Any, field: str) -> str:
    key = _text(value, field)
    if key is None or len(key) > 200:
        raise InvalidValueError(
            "Every event needs an idempotency_key of 1 to 200 characters (a UUID, say), so a "
            "retry is not counted twice.",
            field=field,
        )
    return key


def _when(value: Any, field: str) -> datetime:
    now = datetime.now(UTC)
    if value is None:
        return now
    moment = value if isinstance(value, datetime) else _iso(value, field, datetime.fromisoformat)
    clean.check(moment, field=field)  # before astimezone, which overflows near the ends
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment > now + MAX_CLOCK_SKEW:
        raise InvalidValueError("occurred_at is in the future.", field=field)
    return moment


def _date(value: Any, field: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    parsed: date = _iso(value, field, date.fromisoformat)
    clean.check(parsed, field=field)
    return parsed


def _iso(value: Any, field: str, parse: Any) -> Any:
    try:
        return parse(str(value))
    except ValueError:
        raise InvalidValueError(
            f"'{value}' is not an ISO 8601 date or time.", field=field
        ) from None


def _rating(value: Any, kind: EventType, field: str) -> int | None:
    if kind is not EventType.feedback:
        return None
    if value not in RATINGS:
        raise InvalidValueError(
            f"Feedback needs a rating. Valid values: {', '.join(RATINGS)}.", field=field
        )
    return RATINGS[value]


def _outcome(value: Any, kind: EventType, field: str) -> str | None:
    if kind is not EventType.deal_outcome:
        return None
    if value not in OUTCOMES:
        raise InvalidValueError(
            f"A deal_outcome needs an outcome. Valid values: {', '.join(OUTCOMES)}.", field=field
        )
    return str(value)


def _amount(value: Any, field: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidValueError("amount must be a number of 0 or more.", field=field)
    return float(value)
