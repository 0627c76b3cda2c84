"""Library discovery, its errors, and a library built into its own catalog."""

from pathlib import Path

import pytest

from enablement.catalog.build import BuildOptions
from enablement.db import connect
from enablement.errors import InvalidValueError
from enablement.index.build import IndexOptions
from enablement.index.cache import EmbeddingCache
from enablement.learn.libraries import (
    build_library_bundle,
    check_labels,
    discover_libraries,
    library_source,
    load_deals,
)
from tests.fakes import HashingEncoder
from tests.learn.tiny_libraries import write_libraries, write_library

REPO = Path(__file__).resolve().parents[2]


def test_discovers_folders_and_library_yaml(tmp_path: Path) -> None:
    write_libraries(tmp_path / "libs")
    linked = tmp_path / "libs" / "delta"
    linked.mkdir()
    (linked / "library.yaml").write_text("catalog: ../alpha/catalog\ndeals: ../alpha/deals.jsonl\n")
    (tmp_path / "libs" / "README.md").write_text("not a library")
    sources = discover_libraries(tmp_path / "libs")
    assert [s.name for s in sources] == ["alpha", "bravo", "charlie", "delta"]
    assert sources[3].catalog == (tmp_path / "libs" / "alpha" / "catalog").resolve()
    assert sources[3].deals == (tmp_path / "libs" / "alpha" / "deals.jsonl").resolve()


def test_the_repository_libraries_include_the_demo_library() -> None:
    sources = {s.name: s for s in discover_libraries(REPO / "eval" / "libraries")}
    assert {"lumenfold", "corvane-medical", "tessaline-hr"} <= set(sources)
    assert sources["lumenfold"].catalog == (REPO / "content_catalog").resolve()
    assert sources["lumenfold"].deals == (REPO / "eval" / "deals.jsonl").resolve()


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda f: (f / "deals.jsonl").unlink(), "bravo: no deals file"),
        (lambda f: (f / "deals.jsonl").write_text("\n"), "bravo: no deals in"),
        (lambda f: (f / "deals.jsonl").write_text("{not json\n"), "deals.jsonl:1: not a labelled"),
        (lambda f: [p.unlink() for p in (f / "catalog").iterdir()] and (f / "catalog").rmdir(),
         "bravo: no catalog folder"),
        (lambda f: (f / "library.yaml").write_text("catalog: x\n"), "needs `catalog:` and"),
        (lambda f: (f / "library.yaml").write_text("catalog: [\n"), "needs `catalog:` and"),
    ],
)  # fmt: skip
def test_a_bad_folder_is_an_error_naming_it(tmp_path: Path, breakage: object, message: str) -> None:
    write_libraries(tmp_path)
    breakage(tmp_path / "bravo")  # type: ignore[operator]
    with pytest.raises(InvalidValueError) as info:
        for source in discover_libraries(tmp_path):
            load_deals(source)
    assert message in info.value.message
    assert "bravo" in info.value.message
    assert "\n" not in info.value.message


def test_one_library_is_not_enough(tmp_path: Path) -> None:
    write_library(tmp_path, "alpha")
    with pytest.raises(InvalidValueError, match="at least two"):
        discover_libraries(tmp_path)
    with pytest.raises(InvalidValueError, match="No such folder"):
        discover_libraries(tmp_path / "missing")


def test_a_label_naming_an_unknown_asset_is_an_error(
    tmp_path: Path, build_options: BuildOptions
) -> None:
    source = library_source(write_library(tmp_path, "alpha"))
    engine = connect(f"sqlite:///{tmp_path / 'cache.db'}")
    bundle = build_library_bundle(
        source,
        tmp_path / "work",
        options=build_options,
        encoder=HashingEncoder(),
        cache=EmbeddingCache(engine),
        index_options=IndexOptions(),
    )
    ids = frozenset(asset.id for asset in bundle.assets)
    assert ids == {"alpha-security", "alpha-pricing", "alpha-case"}
    deals = load_deals(source)
    check_labels("alpha", deals, ids)  # every label is known: no error
    with pytest.raises(InvalidValueError, match="alpha: deal A1 labels unknown asset 'alpha-sec"):
        check_labels("alpha", deals, ids - {"alpha-security"})


def test_an_empty_catalog_is_an_error(tmp_path: Path, build_options: BuildOptions) -> None:
    folder = write_library(tmp_path, "alpha")
    for path in (folder / "catalog").iterdir():
        path.unlink()
    engine = connect(f"sqlite:///{tmp_path / 'cache.db'}")
    with pytest.raises(InvalidValueError, match="alpha: no assets"):
        build_library_bundle(
            library_source(folder),
            tmp_path / "work",
            options=build_options,
            encoder=HashingEncoder(),
            cache=EmbeddingCache(engine),
            index_options=IndexOptions(),
        )
