"""Screening buyer questions: gibberish, or a language the library does not hold, is left out.

Embedding a keyboard mash or a Japanese question over an English library returns whatever
happens to be nearest, so such a question is dropped from text scoring and the deal is ranked on
its fields (and its other questions), with a warning that names the question and why.

Language is told offline, without a model: by script for non-Latin writing, and by stop words
(bm25s's lists, 14 languages) for Latin writing. Gibberish is a question whose words are almost
all unknown (not English words, not stop words of a language the library holds, not in its own
BM25 vocabulary) and whose closest passage is far away. A real question about something the
library lacks ("moon weather") is not gibberish: it is unanswered demand, and stays in. Both
tests are conservative: a real buyer question must never be dropped, so doubtful cases stay in.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from enablement.embedding import load_model_spec
from enablement.errors import ConfigurationError
from enablement.recommend.context import Deal

# Gibberish: fewer than this share of the words known, and no passage at least this close.
KNOWN_SHARE = 0.4
SIMILARITY_FLOOR = 0.35
# Latin writing is another language when at least this many of its distinct words are that
# language's stop words and not English ones, and twice as many as its English stop words.
FOREIGN_STOP_WORDS = 2
# Opening question and exclamation marks are written in Spanish alone: each question that has one
# counts it as one more Spanish stop word ("¿firman ustedes un acuerdo BAA?" has one, "un").
INVERTED_MARKS = frozenset("\u00bf\u00a1")
DEFAULT_LANGUAGE = "en"  # the language of assets that declare none (the encoder's language)

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "da": "Danish", "no": "Norwegian", "sv": "Swedish",
    "tr": "Turkish", "ru": "Russian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
    "ar": "Arabic", "he": "Hebrew", "el": "Greek", "th": "Thai", "hi": "Hindi",
}  # fmt: skip
# Unicode script (first word of a letter's name) -> the languages written in it.
SCRIPTS = {
    "CYRILLIC": ("ru", "uk", "bg", "sr", "mk", "be", "kk"), "CJK": ("zh", "ja"),
    "HIRAGANA": ("ja",), "KATAKANA": ("ja",), "HANGUL": ("ko",), "ARABIC": ("ar", "fa", "ur"),
    "HEBREW": ("he", "yi"), "GREEK": ("el",), "THAI": ("th",), "DEVANAGARI": ("hi", "mr", "ne"),
}  # fmt: skip
_STOP_LISTS = {
    "es": "STOPWORDS_SPANISH", "fr": "STOPWORDS_FRENCH", "de": "STOPWORDS_GERMAN",
    "it": "STOPWORDS_ITALIAN", "pt": "STOPWORDS_PORTUGUESE", "nl": "STOPWORDS_DUTCH",
    "sv": "STOPWORDS_SWEDISH", "da": "STOPWORDS_DANISH", "no": "STOPWORDS_NORWEGIAN",
    "tr": "STOPWORDS_TURKISH",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def stop_words() -> dict[str, frozenset[str]]:
    """Stop words per language code, English included (bm25s's lists, shipped offline)."""
    from bm25s import stopwords

    lists = {code: frozenset(getattr(stopwords, name)) for code, name in _STOP_LISTS.items()}
    return {"en": frozenset(stopwords.STOPWORDS_EN_PLUS), **lists}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """A general English word list, offline: the whole lowercase words of the shipped embedding
    model's WordPiece vocabulary (about 21,700, inflections included). Empty, with a warning, when
    the model package cannot be read: the screen then only knows stop words and the library."""
    try:
        lines = (
            (load_model_spec(None, tuned=False).path / "vocab.txt")
            .read_text(encoding="utf-8")
            .split()
        )
    except (ConfigurationError, OSError) as exc:
        logger.warning("No English word list for the question screen (%s).", exc)
        return frozenset()
    return frozenset(word for word in lines if word.isascii() and word.isalpha())


def words(question: str) -> list[str]:
    """The question's words: runs of letters, casefolded (numbers and symbols left out)."""
    return _WORD.findall(question.casefold())


def vocabulary_share(question: str, knows: Callable[[str], bool]) -> float:
    """How much of the question the library talks about: for its best sentence, the share of
    its words, less English stop words, that the library's own vocabulary holds (1.0 when no
    such word is left). Sentence by sentence, so an email excerpt's greeting or signature ("Sent
    from my iPhone") does not dilute the question it carries."""
    stops = stop_words()["en"]
    shares = []
    for sentence in _SENTENCE.split(question):
        content = [word for word in words(sentence) if word not in stops]
        if content:
            shares.append(sum(1 for word in content if knows(word)) / len(content))
    return max(shares, default=1.0)


def unknown_words(question: str, knows: Callable[[str], bool]) -> list[str]:
    """The question's words, less English stop words, that the library's vocabulary lacks, each
    once in order of first use."""
    stops = stop_words()["en"]
    found = (word for word in words(question) if word not in stops and not knows(word))
    return list(dict.fromkeys(found))


def script_language(question: str) -> tuple[str, ...] | None:
    """The languages a question's script allows, when most of its letters are in a script
    other than Latin (kana makes it Japanese); None for Latin writing or no letters."""
    scripts = Counter(unicodedata.name(ch, "?").split()[0] for ch in question if ch.isalpha())
    if not scripts:
        return None
    if scripts["HIRAGANA"] or scripts["KATAKANA"]:
        return SCRIPTS["HIRAGANA"]
    script, count = scripts.most_common(1)[0]
    if script == "LATIN" or count * 2 <= sum(scripts.values()):
        return None
    return SCRIPTS.get(script, (script.lower(),))


def latin_language(tokens: Sequence[str], *, inverted_marks: bool = False) -> str | None:
    """The non-English language whose stop words a Latin-script question is made of; None when
    the evidence is thin or English stop words are more than half as many. `inverted_marks`
    (the question opens with ¿ or ¡) counts as one Spanish stop word more."""
    lists, distinct = stop_words(), set(tokens)
    english = len(distinct & lists["en"])
    hits = {code: len((distinct & stops) - lists["en"]) for code, stops in lists.items()}
    hits["es"] += int(inverted_marks)
    code = max((c for c in hits if c != "en"), key=lambda c: hits[c])
    if hits[code] >= FOREIGN_STOP_WORDS and hits[code] >= 2 * english:
        return code
    return None


@dataclass(frozen=True)
class QuestionScreen:
    """Tells unusable questions for one library: which languages it holds, which words it has."""

    languages: frozenset[str]
    knows: Callable[[str], bool]  # True for a word of the library's own vocabulary

    @classmethod
    def for_library(
        cls, languages: Iterable[str | None], knows: Callable[[str], bool]
    ) -> QuestionScreen:
        """A screen for assets in `languages` (None: undeclared, taken as English)."""
        held = {(code or DEFAULT_LANGUAGE).split("-")[0] for code in languages}
        return cls(frozenset(held or {DEFAULT_LANGUAGE}), knows)

    def problem(self, question: str, *, top_similarity: float) -> str | None:
        """Why `question` cannot be used ("looks like gibberish", "looks like Japanese, ..."),
        or None when it can. `top_similarity` is the cosine of its closest passage."""
        tokens = words(question)
        language = self._foreign(question, tokens)
        if language is not None:
            name = LANGUAGE_NAMES.get(language, language)
            return f"looks like {name}, and the library holds no {name} material"
        if self.known_share(tokens) < KNOWN_SHARE and top_similarity < SIMILARITY_FLOOR:
            return "looks like gibberish"
        return None

    def known_share(self, tokens: Sequence[str]) -> float:
        """The share of `tokens` that are English words, stop words of a language the library
        holds, or words of its vocabulary; 0 for no tokens."""
        stops = stop_words()
        held = [english_words(), *(stops.get(code, frozenset()) for code in self.languages)]
        known = sum(1 for t in tokens if any(t in s for s in held) or self.knows(t))
        return known / len(tokens) if tokens else 0.0

    def _foreign(self, question: str, tokens: Sequence[str]) -> str | None:
        """The language of `question` if the library holds none of its kind, else None."""
        by_script = script_language(question)
        if by_script is not None:
            return None if self.languages & set(by_script) else by_script[0]
        language = latin_language(tokens, inverted_marks=bool(INVERTED_MARKS & set(question)))
        return language if language is not None and language not in self.languages else None


def screen(deal: Deal, problems: Sequence[str | None]) -> Deal:
    """`deal` without the questions that have a problem, with a warning naming each one by its
    place in the request (`questions[i]`, as other warnings about questions do)."""
    keep = [i for i, problem in enumerate(problems) if not problem]
    kept = tuple(deal.questions[i] for i in keep)
    fallback = "the deal's fields and its other questions" if kept else "the deal's fields"
    warnings = [
        f"questions[{deal.position(i)}] (\u201c{_short(question)}\u201d) {problem}; ranked on "
        f"{fallback}."
        for i, (question, problem) in enumerate(zip(deal.questions, problems, strict=True))
        if problem
    ]
    positions = tuple(deal.position(i) for i in keep)
    return replace(
        deal, questions=kept, question_positions=positions, warnings=(*deal.warnings, *warnings)
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
