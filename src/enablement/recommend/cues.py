"""Stage and persona cues in buyer questions: soft P(stage) and P(persona) from generic wording.

"We've been live a year" says the deal is won, "redlines" that it is in negotiation, "our CFO
wants" that finance is reading. The cues are regular expressions written for selling in general;
none names a product, customer or library. They are keyed by the default taxonomy's ids, and a
cue whose id a custom taxonomy lacks is ignored. The recommender uses them only for a field the
deal leaves empty, and weighs them below the deal's own fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from enablement.recommend.context import Deal
from enablement.recommend.scoring import Floats, persona_fit, stage_fit
from enablement.recommend.table import AssetTable
from enablement.taxonomy import Taxonomy

STAGE_CUES: dict[str, str] = {
    "prospecting": r"\bwho (are|is) you\b|\bwhat (do|does) (you|your company) (do|sell)\b"
                   r"|\bnever heard of\b|\bjust (looking|browsing|curious)\b",
    "discovery": r"\bstruggl|\bpain ?points?\b|\bbest practices?\b|\bwhere (do|would) we start\b"
                 r"|\bhow do (other|others|most) (companies|teams|organi[sz]ations)\b",
    "evaluation": r"\bpilot\b|\bproof of concept\b|\bpoc\b|\bfree trial\b|\btrial period\b"
                  r"|\bdemo\b|\bsandbox\b|\bshort ?list|\bbake[- ]?off\b|\brfp\b"
                  r"|\bsecurity review\b|\bquestionnaire\b",
    "proposal": r"\bcosts?\b|\bhow much\b|\bpric(e|es|ing)\b"
                r"|\bquote\b|\bproposal\b|\bbusiness case\b|\bbudget",
    "negotiation": r"\bredlin|\bmsa\b|\bindemn|\bliabilit|\bcontract terms?\b|\bpayment terms\b"
                   r"|\bnet ?(30|45|60|90)\b|\bdiscount|\border form\b"
                   r"|\bterminat\w* for convenience|\bauto[- ]?renew|\bsignature\b"
                   r"|\bsign (the|our) (contract|agreement)\b",
    "closed_won": r"\b(been|went|gone|going) live\b|\bwe'?re live\b"
                  r"|\bsince (we )?(launch|go[- ]live)"
                  r"|\badd(ing)? (another|a second|a new|more) (site|location|team|region|entity"
                  r"|business unit|department|seats|users|licen[cs]es)\b|\bexpan(d|sion)\b"
                  r"|\brenew(al)?\b|\bupgrad|\bwe already (use|have|run|bought)\b"
                  r"|\bexisting customers?\b|\bwhat'?s new\b|\bnew release\b",
}  # fmt: skip

PERSONA_CUES: dict[str, str] = {
    "executive": r"\bceo\b|\bcoo\b|\bboard\b|\bexecs?\b|\bexecutives?\b|\bleadership\b"
                 r"|\bc-?suite\b|\bpresident\b|\bexec(utive)? sponsor\b",
    "finance": r"\bcfo\b|\bfinance\b|\bfinancial\b|\bcontroller\b|\bbudget|\btco\b|\broi\b"
               r"|\bpayback\b|\bcapex\b|\bopex\b|\bcapital\b|\bbusiness case\b",
    "it_security": r"\bciso\b|\bcio\b|\bcto\b|\bit (team|department|dept|director|folks|staff)\b"
                   r"|\bsecurity\b|\bsoc ?2\b|\bpen ?test|\bsso\b|\bsaml\b|\bfirewall|\bencrypt"
                   r"|\bnetwork team\b|\barchitect|\bvulnerab|\binfosec\b",
    "operations": r"\bops\b|\boperations\b|\bcoo\b|\bthroughput\b|\bbacklog\b|\bmanual (work|steps)"
                  r"|\bprocess owners?\b",
    "end_user": r"\bend[- ]users?\b|\bday[- ]to[- ]day\b|\beasy to use\b|\busability\b"
                r"|\bfront ?line\b|\bour (staff|users|employees)\b",
    "procurement_legal": r"\blegal\b|\bcounsel\b|\bprocurement\b|\bpurchasing\b|\bmsa\b|\bdpa\b"
                         r"|\bindemn|\bliabilit|\bredlin|\bcontract|\bvendor (management|risk)\b",
}  # fmt: skip


@dataclass(frozen=True)
class CueModel:
    """Compiled cues for one taxonomy facet: `ids` in the taxonomy's order, a pattern each."""

    ids: tuple[str, ...]
    patterns: tuple[re.Pattern[str] | None, ...]

    @classmethod
    def build(cls, ids: Sequence[str], cues: dict[str, str]) -> CueModel:
        """Cues for `ids`; an id without a cue never fires, a cue without an id is dropped."""
        patterns = tuple(re.compile(cues[i], re.IGNORECASE) if i in cues else None for i in ids)
        return cls(tuple(ids), patterns)

    def hits(self, question: str) -> Floats:
        """(ids,) 1 where the id's cue occurs in `question`."""
        return np.array([bool(p and p.search(question)) for p in self.patterns], dtype=np.float32)

    def probabilities(self, questions: Sequence[str]) -> Floats | None:
        """P(id | questions): each question that has cues spreads one vote over the ids it
        names. None when no question has a cue: the questions say nothing about this facet."""
        votes = np.zeros(len(self.ids), dtype=np.float32)
        for question in questions:
            hits = self.hits(question)
            if hits.any():
                votes += hits / hits.sum()
        total = float(votes.sum())
        return (votes / total).astype(np.float32) if total else None


@dataclass(frozen=True)
class QuestionCues:
    """What a deal's questions say about its stage and persona, and what that makes of each asset.

    `stage` and `persona` are per-asset expected fits in [-1, 1]: the deal's stage (persona) fit
    averaged over P(stage | questions) (P(persona | questions)). Both are 0 for a field the deal
    states or the questions say nothing about; the probabilities are then None.
    """

    stage: Floats
    persona: Floats
    stage_probabilities: Floats | None = None
    persona_probabilities: Floats | None = None
    stage_id: str | None = None  # the stage the questions point to, when P >= TOP_SHARE
    persona_id: str | None = None


TOP_SHARE = 0.5  # a cue names one stage (persona) in a reason when it holds this much of P


class CueReader:
    """Reads stage and persona cues over one taxonomy's ids, for one library's assets."""

    def __init__(self, table: AssetTable, taxonomy: Taxonomy) -> None:
        self.table = table
        self.stages = CueModel.build(taxonomy.stages.ids, STAGE_CUES)
        self.personas = CueModel.build(taxonomy.personas.ids, PERSONA_CUES)

    def read(self, deal: Deal) -> QuestionCues | None:
        """The cues of `deal`'s questions for the fields it leaves empty; None when there are
        none (no questions, both fields given, or no cue in any question)."""
        if not deal.questions:
            return None
        stage_p = None if deal.stage else self.stages.probabilities(deal.questions)
        persona_p = None if deal.persona else self.personas.probabilities(deal.questions)
        if stage_p is None and persona_p is None:
            return None
        stage = self._expected(stage_p, self.stages.ids, self._stage_fit)
        persona = self._expected(persona_p, self.personas.ids, self._persona_fit)
        return QuestionCues(
            stage, persona, stage_p, persona_p,
            _top(self.stages.ids, stage_p), _top(self.personas.ids, persona_p),
        )  # fmt: skip

    def _expected(
        self, probabilities: Floats | None, ids: Sequence[str], fit: Callable[[str], Floats]
    ) -> Floats:
        out = np.zeros(self.table.size, dtype=np.float32)
        if probabilities is not None:
            for value, p in zip(ids, probabilities.tolist(), strict=True):
                if p > 0:
                    out += np.float32(p) * fit(value)
        return out

    def _stage_fit(self, stage: str) -> Floats:
        return stage_fit(self.table, Deal(stage=stage), self.stages.ids)

    def _persona_fit(self, persona: str) -> Floats:
        return persona_fit(self.table, persona)


def _top(ids: Sequence[str], probabilities: Floats | None) -> str | None:
    if probabilities is None or float(probabilities.max()) < TOP_SHARE:
        return None
    return ids[int(np.argmax(probabilities))]
