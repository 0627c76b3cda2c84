"""eval/agreement.py: the second readers' files name labelled deals and score as they should."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def load_agreement(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("agreement", root / "eval" / "agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HERE = root / "eval"  # type: ignore[attr-defined]
    return module


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "eval").mkdir()
    (tmp_path / "eval" / "agreement.py").write_text((ROOT / "eval" / "agreement.py").read_text())
    deals = [
        {"id": "A1", "tags": ["search_style"], "deal": {}, "relevant": {"x": 3, "y": 1}},
        {"id": "A2", "tags": [], "deal": {}, "relevant": {"z": 2}},
    ]
    write_jsonl(tmp_path / "eval" / "libraries" / "lib" / "deals.jsonl", deals)
    return tmp_path


def test_a_reader_who_matches_the_labels_scores_one_and_a_ranker_is_scored_on_the_same_deals(
    tree: Path,
) -> None:
    reader = [{"id": "A1", "ranked": [["x", 3], ["y", 1]]}, {"id": "A2", "ranked": [["z", 2]]}]
    write_jsonl(tree / "eval" / "agreement" / "lib.jsonl", reader)
    ranked = [{"id": "A1", "ranked": ["y", "x"]}, {"id": "A2", "ranked": ["q"]}]
    write_jsonl(tree / "rankings" / "lib.jsonl", ranked)
    result = load_agreement(tree).agreement("lib", tree / "rankings")
    assert result["deals"] == 2 and result["search_style_deals"] == 1
    assert result["second_reader"]["overall"]["ndcg@10"] == 1.0
    assert result["labels_against_reader"]["overall"]["ndcg@10"] == 1.0
    assert 0.0 < result["ranker"]["search_style"]["ndcg@10"] < 1.0  # y before x
    assert result["ranker"]["overall"]["ndcg@10"] < result["ranker"]["search_style"]["ndcg@10"]


def test_a_reader_line_for_an_unlabelled_deal_stops_the_run(tree: Path) -> None:
    write_jsonl(tree / "eval" / "agreement" / "lib.jsonl", [{"id": "NOPE", "ranked": []}])
    with pytest.raises(SystemExit, match="NOPE"):
        load_agreement(tree).agreement("lib", None)


def test_the_committed_second_readers_name_only_labelled_deals() -> None:
    agreement = load_agreement(ROOT)
    for path in sorted((ROOT / "eval" / "agreement").glob("*.jsonl")):
        result = agreement.agreement(path.stem, None)
        assert result["deals"] == 60
        assert 0.0 < result["second_reader"]["overall"]["ndcg@10"] <= 1.0
