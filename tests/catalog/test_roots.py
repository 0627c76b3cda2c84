"""Stable ids: a library's subfolders, parents, unrelated roots and single files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.roots import covers, scope_for
from enablement.catalog.store import CatalogStore
from tests.catalog.libraries import TINY_IDS, build_tiny_library


def _sources(store: CatalogStore) -> dict[str, str]:
    return {asset["id"]: asset["source"] for asset in store.assets()}


def test_a_subfolder_after_its_library_changes_nothing(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    summary = ingest(library / "faqs", store=store, options=build_options)
    assert set(_sources(store)) == TINY_IDS
    assert set(_sources(store).values()) == {str(library.resolve())}
    assert summary.added == summary.changed == summary.removed == summary.processed == []
    assert sorted(summary.unchanged) == ["faqs-buyer-faq", "faqs-security-faq"]
    assert summary.source == str(library.resolve())
    assert summary.path == str((library / "faqs").resolve())
    assert (
        "already in the catalog" in summary.notes[0] and str(library.resolve()) in summary.notes[0]
    )
    assert summary.to_dict()["notes"] == summary.notes


def test_a_subfolder_ingest_updates_only_what_lies_under_it(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    (library / "faqs/buyer-faq.md").write_text("# Buyer FAQ\n\nOnboarding takes four weeks.\n")
    (library / "faqs/security-faq.md").unlink()
    (library / "faqs/pricing-faq.md").write_text("# Pricing FAQ\n\nPer seat, billed yearly.\n")
    (library / "decks/pitch.md").unlink()  # outside the subfolder: not this run's business
    summary = ingest(library / "faqs", store=store, options=build_options)
    assert (summary.changed, summary.added) == (["faqs-buyer-faq"], ["faqs-pricing-faq"])
    assert summary.removed == ["faqs-security-faq"]
    assert set(_sources(store)) == TINY_IDS - {"faqs-security-faq"} | {"faqs-pricing-faq"}
    assert "four weeks" in store.chunks("faqs-buyer-faq")[0]["text"]
    assert store.get("faqs-pricing-faq")["locator"] == "faqs/pricing-faq.md"  # type: ignore[index]


def test_one_file_of_a_known_library_keeps_its_id(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=sqlite_store, options=build_options)
    (library / "faqs/buyer-faq.md").write_text("# Buyer FAQ\n\nNow three weeks.\n")
    summary = ingest(library / "faqs/buyer-faq.md", store=sqlite_store, options=build_options)
    assert summary.changed == ["faqs-buyer-faq"] and summary.removed == []
    assert set(_sources(sqlite_store)) == TINY_IDS


def test_a_library_after_its_subfolder_keeps_the_subfolders_ids(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    first = ingest(library / "faqs", store=store, options=build_options)
    assert sorted(first.added) == ["buyer-faq", "security-faq"]
    summary = ingest(library, store=store, options=build_options)
    assert summary.merged == [str((library / "faqs").resolve())]
    assert sorted(summary.added) == ["decks-pitch", "overview"]
    assert summary.removed == []
    kept = {"buyer-faq", "security-faq", "overview", "decks-pitch"}
    assert _sources(store) == dict.fromkeys(kept, str(library.resolve()))
    moved = store.get("buyer-faq")
    assert moved is not None and (moved["locator"], moved["path"]) == ("faqs/buyer-faq.md",) * 2
    again = ingest(library, store=store, options=build_options)
    assert again.added == again.changed == again.removed == again.processed == []
    ingest(library / "faqs", store=store, options=build_options)
    assert set(_sources(store)) == kept
    (library / "faqs/buyer-faq.md").write_text("# Buyer FAQ\n\nChanged after the merge.\n")
    changed = ingest(library, store=store, options=build_options)
    assert changed.changed == ["buyer-faq"]  # the merged asset keeps its id when it changes


def test_a_single_file_then_its_library(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    assert ingest(library / "decks/pitch.md", store=sqlite_store, options=build_options).added == [
        "pitch"
    ]
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert sorted(summary.added) == ["faqs-buyer-faq", "faqs-security-faq", "overview"]
    assert set(_sources(sqlite_store)) == {
        "pitch",
        "faqs-buyer-faq",
        "faqs-security-faq",
        "overview",
    }


def test_unrelated_libraries_with_the_same_paths_do_not_collide(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    first = build_tiny_library(tmp_path / "north")
    second = build_tiny_library(
        tmp_path / "south", {"faqs/buyer-faq.md": "# South FAQ\n\nOther text.\n"}
    )
    ingest(first, store=store, options=build_options)
    summary = ingest(second, store=store, options=build_options)
    assert summary.added == ["south-faqs-buyer-faq"]
    assert set(_sources(store)) == TINY_IDS | {"south-faqs-buyer-faq"}
    assert "Other text" in store.chunks("south-faqs-buyer-faq")[0]["text"]
    assert "Six weeks" in store.chunks("faqs-buyer-faq")[0]["text"]
    for library in (first, second):  # each keeps its own ids, run after run
        again = ingest(library, store=store, options=build_options)
        assert again.added == again.changed == again.removed == []
    (second / "faqs/buyer-faq.md").write_text("# South FAQ\n\nEdited.\n")
    assert ingest(second, store=store, options=build_options).changed == ["south-faqs-buyer-faq"]


def test_a_second_library_named_like_the_first_gets_a_hashed_id(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    one = build_tiny_library(tmp_path / "a" / "library", {"x.md": "# X\n\nOne.\n"})
    two = build_tiny_library(
        tmp_path / "b" / "library", {"x.md": "# X\n\nTwo.\n", "library-x.md": "Y\n"}
    )
    ingest(one, store=sqlite_store, options=build_options)
    ingest(two, store=sqlite_store, options=build_options)
    ids = set(_sources(sqlite_store))
    assert len(ids) == 3 and {"x", "library-x"} <= ids
    [hashed] = ids - {"x", "library-x"}
    assert hashed.startswith("x-") and len(hashed) == len("x-") + 8


def test_a_moved_library_takes_its_ids_along(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    moved = tmp_path / "elsewhere"
    shutil.move(library, moved)
    summary = ingest(moved, store=store, options=build_options)
    assert set(summary.changed) == TINY_IDS and summary.added == []
    assert set(_sources(store).values()) == {str(moved.resolve())}


def test_a_new_upload_of_a_file_replaces_the_old(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    for folder, text in (("one", "First version."), ("two", "Second version.")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "guide.md").write_text(f"# Guide\n\n{text}\n")
        ingest(tmp_path / folder / "guide.md", store=sqlite_store, options=build_options)
    [asset] = sqlite_store.assets()
    assert asset["id"] == "guide" and sqlite_store.chunks("guide")[0]["text"] == "Second version."


def test_duplicates_from_before_stable_ids_are_merged_away(
    tmp_path: Path,
    sqlite_store: CatalogStore,
    build_options: BuildOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A catalog that ingested `library/faqs` after `library` with the old rule holds each FAQ
    twice; the next ingest of the library keeps its own ids and drops the copies."""
    library = build_tiny_library(tmp_path / "library")
    ingest(library, store=sqlite_store, options=build_options)
    with monkeypatch.context() as patched:
        patched.setattr(CatalogStore, "sources", lambda self: set())  # the old rule
        ingest(library / "faqs", store=sqlite_store, options=build_options)
    assert {"buyer-faq", "security-faq"} <= set(_sources(sqlite_store))
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert sorted(summary.removed) == ["buyer-faq", "security-faq"]
    assert set(_sources(sqlite_store)) == TINY_IDS


def test_a_file_a_manifest_lists_is_not_duplicated_by_its_folder(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_tiny_library(tmp_path / "library")
    row = {"id": "pitch-deck", "path": "decks/pitch.md", "type": "deck"}
    (library / "assets.jsonl").write_text(json.dumps(row) + "\n")
    ingest(library, store=sqlite_store, options=build_options)
    before = set(_sources(sqlite_store))
    assert "pitch-deck" in before and "decks-pitch" not in before
    summary = ingest(library / "decks", store=sqlite_store, options=build_options)
    assert summary.added == summary.removed == []
    assert set(_sources(sqlite_store)) == before


def test_scope_of_paths(tmp_path: Path) -> None:
    library = build_tiny_library(tmp_path / "library")
    known = [str(library)]
    assert scope_for(library / "faqs", known).prefix == "faqs"
    assert scope_for(library / "faqs/buyer-faq.md", known).prefix == "faqs/buyer-faq.md"
    assert scope_for(library, known).prefix == "" and scope_for(library, known).within is None
    parent = scope_for(tmp_path, [str(library / "faqs"), str(library / "overview.md")])
    assert parent.adopted == {
        str(library / "faqs"): "library/faqs",
        str(library / "overview.md"): "library",
    }
    assert covers("faqs/a.md", "faqs") and covers("faqs/m.jsonl#x", "faqs/m.jsonl")
    assert not covers("faqs-old/a.md", "faqs") and covers("anything", "")


def test_a_moved_library_with_prefixed_ids_hands_them_over(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    north = build_tiny_library(tmp_path / "north")
    south = build_tiny_library(tmp_path / "south")
    ingest(north, store=store, options=build_options)
    south_ids = set(ingest(south, store=store, options=build_options).added)
    assert "south-faqs-buyer-faq" in south_ids
    moved = tmp_path / "south-moved"
    shutil.move(south, moved)
    summary = ingest(moved, store=store, options=build_options)
    assert summary.added == [] and set(summary.changed) == south_ids
    sources = _sources(store)
    assert len(sources) == 2 * len(TINY_IDS)
    assert {sources[i] for i in south_ids} == {str(moved.resolve())}
