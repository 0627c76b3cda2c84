"""Ingesting whole libraries: the sample library, incremental re-ingest, bad files, atomicity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from enablement.catalog import store as store_module
from enablement.catalog.build import BuildOptions
from enablement.catalog.ingest import ingest
from enablement.catalog.store import CatalogStore
from enablement.errors import IngestRejectedError, InvalidValueError
from enablement.taxonomy import FACETS, Taxonomy
from tests.catalog.libraries import BAD_REASONS, GOOD_IDS, build_bad_library, copy_sample_library
from tests.conftest import CATALOG


def test_sample_library_is_complete_and_clean(
    store: CatalogStore, build_options: BuildOptions, taxonomy: Taxonomy
) -> None:
    summary = ingest(CATALOG, store=store, options=build_options)
    assert summary.reports == []
    assets = store.assets()
    assert len(assets) == len(summary.added) >= 80
    assert summary.chunks == sum(a["chunk_count"] for a in assets)
    for facet, column in zip(FACETS, ("stages", "verticals", "personas", "type"), strict=True):
        seen = {v for a in assets for v in (a[column] if column != "type" else [a[column]])}
        assert set(taxonomy.facet(facet).ids) <= seen, facet
    formats = [a["format"] for a in assets]
    assert min(formats.count(f) for f in ("pdf", "docx", "pptx")) >= 5
    assert any(a["expires_at"] is not None for a in assets)
    assert any(a["type"] == "battlecard" and a["external"] is False for a in assets)
    bare = [a for a in assets if a["type"] is None]
    assert len(bare) >= 3
    for asset in bare:  # no metadata means empty metadata, never guessed
        assert asset["stages"] == asset["verticals"] == asset["personas"] == []
        assert asset["external"] is None and asset["owner"] is None
    words = [a["word_count"] for a in assets]
    assert min(words) >= 150 and max(words) <= 650


def test_reingest_reports_exactly_the_change(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = copy_sample_library(tmp_path / "library")
    first = ingest(library, store=store, options=build_options)
    total = len(first.added)

    edited = library / "faqs/buyer-faq.md"
    edited.write_text(edited.read_text() + "\n## New question\n\nA new answer about SSO.\n")
    (library / "case-studies/meridian-health-partners.pdf").unlink()
    (library / "case-studies/meridian-health-partners.meta.yaml").unlink()
    (library / "blog/new-post.md").write_text(
        "---\ntitle: New post\ntype: blog\n---\nFresh text.\n"
    )

    second = ingest(library, store=store, options=build_options)
    assert second.changed == ["faqs-buyer-faq"]
    assert second.removed == ["case-studies-meridian-health-partners"]
    assert second.added == ["blog-new-post"]
    assert len(second.unchanged) == total - 2
    assert sorted(second.processed) == ["blog/new-post.md", "faqs/buyer-faq.md"]
    assert second.reports == []
    assert "A new answer about SSO." in " ".join(c["text"] for c in store.chunks("faqs-buyer-faq"))
    assert store.chunks("case-studies-meridian-health-partners") == []
    assert second.catalog_version > first.catalog_version

    third = ingest(library, store=store, options=build_options)
    assert third.processed == [] and third.added == third.changed == third.removed == []
    assert third.catalog_version == second.catalog_version


def test_bad_files_are_reported_and_good_ones_stored(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_bad_library(tmp_path / "library")
    summary = ingest(library, store=store, options=build_options)
    reasons = {report.path: report.reason for report in summary.reports}
    assert set(reasons) == set(BAD_REASONS)
    for path, fragment in BAD_REASONS.items():
        assert fragment in reasons[path], (path, reasons[path])
    assert {a["id"] for a in store.assets()} == GOOD_IDS
    assert store.chunks("good-case") and store.chunks("good-deck")


def test_strict_mode_writes_nothing(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = build_bad_library(tmp_path / "library")
    with pytest.raises(IngestRejectedError, match="strict mode"):
        ingest(library, store=sqlite_store, options=build_options, strict=True)
    assert sqlite_store.counts() == (0, 0)


def test_a_failure_midway_leaves_the_previous_catalog(
    tmp_path: Path,
    store: CatalogStore,
    build_options: BuildOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    library = copy_sample_library(tmp_path / "library")
    ingest(library, store=store, options=build_options)
    before = (store.counts(), store.chunks("faqs-buyer-faq"), store.catalog_version())

    for path in library.rglob("*.md"):
        path.write_text(path.read_text() + "\nEdited.\n")
    calls = {"n": 0}
    real = store_module._chunk_row

    def dies_midway(asset_id: str, chunk: object) -> dict[str, object]:
        calls["n"] += 1
        if calls["n"] > 50:
            raise RuntimeError("killed midway")
        return real(asset_id, chunk)

    monkeypatch.setattr(store_module, "_chunk_row", dies_midway)
    with pytest.raises(RuntimeError, match="killed midway"):
        ingest(library, store=store, options=build_options)
    assert (store.counts(), store.chunks("faqs-buyer-faq"), store.catalog_version()) == before


def test_a_file_that_turns_bad_keeps_its_last_good_version(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.md").write_text("# A\n\nFirst version.\n")
    ingest(library, store=sqlite_store, options=build_options)
    (library / "a.md").write_bytes(b"\x00\x01binary now")
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert [r.path for r in summary.reports] == ["a.md"]
    assert summary.removed == []
    assert sqlite_store.chunks("a")[0]["text"] == "First version."


def test_symlinks_leaving_the_root_are_not_followed(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nDo not ingest.\n")
    library = tmp_path / "library"
    library.mkdir()
    (library / "inside.md").write_text("# Inside\n\nFine.\n")
    (library / "link.md").symlink_to(outside / "secret.md")
    (library / "linked-dir").symlink_to(outside)
    (library / "alias.md").symlink_to(library / "inside.md")
    summary = ingest(library, store=sqlite_store, options=build_options)
    reasons = {r.path: r.reason for r in summary.reports}
    assert "outside the library root" in reasons["link.md"]
    assert "outside the library root" in reasons["linked-dir"]
    texts = " ".join(c["text"] for a in sqlite_store.assets() for c in sqlite_store.chunks(a["id"]))
    assert "Do not ingest" not in texts


def test_sidecar_metadata_and_front_matter_merge(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "doc.md").write_text("---\ntitle: From front matter\ntype: faq\n---\nBody.\n")
    (library / "doc.meta.yaml").write_text("type: whitepaper\nverticals: [Banking]\n")
    (library / "orphan.meta.yaml").write_text("title: nobody\n")
    summary = ingest(library, store=sqlite_store, options=build_options)
    [asset] = sqlite_store.assets()
    assert (asset["title"], asset["type"], asset["verticals"]) == (
        "From front matter",
        "whitepaper",
        ["financial_services"],
    )
    assert [(r.path, r.reason) for r in summary.reports] == [
        ("orphan.meta.yaml", "metadata sidecar with no matching document")
    ]


def test_duplicate_ids_are_reported(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    (library / "a.md").write_text("---\nid: same\n---\nOne.\n")
    (library / "b.md").write_text("---\nid: same\n---\nTwo.\n")
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert [r.path for r in summary.reports] == ["b.md"]
    assert "duplicate asset id 'same'" in summary.reports[0].reason


def test_jsonl_and_csv_manifests(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    library = tmp_path / "export"
    (library / "files").mkdir(parents=True)
    shutil.copy(CATALOG / "decks/technical-architecture.pptx", library / "files/arch.pptx")
    rows = [
        {
            "id": "sec-faq",
            "title": "Security FAQ",
            "type": "faq",
            "text": "Do you encrypt? Yes.",
            "stages": ["Negotiation/Review"],
            "external": True,
            "updated_at": "2026-01-01",
        },
        {"id": "arch", "path": "files/arch.pptx", "type": "deck", "personas": "CISO"},
    ]
    (library / "assets.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (library / "more.csv").write_text(
        "id,title,type,text,stages,verticals,external\n"
        'price,Price list,pricing_guide,"Team is $39.",proposal;negotiation,,false\n'
        "short,Short,faq\n"
    )
    summary = ingest(library, store=store, options=build_options)
    assets = {a["id"]: a for a in store.assets()}
    assert set(assets) == {"sec-faq", "arch", "price"}
    assert assets["sec-faq"]["stages"] == ["negotiation"]
    assert assets["arch"]["personas"] == ["it_security"]
    assert assets["arch"]["title"] == "Technical Architecture and Security Deep Dive"
    assert {c["slide"] for c in store.chunks("arch")} == set(range(1, 9))
    assert assets["price"]["stages"] == ["proposal", "negotiation"]
    assert assets["price"]["external"] is False
    assert [r.path for r in summary.reports] == [
        "more.csv:3"
    ]  # the document was listed, not re-read
    # the deck is read once, as the manifest row that lists it, never again as a loose file
    assert sorted(summary.processed) == ["assets.jsonl:1", "assets.jsonl:2", "more.csv:2"]


def test_a_single_manifest_file_can_be_ingested(
    tmp_path: Path, sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    manifest = tmp_path / "one.jsonl"
    manifest.write_text('{"id": "x", "text": "Hello there."}\n{"text": "no id"}\n')
    summary = ingest(manifest, store=sqlite_store, options=build_options)
    assert summary.added == ["x"]
    assert [r.reason for r in summary.reports] == ["a row with 'text' needs an 'id'"]
    assert summary.source == str(manifest.resolve())


def test_missing_path_is_a_clear_error(
    sqlite_store: CatalogStore, build_options: BuildOptions
) -> None:
    with pytest.raises(InvalidValueError, match="No such file or folder"):
        ingest(Path("/nonexistent/library"), store=sqlite_store, options=build_options)


def test_ingest_never_touches_the_network(
    tmp_path: Path,
    sqlite_store: CatalogStore,
    build_options: BuildOptions,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    library = copy_sample_library(tmp_path / "library")
    (library / "remote.html").write_text(
        '<html><head><link rel="stylesheet" href="http://192.0.2.1/a.css">'
        '<script src="http://192.0.2.1/a.js"></script></head>'
        '<body><img src="http://192.0.2.1/p.png" alt="chart"><p>Body.</p>'
        '<iframe src="http://192.0.2.1/"></iframe></body></html>'
    )
    (library / "remote-image.md").write_text("# R\n\n![x](http://192.0.2.1/x.png)\n\nText.\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("ingest tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    summary = ingest(library, store=sqlite_store, options=build_options)
    assert summary.reports == []
    assert {"remote", "remote-image"} <= set(summary.added)


def _alias_bomb() -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    return "\n".join(lines) + "\n"


HOSTILE_METADATA = {  # file name -> (its text, a fragment of the reason it is reported)
    "bomb.md": (f"---\n{_alias_bomb()}---\nBody.\n", "more than 10,000 values"),
    "self.md": ("---\nx: &a [*a]\n---\nBody.\n", "refers to itself"),
    "nan.md": ("---\nscore: .nan\n---\nBody.\n", "not finite"),
    "inf.md": ("---\nscore: -.inf\n---\nBody.\n", "not finite"),
    "deep.md": (f"---\nx: {'[' * 5000}{']' * 5000}\n---\nBody.\n", "invalid YAML"),
    "side.md": ("Side body.\n", "day is out of range"),
    "side.meta.yaml": ("updated_at: 2026-02-30\n", ""),
    "deepside.md": ("Deep side body.\n", "invalid YAML in metadata sidecar"),
    "deepside.meta.yaml": (f"x: {'[' * 5000}{']' * 5000}\n", ""),
    "selfside.md": ("Self side body.\n", "refers to itself"),
    "selfside.meta.yaml": ("x: &a {y: *a}\n", ""),
    "rows.jsonl": (
        '{"id": "row-nan", "text": "t", "score": NaN}\n'
        f'{{"id": "row-deep", "text": "t", "x": {"[" * 700}{"]" * 700}}}\n'
        '{"id": "row-good", "text": "A good row beside them"}\n',
        "",
    ),
    "good.md": ("---\nshared: &s [a, b]\nalso: *s\n---\nGood body.\n", ""),
}


def test_hostile_metadata_is_reported_per_file_on_both_stores(
    tmp_path: Path, store: CatalogStore, build_options: BuildOptions
) -> None:
    """Alias bombs, self-referencing anchors, NaN, deep nesting and impossible dates in front
    matter, sidecars or manifest rows are each a report: never a hang, a crash or a lost run."""
    library = tmp_path / "library"
    library.mkdir()
    for name, (text, _) in HOSTILE_METADATA.items():
        (library / name).write_text(text)
    summary = ingest(library, store=store, options=build_options)
    reasons = {report.path: report.reason for report in summary.reports}
    expected = {name: reason for name, (_, reason) in HOSTILE_METADATA.items() if reason}
    expected |= {"rows.jsonl:1": "not finite", "rows.jsonl:2": "nested deeper than 32"}
    assert set(reasons) == set(expected)
    for path, fragment in expected.items():
        assert fragment in reasons[path], (path, reasons[path])
    assert {asset["id"] for asset in store.assets()} == {"good", "row-good"}
