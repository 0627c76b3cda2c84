"""Why an asset is recommended: machine-readable codes, a sentence each, and the passages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from enablement.index.bundle import AssetRecord, ChunkRecord
from enablement.recommend.context import Deal
from enablement.recommend.readable import Block, passage_blocks, plain_text, quoted
from enablement.recommend.table import suggested_type
from enablement.taxonomy import Taxonomy

# P(asset type | question) from which the type counts as asked for, in a reason.
TYPE_MATCH_FLOOR = 0.5

# Which reason leads the one-line summary, strongest first.
PRIORITY = (
    "competitor", "answers_question", "type_match", "vertical_variant", "stage_match",
    "persona_match", "product_match", "related_question", "related_content", "internal_only",
    "sharing_unknown",
)  # fmt: skip


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Passage:
    """The part of the asset that answers one buyer question, with where to find it: as plain
    text (tables as sentences) and as blocks (tables as tables), speaker notes left out."""

    question_index: int | None
    question: str | None
    text: str
    page: int | None
    slide: int | None
    heading_path: tuple[str, ...]
    similarity: float
    # Whether the passage answers its question, by the answer model (recommend.answers); False
    # for the closest passage to a question it does not answer, and when no model is loaded.
    answers: bool = False
    answer_score: float | None = None  # P(it answers its question); None: no model or question
    blocks: tuple[Block, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_index": self.question_index,
            "question": self.question,
            "text": self.text,
            "blocks": [block.to_dict() for block in self.blocks],
            "page": self.page,
            "slide": self.slide,
            "heading_path": list(self.heading_path),
            "location": self.location,
            "similarity": round(self.similarity, 4),
            "answers": self.answers,
            "answer_score": self.answer_score,
        }

    @property
    def location(self) -> str:
        if self.page is not None:
            return f"page {self.page}"
        if self.slide is not None:
            return f"slide {self.slide}"
        return " > ".join(self.heading_path[-2:]) if self.heading_path else ""


@dataclass(frozen=True)
class Recommendation:
    asset: AssetRecord
    rank: int
    score: float
    reasons: list[Reason]
    passages: list[Passage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        asset = self.asset
        return {
            "rank": self.rank,
            "asset_id": asset.id,
            "title": asset.title,
            "type": asset.type,
            "url": asset.url,
            "external": asset.external,
            "score": self.score,
            "summary": self.summary,
            "reasons": [{"code": r.code, "text": r.text} for r in self.reasons],
            "passages": [p.to_dict() for p in self.passages],
        }

    @property
    def summary(self) -> str:
        """One line for the sidebar: the strongest two reasons, and always a do-not-send warning.
        Several answered questions count as one reason ("Answers 2 buyer questions"): the
        passages show which, and where."""
        ordered = sorted(self.reasons, key=lambda r: PRIORITY.index(r.code))
        answers = [r for r in ordered if r.code == "answers_question"]
        if len(answers) > 1:
            merged = Reason("answers_question", f"Answers {len(answers)} buyer questions")
            at = ordered.index(answers[0])
            ordered = [*ordered[:at], merged, *(r for r in ordered[at:] if r not in answers)]
        shown = ordered[:2] + [r for r in ordered[2:] if r.code == "internal_only"]
        return "; ".join(r.text for r in shown) if shown else "Relevant to this deal"


def passage(
    chunks: Sequence[ChunkRecord],
    chunk: int,
    title: str,
    index: int | None,
    question: str | None,
    similarity: float,
) -> Passage:
    """The passage for `chunks[chunk]`, as a rep reads it (recommend.readable); the asset's own
    title is dropped from its heading path."""
    record = chunks[chunk]
    path = record.heading_path
    headings = path[1:] if path[:1] == (title,) else path
    blocks = passage_blocks(chunks, chunk)
    return Passage(
        index, question, plain_text(blocks), record.page, record.slide, headings, similarity,
        blocks=blocks,
    )  # fmt: skip


def explain(
    asset: AssetRecord,
    deal: Deal,
    fits: dict[str, float],
    passages: list[Passage],
    taxonomy: Taxonomy,
    *,
    linked: Mapping[str, float] | None = None,
    cued: tuple[str | None, str | None] = (None, None),
) -> list[Reason]:
    """The reasons that hold for `asset` on `deal`, given its fit features and passages, the
    products `linked` from the buyer's questions (recommend.linking), and the (stage, persona)
    the questions point to where the deal leaves them empty (`cued`)."""
    reasons = [
        Reason("answers_question", f"Answers {quoted(_short(p.question))}" + _where(p))
        for p in passages
        if p.question is not None and p.answers
    ]
    if fits["competitor"] > 0 and deal.competitor:
        reasons.append(
            Reason("competitor", f"Covers {_title(deal.competitor)}, the competitor in this deal")
        )
    stand_in = suggested_type(asset)
    kind = asset.type or (stand_in[0] if stand_in else None)
    guessed = "" if asset.type else " (suggested tag)"
    if fits.get("type_intent", 0.0) >= TYPE_MATCH_FLOOR and kind:
        label = taxonomy.asset_types.label(kind)
        reasons.append(Reason("type_match", f"You asked for {_with_article(label)}{guessed}"))
    if fits["vertical"] > 0 and deal.vertical:
        label = taxonomy.verticals.label(deal.vertical)
        text = f"The {label} version" + _guessed(asset, "verticals")
        reasons.append(Reason("vertical_variant", text))
    if fits["stage"] > 0 and deal.stage:
        text = f"Made for the {taxonomy.stages.label(deal.stage)} stage" + _guessed(asset, "stages")
        reasons.append(Reason("stage_match", text))
    elif cued[0] and cued[0] in asset.stages:
        label = taxonomy.stages.label(cued[0])
        reasons.append(Reason("stage_match", f"Made for the {label} stage, from the question"))
    if fits["persona"] > 0 and deal.persona:
        label = taxonomy.personas.label(deal.persona)
        text = f"Written for {label} buyers" + _guessed(asset, "personas")
        reasons.append(Reason("persona_match", text))
    elif cued[1] and cued[1] in asset.personas:
        label = taxonomy.personas.label(cued[1])
        reasons.append(Reason("persona_match", f"Written for {label} buyers, from the question"))
    if fits["product"] > 0:
        reasons.append(_product(asset, deal, linked or {}))
    if not reasons:
        reasons.append(_related(passages))
    if asset.external is False:
        reasons.append(Reason("internal_only", "Internal only: use it to prepare, do not send it"))
    elif asset.external is None:
        reasons.append(Reason("sharing_unknown", "Not marked as shareable: check before sending"))
    return reasons


def _guessed(asset: AssetRecord, name: str) -> str:
    """ " (suggested tag)" when the asset's own `name` is empty, so a fit on it came from an
    unreviewed tag suggestion: the rep should know it is the engine's guess."""
    return " (suggested tag)" if not getattr(asset, name) and asset.suggested else ""


def _product(asset: AssetRecord, deal: Deal, linked: Mapping[str, float]) -> Reason:
    """Covers the deal's products; failing that, a product the questions describe."""
    shared = [p for p in asset.products if p in deal.products]
    if shared:
        return Reason("product_match", f"Covers {', '.join(_title(p) for p in shared)}")
    about = ", ".join(_title(p) for p in asset.products if p in linked)
    return Reason("product_match", f"About {about}, linked from the question")


def _related(passages: list[Passage]) -> Reason:
    """The fallback when no stronger reason holds: what the asset is closest to."""
    asked = next((p for p in passages if p.question), None)
    if asked is not None:
        return Reason(
            "related_question", f"Related to {quoted(_short(asked.question))}" + _where(asked)
        )
    return Reason("related_content", "Matches this deal's context")


def _with_article(label: str) -> str:
    """ "Case Study" -> "a case study", "ROI Calculator" -> "an ROI calculator"."""
    words = [word if word.isupper() else word.lower() for word in label.split()]
    first = words[0] if words else ""
    spoken_vowel = first[:1] in "aeiou" or (first.isupper() and first[:1] in "AEFHILMNORSX")
    return f"{'an' if spoken_vowel else 'a'} {' '.join(words)}"


def _where(item: Passage) -> str:
    return f" ({item.location})" if item.location else ""


def _short(text: str | None, limit: int = 60) -> str:
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _title(slug: str) -> str:
    return slug.replace("-", " ").title()
