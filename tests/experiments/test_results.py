"""An experiment's results: an interleave's deal wins, losses, ties and decision from the steps
its lists reached, credited to the team that placed each item; a holdout's win rate and stage
progression per arm, their difference with an interval, and "caused" said only there. Unit
cases on hand-written impressions; then through the API (SQLite and PostgreSQL) and the CLI
from lists actually served and events actually posted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from enablement.events.feedback import Impression, learnable
from enablement.experiments.assign import arm_for
from enablement.experiments.model import Experiment
from enablement.experiments.results import results, wilson
from tests.api.conftest import ApiEnv
from tests.experiments.test_serving import DEALS, HOLDOUT, INTERLEAVE, serve, start

T0 = datetime(2026, 12, 1, tzinfo=UTC)
RANKS = {"prospecting": 1, "discovery": 2, "evaluation": 3, "proposal": 4}


def _experiment(kind: str, **extra: Any) -> Experiment:
    return Experiment(
        id=f"exp-{kind}", name=kind, kind=kind, control="linear", treatment=extra.get("treatment"),
        share=extra.get("share"), status="running", created_at=T0, created_by="t",
    )  # fmt: skip


def _shown(
    deal: str, asset: str, arm: str, *, step: int = 0, list_id: str | None = None,
    position: int = 1, outcome: str | None = None, stage: str = "discovery",
    experiment: str = "exp-interleave", minutes: int = 0,
) -> Impression:  # fmt: skip
    return Impression(
        recommendation_id=list_id or f"r-{deal}", deal_id=deal, asset_id=asset,
        position=position, ranker="linear", experiment_id=experiment, arm=arm, stage=stage,
        vertical=None, persona=None, shown_at=T0 + timedelta(minutes=minutes), step=step,
        rating=None, outcome=outcome,
    )  # fmt: skip


def _duel(deal: str, *, control_step: int, treatment_step: int) -> list[Impression]:
    """One list of a deal: the control's item first, the treatment's second."""
    return [
        _shown(deal, "a", "control", step=control_step, position=1),
        _shown(deal, "b", "treatment", step=treatment_step, position=2),
    ]


INTERLEAVING = _experiment("interleave", treatment="bm25_only")


def _interleave(rows: list[Impression]) -> dict[str, Any]:
    return results(INTERLEAVING, rows, stage_rank=RANKS, furthest={})


def test_a_treatment_acted_on_in_every_deal_is_better() -> None:
    rows = [r for n in range(25) for r in _duel(f"d{n}", control_step=0, treatment_step=2)]
    found = _interleave(rows)
    assert (found["wins"], found["losses"], found["ties"], found["deals"]) == (25, 0, 0, 25)
    assert found["decision"] == "treatment_better" and found["share"] == 1.0
    assert found["low"] > 0.5 and found["causal"] is False


def test_a_control_acted_on_more_is_better_and_credit_is_summed_per_deal() -> None:
    rows = [r for n in range(22) for r in _duel(f"d{n}", control_step=3, treatment_step=0)]
    # a second list of d0 where only the treatment's item is acted on: d0 ties (1 + 0 vs 0 + 1,
    # each item credited 1 for its highest step, by the default weights)
    rows += [
        _shown("d0", "c", "control", list_id="r-d0-2"),
        _shown("d0", "d", "treatment", step=2, list_id="r-d0-2", position=2),
    ]
    found = _interleave(rows)
    assert (found["wins"], found["losses"], found["ties"]) == (0, 21, 1)
    assert found["decision"] == "control_better" and found["lists"] == 23


def test_actions_on_shared_positions_are_credited_to_neither_team() -> None:
    # each deal's list: a shared first item acted on every time, then the two teams' items, of
    # which only the treatment's is opened (d0), or neither (d1)
    rows = []
    for deal, treatment_step in (("d0", 1), ("d1", 0)):
        rows += [_shown(deal, "s", "shared", step=3, position=1)]
        rows += [_shown(deal, "a", "control", position=2)]
        rows += [_shown(deal, "b", "treatment", step=treatment_step, position=3)]
    found = _interleave(rows)
    assert (found["wins"], found["losses"], found["ties"], found["lists"]) == (1, 0, 1, 2)


def test_an_even_split_is_undecided_and_no_data_gives_zero_counts() -> None:
    even = [
        r for n in range(20) for r in _duel(f"d{n}", control_step=n % 2, treatment_step=1 - n % 2)
    ]
    assert _interleave(even)["decision"] == "undecided"
    assert (_interleave(even)["wins"], _interleave(even)["losses"]) == (10, 10)
    empty = _interleave([])
    assert {k: empty[k] for k in ("wins", "losses", "ties", "deals", "lists", "share")} == {
        "wins": 0, "losses": 0, "ties": 0, "deals": 0, "lists": 0, "share": None,
    }  # fmt: skip
    assert empty["decision"] == "undecided"
    other = [_shown("d1", "b", "treatment", step=3, experiment="exp-other")]
    assert _interleave(other)["deals"] == 0  # another experiment's impressions are not counted


def test_a_holdout_compares_arms_with_intervals_and_says_caused() -> None:
    holdout = _experiment("holdout", share=0.5)
    rows = [
        *(_shown(f"c{n}", "a", "control", outcome="won" if n < 2 else None,
                 experiment="exp-holdout") for n in range(10)),
        *(_shown(f"l{n}", "a", "live", outcome="won" if n < 8 else "lost",
                 experiment="exp-holdout") for n in range(10)),
    ]  # fmt: skip
    # c5 moved from discovery to proposal; c6 was first served at proposal and stayed there
    rows.append(_shown("c6", "a", "control", stage="proposal", experiment="exp-holdout",
                       minutes=-5))  # fmt: skip
    furthest = {"c5": 4, "c6": 4, "l9": 2}
    found = results(holdout, rows, stage_rank=RANKS, furthest=furthest)
    control, live = found["arms"]["control"], found["arms"]["live"]
    assert (control["deals"], control["won"]["count"], control["progressed"]["count"]) == (10, 2, 3)
    assert (live["deals"], live["won"]["count"], live["progressed"]["count"]) == (10, 8, 8)
    low, high = wilson(2, 10)
    assert (control["won"]["low"], control["won"]["high"]) == (round(low, 4), round(high, 4))
    won = found["difference"]["won"]
    assert won["difference"] == 0.6 and 0 < won["low"] < 0.6 < won["high"] < 1
    assert (
        found["causal"] is True
        and "caused a +60.0 point difference in win rate" in (found["summary"])
    )


def test_wilson_matches_known_values() -> None:
    assert tuple(round(v, 4) for v in wilson(5, 10)) == (0.2366, 0.7634)
    assert tuple(round(v, 4) for v in wilson(0, 10)) == (0.0, 0.2775)
    assert wilson(0, 0) == (0.0, 1.0)


def _report(env: ApiEnv, experiment_id: str) -> dict[str, Any]:
    assert env.service.usage.log.flush()
    read = env.client.get(f"/v1/experiments/{experiment_id}", headers=env.auth("marketer"))
    assert read.status_code == 200, read.text
    found: dict[str, Any] = read.json()["results"]
    return found


def _post(env: ApiEnv, events: list[dict[str, Any]], role: str = "rep") -> None:
    posted = env.client.post("/v1/events:batch", json={"events": events}, headers=env.auth(role))
    assert posted.status_code == 200, posted.text


def test_served_interleave_lists_whose_treatment_items_are_opened_decide_for_it(
    env: ApiEnv,
) -> None:
    made = start(env, INTERLEAVE)
    assert _report(env, made["id"])["decision"] == "undecided"
    bodies = serve(env, DEALS)
    assert env.service.usage.log.flush()
    lists = _by_list(env)
    events = []
    for raw, body in zip(DEALS, bodies, strict=True):
        placed = lists[body["recommendation_id"]]
        treatment = next(asset for asset, arm in placed if arm == "treatment")
        events.append({"idempotency_key": f"o-{raw['deal_id']}", "type": "opened",
                       "deal_id": raw["deal_id"], "asset_id": treatment,
                       "recommendation_id": body["recommendation_id"]})  # fmt: skip
    _post(env, events)
    found = _report(env, made["id"])
    assert (found["wins"], found["losses"], found["ties"]) == (len(DEALS), 0, 0)
    assert found["decision"] == "treatment_better" and found["deals"] == len(DEALS)


def _by_list(env: ApiEnv) -> dict[str, list[tuple[str, str | None]]]:
    lists: dict[str, list[tuple[str, str | None]]] = {}
    for row in learnable(env.service.engine).impressions:
        lists.setdefault(row.recommendation_id, []).append((row.asset_id, row.arm))
    return lists


def test_served_holdout_deals_won_only_in_the_live_arm_show_a_caused_difference(
    env: ApiEnv,
) -> None:
    made = start(env, HOLDOUT)
    serve(env, DEALS)
    experiment = env.service.experimenting.store.get(made["id"])
    arms = {raw["deal_id"]: arm_for(experiment, raw["deal_id"]) for raw in DEALS}
    _post(env, [
        {"idempotency_key": f"out-{deal}", "type": "deal_outcome", "deal_id": deal,
         "outcome": "won" if arm == "live" else "lost"}
        for deal, arm in arms.items()
    ], role="crm")  # fmt: skip
    found = _report(env, made["id"])
    for arm in ("control", "live"):
        count = sum(a == arm for a in arms.values())
        figures = found["arms"][arm]
        assert figures["deals"] == count
        assert figures["won"]["count"] == (count if arm == "live" else 0)
    assert found["difference"]["won"]["difference"] == 1.0 and found["causal"] is True


def test_the_cli_shows_an_interleaves_results(env: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    from enablement.cli import cli, common
    from enablement.service import EnablementService
    from tests.fakes import HashingEncoder

    made = start(env, INTERLEAVE)
    monkeypatch.setenv("ENABLEMENT_DATABASE_URL", env.settings.resolved_database_url)
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(env.settings.data_dir))
    factory = functools.partial(EnablementService, encoder=HashingEncoder())
    monkeypatch.setattr(common, "EnablementService", factory)
    shown = CliRunner().invoke(cli, ["experiments", "show", made["id"]])
    assert shown.exit_code == 0, shown.output
    assert "results   0 deals, 0 lists: treatment won 0, lost 0, tied 0" in shown.stdout
    assert "undecided" in shown.stdout
