"""The experiments registry on both databases: definitions checked, one running at a time, paged
newest first, stopped once, and the ranker names it accepts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from enablement.db import connect
from enablement.errors import ConflictError, InvalidValueError, NotFoundError, UnknownChoiceError
from enablement.experiments.model import Definition, check_definition
from enablement.experiments.rankers import BASELINES, known_rankers, ranker
from enablement.experiments.store import ExperimentStore
from enablement.recommend.config import RecommenderConfig
from enablement.recommend.ranker import LearnedRanker
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.fakes import HashingEncoder

RANKERS = ("linear", "lambdarank:3f2a9c01b7de", *BASELINES)
HOLDOUT = Definition("no-metadata holdout", "holdout", "no_metadata", share=0.1)
INTERLEAVE = Definition("learned vs linear", "interleave", "linear", "lambdarank:3f2a9c01b7de")


@pytest.fixture
def store(database_url: str) -> Iterator[ExperimentStore]:
    engine: Engine = connect(database_url)
    yield ExperimentStore(engine)
    engine.dispose()


def test_a_created_experiment_reads_back_as_stored(store: ExperimentStore) -> None:
    created = store.create(HOLDOUT, created_by="ops")
    assert created.id.startswith("exp-") and created.status == "running"
    read = store.get(created.id)
    assert read.to_dict() == created.to_dict()
    assert (read.kind, read.control, read.treatment, read.share) == (
        "holdout", "no_metadata", None, 0.1,
    )  # fmt: skip
    assert datetime.fromisoformat(read.to_dict()["created_at"]).utcoffset() is not None
    running = store.running()
    assert running is not None and running.to_dict() == read.to_dict()


def test_a_second_experiment_is_refused_while_one_runs(store: ExperimentStore) -> None:
    first = store.create(HOLDOUT, created_by="ops")
    with pytest.raises(ConflictError) as caught:
        store.create(INTERLEAVE, created_by="ops")
    assert caught.value.status == 409 and caught.value.field == "kind"
    assert first.id in caught.value.message
    store.stop(first.id, stopped_by="ops")
    second = store.create(INTERLEAVE, created_by="ops")  # free again once stopped
    assert store.running_id() == second.id


def test_stop_records_who_and_when_and_a_second_stop_changes_nothing(
    store: ExperimentStore,
) -> None:
    created = store.create(HOLDOUT, created_by="ops")
    stopped = store.stop(created.id, stopped_by="lead")
    assert (stopped.status, stopped.stopped_by) == ("stopped", "lead")
    assert stopped.stopped_at is not None and stopped.stopped_at >= created.created_at
    assert store.stop(created.id, stopped_by="someone else").to_dict() == stopped.to_dict()
    assert store.running() is None


def test_an_unknown_id_is_a_404_naming_experiment_id(store: ExperimentStore) -> None:
    for call in (store.get, lambda i: store.stop(i, stopped_by="ops")):
        with pytest.raises(NotFoundError) as caught:
            call("exp-nope")
        assert caught.value.field == "experiment_id" and "exp-nope" in caught.value.message


def test_pages_newest_first_with_a_cursor(store: ExperimentStore) -> None:
    made = []
    for i in range(5):
        made.append(store.create(HOLDOUT, created_by=f"ops{i}").id)
        store.stop(made[-1], stopped_by="ops")
    first, cursor = store.page(limit=2)
    second, cursor2 = store.page(limit=2, cursor=cursor)
    last, end = store.page(limit=2, cursor=cursor2)
    seen = [e.id for e in first + second + last]
    assert seen == made[::-1] and end is None  # newest first
    assert store.page(limit=5)[1] is None  # exactly one full page: no next


def test_creates_at_once_leave_one_running_experiment(database_url: str) -> None:
    """Six admins at once, each with its own connection pool, as workers would be."""
    engines = [connect(database_url) for _ in range(6)]
    barrier = threading.Barrier(len(engines))
    outcomes: list[str] = []

    def create(engine: Engine) -> None:
        barrier.wait()
        try:
            ExperimentStore(engine).create(HOLDOUT, created_by="race")
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=create, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows, _ = ExperimentStore(engines[0]).page(limit=10)
    for engine in engines:
        engine.dispose()
    assert sorted(outcomes) == ["conflict"] * 5 + ["created"]
    assert [e.status for e in rows] == ["running"]


@pytest.mark.parametrize(
    ("definition", "field"),
    [
        (Definition("x", "holdout", "linear", share=0.0), "share"),
        (Definition("x", "holdout", "linear", share=0.51), "share"),
        (Definition("x", "holdout", "linear", share=-0.1), "share"),
        (Definition("x", "holdout", "linear", share=float("nan")), "share"),
        (Definition("x", "holdout", "linear"), "share"),
        (Definition("x", "holdout", "linear", "bm25_only", share=0.1), "treatment"),
        (Definition("x", "interleave", "linear"), "treatment"),
        (Definition("x", "interleave", "linear", "linear"), "treatment"),
        (Definition("x", "interleave", "linear", "bm25_only", share=0.1), "share"),
        (Definition(" ", "holdout", "linear", share=0.1), "name"),
        (Definition("x", "holdback", "linear", share=0.1), "kind"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_definition_names_its_field(definition: Definition, field: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        check_definition(definition, rankers=RANKERS)
    assert caught.value.status == 422 and caught.value.field == field, caught.value.message


@pytest.mark.parametrize("field", ["control", "treatment"])
def test_an_unknown_ranker_is_a_422_listing_the_known_ones(field: str) -> None:
    fields = {"control": "linear", "treatment": "bm25_only", field: "lambdarank:nope"}
    definition = Definition("x", "interleave", fields["control"], fields["treatment"])
    with pytest.raises(UnknownChoiceError) as caught:
        check_definition(definition, rankers=RANKERS)
    body = caught.value.to_dict()["error"]
    assert body["field"] == field and body["code"] == "unknown_ranker"  # type: ignore[index]
    assert body["valid"] == sorted(RANKERS)  # type: ignore[index]
    assert "lambdarank:nope" in caught.value.message


def test_good_definitions_pass_with_the_name_trimmed() -> None:
    assert check_definition(HOLDOUT, rankers=RANKERS) == HOLDOUT
    assert (
        check_definition(Definition(" y ", "holdout", "linear", share=0.5), rankers=RANKERS).name
        == "y"
    )
    assert check_definition(INTERLEAVE, rankers=RANKERS) == INTERLEAVE


def test_each_known_ranker_has_the_config_that_ranks_as_it() -> None:
    model = LearnedRanker(booster=None, features=("a",), encoder="e", sha256="3f2a9c01b7de99")
    known = known_rankers([(model, "models/ranker")])
    assert list(known) == ["linear", "lambdarank:3f2a9c01b7de", "bm25_only", "dense_only",
                           "no_metadata"]  # fmt: skip
    linear = RecommenderConfig()
    assert known["linear"].config(linear).ranker is None
    assert known["lambdarank:3f2a9c01b7de"].config(linear).ranker is model
    assert known["bm25_only"].config(linear).fusion.method == "bm25"
    assert known["dense_only"].config(linear).fusion.method == "dense"
    assert known["no_metadata"].config(linear).weights.stage == 0
    with pytest.raises(UnknownChoiceError) as caught:
        ranker("lambdarank", known, field="control")
    assert caught.value.field == "control" and caught.value.valid == sorted(known)


def test_the_service_knows_the_served_and_a_trained_candidate_ranker(
    tmp_path: Path, settings: Settings
) -> None:
    """A ranker trained into data_dir/ranker (train-ranker's default --out) for this encoder
    may be named; the shipped one, built for another encoder, may not."""
    from enablement.recommend.features import feature_names
    from enablement.recommend.ranker import save_ranker
    from tests.recommend.test_ranker import tiny_model

    service = EnablementService(settings, encoder=HashingEncoder())
    try:
        assert set(service.experimenting.rankers()) == {"linear", *BASELINES}
        names = feature_names(service.taxonomy.asset_types.ids)
        trained = tiny_model(names)
        saved = save_ranker(
            LearnedRanker(trained.booster, names, service.encoder.name, depth=10),
            settings.data_dir / "ranker",
        )
        assert set(service.experimenting.rankers()) == {"linear", saved.name, *BASELINES}
        made = service.experimenting.create(
            Definition("candidate", "interleave", "linear", saved.name), created_by="ops"
        )
        assert service.experimenting.store.get(made.id).treatment == saved.name
    finally:
        service.close()
