"""How good suggestions are on tags a library already has: hide a share of its assets' tags,
suggest them from the rest of the library and the other libraries, and compare.

Several draws (seeds) may be pooled: each hides its own share, and every hidden asset of every
draw counts once per draw, as one larger test (repeated random sub-sampling: a single draw of
30% hides some 30 assets a library, and a value with three of them swings macro-F1 by a tenth).

Per library and field: coverage (the share of hidden fields that got a suggestion at the
threshold), then on those covered, type accuracy and, for the list fields, macro-F1 over values
(each value's F1 from its true and false positives and misses, averaged). "strict" figures count
an uncovered field as a miss. For verticals, `false_alarms` counts assets whose hidden tags had
no vertical (one for every industry) that got a vertical suggested anyway, and
`strict_macro_f1_with_none` is the strict figure over every hidden asset with "none" as one more
value (an asset for every industry is right when given no vertical): the one figure that sees
both a missed vertical and a false alarm. Calibration pools every
suggested value on a hidden field by confidence band: how often values so confident were right.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any, Final

from enablement.tagging.document import TagDocument
from enablement.tagging.model import DEFAULT_OPTIONS, TagOptions
from enablement.tagging.suggest import DEFAULT_MIN_CONFIDENCE, suggest
from enablement.tagging.suggestion import FIELDS, Suggestion
from enablement.taxonomy import Taxonomy

BANDS: Final = (0.2, 0.4, 0.6, 0.8, 1.0001)
Hidden = tuple[int, str]  # (seed, asset id): an asset as one draw hid it
NONE: Final = "\x00none"  # no value: not a value id (taxonomy ids are printable)


@dataclass(frozen=True)
class TagLibrary:
    """A labelled library for this check: its name, its assets and its taxonomy."""

    name: str
    documents: Sequence[TagDocument]
    taxonomy: Taxonomy


def hidden(document: TagDocument, share: float, seed: int) -> bool:
    """Whether this asset's tags are hidden: a hash of the seed and its id, so the same assets
    are hidden on every run and whatever the other libraries."""
    digest = hashlib.sha256(f"{seed}:{document.id}".encode()).hexdigest()
    return int(digest, 16) % 10_000 < share * 10_000


def evaluate_tags(
    libraries: Sequence[TagLibrary],
    *,
    share: float = 0.3,
    seeds: Sequence[int] = (0,),
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    options: TagOptions = DEFAULT_OPTIONS,
) -> dict[str, Any]:
    """Per library: for each seed, `share` of its assets' tags hidden and suggested back, the
    others and every other library's assets (all their tags) the reference; figures at
    `min_confidence` over every draw's hidden assets."""
    result: dict[str, Any] = {}
    pooled: list[tuple[float, bool]] = []
    for library in libraries:
        reference = [d for other in libraries if other is not library for d in other.documents]
        truth: dict[Hidden, TagDocument] = {}
        made: list[tuple[int, Suggestion]] = []
        for seed in seeds:
            hid = {d.id: d for d in library.documents if hidden(d, share, seed)}
            shown = [replace(d, tags={}) if d.id in hid else d for d in library.documents]
            truth.update({(seed, key): d for key, d in hid.items()})
            made += [(seed, s) for s in suggest(shown, reference, library.taxonomy,
                                                options=options)]  # fmt: skip
        on_hidden = [(truth[(seed, s.asset_id)], s) for seed, s in made
                     if (seed, s.asset_id) in truth]  # fmt: skip
        pooled += [(s.confidence, s.value in d.tags[s.field]) for d, s in on_hidden
                   if d.has(s.field)]  # fmt: skip
        proposed: dict[tuple[Hidden, str], set[str]] = {}
        for seed, s in made:
            if s.confidence >= min_confidence:
                proposed.setdefault(((seed, s.asset_id), s.field), set()).add(s.value)
        result[library.name] = library_figures(truth, proposed)
    return {
        "share_hidden": share, "seeds": list(seeds), "min_confidence": min_confidence,
        "libraries": result, "calibration": _calibration(pooled),
    }  # fmt: skip


def library_figures(
    truth: dict[Hidden, TagDocument], proposed: dict[tuple[Hidden, str], set[str]]
) -> dict[str, Any]:
    """One library's figures per field: `truth` the hidden assets as tagged, `proposed` the
    values suggested at the threshold per (hidden asset, field)."""
    out: dict[str, Any] = {"hidden_assets": len(truth)}
    for field in FIELDS:
        pairs = [(set(d.tags[field]), proposed.get((key, field), set()))
                 for key, d in truth.items() if d.has(field)]  # fmt: skip
        covered = [(t, p) for t, p in pairs if p]
        figures: dict[str, Any] = {
            "hidden": len(pairs),
            "coverage": _ratio(len(covered), len(pairs)),
        }
        if field == "type":
            right = sum(1 for t, p in covered if p <= t)
            figures["accuracy"] = _ratio(right, len(covered))
            figures["strict_accuracy"] = _ratio(right, len(pairs))
        else:
            figures["macro_f1"] = _macro_f1(covered)
            figures["strict_macro_f1"] = _macro_f1(pairs)
        if field == "verticals":
            figures["false_alarms"] = sum(
                1 for key, d in truth.items() if not d.has(field) and (key, field) in proposed
            )
            figures["untagged_hidden"] = sum(1 for d in truth.values() if not d.has(field))
            figures["strict_macro_f1_with_none"] = _macro_f1([
                (set(d.tags.get(field, ())) or {NONE}, proposed.get((key, field)) or {NONE})
                for key, d in truth.items()
            ])  # fmt: skip
        out[field] = figures
    return out


def _macro_f1(pairs: Sequence[tuple[set[str], set[str]]]) -> float | None:
    counts: Counter[tuple[str, str]] = Counter()
    for truth, proposed in pairs:
        for value in truth | proposed:
            kind = (
                "tp"
                if value in truth and value in proposed
                else "fp"
                if value in proposed
                else "fn"
            )
            counts[(value, kind)] += 1
    values = {value for value, _ in counts}
    if not values:
        return None
    f1 = [2 * counts[(v, "tp")] / (2 * counts[(v, "tp")] + counts[(v, "fp")] + counts[(v, "fn")])
          for v in values]  # fmt: skip
    return round(sum(f1) / len(f1), 4)


def _calibration(pooled: Sequence[tuple[float, bool]]) -> list[dict[str, Any]]:
    bands = []
    for low, high in pairwise(BANDS):
        inside = [right for confidence, right in pooled if low <= confidence < high]
        bands.append({"confidence": f"{low:.1f}-{min(high, 1.0):.1f}", "suggested": len(inside),
                      "right": _ratio(sum(inside), len(inside))})  # fmt: skip
    return bands


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
