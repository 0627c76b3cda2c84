"""Ctrl-C during `enablement ingest`: one line saying whether the catalog changed and what to
run next, exit status 130, in both phases (before the ingest's commit, and during the index build
after it); and the passage bar says "loading model" until encoding starts."""

from __future__ import annotations

import functools
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from enablement.catalog import store as catalog_store
from enablement.cli import cli, common
from enablement.db import connect
from enablement.index import build as index_build
from enablement.index.cache import EmbeddingCache, encode_with_cache
from enablement.service import EnablementService
from enablement.settings import Settings
from tests.fakes import HashingEncoder


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("ENABLEMENT_DATA_DIR", str(tmp_path / "data"))
    encoder = HashingEncoder()
    factory = functools.partial(EnablementService, encoder=encoder)
    monkeypatch.setattr(common, "EnablementService", factory)
    return CliRunner()


def _library(tmp_path: Path, *names: str) -> Path:
    library = tmp_path / "library"
    library.mkdir(exist_ok=True)
    for name in names:
        (library / f"{name}.md").write_text(f"# {name}\n\nWhat {name} does for approvals.\n")
    return library


def _interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


def _catalog(tmp_path: Path) -> tuple[int, str | None]:
    service = EnablementService(Settings(data_dir=tmp_path / "data"))
    try:
        return service.store.counts()[0], service.index_version()
    finally:
        service.close()


def test_an_interrupt_before_the_commit_leaves_the_catalog_unchanged(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _library(tmp_path, "alpha", "beta")
    with monkeypatch.context() as patched:  # the last write inside the ingest's transaction
        patched.setattr(catalog_store, "_record_run", _interrupt)
        result = runner.invoke(cli, ["ingest", str(library)])
    assert result.exit_code == 130
    assert result.stderr == (
        "Interrupted: the catalog is unchanged; there is no index yet; "
        f"run `enablement ingest {library}` again.\n"
    )
    assert _catalog(tmp_path) == (0, None)  # the assets written before it were rolled back
    again = runner.invoke(cli, ["ingest", str(library), "--json"])  # what the line says to run
    assert again.exit_code == 0, again.output
    assert sorted(json.loads(again.stdout)["added"]) == ["alpha", "beta"]


def test_an_interrupt_while_indexing_leaves_the_catalog_changed_and_the_old_index(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = _library(tmp_path, "alpha")
    assert runner.invoke(cli, ["ingest", str(library)]).exit_code == 0
    old = _catalog(tmp_path)[1]
    assert old is not None
    _library(tmp_path, "beta")
    with monkeypatch.context() as patched:  # after the commit, before the new bundle is current
        patched.setattr(index_build, "publish", _interrupt)
        result = runner.invoke(cli, ["ingest", str(library)])
    assert result.exit_code == 130
    assert result.stderr == (
        "Interrupted: the catalog changed but the index was not rebuilt; "
        f"the index {old} still serves; run `enablement index`.\n"
    )
    assert _catalog(tmp_path) == (2, old)
    assert runner.invoke(cli, ["index"]).exit_code == 0  # what the line says to run
    found = runner.invoke(cli, ["search", "beta approvals", "--json"])
    assert "beta" in [item["asset_id"] for item in json.loads(found.stdout)["items"]]


def test_an_interrupted_index_says_so(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        runner.invoke(cli, ["ingest", str(_library(tmp_path, "alpha")), "--no-index"]).exit_code
        == 0
    )
    monkeypatch.setattr(index_build, "publish", _interrupt)
    result = runner.invoke(cli, ["index"])
    assert result.exit_code == 130
    assert result.stderr == (
        "Interrupted: the catalog is unchanged; there is no index yet; "
        "run `enablement index` again.\n"
    )


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _shown(terminal: Terminal) -> str:
    """What the bar shows now: the text after its last carriage return."""
    return terminal.getvalue().rsplit("\r", 1)[-1]


def test_the_bar_says_loading_model_until_the_first_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(common.sys, "stderr", terminal)
    with common.progress("passage", status="loading model") as update:
        assert update is not None
        assert "loading model" in _shown(terminal)  # before any passage
        update(0, 4)
        update(4, 4)
        assert "loading model" not in _shown(terminal) and "4/4" in _shown(terminal)


def test_encoding_reports_its_start_before_the_first_batch(tmp_path: Path) -> None:
    events: list[object] = []

    class Recording(HashingEncoder):
        def encode_passages(self, texts: list[str]) -> object:  # type: ignore[override]
            events.append("encode")
            return super().encode_passages(texts)

    engine = connect(f"sqlite:///{tmp_path / 'cache.db'}")
    encode_with_cache(
        ["a", "b", "c"],
        encoder=Recording(),
        cache=EmbeddingCache(engine),
        batch=2,
        progress=lambda done, total: events.append((done, total)),
    )
    assert events == [(0, 3), "encode", (2, 3), "encode", (3, 3)]
