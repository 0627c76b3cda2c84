"""How the question screen (recommend/questions.py) does on real and unusable questions; prints
JSON.

False positives: every buyer question of every labelled deal under --libraries, run through the
recommender as labelled; a question dropped with a warning is a false positive. Hits: the
gibberish and other-language questions of the test fixture, asked as search-style deals over
each library (a question in a language the library holds must be kept instead). Margins: the
range of known-word shares and closest-passage cosines of the real questions and of the
gibberish, next to the thresholds.

    .venv/bin/python benchmarks/question_screen.py [--libraries eval/libraries]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from enablement.evaluation import Evaluation
from enablement.learn.libraries import Library
from enablement.recommend.context import resolve_deal
from enablement.recommend.questions import KNOWN_SHARE, SIMILARITY_FLOOR, QuestionScreen, words
from enablement.service import EnablementService
from enablement.settings import Settings

FIXTURE = Path("tests/recommend/fixtures/unusable_questions.json")


def dropped(library: Library, raw: dict[str, Any]) -> list[str]:
    """The screening warnings the recommender gives for the deal `raw`."""
    recommender = library.recommender
    result = recommender.recommend(resolve_deal(raw, recommender.taxonomy))
    return [w for w in result.warnings if " looks like " in w]


def margins(library: Library, questions: list[str]) -> dict[str, Any]:
    """The [lowest, highest] known-word share and closest-passage cosine among `questions`, and
    how many fall below each threshold."""
    recommender = library.recommender
    bundle = recommender.bundle
    screen = QuestionScreen.for_library((a.language for a in bundle.assets), bundle.lexical.knows)
    vectors = recommender.encoder.encode_queries(questions)
    shares = [screen.known_share(words(q)) for q in questions]
    cosines = [float(bundle.dense.search(v, 1)[1][0]) for v in vectors]
    both = [q for q, s, c in zip(questions, shares, cosines, strict=True)
            if s < KNOWN_SHARE and c < SIMILARITY_FLOOR]  # fmt: skip
    return {
        "known_share": [round(min(shares), 3), round(max(shares), 3)],
        "below_known_share": sum(s < KNOWN_SHARE for s in shares),
        "top_similarity": [round(min(cosines), 3), round(max(cosines), 3)],
        "below_similarity_floor": sum(c < SIMILARITY_FLOOR for c in cosines),
        "below_both": both,
    }


def run(library: Library, fixture: dict[str, Any]) -> dict[str, Any]:
    real = [q for d in library.deals for q in d.deal.get("questions") or [] if q.strip()]
    false_positives = [w for d in library.deals for w in dropped(library, d.deal)]
    held = {(a.language or "en").split("-")[0] for a in library.recommender.bundle.assets}
    foreign = [q for code, q in fixture["other_language"] if code not in held]
    hits: dict[str, Any] = {"library_languages": sorted(held)}
    # A question in a language the library holds must be kept: it is not counted as a target.
    for kind, items in (("gibberish", fixture["gibberish"]), ("other_language", foreign)):
        missed = [q for q in items if not dropped(library, {"questions": [q]})]
        hits[kind] = {"questions": len(items), "flagged": len(items) - len(missed),
                      "missed": missed}  # fmt: skip
    kept = [q for code, q in fixture["other_language"] if code in held]
    hits["held_language_kept"] = sum(1 for q in kept if not dropped(library, {"questions": [q]}))
    hits["held_language_questions"] = len(kept)
    gibberish = [q for q in fixture["gibberish"] if isinstance(q, str)]
    return {
        "real_questions": len(real),
        "false_positives": len(false_positives),
        "false_positive_warnings": false_positives,
        "real_margins": margins(library, real),
        "gibberish_margins": margins(library, gibberish),
        **hits,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--libraries", type=Path, default=Path("eval/libraries"))
    parser.add_argument("--fixture", type=Path, default=FIXTURE)
    args = parser.parse_args()
    fixture = json.loads(args.fixture.read_text(encoding="utf-8"))
    service = EnablementService(Settings())
    try:
        with Evaluation(service).libraries(args.libraries) as libraries:
            result = {library.name: run(library, fixture) for library in libraries}
    finally:
        service.close()
    thresholds = {"known_share": KNOWN_SHARE, "similarity_floor": SIMILARITY_FLOOR}
    command = " ".join(["python", *sys.argv])
    print(json.dumps({"command": command, "thresholds": thresholds, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
