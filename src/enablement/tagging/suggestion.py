"""What a tag suggestion is: one proposed value for one field of one asset, with a confidence and
the reasons that carried it, for the asset's content as it was when suggested."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any, Final, Literal

Field = Literal["type", "stages", "verticals", "personas"]
FIELDS: Final[tuple[Field, ...]] = ("type", "stages", "verticals", "personas")
# each field's taxonomy facet (Taxonomy.facet): the values a suggestion may take
FACET_OF: Final[dict[str, str]] = {
    "type": "asset_types", "stages": "stages", "verticals": "verticals", "personas": "personas",
}  # fmt: skip
MULTI_VALUED: Final = frozenset({"stages", "verticals", "personas"})  # lists; type is one value


@dataclass(frozen=True)
class Neighbour:
    """A tagged asset close to the suggested one that has the suggested value."""

    asset_id: str
    title: str
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return {"asset_id": self.asset_id, "title": self.title, "similarity": self.similarity}


@dataclass(frozen=True)
class Why:
    """What carried a suggestion: the words that weighed most for the value, and the nearest
    tagged assets that have it."""

    words: tuple[str, ...] = ()
    neighbours: tuple[Neighbour, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"words": list(self.words), "neighbours": [n.to_dict() for n in self.neighbours]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Why:
        neighbours = tuple(
            Neighbour(str(n["asset_id"]), str(n["title"]), float(n["similarity"]))
            for n in raw.get("neighbours", ())
        )
        return cls(tuple(str(w) for w in raw.get("words", ())), neighbours)

    def sentence(self) -> str:
        """One line for a reviewer: "words: hospital, clinic; like: Title A, Title B"."""
        parts = []
        if self.words:
            parts.append("words: " + ", ".join(self.words))
        if self.neighbours:
            parts.append("like: " + ", ".join(n.title for n in self.neighbours))
        return "; ".join(parts)


@dataclass(frozen=True)
class Suggestion:
    """One value proposed for `field` of `asset_id`, whose content hash was `content_hash`.
    `confidence` is the model's probability (0-1) that the value is right (how often values so
    confident were: tagging/evaluate.py's calibration)."""

    asset_id: str
    field: Field
    value: str
    confidence: float
    content_hash: str
    why: Why = dataclasses.field(default_factory=Why)

    @property
    def id(self) -> str:
        """Stable for the same asset, field, value and content: a rejected suggestion keeps its
        id, so it is never proposed again for that content."""
        key = f"{self.asset_id}\x1f{self.field}\x1f{self.value}\x1f{self.content_hash}"
        return "ts_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
