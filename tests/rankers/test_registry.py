"""The registry on SQLite and PostgreSQL: registering (idempotent), listing with the shipped
ranker, promotion that reads the file first, rollback down to the shipped ranker, and two
changes decided on one state never both written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from enablement.db import tables
from enablement.errors import ConflictError, NotFoundError, RankerFileError
from enablement.rankers import RankerRecord, RankerRegistry
from enablement.rankers.store import StaleChangeError
from enablement.recommend.ranker import MANIFEST_FILE, MODEL_FILE
from tests.rankers.models import tiny_ranker

TRAINED_ON = {"impressions": 120, "deals": 30}
OFFLINE = {"live": {"snips": 0.4}, "candidate": {"snips": 0.5}}


def _register(registry: RankerRegistry, seed: int, **extra: object) -> RankerRecord:
    options: dict[str, object] = {"trained_on": TRAINED_ON, "offline": OFFLINE,
                                  "created_by": "learn", "card": {"seed": seed}}  # fmt: skip
    return registry.register(tiny_ranker(seed), **(options | extra))  # type: ignore[arg-type]


def _rows(registry: RankerRegistry) -> int:
    with registry.store.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(tables.rankers)) or 0)


def test_register_saves_the_model_and_records_it_once(registry: RankerRegistry) -> None:
    record = _register(registry, 1, note="first try")
    assert record.id.startswith("lambdarank:") and record.kind == "trained" and not record.live
    folder = registry.root / record.source
    assert record.source == record.id.replace(":", "-")
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["sha256"] == record.sha256 and manifest["seed"] == 1
    assert record.id == f"lambdarank:{record.sha256[:12]}"
    assert (record.trained_on, record.offline, record.created_by, record.note) == (
        TRAINED_ON, OFFLINE, "learn", "first try",
    )  # fmt: skip
    again = _register(registry, 1, created_by="someone else")
    assert again == record and _rows(registry) == 1  # the first registration stands
    assert [p.name for p in registry.root.iterdir()] == [record.source]  # no leftovers


def test_registering_again_repairs_a_damaged_folder(registry: RankerRegistry) -> None:
    record = _register(registry, 1)
    model = registry.root / record.source / MODEL_FILE
    model.write_text("damaged")
    _register(registry, 1)
    assert registry.check(registry.root / record.source).name == record.id


def test_the_shipped_model_is_not_registered_again(registry: RankerRegistry) -> None:
    shipped = registry.shipped()
    record = _register(registry, 0)  # the seed save_shipped used: the same model
    assert record == registry.get(shipped.id) and record.kind == "shipped"
    assert _rows(registry) == 0


def test_list_has_the_shipped_ranker_first_and_live_before_any_promotion(
    registry: RankerRegistry,
) -> None:
    first, second = _register(registry, 1), _register(registry, 2)
    listed = registry.list()
    assert [r.id for r in listed] == [registry.shipped().id, second.id, first.id]
    shipped = listed[0].to_dict()
    assert (shipped["kind"], shipped["live"], shipped["promoted_at"]) == ("shipped", True, None)
    assert shipped["trained_on"] == {"lib": 12}
    assert shipped["offline"] == {"library_out_ndcg@10": {"x": 0.8}}
    assert shipped["created_at"] == "2026-12-01"
    assert shipped["source"] == str(registry.shipped_folder)
    assert registry.live() is None and registry.live_id() is None


def test_an_unknown_id_names_the_known_ones(registry: RankerRegistry) -> None:
    record = _register(registry, 1)
    with pytest.raises(NotFoundError) as caught:
        registry.get("lambdarank:nope")
    assert caught.value.field == "ranker" and caught.value.status == 404
    assert "'lambdarank:nope'" in caught.value.message
    assert record.id in caught.value.message and registry.shipped().id in caught.value.message
    with pytest.raises(NotFoundError):
        registry.promote("lambdarank:nope", by="ops")


def test_promote_makes_it_live_and_promoting_it_again_changes_nothing(
    registry: RankerRegistry,
) -> None:
    record = _register(registry, 1)
    promoted = registry.promote(record.id, by="ops", reason="won the interleave")
    body = promoted.to_dict()
    assert (body["live"], body["promoted_by"], body["reason"], body["promoted_how"]) == (
        True, "ops", "won the interleave", "promote",
    )  # fmt: skip
    assert body["promoted_at"].endswith("+00:00")
    assert registry.live_id() == record.id and registry.live() == promoted
    assert [r.id for r in registry.list() if r.live] == [record.id]
    again = registry.promote(record.id, by="someone", reason="again")
    assert again == promoted and len(registry.history()) == 1


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda d: (d / MODEL_FILE).write_text("tree\nnonsense"), "does not match the sha256"),
        (lambda d: (d / MODEL_FILE).unlink(), "could not be read"),
        (lambda d: (d / MANIFEST_FILE).write_text("{not json"), "could not be read"),
    ],
)
def test_a_corrupt_file_is_refused_at_promote_and_the_live_ranker_stays(
    registry: RankerRegistry, damage: object, why: str
) -> None:
    good, bad = _register(registry, 1), _register(registry, 2)
    registry.promote(good.id, by="ops")
    folder = registry.root / bad.source
    damage(folder)  # type: ignore[operator]
    with pytest.raises(RankerFileError) as caught:
        registry.promote(bad.id, by="ops")
    assert caught.value.status == 409 and caught.value.code == "ranker_file"
    assert str(folder) in caught.value.message and why in caught.value.message
    assert registry.live_id() == good.id and len(registry.history()) == 1


def test_a_ranker_for_another_encoder_is_refused_at_promote(registry: RankerRegistry) -> None:
    other = registry.register(
        tiny_ranker(3, encoder="another-model"), trained_on={}, offline={}, created_by="learn"
    )
    with pytest.raises(RankerFileError) as caught:
        registry.promote(other.id, by="ops")
    assert "was built for another-model, not test-hashing-384" in caught.value.message
    assert registry.live_id() is None


def test_rollback_goes_back_one_promotion_at_a_time_down_to_the_shipped_ranker(
    registry: RankerRegistry,
) -> None:
    a, b = _register(registry, 1), _register(registry, 2)
    shipped = registry.shipped().id
    with pytest.raises(ConflictError) as caught:
        registry.rollback(by="ops")
    assert "Nothing to roll back" in caught.value.message and shipped in caught.value.message
    registry.promote(a.id, by="ops")
    registry.promote(b.id, by="ops")
    back = registry.rollback(by="ops", reason="fewer sends")
    assert back.id == a.id and back.live and back.to_dict()["promoted_how"] == "rollback"
    assert back.to_dict()["reason"] == "fewer sends"
    to_shipped = registry.rollback(by="ops")
    assert to_shipped.id == shipped and to_shipped.kind == "shipped" and to_shipped.live
    assert registry.live_id() is None and registry.live() is None
    with pytest.raises(ConflictError):  # never back up to b
        registry.rollback(by="ops")
    changes = registry.history()
    assert [(c.action, c.ranker_id, c.previous_id) for c in changes] == [
        ("promote", a.id, None), ("promote", b.id, a.id),
        ("rollback", a.id, b.id), ("rollback", None, a.id),
    ]  # fmt: skip


def test_the_shipped_ranker_can_be_promoted_back_to_and_rolled_back_from(
    registry: RankerRegistry,
) -> None:
    a = _register(registry, 1)
    shipped = registry.shipped().id
    registry.promote(a.id, by="ops")
    assert registry.promote(shipped, by="ops").live
    assert registry.live_id() is None
    assert registry.rollback(by="ops").id == a.id


def test_rollback_to_a_ranker_whose_file_broke_is_refused(registry: RankerRegistry) -> None:
    a, b = _register(registry, 1), _register(registry, 2)
    registry.promote(a.id, by="ops")
    registry.promote(b.id, by="ops")
    (registry.root / a.source / MODEL_FILE).write_text("broken")
    with pytest.raises(RankerFileError) as caught:
        registry.rollback(by="ops")
    assert str(registry.root / a.source) in caught.value.message
    assert registry.live_id() == b.id


def test_two_changes_decided_on_one_state_cannot_both_be_written(
    registry: RankerRegistry,
) -> None:
    a, b = _register(registry, 1), _register(registry, 2)
    store = registry.store
    store.append(follows=None, action="promote", ranker_id=a.id, previous_id=None, by="x",
                 reason="")  # fmt: skip
    with pytest.raises(StaleChangeError):  # decided before the first was written
        store.append(follows=None, action="promote", ranker_id=b.id, previous_id=None, by="y",
                     reason="")  # fmt: skip
    assert registry.live_id() == a.id
    assert registry.promote(b.id, by="y").live  # decided again on the new state, it lands


def test_a_record_round_trips_through_the_store(registry: RankerRegistry, tmp_path: Path) -> None:
    record = _register(registry, 1)
    assert registry.store.record(record.id) == record
    assert registry.store.record("lambdarank:none") is None


def test_the_shipped_ranker_is_read_from_models_ranker_by_default(
    registry: RankerRegistry,
) -> None:
    from enablement.recommend.ranker import DEFAULT_FOLDER

    manifest = json.loads((DEFAULT_FOLDER / MANIFEST_FILE).read_text())
    default = RankerRegistry(
        registry.store.engine, root=registry.root, shipped=DEFAULT_FOLDER, check=registry.check
    )
    shipped = default.list()[0]
    assert (shipped.id, shipped.kind, shipped.source, shipped.live) == (
        f"lambdarank:{manifest['sha256'][:12]}", "shipped", "models/ranker", True,
    )  # fmt: skip
    assert shipped.trained_on == manifest["trained"]["trained_on"]
    assert "library_out_ndcg@10" in shipped.offline
