"""From a library's assets to tag suggestions: the tag model trained on the library's tagged
assets and a reference set of other libraries', asked about each field an asset lacks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from enablement.index.bundle import Bundle
from enablement.tagging.document import TagDocument
from enablement.tagging.model import DEFAULT_OPTIONS, TagModel, TagOptions
from enablement.tagging.suggestion import FACET_OF, FIELDS, MULTI_VALUED, Suggestion
from enablement.taxonomy import Taxonomy

# Values below this probability are not proposed at all; the review list shows those at or above
# DEFAULT_MIN_CONFIDENCE unless asked for less (chosen leave-one-library-out: tagging/evaluate).
PROPOSAL_FLOOR: Final = 0.2
DEFAULT_MIN_CONFIDENCE: Final = 0.5
TEXT_CHUNKS: Final = 12  # the opening chunks: enough for TEXT_CHARS of text


def documents_from_bundle(bundle: Bundle) -> list[TagDocument]:
    """Each asset of `bundle` as the tag model reads it: its opening chunks' text, its vector,
    its tags and the content hash it was indexed at."""
    texts: dict[int, list[str]] = defaultdict(list)
    for chunk, owner in zip(bundle.chunks, bundle.chunk_asset, strict=True):
        if len(texts[int(owner)]) < TEXT_CHUNKS:
            texts[int(owner)].append(chunk.text)
    vectors = np.asarray(bundle.asset_vectors, dtype=np.float32)
    return [
        TagDocument(
            id=asset.id,
            title=asset.title,
            path=asset.path or "",
            text="\n".join(texts[i]),
            vector=vectors[i],
            tags={
                "type": (asset.type,) if asset.type else (),
                "stages": asset.stages,
                "verticals": asset.verticals,
                "personas": asset.personas,
            },
            content_hash=asset.content_hash,
        )
        for i, asset in enumerate(bundle.assets)
    ]


def suggest(
    library: Sequence[TagDocument],
    reference: Sequence[TagDocument],
    taxonomy: Taxonomy,
    *,
    options: TagOptions = DEFAULT_OPTIONS,
    floor: float = PROPOSAL_FLOOR,
) -> list[Suggestion]:
    """A suggestion per value at or above `floor` for each field each asset of `library` lacks:
    the most probable value for `type`, every value so probable for the list fields. The model
    learns from the library's tagged assets and `reference`'s; a reference asset with the id and
    title of one of the library's is left out (it is that asset, as shipped: the demo library is
    one of the reference libraries; two libraries' assets may share an id alone). Values
    outside `taxonomy` are never proposed."""
    own = frozenset(d.id for d in library)
    same = {(d.id, d.title) for d in library}
    others = [d for d in reference if (d.id, d.title) not in same]
    model = TagModel(options).fit([*library, *others], own=own)
    out: list[Suggestion] = []
    features = model.features(library)
    for field in FIELDS:
        valid = set(taxonomy.facet(FACET_OF[field]).ids)
        scores = model.score(features, field)
        picks = [
            (row, i)
            for row, document in enumerate(library)
            if not document.has(field)
            for i in _chosen(scores.probabilities[row], scores.values, valid, floor, field)
        ]
        for (row, i), why in zip(picks, model.why(features, scores, picks), strict=True):
            document = library[row]
            confidence = round(float(scores.probabilities[row, i]), 4)
            out.append(
                Suggestion(document.id, field, scores.values[i], confidence,
                           document.content_hash, why)
            )  # fmt: skip
    return out


def _chosen(
    chances: Any, values: list[str], valid: set[str], floor: float, field: str
) -> list[int]:
    """The value indexes to propose: those in the taxonomy at or above `floor`, most probable
    first; only the first for a single-valued field."""
    ranked = sorted(range(len(values)), key=lambda i: -chances[i])
    kept = [i for i in ranked if values[i] in valid and chances[i] >= floor]
    return kept if field in MULTI_VALUED else kept[:1]
