"""Removing assets by hand: by id or source, all or nothing, audited, restored by re-ingest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.removal import audit_log, remove
from enablement.catalog.store import Actor, CatalogStore
from enablement.errors import InvalidValueError, NotFoundError, UnknownAssetError
from tests.catalog.libraries import TINY_IDS, build_tiny_library

ALICE = Actor("alice", "cli")


def _ids(store: CatalogStore) -> set[str]:
    return {asset["id"] for asset in store.assets()}


def test_removing_by_id_is_a_soft_delete_with_an_audit_row(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    version, (assets, chunks) = store.catalog_version(), store.counts()
    removal = remove(store, ["faqs-buyer-faq", "overview"], actor=ALICE)
    assert [row["id"] for row in removal.removed] == ["faqs-buyer-faq", "overview"]
    assert removal.to_dict()["count"] == 2 and removal.to_dict()["actor"] == "alice"
    assert _ids(store) == TINY_IDS - {"faqs-buyer-faq", "overview"}
    assert store.get("overview") is None and store.chunks("overview") == []
    assert store.counts() == (assets - 2, chunks - 2)
    assert store.catalog_version() > version  # the index is out of date now
    assert {row["id"] for row in store.all_chunks()} and all(
        row["asset_id"] in _ids(store) for row in store.all_chunks()
    )
    gone = {row["id"]: row for row in store.removed_assets()}
    assert set(gone) == {"faqs-buyer-faq", "overview"}
    assert gone["overview"]["title"] == "Overview" and gone["overview"]["removed_at"] is not None
    rows = audit_log(store)
    assert [(r["asset_id"], r["actor"], r["via"], r["action"]) for r in rows] == [
        ("overview", "alice", "cli", "remove"),
        ("faqs-buyer-faq", "alice", "cli", "remove"),
    ]
    assert rows[1]["title"] == "Buyer FAQ" and rows[1]["path"] == "faqs/buyer-faq.md"
    assert rows[1]["source"] == str(library.resolve()) and rows[1]["at"].endswith("+00:00")
    assert [r["asset_id"] for r in audit_log(store, limit=1)] == ["overview"]
    assert [r["asset_id"] for r in audit_log(store, before=rows[0]["id"])] == ["faqs-buyer-faq"]
    assert [r["asset_id"] for r in audit_log(store, asset_id="overview")] == ["overview"]


def test_an_unknown_id_removes_nothing_and_names_every_unknown(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    ingest(build_tiny_library(tmp_path / "library"), store=sqlite_store, options=build_options)
    remove(sqlite_store, ["overview"], actor=ALICE)
    with pytest.raises(UnknownAssetError) as raised:
        remove(sqlite_store, ["decks-pitch", "faqs-buyer-faq2", "overview", "zzz"], actor=ALICE)
    error = raised.value
    assert error.status == 404 and error.field == "asset_id" and error.code == "unknown_asset"
    assert error.ids == ["faqs-buyer-faq2", "overview", "zzz"]
    assert "'faqs-buyer-faq2' (did you mean 'faqs-buyer-faq'?)" in error.message
    assert "'overview' (removed already)" in error.message
    assert "Nothing was removed" in error.message
    assert error.to_dict()["error"]["closest"] == "faqs-buyer-faq"  # type: ignore[index]
    assert _ids(sqlite_store) == TINY_IDS - {"overview"}  # decks-pitch is still there
    assert len(audit_log(sqlite_store)) == 1


def test_removing_by_source(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    other = build_tiny_library(tmp_path / "other", {"guide.md": "# Guide\n\nElsewhere.\n"})
    single = tmp_path / "note.md"
    single.write_text("# Note\n\nOne file on its own.\n")
    for path in (library, other, single):
        ingest(path, store=store, options=build_options)
    removed = remove(store, source=library / "faqs", actor=ALICE).removed
    assert [row["id"] for row in removed] == ["faqs-buyer-faq", "faqs-security-faq"]
    removed = remove(store, source=library / "decks/pitch.md", actor=ALICE).removed
    assert [row["id"] for row in removed] == ["decks-pitch"]
    assert [row["id"] for row in remove(store, source=single, actor=ALICE).removed] == ["note"]
    assert _ids(store) == {"overview", "guide"}
    for above in (tmp_path, Path("/")):  # a path above libraries is no library
        with pytest.raises(InvalidValueError, match="holds whole libraries") as refused:
            remove(store, source=above, actor=ALICE)
        assert refused.value.field == "source" and str(library.resolve()) in str(refused.value)
    assert _ids(store) == {"overview", "guide"}
    assert [r["id"] for r in remove(store, source=library, actor=ALICE).removed] == ["overview"]
    assert [r["id"] for r in remove(store, source=other, actor=ALICE).removed] == ["guide"]
    with pytest.raises(NotFoundError, match="No asset in the catalog came from") as raised:
        remove(store, source=library, actor=ALICE)
    assert raised.value.field == "source"


def test_a_missing_source_removes_nothing(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=sqlite_store, options=build_options)
    with pytest.raises(NotFoundError, match=str(library.resolve())):
        remove(sqlite_store, ["overview"], source=tmp_path / "nowhere", actor=ALICE)
    assert _ids(sqlite_store) == TINY_IDS
    with pytest.raises(InvalidValueError, match="Name the asset ids"):
        remove(sqlite_store, actor=ALICE)


@pytest.mark.parametrize(
    ("ids", "actor", "field"),
    [
        (["over\udcffview"], "alice", "ids[0]"),
        (["overview"], "al\x1bice", "actor"),
        (["overview"], "x" * 201, "actor"),
        (["overview"], "  ", "actor"),
    ],
)
def test_bad_ids_or_actors_are_refused_before_the_database(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions, ids: list[str],
    actor: str, field: str,
) -> None:  # fmt: skip
    ingest(build_tiny_library(tmp_path / "library"), store=store, options=build_options)
    with pytest.raises(InvalidValueError) as raised:
        remove(store, ids, actor=Actor(actor, "cli"))
    assert raised.value.field == field
    assert _ids(store) == TINY_IDS and audit_log(store) == []


def test_ingesting_again_restores_a_removed_asset(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    chunks = store.chunks("faqs-buyer-faq")
    remove(store, ["faqs-buyer-faq"], actor=ALICE)
    summary = ingest(library, store=store, options=build_options)
    assert summary.added == ["faqs-buyer-faq"] and summary.removed == []
    assert _ids(store) == TINY_IDS and store.removed_assets() == []
    assert [c["text"] for c in store.chunks("faqs-buyer-faq")] == [c["text"] for c in chunks]
    assert len(audit_log(store)) == 1  # the removal stays on record


def test_a_removed_asset_whose_file_is_gone_stays_removed(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=sqlite_store, options=build_options)
    remove(sqlite_store, ["overview"], actor=ALICE)
    (library / "overview.md").unlink()
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert summary.added == summary.removed == []
    assert [row["id"] for row in sqlite_store.removed_assets()] == ["overview"]


def test_restoring_one_library_never_takes_another_librarys_removed_id(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    lib = build_tiny_library(tmp_path / "lib")
    lib2 = build_tiny_library(tmp_path / "lib2")
    ingest(lib, store=store, options=build_options)
    assert ingest(lib2, store=store, options=build_options).added != []
    assert store.get("lib2-faqs-buyer-faq") is not None
    remove(store, ["faqs-buyer-faq", "lib2-faqs-buyer-faq"], actor=ALICE)
    assert ingest(lib2, store=store, options=build_options).added == ["lib2-faqs-buyer-faq"]
    assert ingest(lib, store=store, options=build_options).added == ["faqs-buyer-faq"]
    sources = {asset["id"]: asset["source"] for asset in store.assets()}
    assert sources["faqs-buyer-faq"] == str(lib.resolve())
    assert sources["lib2-faqs-buyer-faq"] == str(lib2.resolve())
    assert len(sources) == 2 * len(TINY_IDS) and store.removed_assets() == []


def test_a_new_file_never_takes_a_removed_files_id(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    lib = build_tiny_library(tmp_path / "lib")
    ingest(lib, store=store, options=build_options)
    remove(store, ["faqs-buyer-faq"], actor=ALICE)
    other = build_tiny_library(tmp_path / "other", {"faqs/buyer-faq.md": "# Other\n\nText.\n"})
    assert ingest(other, store=store, options=build_options).added == ["other-faqs-buyer-faq"]
    [gone] = store.removed_assets()
    assert gone["id"] == "faqs-buyer-faq" and gone["source"] == str(lib.resolve())


@pytest.mark.parametrize("again", ["", "faqs"])
def test_a_restored_asset_keeps_the_id_of_its_merged_source(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions, again: str
) -> None:
    lib = build_tiny_library(tmp_path / "lib")
    added = ingest(lib / "faqs/buyer-faq.md", store=sqlite_store, options=build_options).added
    assert added == ["buyer-faq"]
    ingest(lib, store=sqlite_store, options=build_options)  # merged: buyer-faq keeps its id
    remove(sqlite_store, ["buyer-faq"], actor=ALICE)
    summary = ingest(lib / again, store=sqlite_store, options=build_options)
    assert summary.added == ["buyer-faq"]
    assert "faqs-buyer-faq" not in _ids(sqlite_store) and sqlite_store.removed_assets() == []


def test_concurrent_removals_of_one_asset_remove_it_once(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    ingest(build_tiny_library(tmp_path / "library"), store=store, options=build_options)
    version = store.catalog_version()
    start = threading.Barrier(4)

    def attempt(n: int) -> str:
        start.wait()
        try:
            remove(store, ["faqs-buyer-faq"], actor=Actor(f"admin{n}", "api"))
        except UnknownAssetError as exc:
            assert "'faqs-buyer-faq' (removed already)" in str(exc)
            return "refused"
        return "removed"

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(attempt, range(4)))
    assert outcomes == ["refused", "refused", "refused", "removed"]
    assert [row["asset_id"] for row in audit_log(store)] == ["faqs-buyer-faq"]
    assert store.catalog_version() == version + 1  # one removal run, so one rebuild


def test_a_removal_that_lost_the_race_changes_nothing(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The check saw the asset live, but another removal committed before this one wrote."""
    ingest(build_tiny_library(tmp_path / "library"), store=store, options=build_options)
    remove(store, ["faqs-buyer-faq"], actor=ALICE)
    version = store.catalog_version()
    monkeypatch.setattr(store, "existing_ids", lambda ids: set(ids))  # the stale check
    with pytest.raises(UnknownAssetError, match="removed already"):
        remove(store, ["faqs-buyer-faq", "overview"], actor=Actor("bob", "api"))
    assert store.catalog_version() == version and store.get("overview") is not None
    assert [row["actor"] for row in audit_log(store)] == ["alice"]
