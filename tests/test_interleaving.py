"""eval/interleaving.py: a library's rankings become a difference in nDCG@10, per-deal counts and
the verdicts of simulated experiments, judged right or wrong only past the 0.05 margin."""

from __future__ import annotations

import argparse
import importlib.util
import random
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from enablement.learn.evaluate import LabelledDeal

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("interleaving", ROOT / "eval" / "interleaving.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def library(deals: int = 60) -> tuple[Any, dict[str, tuple[str, ...]]]:
    """A library stand-in (only its deals are read) and a perfect ranking of each deal."""
    rng = random.Random(0)
    labelled, control = [], {}
    for number in range(deals):
        assets = [f"d{number}-a{i}" for i in range(12)]
        grades = dict(zip(rng.sample(assets, 5), (3, 3, 2, 1, 1), strict=True))
        labelled.append(LabelledDeal(f"D{number}", {}, grades))
        control[f"D{number}"] = tuple(sorted(assets, key=lambda a: -grades.get(a, 0))[:10])
    return SimpleNamespace(name="lib", deals=tuple(labelled)), control


ARGS = argparse.Namespace(runs=5, impressions=[1000], seed=0)


def test_a_clearly_worse_treatment_is_judged_and_found(script: ModuleType) -> None:
    lib, control = library()
    worse = {deal: ids[2:3] + ids[3:6] + ids[:2] + ids[6:] for deal, ids in control.items()}
    result = script.experiment(lib, control, worse, ARGS)
    assert result["ndcg@10"]["control"] == 1.0
    assert result["ndcg@10"]["difference"] < -0.05
    assert result["ndcg@3_difference"] < result["ndcg@10"]["difference"]
    assert result["deals_by_ndcg@10"] == {"treatment_better": 0, "control_better": 60, "equal": 0}
    runs = result["impressions"]["1000"]
    assert runs["verdicts"]["control_better"] == runs["right"] == 5
    assert runs["wrong"] == 0 and runs["target_met"] is True


def test_under_the_margin_no_verdict_is_called_right_or_wrong(script: ModuleType) -> None:
    lib, control = library()
    same_but_one = dict(control)
    first = next(iter(control))
    same_but_one[first] = control[first][::-1]  # one deal of 60 worse: well under 0.05
    result = script.experiment(lib, control, same_but_one, ARGS)
    assert -0.05 < result["ndcg@10"]["difference"] < 0
    assert result["deals_by_ndcg@10"] == {"treatment_better": 0, "control_better": 1, "equal": 59}
    runs = result["impressions"]["1000"]
    assert "right" not in runs and "target_met" not in runs
    assert sum(runs["verdicts"].values()) == 5
