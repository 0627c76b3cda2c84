"""`enablement eval`: run labelled deals through the recommender and its baselines."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from enablement.errors import InvalidValueError
from enablement.learn.metrics import claim_counts, mean_scores, score_ranking
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.context import Deal, resolve_deal
from enablement.recommend.eligibility import violations
from enablement.recommend.pipeline import Recommender
from enablement.recommend.retrieval import FusionConfig

EVAL_DEPTH = 10  # every deal is ranked to 10 so nDCG@10 and recall@10 are defined


@dataclass(frozen=True)
class LabelledDeal:
    id: str
    deal: dict[str, Any]
    relevant: dict[str, int]
    tags: tuple[str, ...] = ()


def load_labelled(path: Path) -> list[LabelledDeal]:
    """Deals from a JSONL file; raises InvalidValueError naming the line of a malformed one."""
    deals = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            deals.append(
                LabelledDeal(
                    id=str(raw["id"]),
                    deal=dict(raw["deal"]),
                    relevant={str(k): int(v) for k, v in raw["relevant"].items()},
                    tags=tuple(raw.get("tags", ())),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidValueError(
                f"{path}:{number}: not a labelled deal ({exc})", field="queries"
            ) from None
    return deals


def baseline_configs(config: RecommenderConfig) -> dict[str, RecommenderConfig]:
    """The comparisons every gain is shown against: plain retrieval, without product linking,
    question cues or a learned ranker."""
    no_fit = replace(
        config.weights, stage=0, vertical=0, persona=0, product=0, competitor=0, question_cues=0
    )
    config = replace(config, linking=replace(config.linking, enabled=False), ranker=None)
    return {
        "bm25_only": replace(config, fusion=replace(config.fusion, method="bm25"), weights=no_fit),
        "dense_only": replace(
            config, fusion=replace(config.fusion, method="dense"), weights=no_fit
        ),
        "no_metadata": replace(config, weights=no_fit),
    }


def eval_deal(labelled: LabelledDeal, recommender: Recommender) -> Deal:
    """`labelled`'s deal as evaluation ranks it: resolved for `recommender`'s taxonomy, to depth
    EVAL_DEPTH whatever `k` the deal asks for."""
    return resolve_deal({**labelled.deal, "k": EVAL_DEPTH}, recommender.taxonomy)


def evaluate(recommender: Recommender, deals: Iterable[LabelledDeal]) -> dict[str, Any]:
    """Overall and per-tag metrics, plus the count of hard-filter violations."""
    rows: list[dict[str, float]] = []
    by_tag: dict[str, list[dict[str, float]]] = defaultdict(list)
    claimed: list[bool] = []
    answering: list[bool] = []
    for labelled in deals:
        deal = eval_deal(labelled, recommender)
        items = recommender.recommend(deal).items
        scores = score_ranking([item.asset.id for item in items], labelled.relevant)
        scores["violations"] = sum(1 for item in items if violations(item.asset, deal))
        rows.append(scores)
        for tag in labelled.tags:
            by_tag[tag].append(scores)
        if deal.questions:  # an asset graded 2 or more for a deal with questions answers it
            claimed += [any(p.answers for p in item.passages) for item in items]
            answering += [labelled.relevant.get(item.asset.id, 0) >= 2 for item in items]
    result: dict[str, Any] = {
        "overall": _summary(rows),
        "by_tag": {tag: _summary(tag_rows) for tag, tag_rows in sorted(by_tag.items())},
    }
    if recommender.config.answers is not None:
        result["answers"] = claim_counts(claimed, answering)
    return result


def _summary(rows: list[dict[str, float]]) -> dict[str, Any]:
    broken = int(sum(row["violations"] for row in rows))
    return {**mean_scores(rows), "violations": broken, "queries": len(rows)}


def evaluate_with_baselines(
    recommender: Recommender, deals: list[LabelledDeal], *, compare: bool
) -> dict[str, Any]:
    """`evaluate`, plus the baselines under "baselines" when `compare`."""
    result = evaluate(recommender, deals)
    result["baselines"] = {}
    if compare:
        for name, config in baseline_configs(recommender.config).items():
            variant = Recommender(
                recommender.bundle, recommender.encoder, recommender.taxonomy, config
            )
            result["baselines"][name] = evaluate(variant, deals)["overall"]
    return result


def format_table(result: Mapping[str, Any]) -> str:
    """The evaluation as an aligned text table."""
    header = f"{'':24} {'nDCG@5':>7} {'nDCG@10':>7} {'R@10':>7} {'MRR':>7} {'n':>5}"
    lines = [header, _row("overall", result["overall"])]
    lines += [_row(f"  {name}", scores) for name, scores in result.get("baselines", {}).items()]
    if result.get("by_tag"):
        lines.append("by tag")
        lines += [_row(f"  {tag}", scores) for tag, scores in result["by_tag"].items()]
    lines.append(f"hard-filter violations: {result['overall'].get('violations', 0)}")
    if "answers" in result:
        lines.append(_claims("answers claimed", result["answers"]))
    if "off_topic" in result:
        off = result["off_topic"]
        lines.append(
            f"off-topic questions with any claim: {off['with_claims']} of {off['questions']}"
        )
    return "\n".join(lines)


def _claims(name: str, c: Mapping[str, Any]) -> str:
    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    counts = f"{c['claimed']} claimed of {c['assets']} recommended, {c['answering']} answering"
    return f"{name}: precision {share(c['precision'])}, recall {share(c['recall'])} ({counts})"


def _row(name: str, s: Mapping[str, Any]) -> str:
    return (f"{name[:24]:24} {s['ndcg@5']:7.3f} {s['ndcg@10']:7.3f} {s['recall@10']:7.3f} "
            f"{s['mrr']:7.3f} {s.get('queries', 0):5d}")  # fmt: skip


def fusion_variants(base: FusionConfig) -> dict[str, FusionConfig]:
    """Fusion methods and weights compared by `enablement eval --fusion-sweep`."""
    variants = {"rrf": replace(base, method="rrf")}
    for weight in (0.3, 0.4, 0.5, 0.6, 0.7):
        variants[f"wrrf:{weight}"] = replace(base, method="wrrf", dense_weight=weight)
        variants[f"score:{weight}"] = replace(base, method="score", dense_weight=weight)
    return variants
