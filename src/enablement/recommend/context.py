"""The deal a rep is working: validated and resolved to canonical taxonomy ids."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from enablement import clean
from enablement.catalog.metadata import slugify
from enablement.errors import InvalidValueError
from enablement.taxonomy import Taxonomy, normalize

MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 1000
MAX_K = 50
_INTERNAL_VALUE = re.compile(r"[a-z0-9_-]+")  # an id, not a name a person wrote


@dataclass(frozen=True)
class SentAsset:
    """An asset the buyer already has from this deal, as the event store remembers it: marked
    `sent` by a rep, or shared by a share link (`link`), with what the buyer did with the links."""

    asset_id: str
    title: str | None  # None: an asset the catalog never held (a `sent` event may name any id)
    sent_at: datetime  # the first `sent` event's time, else the first link's creation
    via: Literal["sent", "link"]
    buyer_views: int | None  # views of the deal's links to it; None: no link, so not tracked
    last_viewed_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        last = self.last_viewed_at
        return {
            "asset_id": self.asset_id,
            "title": self.title,
            "sent_at": self.sent_at.isoformat(),
            "via": self.via,
            "buyer_views": self.buyer_views,
            "last_viewed_at": last.isoformat() if last is not None else None,
        }


@dataclass(frozen=True)
class Deal:
    deal_id: str | None = None  # the CRM's id for the opportunity, for usage events
    stage: str | None = None
    stage_name: str | None = None  # the stage as the CRM names it ("Needs Analysis"), to show
    vertical: str | None = None
    persona: str | None = None
    products: tuple[str, ...] = ()
    competitor: str | None = None
    questions: tuple[str, ...] = ()
    # Each question's place in the request (empty: the same as in `questions`), so passages and
    # warnings number questions as the caller did after empty or unusable ones are left out.
    question_positions: tuple[int, ...] = ()
    already_shared: frozenset[str] = frozenset()
    external_only: bool = False
    language: str | None = None
    k: int = 5
    as_of: date = field(default_factory=date.today)
    warnings: tuple[str, ...] = ()
    # What the event store remembers of this deal (merged in by the service, never by the CRM):
    # never recommended again, like `already_shared`.
    sent: tuple[SentAsset, ...] = ()

    def position(self, index: int) -> int:
        """The request's index of `questions[index]`."""
        return self.question_positions[index] if self.question_positions else index

    @property
    def excluded(self) -> frozenset[str]:
        """The asset ids never to recommend: those the CRM says it shared, and those sent."""
        return self.already_shared | {item.asset_id for item in self.sent}


def resolve_deal(raw: Mapping[str, Any], taxonomy: Taxonomy, *, prefix: str = "deal") -> Deal:
    """A Deal from loose input (CRM values, aliases); raises InvalidValueError naming the field."""
    clean.check(dict(raw), field=prefix)
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise InvalidValueError(
            f"Unknown field(s) {', '.join(unknown)}; valid fields: {', '.join(sorted(_FIELDS))}.",
            field=_field(prefix, unknown[0]),
        )
    warnings: list[str] = []

    def facet(name: str, facet_name: str) -> str | None:
        field = _field(prefix, name)
        return taxonomy.facet(facet_name).resolve_optional(raw.get(name), field=field)

    stage = facet("stage", "stages")
    questions = _questions(raw, prefix, warnings)
    return Deal(
        deal_id=str(raw["deal_id"]).strip() or None if raw.get("deal_id") else None,
        stage=stage,
        stage_name=_stage_name(raw.get("stage"), stage, taxonomy),
        vertical=facet("vertical", "verticals"),
        persona=facet("persona", "personas"),
        products=tuple(slugify(p) for p in _strings(raw, "products", prefix) if slugify(p)),
        competitor=slugify(str(raw["competitor"])) or None if raw.get("competitor") else None,
        questions=tuple(question for question, _ in questions),
        question_positions=tuple(position for _, position in questions),
        already_shared=frozenset(_strings(raw, "already_shared", prefix)),
        external_only=_bool(raw.get("external_only", False), _field(prefix, "external_only")),
        language=str(raw["language"]).casefold() if raw.get("language") else None,
        k=_k(raw.get("k", 5), _field(prefix, "k")),
        as_of=_date(raw.get("as_of"), _field(prefix, "as_of")),
        warnings=tuple(warnings),
    )


_FIELDS = {
    "deal_id", "stage", "vertical", "persona", "products", "competitor", "questions",
    "already_shared", "external_only", "language", "k", "as_of",
}  # fmt: skip


def _stage_name(given: Any, stage: str | None, taxonomy: Taxonomy) -> str | None:
    """The stage as the rep knows it: the CRM's own name ("Needs Analysis"). A CRM that passes
    an internal value (HubSpot's "presentationscheduled") gets the alias that spells it in words
    ("Presentation scheduled"), and a canonical id its label."""
    if stage is None:
        return None
    name = " ".join(str(given).split())
    if not _INTERNAL_VALUE.fullmatch(name):
        return name
    key = normalize(name)
    term = next(term for term in taxonomy.stages.terms if term.id == stage)
    spelled = [a for a in term.aliases if " " in a.strip() and normalize(a) == key]
    return spelled[0][:1].upper() + spelled[0][1:] if spelled else term.label


def _strings(raw: Mapping[str, Any], name: str, prefix: str) -> list[str]:
    value = raw.get(name) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise InvalidValueError(f"'{name}' must be a list of strings", field=_field(prefix, name))
    return [str(item).strip() for item in value if str(item).strip()]


def _questions(raw: Mapping[str, Any], prefix: str, warnings: list[str]) -> list[tuple[str, int]]:
    """The non-empty questions, whitespace-collapsed and cut to MAX_QUESTION_CHARS, each with its
    index in the request's list."""
    value = raw.get("questions") or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        field = _field(prefix, "questions")
        raise InvalidValueError("'questions' must be a list of strings", field=field)
    found = [(" ".join(str(q).split()), index) for index, q in enumerate(value) if str(q).strip()]
    if len(found) > MAX_QUESTIONS:
        raise InvalidValueError(
            f"At most {MAX_QUESTIONS} questions, got {len(found)}.",
            field=_field(prefix, "questions"),
        )
    cleaned = []
    for question, index in found:
        if len(question) > MAX_QUESTION_CHARS:
            warnings.append(
                f"questions[{index}] was {len(question)} characters; "
                f"only the first {MAX_QUESTION_CHARS} were used."
            )
            question = question[:MAX_QUESTION_CHARS]
        cleaned.append((question, index))
    return cleaned


def _bool(value: Any, field_name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise InvalidValueError(f"'{field_name}' must be true or false", field=field_name)


def _k(value: Any, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_K:
        raise InvalidValueError(f"k must be an integer from 1 to {MAX_K}", field=field_name)
    return value


def _date(value: Any, field_name: str) -> date:
    if value is None:
        return date.today()
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise InvalidValueError(
                f"'{field_name}' must be a date like 2026-11-25", field=field_name
            ) from None
    clean.check(day, field=field_name)
    return day


def _field(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
