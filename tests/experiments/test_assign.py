"""Assignment to an arm: a stable hash of experiment and deal, so the arm is the same for every
request, in every worker process and after a restart; a holdout's share is met."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from enablement.experiments.assign import arm_for, position
from enablement.experiments.model import Experiment

NOW = datetime(2026, 12, 5, tzinfo=UTC)
SRC = Path(__file__).resolve().parents[2] / "src"


def holdout(share: float, *, id: str = "exp-20261205000000-abcdef") -> Experiment:
    return Experiment(id, "h", "holdout", "no_metadata", None, share, "running", NOW, "ops")


@pytest.mark.parametrize("share", [0.05, 0.1, 0.25, 0.5])
def test_a_holdout_serves_the_control_to_its_share_of_deals(share: float) -> None:
    deals = [f"deal-{i}" for i in range(10_000)]
    held = sum(arm_for(holdout(share), deal) == "control" for deal in deals)
    # binomial standard deviation at n=10,000 is at most 0.005: 4 of them is 0.02
    assert abs(held / 10_000 - share) < 0.02
    assert {arm_for(holdout(share), deal) for deal in deals} == {"control", "live"}


def test_each_experiment_holds_out_its_own_deals() -> None:
    deals = [f"deal-{i}" for i in range(10_000)]
    a = {d for d in deals if arm_for(holdout(0.5, id="exp-a"), d) == "control"}
    b = {d for d in deals if arm_for(holdout(0.5, id="exp-b"), d) == "control"}
    assert 0.2 < len(a & b) / 10_000 < 0.3  # independent halves overlap by about a quarter


def test_the_arm_is_the_same_in_another_process() -> None:
    """Another interpreter (another worker, or this one restarted) with its own hash seed."""
    deals = [f"deal-{i}" for i in range(200)] + ["Ünïcode deal", "0"]
    here = [arm_for(holdout(0.3), deal) for deal in deals]
    script = (
        "import json, sys\n"
        "from datetime import UTC, datetime\n"
        "from enablement.experiments.assign import arm_for\n"
        "from enablement.experiments.model import Experiment\n"
        "e = Experiment('exp-20261205000000-abcdef', 'h', 'holdout', 'no_metadata', None, 0.3,\n"
        "               'running', datetime(2026, 12, 5, tzinfo=UTC), 'ops')\n"
        "print(json.dumps([arm_for(e, d) for d in json.load(sys.stdin)]))\n"
    )
    env = os.environ | {"PYTHONPATH": str(SRC), "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(deals), capture_output=True,
        text=True, env=env, check=True,
    )  # fmt: skip
    assert json.loads(done.stdout) == here
    assert "control" in here and "live" in here


def test_the_position_is_a_fixed_sha256_value() -> None:
    """Pinned: a change to the hash would silently move every running experiment's deals."""
    assert position("exp-1", "deal-1") == pytest.approx(int("06bb753356117da2", 16) / 2**64)


def test_interleave_puts_every_deal_in_the_interleave_arm() -> None:
    e = Experiment("exp-i", "i", "interleave", "linear", "bm25_only", None, "running", NOW, "ops")
    assert {arm_for(e, f"deal-{i}") for i in range(100)} == {"interleave"}


@pytest.mark.parametrize("deal_id", [None, ""])
def test_a_request_without_a_deal_id_is_not_in_the_experiment(deal_id: str | None) -> None:
    assert arm_for(holdout(0.5), deal_id) is None


def test_a_stopped_experiment_assigns_no_deal() -> None:
    stopped = Experiment(
        "exp-s", "s", "holdout", "linear", None, 0.5, "stopped", NOW, "ops", NOW, "ops"
    )
    assert {arm_for(stopped, f"deal-{i}") for i in range(100)} == {None}
